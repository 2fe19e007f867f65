#include "event/partition.h"

#include <fmt/format.h>

#include "common/time_util.h"

namespace tracklake {

std::string PartitionPath(std::string_view event_type, int64_t received_at_ms) {
  const UtcDateHour t = ToUtcDateHour(received_at_ms);
  if (t.year < 0 || t.year > 9999) {  // not a clock reading; the general path spells it
    return fmt::format("{}/dt={:04d}-{:02d}-{:02d}/hr={:02d}", event_type, t.year, t.month, t.day, t.hour);
  }
  // The pipeline routes every request through here, and fmt's general path cost more than the
  // rest of the routing together: cut "YYYY-MM-DDTHH…" from the RFC 3339 formatter instead.
  constexpr std::string_view kDate = "/dt=";
  constexpr std::string_view kHour = "/hr=";
  constexpr size_t kRfc3339Bytes = 24;
  std::string path;
  path.reserve(event_type.size() + kDate.size() + kRfc3339Bytes);
  path.append(event_type).append(kDate);
  const size_t at = path.size();
  AppendRfc3339Millis(path, received_at_ms);
  const char hour[2] = {path[at + 11], path[at + 12]};
  path.resize(at + 10);
  path.append(kHour).append(hour, 2);
  return path;
}

std::string PartitionPathOf(const EventView& e) {
  return PartitionPath(e.kind == RecordKind::kRejected ? kRejectedPartitionPrefix : e.event_type(), e.received_at_ms);
}

std::string_view PartitionEventType(std::string_view partition_path) {
  return partition_path.substr(0, partition_path.find('/'));
}

int64_t PartitionHourEndMillis(std::string_view p) {
  const size_t dt = p.find("/dt=");
  if (dt == std::string_view::npos || p.size() < dt + 4 + 10 + 6) return 0;
  const std::string_view s = p.substr(dt + 4);
  auto num = [&](size_t pos, size_t n) {
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  const int64_t days = DaysFromCivil(num(0, 4), num(5, 2), num(8, 2));
  return (days * 24 + num(14, 2) + 1) * 3'600'000;
}

}  // namespace tracklake
