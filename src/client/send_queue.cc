#include "client/send_queue.h"

#include <fmt/format.h>

#include <iostream>
#include <random>
#include <utility>

namespace tracklake::client {
namespace {

constexpr auto kLogInterval = std::chrono::seconds(10);

}  // namespace

RateLimitedLog::RateLimitedLog(std::function<void(std::string_view)> sink) : sink_(std::move(sink)) {
  if (!sink_) sink_ = [](std::string_view line) { std::cerr << line << '\n'; };
}

void RateLimitedLog::Log(const std::string& key, const std::string& line) {
  const auto now = std::chrono::steady_clock::now();
  uint64_t suppressed = 0;
  {
    MutexLock lock(mu_);
    auto [it, fresh] = last_.try_emplace(key, now, 0);
    if (!fresh && now - it->second.first < kLogInterval) {
      ++it->second.second;
      return;
    }
    suppressed = fresh ? 0 : it->second.second;
    it->second = {now, 0};
  }
  sink_(suppressed == 0 ? line : fmt::format("{} ({} similar messages left out)", line, suppressed));
}

SendQueue::SendQueue(const TrackerOptions& options, std::unique_ptr<CollectorSender> sender)
    : batch_events_(options.batch_events),
      batch_bytes_(options.batch_bytes),
      batch_age_(options.batch_age),
      max_queue_events_(options.max_queue_events),
      max_queue_bytes_(options.max_queue_bytes),
      max_backoff_s_(std::chrono::duration<double>(options.max_backoff).count()),
      sender_(std::move(sender)),
      log_(options.log) {
  thread_ = std::thread([this] { Run(); });
}

SendQueue::~SendQueue() {
  {
    MutexLock lock(mu_);
    closing_ = abandon_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

SendQueue::PutResult SendQueue::Put(std::string&& line) {
  const size_t size = line.size() + 1;
  const auto now = std::chrono::steady_clock::now();
  MutexLock lock(mu_);
  if (closing_) return PutResult::kClosed;
  if (items_.size() >= max_queue_events_ || bytes_ + size > max_queue_bytes_) {
    ++counts_.dropped;
    return PutResult::kFull;
  }
  items_.push_back(Queued{std::move(line), now});
  bytes_ += size;
  ++enqueued_;
  if (!woken_ && (items_.size() >= batch_events_ || bytes_ >= batch_bytes_)) {
    woken_ = true;
    cv_.notify_one();
  }
  return PutResult::kQueued;
}

void SendQueue::CountInvalid() {
  MutexLock lock(mu_);
  ++counts_.invalid;
}

bool SendQueue::Flush(std::chrono::milliseconds timeout) {
  UniqueLock lock(mu_);
  const uint64_t target = enqueued_;
  if (finished_ >= target) return true;
  ++flushers_;
  cv_.notify_all();
  const bool done = cv_.wait_for(lock, timeout, [&]() REQUIRES(mu_) { return finished_ >= target; });
  --flushers_;
  return done;
}

bool SendQueue::Close(std::chrono::milliseconds timeout) {
  uint64_t left = 0;
  {
    UniqueLock lock(mu_);
    closing_ = true;
    cv_.notify_all();
    if (cv_.wait_for(lock, timeout, [&]() REQUIRES(mu_) { return finished_ >= enqueued_; })) return true;
    // Given up on here, once: a request still on the wire may yet succeed, but it is no longer
    // known to, and the sender counts nothing more.
    abandon_ = true;
    left = enqueued_ - finished_;
    counts_.abandoned += left;
    finished_ = enqueued_;
    items_.clear();
    bytes_ = 0;
    cv_.notify_all();
  }
  log_.Log("abandon", fmt::format("tracklake: {} events not delivered at close", left));
  return false;
}

TrackerStats SendQueue::Stats() const {
  MutexLock lock(mu_);
  TrackerStats s = counts_;
  s.queued = enqueued_ - finished_;
  return s;
}

bool SendQueue::NextBatch(std::vector<std::string>& batch) {
  UniqueLock lock(mu_);
  for (;;) {
    if (abandon_) return false;
    const auto now = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration wait = batch_age_;
    if (!items_.empty()) {
      if (items_.size() >= batch_events_ || bytes_ >= batch_bytes_ || flushers_ > 0 || closing_ ||
          now - items_.front().at >= batch_age_) {
        break;
      }
      wait = items_.front().at + batch_age_ - now;
    } else if (closing_) {
      return false;
    }
    // Idle: poll rather than have Put() signal the first event of every batch.
    cv_.wait_for(lock, wait);
  }
  size_t size = 0;
  while (!items_.empty() && batch.size() < batch_events_) {
    const size_t next = items_.front().line.size() + 1;
    if (!batch.empty() && size + next > batch_bytes_) break;
    batch.push_back(std::move(items_.front().line));
    items_.pop_front();
    size += next;
  }
  bytes_ -= size;
  woken_ = false;
  return true;
}

void SendQueue::Run() {
  std::vector<std::string> batch;
  while (NextBatch(batch)) {
    Deliver(batch);
    batch.clear();
  }
}

void SendQueue::Deliver(std::vector<std::string>& batch) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  // Ranges of batch still to send, in order; a 413 splits one in two.
  std::deque<std::pair<size_t, size_t>> pending{{0, batch.size()}};
  int attempt = 0;
  while (!pending.empty()) {
    const auto [begin, end] = pending.front();
    pending.pop_front();
    const Answer answer = sender_->Send(batch, begin, end);
    const uint64_t events = end - begin;
    if (answer.kind == AnswerKind::kSplit) {
      const size_t middle = begin + events / 2;
      pending.push_front({middle, end});
      pending.push_front({begin, middle});
      continue;
    }
    if (answer.kind == AnswerKind::kRetry) {
      log_.Log(answer.detail.rfind("HTTP 40", 0) == 0 ? "refused" : "retry",
               fmt::format("tracklake: collector did not take {} events ({}); will retry", events, answer.detail));
      const double delay = BackoffSeconds(++attempt, max_backoff_s_, answer.retry_after_s, rng);
      UniqueLock lock(mu_);
      ++counts_.retries;
      if (cv_.wait_for(lock, std::chrono::duration<double>(delay), [&]() REQUIRES(mu_) { return abandon_; })) return;
      pending.push_front({begin, end});
      continue;
    }
    attempt = 0;
    if (answer.rejected > 0) {
      log_.Log("rejected", fmt::format("tracklake: collector rejected {} of {} events ({})", answer.rejected, events,
                                       answer.detail));
    }
    MutexLock lock(mu_);
    if (abandon_) return;
    counts_.delivered += events - answer.rejected;
    counts_.rejected += answer.rejected;
    finished_ += events;
    cv_.notify_all();
  }
}

}  // namespace tracklake::client
