#include "metrics/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>
#include <ctime>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/parse_number.h"

namespace tracklake {
namespace {

std::string ReadProcFile(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The clocks, not /proc/stat's btime: a hardened unit (ProcSubset=pid) hides /proc/stat.
double BootTimeSeconds() {
  timespec real{}, since_boot{};
  ::clock_gettime(CLOCK_REALTIME, &real);
  ::clock_gettime(CLOCK_BOOTTIME, &since_boot);
  return static_cast<double>(real.tv_sec - since_boot.tv_sec) +
         static_cast<double>(real.tv_nsec - since_boot.tv_nsec) / 1e9;
}

std::optional<ProcessStats> ReadSelf() {
  // Boot time and the kernel's units do not change while the process runs.
  static const double boot_time_s = BootTimeSeconds();
  static const long ticks = ::sysconf(_SC_CLK_TCK);
  static const long page = ::sysconf(_SC_PAGESIZE);
  return ParseProcStat(ReadProcFile("/proc/self/stat"), boot_time_s, ticks, page);
}

double OpenDescriptors() {
  std::error_code ec;
  double n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) ++n;
  return n;
}

}  // namespace

std::optional<ProcessStats> ParseProcStat(std::string_view stat, double boot_time_s, long ticks_per_second,
                                          long page_bytes) {
  // The command name (field 2) is in parentheses and may hold spaces and ')': fields are counted
  // from the last ')'.
  const size_t close = stat.rfind(')');
  if (close == std::string_view::npos || ticks_per_second <= 0) return std::nullopt;
  std::vector<std::string_view> fields;  // fields[0] is field 3 (state)
  std::string_view rest = stat.substr(close + 1);
  while (!rest.empty()) {
    const size_t start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const size_t end = std::min(rest.find_first_of(" \n"), rest.size());
    fields.push_back(rest.substr(0, end));
    rest.remove_prefix(end);
  }
  auto field = [&](size_t number, uint64_t& out) {  // number as in proc(5)
    const std::string_view f = fields.size() > number - 3 ? fields[number - 3] : std::string_view();
    const std::optional<uint64_t> n = ParseDecimal<uint64_t>(f);
    if (n) out = *n;
    return n.has_value();
  };
  uint64_t utime = 0, stime = 0, threads = 0, start = 0, vsize = 0, rss_pages = 0;
  if (!field(14, utime) || !field(15, stime) || !field(20, threads) || !field(22, start) || !field(23, vsize) ||
      !field(24, rss_pages)) {
    return std::nullopt;
  }
  ProcessStats s;
  const double ticks = static_cast<double>(ticks_per_second);
  s.cpu_seconds = static_cast<double>(utime + stime) / ticks;
  s.start_time_seconds = boot_time_s + static_cast<double>(start) / ticks;
  s.virtual_bytes = vsize;
  s.resident_bytes = rss_pages * static_cast<uint64_t>(page_bytes);
  s.threads = threads;
  return s;
}

void AddProcessMetrics(MetricsRegistry& metrics) {
  metrics.AddCounterReading("process_cpu_seconds_total", "User and system CPU time spent, in seconds.",
                            [] { return ReadSelf().value_or(ProcessStats{}).cpu_seconds; });
  metrics.AddGauge("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.",
                   [] { return ReadSelf().value_or(ProcessStats{}).start_time_seconds; });
  metrics.AddGauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                   [] { return static_cast<double>(ReadSelf().value_or(ProcessStats{}).resident_bytes); });
  metrics.AddGauge("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                   [] { return static_cast<double>(ReadSelf().value_or(ProcessStats{}).virtual_bytes); });
  metrics.AddGauge("process_threads", "Threads of the process.",
                   [] { return static_cast<double>(ReadSelf().value_or(ProcessStats{}).threads); });
  metrics.AddGauge("process_open_fds", "Open file descriptors.", [] { return OpenDescriptors(); });
  metrics.AddGauge("process_max_fds", "The open-files limit (soft RLIMIT_NOFILE).", [] {
    rlimit r{};
    return ::getrlimit(RLIMIT_NOFILE, &r) == 0 ? static_cast<double>(r.rlim_cur) : 0.0;
  });
}

}  // namespace tracklake
