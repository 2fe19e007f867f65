#include "wal/commit_delay.h"

#include <algorithm>

namespace tracklake::wal {
namespace {

// The delay applies when the writer finds fewer appends than this waiting (and fewer bytes
// than this: a few big batches are not light traffic)...
constexpr size_t kBelowAppends = 4;
constexpr uint64_t kBelowBytes = 64 << 10;
// ...and only once two groups in a row were that small (light, open-loop traffic: at 2,000-4,000
// requests/s nine groups in ten are, one after another). Under heavy load a small group is an
// exception between big ones (3 % of groups followed another small one at maximum rate), and
// delaying it would stall a writer whose syncs already overlap the HTTP thread's work. A delayed
// group this big means the load has grown: the writer stops delaying.
constexpr size_t kLeaveAppends = 16;
constexpr uint64_t kLeaveBytes = 256 << 10;
// ...and only while appends come often enough to expect this many more within it (rate x delay):
// at 1,000 requests/s a 500 us delay gathered nobody, and each request still synced alone.
constexpr double kMinGathered = 1.0;
constexpr double kAppendRateWeight = 0.25;  // of each group's sample in the moving average

bool SmallGroup(size_t appends, uint64_t bytes) { return appends < kBelowAppends && bytes < kBelowBytes; }

}  // namespace

CommitDelay::Clock::duration CommitDelay::WaitBeforeTaking(size_t queued, uint64_t queued_bytes,
                                                           Clock::duration idle_for,
                                                           Clock::duration oldest_waited) const {
  const Clock::duration none = Clock::duration::zero();
  if (!enabled() || !delaying_ || !SmallGroup(queued, queued_bytes)) return none;
  if (append_rate_ * std::chrono::duration<double>(delay_).count() < kMinGathered) return none;
  // A writer idle longer than the delay means appends come further apart than it: waiting would
  // add latency and gather nobody (at 500 requests/s, 2 ms apart).
  if (idle_for >= delay_) return none;
  return std::max(none, Clock::duration(delay_) - oldest_waited);
}

// A group holds the appends that came since the writer took the last one.
void CommitDelay::Took(size_t appends, uint64_t bytes, Clock::time_point now) {
  if (last_take_ != Clock::time_point{}) {
    const double seconds = std::max(1e-6, std::chrono::duration<double>(now - last_take_).count());
    const double sample = static_cast<double>(appends) / seconds;
    append_rate_ = append_rate_ == 0 ? sample : append_rate_ + kAppendRateWeight * (sample - append_rate_);
  }
  last_take_ = now;
  const bool small = SmallGroup(appends, bytes);
  delaying_ = delaying_ ? appends < kLeaveAppends && bytes < kLeaveBytes : small && previous_small_;
  previous_small_ = small;
}

}  // namespace tracklake::wal
