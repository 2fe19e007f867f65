// The shape of event names, shared by validation (every event) and configuration (declared
// event types and columns), so the two can never disagree. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace tracklake {

inline constexpr size_t kMaxKeyBytes = 128;
inline constexpr size_t kMaxEventTypeBytes = 64;

// [A-Za-z_][A-Za-z0-9_.-]{0,max_bytes-1}
bool IsValidKey(std::string_view key, size_t max_bytes = kMaxKeyBytes);
// [a-z0-9_]{1,max_bytes}
bool IsValidEventType(std::string_view value, size_t max_bytes = kMaxEventTypeBytes);

// The fields a Kafka message key or Kinesis partition key may be taken from, and "none"
// (encode/json_messages.h; kafka.message_key, kinesis.partition_key).
inline constexpr std::string_view kMessageKeyFields[] = {"user_id", "anonymous_id", "session_id", "event_id",
                                                        "none"};

}  // namespace tracklake
