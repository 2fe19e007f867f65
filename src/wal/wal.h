// The write-ahead log: every accepted event is appended here, and made durable, before the
// client is answered. One writer thread owns the active segment and commits groups: it takes
// everything queued, writes it (O_DIRECT by default, direct_io.h), fdatasyncs once (durability
// "fsync"), then runs each append's completion. Segments are recycled or deleted once the
// pipeline releases them.
//
// Thread-safety: Append, AppendControl, Release, ReadEvents and stats are safe from any thread.
// Completions run on the writer thread: they must be short and must not call Append.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/dir_lock.h"
#include "common/mutex.h"
#include "common/status.h"
#include "event/record_span.h"
#include "wal/commit_delay.h"
#include "wal/direct_io.h"
#include "wal/wal_format.h"
#include "wal/wal_position.h"
#include "wal/wal_record.h"

namespace tracklake {

struct WalOptions {
  std::string dir;
  bool fsync = true;  // false: acknowledge after write(2)
  uint64_t segment_bytes = 64ull << 20;
  uint64_t max_bytes = 8ull << 30;     // disk budget for all segments
  uint64_t queue_bytes = 64ull << 20;  // appends waiting for the writer
  // With fsync: how long the writer lets a small group (a few appends) gather before writing
  // it, so that more appends share one fdatasync (PostgreSQL's commit_delay), counted from the
  // arrival of the first of them. Applies only in light traffic, once small groups follow each
  // other; never to a big group (commit_delay.h). 0: no wait.
  std::chrono::microseconds commit_delay{0};
  // Segments written and read with O_DIRECT (direct_io.h), where the filesystem allows it.
  bool direct_io = true;
  // Makes a segment durable: fdatasync(2) when unset. Tests substitute a failing one (a disk
  // that reports an error on flush cannot be had on demand).
  std::function<int(int fd)> sync_file;
};

// Observers the writer reports to (metrics). All optional.
struct WalObserver {
  std::function<void(double seconds)> on_write;
  std::function<void(double seconds)> on_fsync;
  std::function<void(uint64_t bytes)> on_corrupt_skipped;
};

// One replayed record. payload is valid only during the callback.
struct WalRecord {
  wal::RecordType type;
  uint64_t seq;
  WalPosition position;
  std::string_view payload;
};

struct WalStats {
  uint64_t disk_bytes = 0;
  uint64_t segments = 0;
  uint64_t queued_bytes = 0;
  uint64_t next_seq = 0;
  uint64_t corrupt_bytes_skipped = 0;  // since start, found during recovery
  uint64_t spare_segments = 0;         // released segment files kept for reuse (outside disk_bytes)
};

class Wal {
 public:
  // first_seq: of the first record of this append; positions: one per record, in order.
  using Completion = std::function<void(const Status&, uint64_t first_seq, std::span<const WalPosition>)>;

  // Opens (creating) the log in options.dir, replays every record of the existing segments
  // in order through replay (before returning; single-threaded), cuts a torn tail, and
  // starts the writer thread.
  static Result<std::unique_ptr<Wal>> Open(const WalOptions& options, WalObserver observer,
                                           const std::function<void(const WalRecord&)>& replay);
  ~Wal();  // Close()
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  // Queues event records (payloads back to back in bytes, located by spans) for the next
  // group commit. Refuses at once, without queueing, when the queue or the disk budget is
  // full (kUnavailable / kNoSpace): the caller answers 503. Otherwise done runs exactly once.
  using Span = RecordSpan;
  Status Append(std::string bytes, std::vector<Span> spans, Completion done);

  // Queues one seal/delivered record. Never refused for budget (these records free space).
  // sync forces an fdatasync before done even in "write" durability.
  void AppendControl(wal::RecordType type, std::string payload, bool sync, Completion done);

  // Every record with seq < seq is no longer needed: whole segments below it are deleted
  // (never the active one).
  void Release(uint64_t seq);

  // Reads the payloads at positions (any order; grouped by segment for locality) and calls
  // fn(index, payload) for each. Fails on a missing segment or a checksum mismatch.
  Status ReadEvents(std::span<const WalPosition> positions,
                    const std::function<void(size_t, std::string_view)>& fn) const;

  WalStats stats() const;
  // The log's identity (wal/log_id.h): "" for a log written before log ids. Fixed after Open.
  const std::string& log_id() const { return log_id_; }
  // True when the disk budget is (nearly) used: a full-size request would be refused.
  bool OverBudget() const;

  // Drains the queue, stops the writer, closes the active segment. Idempotent.
  void Close();

