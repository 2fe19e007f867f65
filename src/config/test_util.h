// Helpers shared by the config tests: temporary TOML files and field-by-field comparison.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "config/config.h"

namespace tracklake::config_test {

// An app section that satisfies auth.mode = "keys", for tests about other sections.
inline constexpr std::string_view kDemoApp = "[apps.demo]\nkey = \"demo-write-key\"\n";

// Writes text to a new file under $TRACKLAKE_TEST_TMP (or /tmp) and returns its path.
std::string WriteTempFile(std::string_view text, std::string_view extension = ".toml");

// LoadConfig on a temporary file holding toml.
Result<Config> LoadToml(std::string_view toml, const std::map<std::string, std::string>& env = {});

// Raw SHA-256 of data, and its hex.
std::string Sha256(std::string_view data);
std::string Hex(std::string_view bytes);

// Every option, app and event type of a equals b's (gtest expectations).
void ExpectSameConfig(const Config& a, const Config& b);

}  // namespace tracklake::config_test
