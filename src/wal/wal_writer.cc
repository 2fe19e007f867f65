// The writer thread: takes what is queued, commits it as one group (records staged, written,
// fdatasynced once) and answers each append; rolls to a new (or recycled) segment when one fills.
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include <spdlog/spdlog.h>

#include "common/completion_batch.h"
#include "common/file_util.h"
#include "wal/wal.h"
#include "wal/wal_pending.h"
#include "wal/wal_record.h"

namespace tracklake {

namespace {

// With durability "write": writeback of the active segment is started every this many bytes
// (RocksDB's wal_bytes_per_sync). Otherwise tens of MB sit dirty in the page cache, and the
// fdatasync that a seal record needs flushes them all while every append waits behind it.
constexpr uint64_t kWritebackEveryBytes = 1 << 20;
// A big group is written in pieces of about this size (one sync for all of them): the staging
// buffer stays this small whatever the queue holds.
constexpr uint64_t kWriteChunkBytes = 4 << 20;

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

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
  struct stat st {};
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

// One group commit's bookkeeping: what each append's outcome is, the positions of the records
// staged so far, and how far they got (staged in the appender, written, synced).
struct Wal::Group {
  struct Outcome {
    Status status;
    uint64_t first_seq = 0;
    size_t pos_begin = 0;
    size_t pos_end = 0;
  };

  Group(size_t appends, bool fsync) : out(appends), sync(fsync) {}

  // Marks the appends from unflushed to upto, whose records were staged, as failed and gives
  // their sequence numbers back to next_seq.
  void FailUnflushed(size_t upto, const Status& s, uint64_t& next_seq) {
    for (size_t j = unflushed; j < upto; ++j) {
      if (!out[j].status.ok()) continue;
      if (out[j].pos_end > out[j].pos_begin) {
        next_seq = std::min(next_seq, out[j].first_seq);
        positions.resize(std::min(positions.size(), out[j].pos_begin));
      }
      out[j].status = s;
      out[j].pos_end = out[j].pos_begin;
    }
  }

  // Marks the appends from unsynced to upto as failed: written to the active segment, whose
  // sync failed. Their numbers are not taken back: the records are in the log, and replay after
  // a restart may deliver them (the client was told to retry: at least once, never lost).
  void FailUnsynced(size_t upto, const Status& s) {
    for (size_t j = unsynced; j < upto; ++j) {
      if (out[j].status.ok()) out[j].status = s;
    }
  }

  std::vector<Outcome> out;  // one per append
  std::vector<WalPosition> positions;
  size_t unflushed = 0;   // first append whose records are staged in appender_
  size_t unsynced = 0;    // first append whose records are in the active segment
  uint64_t dequeued = 0;  // queued bytes the group takes off the queue
  bool sync;              // the group ends with an fdatasync
};

void Wal::CommitGroup(std::deque<Pending>& group) {
  Group g(group.size(), options_.fsync);
  for (size_t i = 0; i < group.size(); ++i) {
    const Pending& p = group[i];
    uint64_t need = p.spans.size() * wal::kHeaderSize;
    for (const Span& s : p.spans) need += s.size;
    g.dequeued += need;
    const bool control = p.type != wal::RecordType::kEvent;
    if (appender_.staged() >= kWriteChunkBytes) FlushGroup(g, i);
    if (NeedsRoll(need, control) && !RollSegment(g, i, need, control)) continue;
    StageAppend(g, i, p);
  }
  FlushGroup(g, group.size());
  if (g.sync) {
    if (Status s = SyncActive(); !s.ok()) g.FailUnsynced(group.size(), s);
  }
  next_seq_public_ = next_seq_;
  {
    MutexLock lock(mu_);
    queued_bytes_ -= g.dequeued;
  }
  // The completions answer their requests: the server thread is woken once for the group.
  CompletionBatch batch;
  for (size_t i = 0; i < group.size(); ++i) {
    const Group::Outcome& o = g.out[i];
    group[i].done(o.status, o.first_seq,
                  std::span<const WalPosition>(g.positions.data() + o.pos_begin, o.pos_end - o.pos_begin));
  }
}

void Wal::FlushGroup(Group& g, size_t upto) {
  if (Status s = FlushBuffer(); !s.ok()) g.FailUnflushed(upto, s, next_seq_);
  g.unflushed = upto;
}

bool Wal::RollSegment(Group& g, size_t i, uint64_t need, bool control) {
  FlushGroup(g, i);
  // The group's sync at the end covers the next segment only: what this group wrote to the
  // segment it leaves is made durable now, or not acknowledged.
  if (Status s = SyncActive(); !s.ok() && g.sync) g.FailUnsynced(i, s);
  g.unsynced = i;
  const Status os = OpenSegment(next_seq_);
  // Seal and delivered records may use the reserve of a full segment when the disk is full:
  // they are what lets delivery free space again.
  const bool use_reserve = control && os.code() == Status::Code::kNoSpace &&
                           active_bytes_ + need <= options_.segment_bytes + control_reserve_;
  if (os.ok() || use_reserve) return true;
  g.out[i].status = os;
  g.out[i].pos_begin = g.out[i].pos_end = g.positions.size();
  return false;
}

void Wal::StageAppend(Group& g, size_t i, const Pending& p) {
  if (appender_.staged() == 0) g.unflushed = i;
  Group::Outcome& o = g.out[i];
  o.first_seq = next_seq_;
  o.pos_begin = g.positions.size();
  for (const Span& s : p.spans) {
    const auto offset = static_cast<uint32_t>(active_bytes_ + appender_.staged());
    wal::EncodeRecord(appender_.Extend(wal::kHeaderSize + s.size), active_framing_, p.type, next_seq_++,
                      std::string_view(p.bytes).substr(s.offset, s.size));
    g.positions.push_back(WalPosition{active_first_, offset, s.size});
  }
  o.pos_end = g.positions.size();
  g.sync = g.sync || p.sync;
}

}  // namespace tracklake
