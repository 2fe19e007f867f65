// LoadStats: what one load-generator run measured (requests, events, statuses, network errors,
// latency histograms overall and per interval), and its text and JSON reports.
// Thread-compatible: each sender thread fills its own, merged at the end.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cli/loadgen_histogram.h"

namespace tracklake {

enum class NetError { kConnect, kWrite, kRead, kTimeout, kProtocol };
inline constexpr size_t kNetErrorKinds = 5;
const char* NetErrorName(NetError e);

struct IntervalStats {
  static constexpr int kPrecisionBits = 5;  // ~3 % per interval is enough for a time series
  uint64_t ok_requests = 0;
  uint64_t ok_events = 0;
  uint64_t errors = 0;  // non-2xx responses and network errors
  LatencyHistogram latency{kPrecisionBits};
  void Merge(const IntervalStats& other);
};

struct LoadStats {
  uint64_t sent = 0;         // requests written to a connection
  uint64_t unsent = 0;       // open loop: intended sends the run ended before (the sender fell behind)
  uint64_t ok_requests = 0;  // 2xx
  uint64_t ok_events = 0;    // events in 2xx requests: acknowledged
  std::map<unsigned, uint64_t> by_status;
  std::array<uint64_t, kNetErrorKinds> net_errors{};
  LatencyHistogram latency;  // nanoseconds, every response; from the intended send time in open loop
  std::vector<IntervalStats> intervals;

  void CountNetError(NetError e) { ++net_errors[static_cast<size_t>(e)]; }
  IntervalStats& Interval(size_t index);
  void Merge(const LoadStats& other);
};

// The run's parameters, as reported next to its figures.
struct LoadSummary {
  std::string url;
  std::string mode;                 // "open-loop", "closed-loop" or "profile:<name>"
  double offered_events_per_s = 0;  // average over the run; 0 in closed loop
  int events_per_request = 1;
  int connections = 0;
  int threads = 0;
  double duration_s = 0;
  double interval_s = 1;
  size_t mean_body_bytes = 0;
};

std::string FormatText(const LoadSummary& summary, const LoadStats& stats);
std::string FormatJson(const LoadSummary& summary, const LoadStats& stats);

}  // namespace tracklake
