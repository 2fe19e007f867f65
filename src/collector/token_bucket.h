// A token bucket: `rate` tokens per second up to `burst`. One application's rate limit, in
// events. A request larger than the burst is let through when the bucket is full and leaves it
// in debt, so big batches are slowed, never refused forever.
// Thread-safe (a small mutex: one lock per request, held for a few arithmetic operations).
#pragma once

#include <cstdint>

#include "common/mutex.h"

namespace tracklake {

class TokenBucket {
 public:
  TokenBucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}

  // Takes n tokens at time now_s (monotonic seconds). On refusal returns false and sets
  // retry_after_s to when enough tokens will be there.
  bool TryTake(double n, double now_s, double& retry_after_s);

 private:
  const double rate_;
  const double burst_;
  Mutex mu_;
  double tokens_ GUARDED_BY(mu_);
  double last_s_ GUARDED_BY(mu_) = -1;
};

}  // namespace tracklake
