#include "collector/token_bucket.h"

#include <algorithm>

namespace tracklake {

bool TokenBucket::TryTake(double n, double now_s, double& retry_after_s) {
  MutexLock lock(mu_);
  if (last_s_ >= 0 && now_s > last_s_) tokens_ = std::min(burst_, tokens_ + (now_s - last_s_) * rate_);
  last_s_ = std::max(last_s_, now_s);
  const double need = std::min(n, burst_);
  if (tokens_ >= need) {
    tokens_ -= n;
    return true;
  }
  retry_after_s = (need - tokens_) / rate_;
  return false;
}

}  // namespace tracklake
