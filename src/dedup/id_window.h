// The ids accepted within the deduplication window, in memory: a FlatMap64 set of 64-bit id
// hashes for the lookup, plus a ring of the same hashes in arrival order, marked per second, so
// that ids leave the set once they are older than the window (or earlier, oldest first, when
// the set holds max_ids: memory stays bounded whatever the rate).
//
// Memory per id: 8 bytes in the ring plus 11-23 in the table (35-70 % full): 19-31 bytes.
//
// Thread-compatible: the deduplicator serialises calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>

#include "dedup/flat_map64.h"

namespace tracklake {

class IdWindow {
 public:
  IdWindow(int64_t window_s, size_t max_ids) : window_s_(window_s), max_ids_(max_ids) {}

  bool Contains(uint64_t hash) const { return set_.Contains(hash); }
  // Before inserting n ids: starts loading the table slots of the hashes and of the n oldest
  // ids (those an insert at max_ids, or expiry, removes), so that the misses overlap.
  void Prefetch(std::span<const uint64_t> hashes) const;
  // Adds hash, accepted at second `second`; returns its position for Forget. Evicts the oldest
  // id first when max_ids are held. REQUIRES: hash != 0, not contained.
  uint64_t Insert(uint64_t hash, int64_t second);
  // Takes back the Insert at position (a commit that failed): the id is free again.
  void Forget(uint64_t position, uint64_t hash);
  // Drops the ids accepted at or before now_s - window.
  void Expire(int64_t now_s);

  size_t size() const { return set_.size(); }
  uint64_t evicted_early() const { return evicted_early_; }
  size_t MemoryBytes() const;

 private:
  struct Mark {
    int64_t second;
    uint64_t position;  // of the first id inserted in that second
  };
  // Drop the front of the ring; true when it held an id (not a taken-back insert).
  bool PopOldest();    // marks left as they are
  bool EvictOldest();  // keeping the marks in step

  const int64_t window_s_;
  const size_t max_ids_;
  struct None {};
  FlatMap64<None> set_;
  std::deque<uint64_t> ring_;  // hashes by arrival; 0 where an insert was taken back
  uint64_t ring_base_ = 0;     // position of ring_.front()
  std::deque<Mark> marks_;     // ascending seconds; the first covers ring_.front()
  uint64_t evicted_early_ = 0;
};

}  // namespace tracklake
