// The shape of event names, shared by validation (every event), configuration (declared
// event types and columns) and the re-validation of what the write-ahead log gives back
// (event/stored_record.h), so they can never disagree. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace tracklake {

inline constexpr size_t kMaxKeyBytes = 128;
inline constexpr size_t kMaxEventTypeBytes = 64;
inline constexpr size_t kMaxEventIdBytes = 128;

// The canonical field names: the one place they are spelled (event/lake_schema.h lays them out
// as the lake's columns). These have a rule of their own:
inline constexpr std::string_view kEventTypeKey = "event_type";
inline constexpr std::string_view kEventIdKey = "event_id";
inline constexpr std::string_view kAppIdKey = "app_id";
inline constexpr std::string_view kEventTimeKey = "event_time";
inline constexpr std::string_view kReceivedAtKey = "received_at";
// and these are ordinary fields that get a column of their own and may key a message.
inline constexpr std::string_view kUserIdKey = "user_id";
inline constexpr std::string_view kAnonymousIdKey = "anonymous_id";
inline constexpr std::string_view kSessionIdKey = "session_id";
// A dead-letter record's fields (kind kRejected), in this order, then kRawKey or kRawBase64Key.
inline constexpr std::string_view kRejectedKeys[] = {kAppIdKey, "index", "field", "error"};
inline constexpr std::string_view kRawKey = "raw";
inline constexpr std::string_view kRawBase64Key = "raw_base64";

// [A-Za-z_][A-Za-z0-9_.-]{0,max_bytes-1}
bool IsValidKey(std::string_view key, size_t max_bytes = kMaxKeyBytes);
// [a-z0-9_]{1,max_bytes}
bool IsValidEventType(std::string_view value, size_t max_bytes = kMaxEventTypeBytes);
// Event types starting with '_' are tracklake's (the dead-letter area is "_rejected"): no
// application may send one, and no configuration may name one.
inline bool IsReservedEventType(std::string_view value) { return value.starts_with('_'); }
// 1..kMaxEventIdBytes bytes, each 0x20..0x7e.
bool IsValidEventId(std::string_view value);

// The fields a Kafka message key or Kinesis partition key may be taken from, and "none"
// (encode/json_messages.h; kafka.message_key, kinesis.partition_key).
inline constexpr std::string_view kMessageKeyFields[] = {kUserIdKey, kAnonymousIdKey, kSessionIdKey, kEventIdKey,
                                                         "none"};

}  // namespace tracklake
