// CommitDelay: whether the log's writer lets a small group gather before writing and syncing
// it (WalOptions::commit_delay, PostgreSQL's commit_delay), and for how long. Only light
// traffic is delayed (heavy traffic makes big groups by itself), and the delay counts from the
// arrival of the group's oldest append: an append that already waited behind the previous sync
// was gathering then, and waits only what is left (a delay on top of that sync added up to a
// whole delay to the slowest requests: 4,000 requests/s, p99 1.75-1.97 ms before, 1.52-1.69
// after, docs/benchmarks.md).
// Thread-compatible: the writer thread owns it (enabled() reads only what the constructor set).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace tracklake::wal {

class CommitDelay {
 public:
  using Clock = std::chrono::steady_clock;

  explicit CommitDelay(std::chrono::microseconds delay) : delay_(delay) {}

  bool enabled() const { return delay_.count() > 0; }

  // How long the writer waits before taking the queue (zero: not at all). queued/queued_bytes:
  // what waits now (REQUIRES: queued > 0); idle_for: how long the writer sat with an empty queue before it (zero when
  // it found appends waiting); oldest_waited: how long the oldest queued append has waited.
  Clock::duration WaitBeforeTaking(size_t queued, uint64_t queued_bytes, Clock::duration idle_for,
                                   Clock::duration oldest_waited) const;

  // The writer took a group of `appends` appends, `bytes` long, at `now`. REQUIRES: appends > 0.
  void Took(size_t appends, uint64_t bytes, Clock::time_point now);

  double append_rate() const { return append_rate_; }  // per second, a moving average
  bool delaying() const { return delaying_; }          // light traffic seen: small groups get the delay

 private:
  const std::chrono::microseconds delay_;
  bool delaying_ = false;
  bool previous_small_ = false;  // the last group taken was small
  double append_rate_ = 0;
  Clock::time_point last_take_{};
};

}  // namespace tracklake::wal
