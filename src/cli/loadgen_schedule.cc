#include "cli/loadgen_schedule.h"

#include <algorithm>

namespace tracklake {
namespace {

// Phase boundaries of the mission profile, as fractions of the run.
constexpr double kRampUpStart = 0.20;
constexpr double kPeakStart = 0.45;
constexpr double kPeakEnd = 0.55;
constexpr double kRampDownEnd = 0.80;
// Below this rate a pacer would schedule nothing for a long time: treat it as this floor.
constexpr double kMinRate = 1e-3;

}  // namespace

RateSchedule RateSchedule::Constant(double events_per_s) {
  RateSchedule s;
  s.base_ = s.peak_ = events_per_s;
  return s;
}

RateSchedule RateSchedule::Mission(double duration_s, double peak_events_per_s) {
  RateSchedule s;
  s.peak_ = peak_events_per_s;
  s.base_ = peak_events_per_s * (kMissionBase / kMissionPeak);
  s.duration_s_ = duration_s;
  s.ramp_ = true;
  return s;
}

Result<RateSchedule> RateSchedule::FromProfile(const std::string& name, double rate, double duration_s) {
  if (name.empty() || name == "constant") {
    if (rate <= 0) return Status::InvalidArgument("an open-loop schedule needs a rate > 0");
    return Constant(rate);
  }
  if (name == "mission") return Mission(duration_s, rate > 0 ? rate : kMissionPeak);
  return Status::InvalidArgument("unknown profile '" + name + "' (known: constant, mission)");
}

double RateSchedule::RateAt(double t_s) const {
  if (!ramp_ || duration_s_ <= 0) return base_;
  const double f = std::clamp(t_s / duration_s_, 0.0, 1.0);
  if (f < kRampUpStart || f >= kRampDownEnd) return base_;
  if (f < kPeakStart) return base_ + (peak_ - base_) * (f - kRampUpStart) / (kPeakStart - kRampUpStart);
  if (f < kPeakEnd) return peak_;
  return peak_ - (peak_ - base_) * (f - kPeakEnd) / (kRampDownEnd - kPeakEnd);
}

double RateSchedule::EventsUntil(double t_s) const {
  if (!ramp_ || duration_s_ <= 0) return base_ * std::max(t_s, 0.0);
  // Piecewise linear: the trapezoid rule is exact between the breakpoints.
  const double points[] = {0, kRampUpStart, kPeakStart, kPeakEnd, kRampDownEnd, 1.0};
  const double end = std::max(t_s, 0.0);
  double total = 0;
  double prev = 0;
  for (double p : points) {
    const double x = std::min(p * duration_s_, end);
    if (x > prev) total += (RateAt(prev) + RateAt(x)) / 2 * (x - prev);
    prev = std::max(prev, x);
  }
  if (end > duration_s_) total += base_ * (end - duration_s_);
  return total;
}

Pacer::Pacer(RateSchedule schedule, double share, int events_per_request, double first_s)
    : schedule_(schedule), share_(share), events_per_request_(std::max(events_per_request, 1)), next_s_(first_s) {}

double Pacer::Next() {
  const double now = next_s_;
  const double rate = std::max(schedule_.RateAt(now) * share_, kMinRate);
  next_s_ = now + events_per_request_ / rate;
  return now;
}

}  // namespace tracklake
