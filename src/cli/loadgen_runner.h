// RunLoad: drives HTTP load at a collector with Boost.Asio async I/O, `threads` threads each
// running its own io_context over its share of `connections` keep-alive connections.
// Open loop (a schedule is given): each thread's Pacer fixes the intended send time of every
// request; a request goes out on the first idle connection at or after that time, and its
// latency counts from the intended time, so queueing (in the server or for a free connection)
// is measured, not hidden. Intended sends still queued when the run ends count as `unsent`.
// Closed loop (no schedule): every connection sends its next request as soon as the previous
// answer arrives; latency counts from the actual send.
// Requests are taken round-robin from a pre-serialized pool (see loadgen_wire.h), which must
// outlive the call. Network failures are counted by kind and the connection reconnects; no
// request is retried. Blocks for duration_s plus at most the drain time; never throws.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/http_client.h"
#include "cli/loadgen_schedule.h"
#include "cli/loadgen_stats.h"
#include "common/status.h"

namespace tracklake {

struct RunnerConfig {
  HttpTarget target;
  const std::vector<std::string>* requests = nullptr;  // serialized requests, not empty
  int events_per_request = 1;
  int connections = 1;
  int threads = 1;
  std::optional<RateSchedule> schedule;  // none: closed loop at maximum rate
  double duration_s = 10;
  double timeout_s = 10;  // a request unanswered this long is a timeout
  double interval_s = 1;  // width of the per-interval time series
};

Result<LoadStats> RunLoad(const RunnerConfig& config);

}  // namespace tracklake
