// Minimal JSON output helpers for responses, NDJSON lines and metrics labels. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace tracklake {

// Appends s as a JSON string literal (quotes included). Control characters, quotes and
// backslashes are escaped; other bytes are copied (callers pass valid UTF-8).
void AppendJsonString(std::string& out, std::string_view s);

// Standard base64 (RFC 4648) with padding.
std::string Base64Encode(std::string_view data);
// Returns false on invalid input.
bool Base64Decode(std::string_view text, std::string& out);

}  // namespace tracklake
