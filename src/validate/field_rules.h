// Pure text predicates behind the per-event validation rules, and the rendering of the rule
// texts that depend on configured limits. No allocation except in MakeValidationMessages.
// Thread-safe: free functions over their arguments.
#pragma once

#include <cstddef>
#include <string_view>

#include "event/names.h"  // IsValidKey, IsValidEventType, IsValidEventId, field names
#include "validate/validate.h"

namespace tracklake {

// Event-level and per-field rule texts that do not depend on configuration.
inline constexpr std::string_view kErrNotObject = "must be a JSON object";
inline constexpr std::string_view kErrNotJson = "must be valid JSON";
inline constexpr std::string_view kErrNotUtf8 = "must be valid UTF-8";
inline constexpr std::string_view kErrDuplicateKey = "duplicate key";
inline constexpr std::string_view kErrRequired = "required";
inline constexpr std::string_view kErrEventTypeNotAllowed = "not allowed for this application";
inline constexpr std::string_view kErrAppIdMismatch = "does not match the application of the write key";
inline constexpr std::string_view kErrBadEventId = "must be 1 to 128 printable ASCII characters";
inline constexpr std::string_view kErrBadEventTime = "must be an RFC 3339 date-time such as 2026-11-26T06:07:15.123Z";
inline constexpr std::string_view kErrEventTimeOutOfRange =
    "must fall within 1900-01-01 and 9999-12-31 in UTC, once its offset is applied";
inline constexpr std::string_view kErrEventTypeReserved = "reserved: event types starting with _ are tracklake's";
inline constexpr std::string_view kErrReserved = "reserved: set by the server";
inline constexpr std::string_view kErrGotNumber = "must be a string (got number)";
inline constexpr std::string_view kErrGotBool = "must be a string (got bool)";
inline constexpr std::string_view kErrGotNull = "must be a string (got null)";
inline constexpr std::string_view kErrGotObject = "must be a string (got object)";
inline constexpr std::string_view kErrGotArray = "must be a string (got array)";

// app_id stored when neither the write key nor the event names an application.
inline constexpr std::string_view kDefaultAppId = "default";

ValidationMessages MakeValidationMessages(const ValidationRules& rules);

// The JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view text);

// The longest prefix of s of at most max_bytes that does not split a UTF-8 sequence.
std::string_view TruncateUtf8(std::string_view s, size_t max_bytes);
// s without leading and trailing JSON whitespace (space, tab, CR, LF).
std::string_view TrimJsonWhitespace(std::string_view s);
bool IsJsonWhitespace(char c);

}  // namespace tracklake
