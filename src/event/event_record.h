// The event record: how one validated event (or one rejected input, for the dead-letter area)
// is serialised into a write-ahead-log payload, and decoded again by the batcher and encoders.
//
// Format (all integers little-endian; see docs/wal-format.md):
//   u8  format version (1)          u8  kind (RecordKind)
//   i64 received_at_ms              i64 event_time_ms (INT64_MIN when absent)
//   u16 field_count, then field_count times: varint key length, key, varint value length, value
// For kind kEvent the first three fields are always event_type, event_id, app_id, followed by
// the client's remaining fields in the order received (event_time included, as sent).
// For kind kRejected the fields are app_id, index, field, error, and raw or raw_base64.
//
// Thread-safety: plain values and free functions; EventView borrows the bytes it was decoded
// from, which must outlive it.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tracklake {

enum class RecordKind : uint8_t { kEvent = 1, kRejected = 2 };

inline constexpr uint8_t kEventRecordVersion = 1;
inline constexpr int64_t kNoEventTime = std::numeric_limits<int64_t>::min();

struct Field {
  std::string_view key;
  std::string_view value;
};

struct EventView {
  RecordKind kind = RecordKind::kEvent;
  int64_t received_at_ms = 0;
  int64_t event_time_ms = kNoEventTime;
  std::vector<Field> fields;

  // Value of the first field named key, or nullopt. Linear: events have few fields.
  std::optional<std::string_view> Get(std::string_view key) const;
  // For kEvent records: the canonical leading fields.
  std::string_view event_type() const { return fields.empty() ? std::string_view{} : fields[0].value; }
};

// Appends one record to out field by field, without building an EventView first.
// Usage: Begin(); Add(k, v)...; Finish() (or Abort()). Precondition: fewer than 65,536 fields.
// Between Begin and Finish, out may be longer than the record so far (room written into
// without a capacity check per byte); Finish and Abort trim it.
class EventRecordBuilder {
 public:
  explicit EventRecordBuilder(std::string& out) : out_(out) {}
  // expected_bytes: a hint of the record's size (e.g. the event's JSON size), so the room is
  // made once.
  void Begin(RecordKind kind, int64_t received_at_ms, int64_t event_time_ms, size_t expected_bytes = 0);
  void Add(std::string_view key, std::string_view value);
  // Patches the field count and trims out; returns the record's size in bytes.
  size_t Finish();
  // Drops everything appended since Begin(), e.g. when validation fails half-way.
  void Abort();

 private:
  // Room for n more bytes at end_.
  char* Room(size_t n);

  std::string& out_;
  size_t start_ = 0;
  size_t end_ = 0;
  size_t count_pos_ = 0;
  uint16_t count_ = 0;
};

// Decodes a record into out (reusing its vector). Views point into bytes.
Status DecodeEventRecord(std::string_view bytes, EventView& out);

// Serialises a whole view (tests, tools, re-encoding).
std::string EncodeEventRecord(const EventView& e);

}  // namespace tracklake

namespace tracklake {

// What routing needs from a record without decoding all its fields: kind, received_at and,
// for kEvent, the event type (the first field). Returns false when bytes are not a record.
struct RecordRouting {
  RecordKind kind;
  int64_t received_at_ms;
  std::string_view event_type;
};
bool PeekRouting(std::string_view bytes, RecordRouting& out);

// What deduplication needs from a kEvent record: its event_id and app_id (the second and third
// fields) and received_at. Returns false when bytes are not an event record with them.
struct RecordIdentity {
  std::string_view event_id;
  std::string_view app_id;
  int64_t received_at_ms = 0;
};
bool PeekIdentity(std::string_view bytes, RecordIdentity& out);

}  // namespace tracklake
