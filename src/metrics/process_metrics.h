// The process's own resource use, under the names every Prometheus client library exports
// (process_cpu_seconds_total, process_resident_memory_bytes, ...), so fleet dashboards and
// alerts written for other services work unchanged. Read from /proc at scrape time (Linux only).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "metrics/metrics.h"

namespace tracklake {

struct ProcessStats {
  double cpu_seconds = 0;         // user + system
  double start_time_seconds = 0;  // since the Unix epoch
  uint64_t virtual_bytes = 0;
  uint64_t resident_bytes = 0;
  uint64_t threads = 0;
};

// Parses the text of /proc/<pid>/stat; boot_time_s: when the machine booted, since the Unix
// epoch. nullopt when malformed.
std::optional<ProcessStats> ParseProcStat(std::string_view stat, double boot_time_s, long ticks_per_second,
                                          long page_bytes);

// Registers process_cpu_seconds_total, process_start_time_seconds, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_threads, process_open_fds and process_max_fds.
void AddProcessMetrics(MetricsRegistry& metrics);

}  // namespace tracklake
