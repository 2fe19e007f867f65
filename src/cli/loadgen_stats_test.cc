#include "cli/loadgen_stats.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

namespace tracklake {
namespace {

LoadStats Sample() {
  LoadStats s;
  s.sent = 10;
  s.ok_requests = 7;
  s.ok_events = 700;
  s.by_status[200] = 7;
  s.by_status[503] = 2;
  s.CountNetError(NetError::kTimeout);
  for (uint64_t v = 1; v <= 9; ++v) s.latency.Record(v * 1000000);  // 1..9 ms
  s.Interval(1).ok_requests = 7;
  return s;
}

LoadSummary Summary() {
  LoadSummary m;
  m.url = "http://127.0.0.1:1/v1/events";
  m.mode = "open-loop";
  m.offered_events_per_s = 100;
  m.events_per_request = 100;
  m.duration_s = 10;
  return m;
}

TEST(LoadStatsTest, MergeAddsCountsStatusesErrorsAndIntervals) {
  LoadStats a = Sample();
  a.Merge(Sample());
  EXPECT_EQ(a.sent, 20u);
  EXPECT_EQ(a.ok_events, 1400u);
  EXPECT_EQ(a.by_status.at(503), 4u);
  EXPECT_EQ(a.net_errors[static_cast<size_t>(NetError::kTimeout)], 2u);
  EXPECT_EQ(a.latency.Count(), 18u);
  ASSERT_EQ(a.intervals.size(), 2u);
  EXPECT_EQ(a.intervals[1].ok_requests, 14u);
}

TEST(LoadStatsTest, JsonReportIsValidAndCarriesTheFigures) {
  const std::string json = FormatJson(Summary(), Sample());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(doc["ok_events"].get_uint64().value(), 700u);
  EXPECT_DOUBLE_EQ(doc["events_per_s"].get_double().value(), 70.0);
  EXPECT_DOUBLE_EQ(doc["req_per_s"].get_double().value(), 0.7);
  EXPECT_EQ(doc["status"]["503"].get_uint64().value(), 2u);
  EXPECT_EQ(doc["network_errors"]["timeout"].get_uint64().value(), 1u);
  EXPECT_EQ(doc["errors"].get_uint64().value(), 3u);  // two 503s and one timeout
  EXPECT_GE(doc["latency_us"]["p50"].get_double().value(), 5000.0);
  EXPECT_LE(doc["latency_us"]["p50"].get_double().value(), 5000.0 * (1 + 1.0 / 128));
  EXPECT_GE(doc["latency_us"]["p99"].get_double().value(), 9000.0);
  EXPECT_DOUBLE_EQ(doc["latency_us"]["max"].get_double().value(), 9000.0);
  EXPECT_EQ(doc["intervals"].get_array().size(), 2u);
}

TEST(LoadStatsTest, TextReportNamesErrorsAndPercentiles) {
  const std::string text = FormatText(Summary(), Sample());
  EXPECT_NE(text.find("503=2"), std::string::npos) << text;
  EXPECT_NE(text.find("timeout=1"), std::string::npos) << text;
  EXPECT_NE(text.find("p99.9"), std::string::npos) << text;
  EXPECT_NE(text.find("70.0 events/s"), std::string::npos) << text;
}

}  // namespace
}  // namespace tracklake
