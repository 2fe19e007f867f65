#include "metrics/process_metrics.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <regex>
#include <string>

namespace tracklake {
namespace {

// A real line of /proc/<pid>/stat, with a command name that holds ") (" as a hostile one may.
constexpr std::string_view kStat =
    "4242 (tl) (x y) S 1 4242 4242 0 -1 4194560 5120 0 0 0 250 130 0 0 20 0 7 0 1000 1073741824 2048 "
    "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(ProcessMetrics, ParsesProcStatFromTheLastParenthesis) {
  const std::optional<ProcessStats> s = ParseProcStat(kStat, 1'700'000'000, 100, 4096);
  ASSERT_TRUE(s.has_value());
  EXPECT_DOUBLE_EQ(s->cpu_seconds, 3.8);  // (250 + 130) ticks at 100 per second
  EXPECT_EQ(s->threads, 7u);
  EXPECT_DOUBLE_EQ(s->start_time_seconds, 1'700'000'010);  // boot + 1000 ticks
  EXPECT_EQ(s->virtual_bytes, 1073741824u);
  EXPECT_EQ(s->resident_bytes, 2048u * 4096);
}

TEST(ProcessMetrics, RefusesTruncatedOrGarbledLines) {
  EXPECT_FALSE(ParseProcStat("", 0, 100, 4096).has_value());
  EXPECT_FALSE(ParseProcStat("1 (tl) S 1 2 3", 0, 100, 4096).has_value());
  EXPECT_FALSE(ParseProcStat(std::string(kStat).replace(kStat.find("250"), 3, "2x0"), 0, 100, 4096).has_value());
}

double Sample(const std::string& text, const std::string& name) {
  std::smatch m;
  const std::regex line("\n" + name + " ([0-9.e+]+)\n");
  if (!std::regex_search(text, m, line)) return -1;
  return std::stod(m[1]);
}

TEST(ProcessMetrics, ReportThisProcess) {
  MetricsRegistry r;
  AddProcessMetrics(r);
  const std::string text = r.Render();
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
  EXPECT_GE(Sample(text, "process_cpu_seconds_total"), 0);
  EXPECT_GT(Sample(text, "process_resident_memory_bytes"), 1 << 20);
  EXPECT_GT(Sample(text, "process_virtual_memory_bytes"), Sample(text, "process_resident_memory_bytes"));
  EXPECT_GE(Sample(text, "process_threads"), 1);
  EXPECT_GE(Sample(text, "process_open_fds"), 3);  // stdin, stdout, stderr at least
  rlimit files{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &files), 0);
  EXPECT_EQ(Sample(text, "process_max_fds"), static_cast<double>(files.rlim_cur));
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const double started = Sample(text, "process_start_time_seconds");
  EXPECT_LE(started, now + 1);
  EXPECT_GT(started, now - 3600);  // this test binary started moments ago
}

}  // namespace
}  // namespace tracklake
