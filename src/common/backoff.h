// How long a retry waits: exponential backoff, with jitter where many senders may fail together.
// The one rule behind every retry loop: the pipeline's delivery (pipeline/delivery.cc), a sink's
// resends of failed records inside one Put (sink/record_calls.cc), the tracker client's sends
// (client/collector_answer.cc), `tracklake send` and `tracklake redrive`.
//
// Retry n (0 for the first) waits up to Bound(n) = min(max, initial * 2^min(n, max_doublings)).
// Thread-compatible value type; the random generator is the caller's.
#pragma once

#include <chrono>
#include <random>

namespace tracklake {

struct Backoff {
  std::chrono::milliseconds initial{100};
  std::chrono::milliseconds max = std::chrono::milliseconds::max();
  int max_doublings = 20;

  // The exponential bound of retry n, saturating at max (0 when initial or max is not positive).
  std::chrono::milliseconds Bound(int retry) const;
  // Uniform in [Bound/2, Bound] ("equal jitter"): collectors recovering from one outage spread
  // out, and none retries at once.
  std::chrono::milliseconds EqualJitter(int retry, std::mt19937_64& rng) const;
  // Uniform in [0, Bound] ("full jitter"): the widest spread, for many clients of one collector.
  std::chrono::milliseconds FullJitter(int retry, std::mt19937_64& rng) const;
};

}  // namespace tracklake
