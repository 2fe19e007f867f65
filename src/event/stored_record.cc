#include "event/stored_record.h"

#include "common/time_util.h"
#include "event/names.h"
#include "event/partition.h"

namespace tracklake {
namespace {

bool IsDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

int Number(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

// A server-set field name (they lead the record and appear once). Lengths first: this runs for
// every field of every event delivery reads back, and almost no key has one of these lengths.
bool IsCanonicalKey(std::string_view key) {
  switch (key.size()) {
    case kAppIdKey.size(): return key == kAppIdKey;
    case kEventIdKey.size(): return key == kEventIdKey;
    case kEventTypeKey.size(): return key == kEventTypeKey;
    case kReceivedAtKey.size(): return key == kReceivedAtKey;
    default: return false;
  }
}

}  // namespace

std::optional<std::string_view> StoredRecordProblem(const EventView& e, bool field_names) {
  if (!InLakeTimeRange(e.received_at_ms)) return "received_at outside 1900-9999";
  if (e.kind == RecordKind::kRejected) {
    const auto& f = e.fields;
    if (e.event_time_ms != kNoEventTime || f.size() != std::size(kRejectedKeys) + 1)
      return "not a dead letter's fields";
    for (size_t i = 0; i < std::size(kRejectedKeys); ++i) {
      if (f[i].key != kRejectedKeys[i]) return "not a dead letter's fields";
    }
    if (f.back().key != kRawKey && f.back().key != kRawBase64Key) return "not a dead letter's fields";
    return std::nullopt;
  }
  if (e.fields.size() < 3 || e.fields[0].key != kEventTypeKey || e.fields[1].key != kEventIdKey ||
      e.fields[2].key != kAppIdKey) {
    return "event_type, event_id and app_id do not lead";
  }
  const std::string_view type = e.fields[0].value;
  if (!IsValidEventType(type) || IsReservedEventType(type)) return "event_type is not a valid event type";
  if (!IsValidEventId(e.fields[1].value)) return "event_id is not a valid event id";
  if (e.event_time_ms != kNoEventTime && !InLakeTimeRange(e.event_time_ms)) return "event_time outside 1900-9999";
  for (size_t i = 3; field_names && i < e.fields.size(); ++i) {
    const std::string_view key = e.fields[i].key;
    if (!IsValidKey(key) || IsCanonicalKey(key)) return "a field name validation refuses";
  }
  return std::nullopt;
}

bool IsPartitionPath(std::string_view path) {
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view type = path.substr(0, slash);
  if (type != kRejectedPartitionPrefix && (!IsValidEventType(type) || IsReservedEventType(type))) return false;
  // "/dt=YYYY-MM-DD/hr=HH"
  const std::string_view rest = path.substr(slash);
  if (rest.size() != 20 || !rest.starts_with("/dt=") || rest[8] != '-' || rest[11] != '-' ||
      rest.substr(14, 4) != "/hr=") {
    return false;
  }
  const std::string_view year = rest.substr(4, 4), month = rest.substr(9, 2), day = rest.substr(12, 2),
                         hour = rest.substr(18, 2);
  if (!IsDigits(year) || !IsDigits(month) || !IsDigits(day) || !IsDigits(hour)) return false;
  const int y = Number(year), m = Number(month), d = Number(day);
  if (y < 1 || m < 1 || m > 12 || d < 1 || Number(hour) > 23) return false;
  // The day exists in that month: it survives the round trip through days since the epoch.
  const UtcDateHour back = ToUtcDateHour(DaysFromCivil(y, m, d) * 86'400'000);
  return back.year == y && back.month == m && back.day == d;
}

}  // namespace tracklake
