#include "event/partition.h"

#include <gtest/gtest.h>

namespace tracklake {
namespace {

TEST(Partition, PathFromEventTypeAndUtcHour) {
  EXPECT_EQ(PartitionPath("page_view", 1764139635123), "page_view/dt=2025-11-26/hr=06");
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
