// Reclaiming the segments the pipeline released: renamed to spares for the writer to reuse, or
// deleted, on a thread of their own.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <spdlog/spdlog.h>

#include "wal/wal.h"

namespace tracklake {

namespace {

// Released segment files kept for reuse (see OpenRecycled and ReclaimerLoop) even when the log
// is small.
constexpr size_t kMinSpareSegments = 2;

}  // namespace

void Wal::Release(uint64_t seq) {
  {
    MutexLock lock(mu_);
    release_before_ = std::max(release_before_, seq);
  }
  reclaim_cv_.notify_one();
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
      if (!deleted)
        spdlog::error("cannot delete delivered write-ahead log segment {}: {}", path, std::strerror(errno));
      lock.lock();
      if (kept) spares_.push_back(id);
      if (!deleted) {
        // Kept, and counted against the disk budget; tried again later.
        if (reclaim_cv_.wait_for(lock, std::chrono::seconds(1), [&]() REQUIRES(mu_) { return reclaimer_stop_; }))
          return;
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

}  // namespace tracklake