 private:
  struct Pending;  // wal_pending.h
  struct Group;    // wal_writer.cc
  struct Segment {
    uint64_t first_seq;
    uint64_t last_seq;  // first_seq - 1 while empty
    uint64_t bytes;
    bool recycled = false;  // written over a released segment's bytes (see wal_format.h)
    wal::Framing framing;   // how its records are checksummed (its generation's salt)
  };

  explicit Wal(WalOptions options, WalObserver observer);
  Status Recover(const std::function<void(const WalRecord&)>& replay);
  // Recover's steps: the segment files (first_seq, recycled) in order, then one segment's replay.
  Result<std::vector<std::pair<uint64_t, bool>>> ListSegments();
  Status RecoverSegment(uint64_t id, bool recycled, bool newest, uint64_t max_seq,
                        const std::function<void(const WalRecord&)>& replay, uint64_t& last_seq);
  void EnqueueLocked(Pending pending, uint64_t bytes) REQUIRES(mu_);
  void WriterLoop();
  void CommitGroup(std::deque<Pending>& group);
  // CommitGroup's steps: write what is staged; roll to a new segment before append i (false:
  // append i fails); stage append i's records.
  void FlushGroup(Group& g, size_t upto);
  bool RollSegment(Group& g, size_t i, uint64_t need, bool control);
  void StageAppend(Group& g, size_t i, const Pending& p);
  Status OpenSegment(uint64_t first_seq);
  bool NeedsRoll(uint64_t bytes, bool control) const;
  Status FlushBuffer();
  Status SyncActive();  // fdatasync of the active segment, timed for the observer
  void ReclaimerLoop();
  bool HasReleasedSegment() const REQUIRES(mu_);
  std::string SegmentPath(uint64_t first_seq, bool recycled) const;
  std::string SparePath(uint64_t id) const;
  // The file of segment id and how its records are checksummed; false when it is unknown.
  bool SegmentFile(uint64_t id, std::string& path, wal::Framing& framing) const;
  // Stages the active segment's header, ahead of its first records (OpenSegment, or a failed
  // first write that dropped it).
  void StageSegmentHeader();
  // Opens the writer's next segment file, O_DIRECT when options_.direct_io allows; sets direct_.
  int OpenSegmentFile(const std::string& path, int flags);
  // ReadEvents: whether the records from order[k] on fill enough of a window to read it directly.
  static bool DenseRead(std::span<const WalPosition> positions, const std::vector<size_t>& order, size_t k);
  int OpenRecycled(uint64_t first_seq);  // -1 when no spare could be used

  // First, so that it is released last: no other process may touch the directory until every
  // thread and file of this log is closed.
  std::optional<DirectoryLock> dir_lock_;
  std::string log_id_;
  const WalOptions options_;
  const WalObserver observer_;
  const uint64_t control_reserve_;

  mutable Mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_ GUARDED_BY(mu_);
  uint64_t queued_bytes_ GUARDED_BY(mu_) = 0;
  // When queue_.front() arrived (kept only with a commit delay).
  std::chrono::steady_clock::time_point oldest_queued_ GUARDED_BY(mu_){};
  bool closing_ GUARDED_BY(mu_) = false;
  std::map<uint64_t, Segment> segments_ GUARDED_BY(mu_);  // the writer thread mutates it
  uint64_t disk_bytes_ GUARDED_BY(mu_) = 0;
  uint64_t release_before_ GUARDED_BY(mu_) = 0;
  bool reclaimer_stop_ GUARDED_BY(mu_) = false;   // the writer has stopped, reclaim and exit
  std::vector<uint64_t> spares_ GUARDED_BY(mu_);  // released segment files kept for reuse
  std::condition_variable reclaim_cv_;            // released segments to reclaim, or stop

  // Writer-thread state.
  int fd_ = -1;
  uint64_t active_first_ = 0;
  uint64_t active_bytes_ = 0;
  uint64_t writeback_from_ = 0;    // durability "write": writeback started below this offset
  bool direct_ = false;            // fd_ is O_DIRECT
  wal::SegmentAppender appender_;  // the records of the group being committed
  uint64_t active_salt_ = 0;
  wal::Framing active_framing_;
  wal::CommitDelay commit_delay_;
  uint64_t next_seq_ = 1;

  std::atomic<bool> direct_refused_{false};  // the filesystem refused O_DIRECT once: buffered from then on
  std::atomic<uint64_t> corrupt_skipped_{0};
  std::atomic<uint64_t> next_seq_public_{1};
  std::thread writer_;
  // Recycles (renames to spares) or deletes released segments. Not the writer: on a filesystem
  // mounted with online discard, unlinking a 64 MiB segment waits for the device's discard
  // (50 ms measured here), and every acknowledgement would wait with it.
  std::thread reclaimer_;
};

}  // namespace tracklake
