#include "event/stored_record.h"

#include <gtest/gtest.h>

#include "common/time_util.h"
#include "event/partition.h"

namespace tracklake {
namespace {

constexpr int64_t kT = 1'795'000'000'000;

EventView Event(std::string_view type, std::vector<Field> more = {}) {
  EventView e;
  e.received_at_ms = kT;
  e.fields = {{"event_type", type}, {"event_id", "e1"}, {"app_id", "web"}};
  e.fields.insert(e.fields.end(), more.begin(), more.end());
  return e;
}

TEST(StoredRecord, AValidatedEventPasses) {
  EXPECT_EQ(StoredRecordProblem(Event("page_view", {{"url", "/"}, {"event_time", "2026-01-01T00:00:00Z"}})),
            std::nullopt);
  EventView dead;
  dead.kind = RecordKind::kRejected;
  dead.received_at_ms = kT;
  dead.fields = {{"app_id", "web"}, {"index", "0"}, {"field", ""}, {"error", "x"}, {"raw", "{}"}};
  EXPECT_EQ(StoredRecordProblem(dead), std::nullopt);
  dead.fields.back().key = "raw_base64";
  EXPECT_EQ(StoredRecordProblem(dead), std::nullopt);
}

TEST(StoredRecord, WhatWouldNameAPathOrBreakAReaderIsRefused) {
  EXPECT_TRUE(StoredRecordProblem(Event("../../escape_pwned")));
  EXPECT_TRUE(StoredRecordProblem(Event("_rejected")));
  EXPECT_TRUE(StoredRecordProblem(Event("")));
  EXPECT_TRUE(StoredRecordProblem(Event("Page")));
  EXPECT_TRUE(StoredRecordProblem(Event("ok", {{"../k", "v"}})));
  EXPECT_TRUE(StoredRecordProblem(Event("ok", {{"app_id", "someone else"}})));
  EXPECT_TRUE(StoredRecordProblem(Event("ok", {{"received_at", "x"}})));
  EventView e = Event("ok");
  e.fields[1].value = "bad\nid";
  EXPECT_TRUE(StoredRecordProblem(e));
  e = Event("ok");
  std::swap(e.fields[1], e.fields[2]);
  EXPECT_TRUE(StoredRecordProblem(e));
  e = Event("ok");
  e.fields.pop_back();
  EXPECT_TRUE(StoredRecordProblem(e));
  e = Event("ok");
  e.event_time_ms = kMaxLakeTimeMillis + 1;
  EXPECT_EQ(StoredRecordProblem(e), "event_time outside 1900-9999");
  e.event_time_ms = kMinLakeTimeMillis;
  EXPECT_EQ(StoredRecordProblem(e), std::nullopt);
  e.received_at_ms = kMinLakeTimeMillis - 1;
  EXPECT_TRUE(StoredRecordProblem(e));
  EventView dead;
  dead.kind = RecordKind::kRejected;
  dead.received_at_ms = kT;
  dead.fields = {{"app_id", "web"}, {"index", "0"}, {"field", ""}, {"error", "x"}, {"raw", "{}"}, {"extra", ""}};
  EXPECT_TRUE(StoredRecordProblem(dead));
}

TEST(StoredRecord, PartitionPathsAreThoseThePipelineMakes) {
  EXPECT_TRUE(IsPartitionPath(PartitionPath("page_view", kT)));
  EXPECT_TRUE(IsPartitionPath(PartitionPath(kRejectedPartitionPrefix, kT)));
  EXPECT_TRUE(IsPartitionPath(PartitionPath("a", kMinLakeTimeMillis)));
  EXPECT_TRUE(IsPartitionPath(PartitionPath("a", kMaxLakeTimeMillis)));
  constexpr int64_t kYear1 = -62'135'596'800'000;  // 0001-01-01T00:00:00Z
  EXPECT_TRUE(IsPartitionPath(PartitionPath("a", kYear1)));
  EXPECT_FALSE(IsPartitionPath(PartitionPath("a", kYear1 - 1)));
  EXPECT_FALSE(IsPartitionPath(PartitionPath("a", kMaxLakeTimeMillis + 1)));
  EXPECT_FALSE(IsPartitionPath(PartitionPath("../../escape_pwned", kT)));
  EXPECT_FALSE(IsPartitionPath(PartitionPath("_other", kT)));
  EXPECT_FALSE(IsPartitionPath("a/dt=2026-02-30/hr=01"));
  EXPECT_FALSE(IsPartitionPath("a/dt=2026-02-28/hr=24"));
  EXPECT_FALSE(IsPartitionPath("a/dt=2026-02-28/hr=01/.."));
  EXPECT_FALSE(IsPartitionPath("a/dt=2026-02-28/hr=1"));
  EXPECT_FALSE(IsPartitionPath("a/dt=2026-02-28"));
  EXPECT_FALSE(IsPartitionPath("/dt=2026-02-28/hr=01"));
  EXPECT_FALSE(IsPartitionPath(""));
}

}  // namespace
}  // namespace tracklake
