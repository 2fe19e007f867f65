#include "metrics/metrics.h"

#include <gtest/gtest.h>

namespace tracklake {
namespace {

TEST(Metrics, CountersRenderWithLabels) {
  MetricsRegistry r;
  r.GetCounter("tracklake_http_requests_total", "Requests.", R"(status="200")").Inc(3);
  r.GetCounter("tracklake_http_requests_total", "Requests.", R"(status="400")").Inc();
  const std::string text = r.Render();
  EXPECT_NE(text.find("# TYPE tracklake_http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("tracklake_http_requests_total{status=\"200\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("tracklake_http_requests_total{status=\"400\"} 1\n"), std::string::npos);
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  MetricsRegistry r;
  Histogram& h = r.GetHistogram("lat_seconds", "Latency.", {0.001, 0.01});
  h.Observe(0.0005);
  h.Observe(0.005);
  h.Observe(5);
  const std::string text = r.Render();
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.001\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.01\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_count 3\n"), std::string::npos);
}

TEST(Metrics, GaugesAreReadAtScrape) {
  MetricsRegistry r;
  double v = 1;
  r.AddGauge("g_bytes", "A gauge.", [&] { return v; });
  v = 42;
  EXPECT_NE(r.Render().find("g_bytes 42\n"), std::string::npos);
  EXPECT_EQ(LabelValue("a\"b"), "a\\\"b");
}

TEST(Metrics, ReadingsRenderPerLabelSetAndWithTheirType) {
  MetricsRegistry r;
  r.AddGauge(
      "tracklake_build_info", "Build.", [] { return 1.0; }, R"(version="1",sink="s3")");
  r.AddGauge(
      "tracklake_build_info", "Build.", [] { return 1.0; }, R"(version="2",sink="s3")");
  double cpu = 1.5;
  r.AddCounterReading("cpu_seconds_total", "CPU.", [&] { return cpu; });
  cpu = 2.5;
  const std::string text = r.Render();
  EXPECT_NE(text.find("tracklake_build_info{version=\"1\",sink=\"s3\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("tracklake_build_info{version=\"2\",sink=\"s3\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE cpu_seconds_total counter\ncpu_seconds_total 2.5\n"), std::string::npos);
}

}  // namespace
}  // namespace tracklake
