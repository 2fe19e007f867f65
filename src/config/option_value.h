// Converting, checking and printing option values: byte sizes with units ("64MiB"), values
// given as text (environment variables), bounds / enum / shape checks with the rule in words,
// and TOML literals for RenderConfig. Pure functions, thread-safe.
//
// Errors are returned as Status::InvalidArgument whose message is only the rule that was
// broken ("must be between 1 and 3600 seconds (...)"); the caller prefixes where the value
// came from and the value itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "config/option_table.h"

namespace tracklake::config_internal {

inline constexpr uint64_t kKiB = 1024;
inline constexpr uint64_t kMiB = kKiB * 1024;
inline constexpr uint64_t kGiB = kMiB * 1024;
inline constexpr uint64_t kTiB = kGiB * 1024;

// "67108864", "64MiB", "64 MiB", "1GiB", "512KiB", "10B". Binary units only: "MB" is rejected
// rather than guessed (1000² or 1024²?).
Result<uint64_t> ParseByteSize(std::string_view text);
// The largest unit that divides n exactly ("64MiB"), else plain bytes ("1000B").
std::string FormatByteSize(uint64_t n);

// An option's value from text (environment variables): "true"/"false"/"1"/"0", integers,
// byte sizes, strings as is. kStringList is not settable from text.
Result<OptionValue> ValueFromText(const OptionSpec& spec, std::string_view text);

// Bounds, allowed enum names and the shape check (for lists: of every element).
Status CheckValue(const OptionSpec& spec, const OptionValue& value);

// A TOML basic string literal, escaped.
std::string QuoteToml(std::string_view s);
// A TOML key: bare when it may be, quoted otherwise ("my.app" must be quoted).
std::string TomlKey(std::string_view key);
// The value as a TOML literal: "64MiB", 300, true, "fsync", ["a", "b"].
std::string FormatValue(const OptionSpec& spec, const OptionValue& value);
// The bounds, allowed values or shape rule in words, for the docs ("1..3600", "fsync, write").
std::string FormatRule(const OptionSpec& spec);
// The type as shown in the docs ("bytes", "enum", ...).
std::string_view TypeName(OptionType type);

}  // namespace tracklake::config_internal
