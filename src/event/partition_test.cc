#include "event/partition.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/time_util.h"

namespace tracklake {
namespace {

TEST(Partition, PathFromEventTypeAndUtcHour) {
  EXPECT_EQ(PartitionPath("page_view", 1764139635123), "page_view/dt=2025-11-26/hr=06");
}

// Every 7th hour of four centuries (leap days, month ends, 2000 and 2100) against fmt's spelling,
// and years the hand-written path does not cover.
TEST(Partition, PathMatchesTheGeneralFormatterEveryHour) {
  constexpr int64_t kHourMs = 3'600'000;
  for (int64_t ms = -2 * kHourMs; ms < 146'097LL * 24 * kHourMs; ms += kHourMs * 7) {
    const UtcDateHour t = ToUtcDateHour(ms + 1234);
    ASSERT_EQ(PartitionPath("e", ms + 1234),
              fmt::format("e/dt={:04d}-{:02d}-{:02d}/hr={:02d}", t.year, t.month, t.day, t.hour))
        << ms;
  }
  EXPECT_EQ(PartitionPath("e", 253'402'300'800'000), "e/dt=10000-01-01/hr=00");
}

TEST(Partition, RejectedInputsGoToDeadLetterArea) {
  EventView e;
  e.kind = RecordKind::kRejected;
  e.received_at_ms = 0;
  EXPECT_EQ(PartitionPathOf(e), "_rejected/dt=1970-01-01/hr=00");
}

TEST(Partition, HourEndIsStartOfNextHour) {
  EXPECT_EQ(PartitionHourEndMillis("t/dt=1970-01-01/hr=00"), 3'600'000);
  EXPECT_EQ(PartitionHourEndMillis("t/dt=1970-01-02/hr=23"), 2 * 86'400'000);
  EXPECT_EQ(PartitionEventType("page_view/dt=1970-01-01/hr=00"), "page_view");
}

}  // namespace
}  // namespace tracklake
