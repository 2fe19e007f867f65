// The offered load of an open-loop run: a rate in events/s as a function of time, and the
// Pacer that turns it into the intended send times of requests. Latency is measured from these
// intended times (not from when a request actually left), so a server that stalls cannot hide
// its queueing behind a load generator that waits for it (coordinated omission).
// Pure value types; thread-compatible.
#pragma once

#include <string>

#include "common/status.h"

namespace tracklake {

class RateSchedule {
 public:
  // A constant rate (events/s, > 0) for the whole run.
  static RateSchedule Constant(double events_per_s);
  // The mission's daily fluctuation compressed into duration_s: base for the first 20 %, a
  // ramp to peak until 45 %, peak until 55 %, a ramp back until 80 %, base to the end.
  // The mission's figures are base 500, peak 4,000 events/s.
  static RateSchedule Mission(double duration_s, double peak_events_per_s);
  // By name: "constant" or "mission" (the error names the known profiles).
  static Result<RateSchedule> FromProfile(const std::string& name, double rate, double duration_s);

  static constexpr double kMissionBase = 500;
  static constexpr double kMissionPeak = 4000;

  double RateAt(double t_s) const;
  // The events the schedule offers between 0 and t_s (the integral of the rate).
  double EventsUntil(double t_s) const;

 private:
  double base_ = 0;
  double peak_ = 0;
  double duration_s_ = 0;
  bool ramp_ = false;
};

// Intended send times for one sender that owns `share` of the schedule's rate and sends
// `events_per_request` events per request. Times are seconds from the start of the run.
class Pacer {
 public:
  Pacer(RateSchedule schedule, double share, int events_per_request, double first_s = 0);
  // The intended time of the next request; advances the pacer.
  double Next();
  double Peek() const { return next_s_; }

 private:
  RateSchedule schedule_;
  double share_;
  int events_per_request_;
  double next_s_;
};

}  // namespace tracklake
