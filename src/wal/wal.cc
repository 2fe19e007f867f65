// The log's front: opening it, queueing appends for the writer, its stats and closing it. The
// other concerns have their own files: recovery (wal_recover.cc), the writer and its group
// commit (wal_writer.cc), reclaiming released segments (wal_reclaim.cc), and reading a batch's
// events back (wal_read.cc).
#include "wal/wal.h"

#include <sys/prctl.h>

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "common/file_util.h"
#include "common/thread_name.h"
#include "wal/log_id.h"
#include "wal/wal_pending.h"

namespace tracklake {

namespace {

constexpr uint64_t kReadyHeadroomBytes = 1 << 20;

}  // namespace

Wal::Wal(WalOptions options, WalObserver observer)
    : options_(std::move(options)),
      observer_(std::move(observer)),
      control_reserve_(std::min<uint64_t>(wal::kControlReserveMax, options_.segment_bytes / 8)),
      // Only a sync is worth gathering for: with durability "write" nothing is delayed.
      commit_delay_(options_.fsync ? options_.commit_delay : std::chrono::microseconds::zero()) {}

Wal::~Wal() { Close(); }

std::string Wal::SegmentPath(uint64_t first_seq, bool recycled) const {
  return fmt::format("{}/{:020d}{}", options_.dir, first_seq, recycled ? wal::kRecycledSuffix : wal::kSegmentSuffix);
}

bool Wal::SegmentFile(uint64_t id, std::string& path, wal::Framing& framing) const {
  bool recycled = false;
  {
    MutexLock lock(mu_);
    auto it = segments_.find(id);
    if (it == segments_.end()) return false;
    recycled = it->second.recycled;
    framing = it->second.framing;
  }
  path = SegmentPath(id, recycled);
  return true;
}

std::string Wal::SparePath(uint64_t id) const {
  return fmt::format("{}/{:020d}{}", options_.dir, id, wal::kSpareSuffix);
}

Result<std::unique_ptr<Wal>> Wal::Open(const WalOptions& options, WalObserver observer,
                                       const std::function<void(const WalRecord&)>& replay) {
  if (Status s = CreateDirs(options.dir); !s.ok()) return s;
  // Before recovery, which truncates torn tails and drops spares another process may be using.
  Result<DirectoryLock> lock = DirectoryLock::Acquire(options.dir, "the write-ahead log directory");
  if (!lock.ok()) return lock.status();
  std::unique_ptr<Wal> wal(new Wal(options, std::move(observer)));
  wal->dir_lock_.emplace(std::move(lock).value());
  if (Status s = wal->Recover(replay); !s.ok()) return s;
  // Before the first segment is made: a new log is one whose sequence numbers are all unused.
  Result<std::string> log_id = LoadOrCreateLogId(options.dir, wal->next_seq_ == 1);
  if (!log_id.ok()) return log_id.status();
  wal->log_id_ = std::move(log_id).value();
  if (Status s = wal->OpenSegment(wal->next_seq_); !s.ok()) return s;
  wal->writer_ = std::thread([w = wal.get()] {
    SetThreadName("tl-wal");
    // The commit delay is a sleep of a few hundred microseconds: Linux's default 50 us of
    // timer slack would add up to that much to every delayed group's latency.
    ::prctl(PR_SET_TIMERSLACK, 1UL);
    w->WriterLoop();
  });
  wal->reclaimer_ = std::thread([w = wal.get()] {
    SetThreadName("tl-wal-reclaim");
    w->ReclaimerLoop();
  });
  return wal;
}

Status Wal::Append(std::string bytes, std::vector<Span> spans, Completion done) {
  const uint64_t n = bytes.size() + spans.size() * wal::kHeaderSize;
  {
    MutexLock lock(mu_);
    if (closing_) return Status::Unavailable("write-ahead log is closing");
    if (queued_bytes_ + n > options_.queue_bytes) {
      return Status::Unavailable("write-ahead log queue is full");
    }
    if (disk_bytes_ + queued_bytes_ + n > options_.max_bytes) {
      return Status::NoSpace("write-ahead log disk budget (wal.max_bytes) is used up");
    }
    EnqueueLocked(Pending{wal::RecordType::kEvent, std::move(bytes), std::move(spans), false, std::move(done)}, n);
  }
  cv_.notify_one();
  return Status::Ok();
}

void Wal::EnqueueLocked(Pending pending, uint64_t bytes) {
  queued_bytes_ += bytes;
  // The commit delay counts from the oldest append's arrival; without a delay nobody reads it.
  if (queue_.empty() && commit_delay_.enabled()) oldest_queued_ = std::chrono::steady_clock::now();
  queue_.push_back(std::move(pending));
}

void Wal::AppendControl(wal::RecordType type, std::string payload, bool sync, Completion done) {
  const auto size = static_cast<uint32_t>(payload.size());
  {
    MutexLock lock(mu_);
    EnqueueLocked(Pending{type, std::move(payload), {Span{0, size}}, sync, std::move(done)}, size + wal::kHeaderSize);
  }
  cv_.notify_one();
}

WalStats Wal::stats() const {
  MutexLock lock(mu_);
  return WalStats{disk_bytes_,   segments_.size(), queued_bytes_, next_seq_public_.load(), corrupt_skipped_.load(),
                  spares_.size()};
}

bool Wal::OverBudget() const {
  MutexLock lock(mu_);
  // Not ready once a full-size request (1 MiB by default) could no longer fit.
  return disk_bytes_ + queued_bytes_ + kReadyHeadroomBytes >= options_.max_bytes;
}

void Wal::Close() {
  {
    MutexLock lock(mu_);
    if (closing_ && !writer_.joinable()) return;
    closing_ = true;
  }
  cv_.notify_one();
  if (writer_.joinable()) writer_.join();
  {
    MutexLock lock(mu_);
    reclaimer_stop_ = true;
  }
  reclaim_cv_.notify_one();
  if (reclaimer_.joinable()) reclaimer_.join();
}

}  // namespace tracklake
