#include "wal/wal.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/completion_batch.h"
#include "common/file_util.h"
#include "common/thread_name.h"
#include "wal/log_id.h"
#include "wal/wal_record.h"

namespace tracklake {

namespace fs = std::filesystem;

struct Wal::Pending {
  wal::RecordType type;
  std::string bytes;
  std::vector<Span> spans;
  bool sync;
  Completion done;
};

namespace {

constexpr uint64_t kReadyHeadroomBytes = 1 << 20;
// With durability "write": writeback of the active segment is started every this many bytes
// (RocksDB's wal_bytes_per_sync). Otherwise tens of MB sit dirty in the page cache, and the
// fdatasync that a seal record needs flushes them all while every append waits behind it.
constexpr uint64_t kWritebackEveryBytes = 1 << 20;
// A big group is written in pieces of about this size (one sync for all of them): the staging
// buffer stays this small whatever the queue holds.
constexpr uint64_t kWriteChunkBytes = 4 << 20;
// Released segment files kept for reuse (see OpenRecycled and ReclaimerLoop) even when the log
// is small.
constexpr size_t kMinSpareSegments = 2;

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

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

Status Wal::Recover(const std::function<void(const WalRecord&)>& replay) {
  std::vector<std::pair<uint64_t, bool>> ids;  // first_seq, recycled
  for (const auto& entry : fs::directory_iterator(options_.dir)) {
    const std::string name = entry.path().filename().string();
    // Sequence numbers start at 1 and fit 64 bits: other digits are no name of ours.
    const auto named = [&](std::string_view suffix) -> std::optional<uint64_t> {
      if (name.size() != 20 + suffix.size() || !name.ends_with(suffix)) return std::nullopt;
      uint64_t n = 0;
      const auto [end, ec] = std::from_chars(name.data(), name.data() + 20, n);
      if (ec != std::errc() || end != name.data() + 20 || n == 0) return std::nullopt;
      return n;
    };
    if (auto n = named(wal::kSegmentSuffix)) ids.emplace_back(*n, false);
    if (auto n = named(wal::kRecycledSuffix)) ids.emplace_back(*n, true);
    // Spares from a previous run are dropped, not reused: their records' sequence numbers are
    // only known to be below this run's once a segment names them.
    if (named(wal::kSpareSuffix)) ::unlink(entry.path().c_str());
  }
  // Empty files hold nothing (a segment made just before a crash): gone before the others'
  // bounds are taken from the names, so that a later recovery, without them, reads the same.
  std::erase_if(ids, [&](const std::pair<uint64_t, bool>& id) {
    const std::string path = SegmentPath(id.first, id.second);
    std::error_code ec;
    if (fs::file_size(path, ec) != 0 || ec) return false;
    ::unlink(path.c_str());
    return true;
  });
  std::sort(ids.begin(), ids.end());
  for (size_t i = 1; i < ids.size(); ++i) {
    // The writer never leaves both: which one holds the log's records is not for recovery to guess.
    if (ids[i].first == ids[i - 1].first) {
      return Status::Corruption(fmt::format("{} and {} both claim the write-ahead log's records from {}: move the "
                                            "one that is not the log's aside", SegmentPath(ids[i].first, false),
                                            SegmentPath(ids[i].first, true), ids[i].first));
    }
  }
  uint64_t last_seq = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    // Plain names, not a structured binding: the lambda below captures id (clang 14 refuses).
    const uint64_t id = ids[i].first;
    const bool recycled = ids[i].second;
    const bool newest = i + 1 == ids.size();
    const std::string path = SegmentPath(id, recycled);
    Result<std::string> data = ReadFile(path);
    if (!data.ok()) return data.status();
    // A segment's records are numbered from its name up to the next segment's name: no record,
    // forged or damaged, can make the numbering jump past what the segments themselves say.
    const uint64_t max_seq = newest ? std::numeric_limits<uint64_t>::max() : ids[i + 1].first - 1;
    const wal::SegmentScan r = wal::ScanSegment(
        *data, id, recycled, max_seq, [&](const wal::ParsedRecord& rec) {
          replay(WalRecord{rec.type, rec.seq, WalPosition{id, rec.offset, static_cast<uint32_t>(rec.payload.size())},
                           rec.payload});
        });
    if (r.header == wal::HeaderCheck::kNewerFormat) {
      return Status::InvalidArgument(fmt::format(
          "write-ahead log segment {} has format {}; this build reads formats up to {}: run the tracklake that "
          "wrote it until its log is delivered, or a newer one", path, r.version, wal::kFormatVersion));
    }
    if (r.header == wal::HeaderCheck::kDamaged) {
      spdlog::error("write-ahead log segment {} has a damaged header: none of its {} bytes can be verified", path,
                    data->size());
    }
    if (r.skipped_bytes > 0) {
      corrupt_skipped_ += r.skipped_bytes;
      if (observer_.on_corrupt_skipped) observer_.on_corrupt_skipped(r.skipped_bytes);
      spdlog::warn("write-ahead log segment {} has {} damaged or torn bytes; skipped them and kept {} records",
                   path, r.skipped_bytes, r.records);
    }
    if (r.records > 0) last_seq = r.last_seq;
    uint64_t size = data->size();
    // Cut a torn tail so that the bytes after the last good record never confuse a later scan;
    // the newest segment without a record goes, so the next one can take its name.
    if (newest && r.valid_end < size) {
      if (::truncate(path.c_str(), static_cast<off_t>(r.valid_end)) != 0) {
        return Status::FromErrno("truncate " + path, errno);
      }
      size = r.valid_end;
    }
    if (r.records == 0 && size == 0) {
      ::unlink(path.c_str());
      continue;
    }
    MutexLock lock(mu_);  // no other thread yet: taken for the members' contract, uncontended
    segments_[id] = Segment{id, r.records > 0 ? r.last_seq : id - 1, size, recycled, r.framing};
    disk_bytes_ += size;
  }
  next_seq_ = std::max<uint64_t>(last_seq + 1, ids.empty() ? 1 : ids.back().first);
  next_seq_public_ = next_seq_;
  return Status::Ok();
}

// A released segment renamed into place: its blocks are written already, so an append changes
// neither the file's size nor its extents until it passes the old end, and fdatasync flushes
// data only (measured: half the latency and CPU of appending to a preallocated new file).
int Wal::OpenRecycled(uint64_t first_seq) {
  uint64_t spare = 0;
  {
    MutexLock lock(mu_);
    if (spares_.empty()) return -1;
    spare = spares_.back();
    spares_.pop_back();
  }
  const std::string from = SparePath(spare);
  const std::string to = SegmentPath(first_seq, true);
  if (::rename(from.c_str(), to.c_str()) != 0) {
    ::unlink(from.c_str());
    return -1;
  }
  const int fd = OpenSegmentFile(to, O_WRONLY | O_CLOEXEC);
  if (fd < 0) ::unlink(to.c_str());
  return fd;
}

int Wal::OpenSegmentFile(const std::string& path, int flags) {
  bool direct = options_.direct_io && !direct_refused_.load();
  const int fd = wal::OpenMaybeDirect(path, flags, 0644, &direct);
  if (fd < 0) return fd;
  if (options_.direct_io && !direct && !direct_refused_.exchange(true)) {
    spdlog::warn("the filesystem of {} refuses O_DIRECT: the write-ahead log goes through the page cache",
                 options_.dir);
  }
  direct_ = direct;
  return fd;
}

Status Wal::OpenSegment(uint64_t first_seq) {
  int fd = OpenRecycled(first_seq);
  const bool recycled = fd >= 0;
  const std::string path = SegmentPath(first_seq, recycled);
  if (!recycled) fd = OpenSegmentFile(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("create " + path, errno);
  // Reserve the blocks up front (size unchanged) so appends inside the segment cannot hit a
  // full disk half-way; filesystems without fallocate simply skip the reservation.
  const bool reserved = ::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, static_cast<off_t>(options_.segment_bytes)) == 0;
  if (!reserved && errno == ENOSPC) {
    ::close(fd);
    ::unlink(path.c_str());
    return Status::NoSpace("no space for a new write-ahead log segment in " + options_.dir);
  }
  struct stat st{};
  const uint64_t written_end = ::fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  if (Status s = SyncDir(options_.dir); !s.ok()) {
    ::close(fd);
    return s;
  }
  // A new salt per segment generation: a record verifies only in the generation that wrote it,
  // so a recycled file's older bytes, and record-shaped bytes a client sent, never do.
  uint64_t salt = 0;
  if (::getrandom(&salt, sizeof salt, 0) != static_cast<ssize_t>(sizeof salt)) {
    Status s = Status::FromErrno("getrandom for a write-ahead log segment's salt", errno);
    ::close(fd);
    ::unlink(path.c_str());
    return s;
  }
  if (fd_ >= 0) ::close(fd_);  // synced by CommitGroup before it rolls
  fd_ = fd;
  active_first_ = first_seq;
  active_bytes_ = 0;
  writeback_from_ = 0;
  active_salt_ = salt;
  active_framing_ = wal::Framing::Salted(salt);
  // Zeros ahead of the appends only into reserved blocks: they must never be what fills a disk.
  appender_.Reset(written_end, reserved ? options_.segment_bytes : 0);
  StageSegmentHeader();
  {
    MutexLock lock(mu_);
    segments_[first_seq] = Segment{first_seq, first_seq - 1, 0, recycled, active_framing_};
  }
  reclaim_cv_.notify_one();  // the segment before it may be released already
  return Status::Ok();
}

void Wal::StageSegmentHeader() {
  wal::EncodeSegmentHeader(appender_.Extend(wal::kSegmentHeaderSize), wal::SegmentHeader{active_first_, active_salt_});
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

void Wal::Release(uint64_t seq) {
  {
    MutexLock lock(mu_);
    release_before_ = std::max(release_before_, seq);
  }
  reclaim_cv_.notify_one();
}

void Wal::WriterLoop() {
  using Clock = wal::CommitDelay::Clock;
  std::deque<Pending> group;
  for (;;) {
    {
      UniqueLock lock(mu_);
      const auto idle_since = commit_delay_.enabled() && queue_.empty() ? Clock::now() : Clock::time_point{};
      cv_.wait_for(lock, std::chrono::seconds(1), [&]() REQUIRES(mu_) { return closing_ || !queue_.empty(); });
      if (queue_.empty() && closing_) break;
      if (commit_delay_.enabled() && !closing_ && !queue_.empty()) {
        const auto now = Clock::now();
        const auto idle_for = idle_since == Clock::time_point{} ? Clock::duration::zero() : now - idle_since;
        const auto wait = commit_delay_.WaitBeforeTaking(queue_.size(), queued_bytes_, idle_for, now - oldest_queued_);
        if (wait > Clock::duration::zero()) {
          // One sleep, not a wait on cv_: every append notifies it, and waking per append would
          // cost the CPU the delay is there to save.
          lock.unlock();
          std::this_thread::sleep_for(wait);
          lock.lock();
        }
      }
      if (!queue_.empty()) commit_delay_.Took(queue_.size(), queued_bytes_, Clock::now());
      group.swap(queue_);
    }
    if (!group.empty()) CommitGroup(group);
    group.clear();
  }
  if (fd_ >= 0) {
    (void)SyncActive();  // logged; with fsync durability every acknowledged append is synced already
    ::close(fd_);
    fd_ = -1;
  }
}

Status Wal::SyncActive() {
  const auto t0 = std::chrono::steady_clock::now();
  const int r = options_.sync_file ? options_.sync_file(fd_) : ::fdatasync(fd_);
  if (observer_.on_fsync) observer_.on_fsync(SecondsSince(t0));
  if (r == 0) return Status::Ok();
  Status s = Status::FromErrno("fdatasync write-ahead log", errno);
  spdlog::error("{}", s.ToString());
  return s;
}

bool Wal::NeedsRoll(uint64_t bytes, bool control) const {
  const uint64_t used = active_bytes_ + appender_.staged();
  const uint64_t limit = options_.segment_bytes - (control ? 0 : control_reserve_);
  // A segment holding only its header takes the record whatever its size: the next would too.
  return used > wal::kSegmentHeaderSize && used + bytes > limit;
}

Status Wal::FlushBuffer() {
  if (appender_.staged() == 0) return Status::Ok();
  const uint64_t written = appender_.staged();
  const auto t0 = std::chrono::steady_clock::now();
  Status s = direct_ ? appender_.WriteDirect(fd_) : appender_.Write(fd_);
  if (direct_ && s.code() == Status::Code::kInvalidArgument) {
    // Accepted at open, refused at write (some filesystems check alignment only then).
    spdlog::warn("the filesystem of {} refuses direct writes: the write-ahead log goes through the page cache",
                 options_.dir);
    direct_refused_ = true;
    direct_ = false;
    s = wal::DropDirect(fd_) ? appender_.Write(fd_)
                             : Status::FromErrno("clear O_DIRECT on the write-ahead log segment", errno);
  }
  if (observer_.on_write) observer_.on_write(SecondsSince(t0));
  if (!s.ok()) {
    // Leave no partial record behind; the caller gives the sequence numbers back.
    if (::ftruncate(fd_, static_cast<off_t>(active_bytes_)) != 0) {
      spdlog::error("cannot cut a failed write-ahead log append: {}", std::strerror(errno));
    }
    appender_.Discard();
    if (active_bytes_ == 0) StageSegmentHeader();  // the records that follow still need it
    return s;
  }
  active_bytes_ += written;
  if (!options_.fsync && !direct_ && active_bytes_ - writeback_from_ >= kWritebackEveryBytes) {
    // Starts writeback without waiting for it; an error surfaces at the next fdatasync.
    ::sync_file_range(fd_, static_cast<off_t>(writeback_from_), static_cast<off_t>(active_bytes_ - writeback_from_),
                      SYNC_FILE_RANGE_WRITE);
    writeback_from_ = active_bytes_;
  }
  {
    MutexLock lock(mu_);
    disk_bytes_ += written;
    Segment& seg = segments_[active_first_];
    seg.last_seq = next_seq_ - 1;
    seg.bytes = active_bytes_;
  }
  return Status::Ok();
}

void Wal::CommitGroup(std::deque<Pending>& group) {
  struct Outcome {
    Status status;
    uint64_t first_seq = 0;
    size_t pos_begin = 0;
    size_t pos_end = 0;
  };
  std::vector<Outcome> out(group.size());
  std::vector<WalPosition> positions;
  size_t unflushed = 0;  // first pending whose records are staged in appender_
  size_t unsynced = 0;   // first pending whose records are in the active segment
  uint64_t dequeued = 0;
  bool sync = options_.fsync;

  // Marks the pendings whose records were staged as failed and takes their numbers back.
  auto fail_unflushed = [&](size_t upto, const Status& s) {
    for (size_t j = unflushed; j < upto; ++j) {
      if (!out[j].status.ok()) continue;
      if (out[j].pos_end > out[j].pos_begin) {
        next_seq_ = std::min(next_seq_, out[j].first_seq);
        positions.resize(std::min(positions.size(), out[j].pos_begin));
      }
      out[j].status = s;
      out[j].pos_end = out[j].pos_begin;
    }
  };

  // Marks the pendings from unsynced to upto as failed: written to the active segment, whose
  // sync failed. Their numbers are not taken back: the records are in the log, and replay after
  // a restart may deliver them (the client was told to retry: at least once, never lost).
  auto fail_unsynced = [&](size_t upto, const Status& s) {
    for (size_t j = unsynced; j < upto; ++j) {
      if (out[j].status.ok()) out[j].status = s;
    }
  };

  for (size_t i = 0; i < group.size(); ++i) {
    Pending& p = group[i];
    uint64_t need = p.spans.size() * wal::kHeaderSize;
    for (const Span& s : p.spans) need += s.size;
    dequeued += need;
    const bool control = p.type != wal::RecordType::kEvent;
    if (appender_.staged() >= kWriteChunkBytes) {
      if (Status fs = FlushBuffer(); !fs.ok()) fail_unflushed(i, fs);
      unflushed = i;
    }
    if (NeedsRoll(need, control)) {
      if (Status fs = FlushBuffer(); !fs.ok()) fail_unflushed(i, fs);
      unflushed = i;
      // The group's sync at the end covers the next segment only: what this group wrote to the
      // segment it leaves is made durable now, or not acknowledged.
      if (Status ss = SyncActive(); !ss.ok() && sync) fail_unsynced(i, ss);
      unsynced = i;
      Status os = OpenSegment(next_seq_);
      // Seal and delivered records may use the reserve of a full segment when the disk is
      // full: they are what lets delivery free space again.
      const bool use_reserve = control && os.code() == Status::Code::kNoSpace &&
                               active_bytes_ + need <= options_.segment_bytes + control_reserve_;
      if (!os.ok() && !use_reserve) {
        out[i].status = os;
        out[i].pos_begin = out[i].pos_end = positions.size();
        continue;
      }
    }
    if (appender_.staged() == 0) unflushed = i;
    out[i].first_seq = next_seq_;
    out[i].pos_begin = positions.size();
    for (const Span& s : p.spans) {
      const auto offset = static_cast<uint32_t>(active_bytes_ + appender_.staged());
      wal::EncodeRecord(appender_.Extend(wal::kHeaderSize + s.size), active_framing_, p.type, next_seq_++,
                        std::string_view(p.bytes).substr(s.offset, s.size));
      positions.push_back(WalPosition{active_first_, offset, s.size});
    }
    out[i].pos_end = positions.size();
    sync = sync || p.sync;
  }
  if (Status s = FlushBuffer(); !s.ok()) fail_unflushed(group.size(), s);
  if (sync) {
    if (Status s = SyncActive(); !s.ok()) fail_unsynced(group.size(), s);
  }
  next_seq_public_ = next_seq_;
  {
    MutexLock lock(mu_);
    queued_bytes_ -= dequeued;
  }
  // The completions answer their requests: the server thread is woken once for the group.
  CompletionBatch batch;
  for (size_t i = 0; i < group.size(); ++i) {
    const Outcome& o = out[i];
    group[i].done(o.status, o.first_seq,
                  std::span<const WalPosition>(positions.data() + o.pos_begin, o.pos_end - o.pos_begin));
  }
}

bool Wal::HasReleasedSegment() const {
  // The newest segment is the active one (or about to be): never deleted.
  return segments_.size() > 1 && segments_.begin()->second.last_seq < release_before_;
}

void Wal::ReclaimerLoop() {
  UniqueLock lock(mu_);
  for (;;) {
    reclaim_cv_.wait(lock, [&]() REQUIRES(mu_) { return reclaimer_stop_ || HasReleasedSegment(); });
    // Batches are delivered, and segments released, in bursts (a flush.max_age apart): keeping
    // as many spares as the log had segments lets the next burst's worth of segments all be
    // recycled, and lets the spares shrink with the log when traffic falls.
    const size_t cap = std::max(kMinSpareSegments, segments_.size());
    while (HasReleasedSegment()) {
      const auto [id, seg] = *segments_.begin();
      // A segment cut short (by a shutdown) is not worth overwriting; spares stay inside the
      // disk budget together with the log.
      const bool keep = spares_.size() < cap && seg.bytes >= options_.segment_bytes / 2 &&
                        disk_bytes_ + (spares_.size() + 1) * options_.segment_bytes <= options_.max_bytes;
      lock.unlock();
      const std::string path = SegmentPath(id, seg.recycled);
      const bool kept = keep && ::rename(path.c_str(), SparePath(id).c_str()) == 0;
      const bool deleted = kept || ::unlink(path.c_str()) == 0 || errno == ENOENT;
      if (!deleted) spdlog::error("cannot delete delivered write-ahead log segment {}: {}", path, std::strerror(errno));
      lock.lock();
      if (kept) spares_.push_back(id);
      if (!deleted) {
        // Kept, and counted against the disk budget; tried again later.
        if (reclaim_cv_.wait_for(lock, std::chrono::seconds(1), [&]() REQUIRES(mu_) { return reclaimer_stop_; })) return;
        continue;
      }
      disk_bytes_ -= seg.bytes;
      segments_.erase(id);
    }
    while (spares_.size() > cap) {
      const uint64_t oldest = spares_.front();
      spares_.erase(spares_.begin());
      lock.unlock();
      ::unlink(SparePath(oldest).c_str());
      lock.lock();
    }
    if (reclaimer_stop_) return;
  }
}

WalStats Wal::stats() const {
  MutexLock lock(mu_);
  return WalStats{disk_bytes_, segments_.size(), queued_bytes_, next_seq_public_.load(), corrupt_skipped_.load(),
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

std::string EncodeSealPayload(const SealPayload& p) {
  return fmt::format("{}\t{}\t{}\t{}", p.first_seq, p.last_seq, p.events, p.partition);
}

Status DecodeSealPayload(std::string_view bytes, SealPayload& out) {
  uint64_t nums[3];
  for (uint64_t& n : nums) {
    const size_t tab = bytes.find('\t');
    if (tab == std::string_view::npos || tab == 0) return Status::Corruption("malformed seal record");
    n = 0;
    for (char c : bytes.substr(0, tab)) {
      if (c < '0' || c > '9') return Status::Corruption("malformed seal record");
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    bytes.remove_prefix(tab + 1);
  }
  out.first_seq = nums[0];
  out.last_seq = nums[1];
  out.events = nums[2];
  out.partition = std::string(bytes);
  return Status::Ok();
}

}  // namespace tracklake
