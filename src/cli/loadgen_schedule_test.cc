#include "cli/loadgen_schedule.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tracklake {
namespace {

// Requests a pacer schedules before t_s.
int RequestsBefore(Pacer& pacer, double t_s) {
  int n = 0;
  while (pacer.Next() < t_s) ++n;
  return n;
}

TEST(RateScheduleTest, ConstantRateOffersRateTimesDuration) {
  const RateSchedule s = RateSchedule::Constant(2000);
  EXPECT_DOUBLE_EQ(s.RateAt(0), 2000);
  EXPECT_DOUBLE_EQ(s.RateAt(123), 2000);
  EXPECT_DOUBLE_EQ(s.EventsUntil(10), 20000);
}

TEST(RateScheduleTest, MissionProfileGoesFromBaseToPeakAndBack) {
  const RateSchedule s = RateSchedule::Mission(100, RateSchedule::kMissionPeak);
  EXPECT_DOUBLE_EQ(s.RateAt(0), 500);
  EXPECT_DOUBLE_EQ(s.RateAt(19), 500);
  EXPECT_GT(s.RateAt(30), 500);
  EXPECT_LT(s.RateAt(30), 4000);
  EXPECT_DOUBLE_EQ(s.RateAt(50), 4000);
  EXPECT_GT(s.RateAt(70), 500);
  EXPECT_LT(s.RateAt(70), 4000);
  EXPECT_DOUBLE_EQ(s.RateAt(90), 500);
  // Symmetric ramps.
  EXPECT_NEAR(s.RateAt(30), s.RateAt(70), 1e-9);
  // Area: 500 over the whole run plus the trapezoid above it: (4000-500) * (0.10 + 0.25) * 100.
  EXPECT_NEAR(s.EventsUntil(100), 500 * 100 + 3500 * 35, 1e-6);
}

TEST(RateScheduleTest, MissionProfileScalesWithDurationAndPeak) {
  const RateSchedule s = RateSchedule::Mission(10, 8000);
  EXPECT_DOUBLE_EQ(s.RateAt(0), 1000);
  EXPECT_DOUBLE_EQ(s.RateAt(5), 8000);
  EXPECT_NEAR(s.EventsUntil(10), 1000 * 10 + 7000 * 3.5, 1e-6);
}

TEST(RateScheduleTest, ProfilesByName) {
  EXPECT_TRUE(RateSchedule::FromProfile("mission", 0, 60).ok());
  EXPECT_DOUBLE_EQ(RateSchedule::FromProfile("mission", 0, 60)->RateAt(30), RateSchedule::kMissionPeak);
  EXPECT_TRUE(RateSchedule::FromProfile("", 100, 60).ok());
  EXPECT_FALSE(RateSchedule::FromProfile("", 0, 60).ok());
  EXPECT_FALSE(RateSchedule::FromProfile("diurnal", 100, 60).ok());
}

TEST(PacerTest, ConstantRateSpacesRequestsEvenly) {
  Pacer p(RateSchedule::Constant(1000), 1.0, 1);
  EXPECT_DOUBLE_EQ(p.Next(), 0.0);
  EXPECT_DOUBLE_EQ(p.Next(), 0.001);
  EXPECT_NEAR(p.Peek(), 0.002, 1e-12);
}

TEST(PacerTest, BatchesAndSharesDivideTheRequestRate) {
  // 4000 events/s, 100 events per request, this sender owns a quarter: 10 requests/s.
  Pacer p(RateSchedule::Constant(4000), 0.25, 100);
  EXPECT_EQ(RequestsBefore(p, 10.05), 101);  // 0, 0.1 s, ... 10 s (off the grid: no rounding edge)
}

TEST(PacerTest, FollowsTheMissionProfileIntegral) {
  const RateSchedule s = RateSchedule::Mission(60, RateSchedule::kMissionPeak);
  Pacer p(s, 1.0, 1);
  const double expected = s.EventsUntil(60);
  EXPECT_NEAR(RequestsBefore(p, 60.0), expected, expected * 0.002);
}

}  // namespace
}  // namespace tracklake
