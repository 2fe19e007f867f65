// The shape rules for names and addresses found in the configuration: node and app ids (they
// end up in file and object names), event type and column names, "host:port", hex digests.
// Each Check* returns why the value breaks the rule, or nothing; the same text appears in the
// docs (the *Rule constants) and in error messages. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "event/names.h"

namespace tracklake::config_internal {

inline constexpr size_t kMaxIdLength = 64;
inline constexpr size_t kMaxEventTypeLength = kMaxEventTypeBytes;
inline constexpr size_t kMaxColumnLength = kMaxKeyBytes;
inline constexpr size_t kSha256HexLength = 64;
inline constexpr std::string_view kMaskedSecret = "***";

inline constexpr std::string_view kIdRule = "[A-Za-z0-9_.-]{1,64}";
inline constexpr std::string_view kEventTypeRule = "[a-z0-9_]{1,64}";
inline constexpr std::string_view kColumnRule = "[A-Za-z_][A-Za-z0-9_.-]{0,127}";
inline constexpr std::string_view kListenRule = "host:port";
inline constexpr std::string_view kSha256HexRule = "64 hex digits";
inline constexpr std::string_view kNonEmptyRule = "not empty";
inline constexpr std::string_view kOriginRule = "scheme://host[:port]";
inline constexpr std::string_view kBrowserKeyRule = "[A-Za-z0-9_.~-]{16,256}";

// Node ids and app ids: [A-Za-z0-9_.-]{1,64}.
std::optional<std::string> CheckId(std::string_view value);
// Event type names: [a-z0-9_]{1,64}.
std::optional<std::string> CheckEventType(std::string_view value);
// Column names (event keys): [A-Za-z_][A-Za-z0-9_.-]{0,127}.
std::optional<std::string> CheckColumn(std::string_view value);
// "host:port", "[::1]:port"; port 0..65535.
std::optional<std::string> CheckListen(std::string_view value);
// A SHA-256 digest in hex (either case). "***" gets its own message: it is what
// RenderConfig prints in place of a digest, so someone fed a rendered config back.
std::optional<std::string> CheckSha256Hex(std::string_view value);
std::optional<std::string> CheckNonEmpty(std::string_view value);
// A browser key: 16..256 URL-safe characters, so pages can put it in a query string as is, and
// long enough not to be guessed. "***" (a masked key) is refused with its own message.
std::optional<std::string> CheckBrowserKey(std::string_view value);
// A web origin as browsers send it in the Origin header: http:// or https://, a lower-case host
// (name, IPv4, or [IPv6]), an optional port, nothing after it (no path, no trailing slash).
std::optional<std::string> CheckOrigin(std::string_view value);

// 64 hex digits to 32 raw bytes. REQUIRES: CheckSha256Hex(hex) passed.
std::string HexToBytes(std::string_view hex);

}  // namespace tracklake::config_internal
