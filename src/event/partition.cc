#include "event/partition.h"

#include <fmt/format.h>

#include "common/time_util.h"

namespace tracklake {

namespace {

// Writes v as exactly n decimal digits (zero-padded) ending just before end.
void PutDigits(char* end, int v, int n) {
  for (int i = 0; i < n; ++i) {
    *--end = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

}  // namespace

std::string PartitionPath(std::string_view event_type, int64_t received_at_ms) {
  const UtcDateHour t = ToUtcDateHour(received_at_ms);
  if (t.year < 0 || t.year > 9999) {  // not a clock reading; the general path spells it
    return fmt::format("{}/dt={:04d}-{:02d}-{:02d}/hr={:02d}", event_type, t.year, t.month, t.day, t.hour);
  }
  // Formatted by hand: the pipeline routes every request through here, and fmt's general
  // path cost more than the rest of the routing together.
  char tail[] = "/dt=0000-00-00/hr=00";
  PutDigits(tail + 8, t.year, 4);
  PutDigits(tail + 11, t.month, 2);
  PutDigits(tail + 14, t.day, 2);
  PutDigits(tail + 20, t.hour, 2);
  std::string path;
  path.reserve(event_type.size() + sizeof(tail) - 1);
  path.append(event_type);
  path.append(tail, sizeof(tail) - 1);
  return path;
}

std::string PartitionPathOf(const EventView& e) {
  return PartitionPath(e.kind == RecordKind::kRejected ? kRejectedPartitionPrefix : e.event_type(),
                       e.received_at_ms);
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
