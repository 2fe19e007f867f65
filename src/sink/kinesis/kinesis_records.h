// Turning one messages object (encode/json_messages.h: the events of one event type) into
// Kinesis Data Streams records, and records into PutRecords calls, within the service limits:
//   - a record holds at most 1 MiB, data and partition key together,
//   - a call holds at most 500 records and 5 MiB, partition keys included,
//   - a partition key is 1 to 256 characters.
// Every record is complete JSON lines, each ending in '\n' (one event per record, or in
// aggregate mode consecutive events packed up to 1 MiB: Kinesis bills 25 KB PUT payload units
// per record, so small events packed together cost a fraction).
//
// Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "encode/json_messages.h"

namespace tracklake {

inline constexpr size_t kKinesisMaxRecordBytes = 1024 * 1024;
inline constexpr size_t kKinesisMaxRecordsPerCall = 500;
inline constexpr size_t kKinesisMaxBytesPerCall = 5 * 1024 * 1024;
inline constexpr size_t kKinesisMaxPartitionKeyBytes = 256;
inline constexpr size_t kKinesisPayloadUnitBytes = 25 * 1024;

struct KinesisRecord {
  std::string data;  // one or more lines, each ending in '\n'
  std::string partition_key;
  size_t size() const { return data.size() + partition_key.size(); }
};

struct KinesisRecords {
  std::vector<KinesisRecord> records;
  uint64_t events = 0;  // messages packed into records
  // 1-based positions of messages that can never be a record (over max_record_bytes with
  // their partition key); they are in no record.
  std::vector<uint64_t> oversized;
};

// The partition key of a message: its key when it has a non-empty one, else its event_id
// header, else a digest of its value (dead letters have neither). Keys longer than Kinesis
// allows become their SHA-256 in hex, so one key still always maps to one shard.
std::string KinesisPartitionKey(const MessageView& message);

// aggregate = false: one message per record; true: consecutive messages packed while they fit,
// under the first one's partition key.
KinesisRecords PackKinesisRecords(const std::vector<MessageView>& messages, bool aggregate,
                                  size_t max_record_bytes = kKinesisMaxRecordBytes);

// Kinesis stream names: 1 to 128 of [a-zA-Z0-9_.-].
bool IsValidKinesisStreamName(std::string_view name);

// PUT payload units Kinesis bills for one record: its size rounded up to 25 KB (at least one).
uint64_t KinesisPayloadUnits(size_t record_bytes);

}  // namespace tracklake
