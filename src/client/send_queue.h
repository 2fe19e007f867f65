// The bounded queue between Track() and the network, and the sender thread that empties it.
//
// Put() takes the mutex for a push and a few counters (no I/O, no system call); it wakes the
// sender only when a batch is full, because the sender polls every batch_age when idle. The
// sender takes a batch by count, bytes or age, sends it without the lock, and sends it again on
// kRetry after BackoffSeconds (interruptible by Close). Events finish in order, so Flush() waits
// for exactly the events queued before it.
//
// Thread-safety: every public method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "client/collector_sender.h"
#include "common/mutex.h"
#include "tracklake/client.h"

namespace tracklake::client {

// A log function that passes on at most one line per key every 10 s, counting the rest.
class RateLimitedLog {
 public:
  explicit RateLimitedLog(std::function<void(std::string_view)> sink);
  void Log(const std::string& key, const std::string& line);

 private:
  std::function<void(std::string_view)> sink_;
  Mutex mu_;
  std::map<std::string, std::pair<std::chrono::steady_clock::time_point, uint64_t>> last_ GUARDED_BY(mu_);
};

class SendQueue {
 public:
  enum class PutResult { kQueued, kFull, kClosed };

  SendQueue(const TrackerOptions& options, std::unique_ptr<CollectorSender> sender);
  // Stops the sender (abandoning what is left) and joins it.
  ~SendQueue();

  PutResult Put(std::string&& line);
  void CountInvalid();
  bool Flush(std::chrono::milliseconds timeout);
  bool Close(std::chrono::milliseconds timeout);
  TrackerStats Stats() const;
  RateLimitedLog& log() { return log_; }

 private:
  // Waits for a batch to be due; false when the sender should stop.
  bool NextBatch(std::vector<std::string>& batch);
  void Deliver(std::vector<std::string>& batch);
  void Run();

  const size_t batch_events_;
  const size_t batch_bytes_;
  const std::chrono::milliseconds batch_age_;
  const size_t max_queue_events_;
  const size_t max_queue_bytes_;
  const double max_backoff_s_;
  std::unique_ptr<CollectorSender> sender_;  // sender thread only
  RateLimitedLog log_;

  mutable Mutex mu_;
  std::condition_variable cv_;
  struct Queued {
    std::string line;
    std::chrono::steady_clock::time_point at;
  };
  std::deque<Queued> items_ GUARDED_BY(mu_);
  size_t bytes_ GUARDED_BY(mu_) = 0;
  bool woken_ GUARDED_BY(mu_) = false;
  uint64_t enqueued_ GUARDED_BY(mu_) = 0;  // events ever queued
  uint64_t finished_ GUARDED_BY(mu_) = 0;  // of those, delivered, rejected or abandoned
  int flushers_ GUARDED_BY(mu_) = 0;
  bool closing_ GUARDED_BY(mu_) = false;
  bool abandon_ GUARDED_BY(mu_) = false;
  TrackerStats counts_ GUARDED_BY(mu_);  // (queued unused)
  std::thread thread_;
};

}  // namespace tracklake::client
