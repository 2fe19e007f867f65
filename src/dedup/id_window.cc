#include "dedup/id_window.h"

#include <algorithm>

namespace tracklake {

uint64_t IdWindow::Insert(uint64_t hash, int64_t second) {
  while (set_.size() >= max_ids_ && !ring_.empty()) {
    if (EvictOldest()) ++evicted_early_;
  }
  const uint64_t position = ring_base_ + ring_.size();
  // Requests are stamped before they reach here from several threads, so seconds may arrive a
  // little out of order: an id is then kept under the latest second, up to a second too long.
  if (marks_.empty() || second > marks_.back().second) marks_.push_back({second, position});
  ring_.push_back(hash);
  set_.Insert(hash);
  return position;
}

void IdWindow::Prefetch(std::span<const uint64_t> hashes) const {
  for (const uint64_t h : hashes) set_.Prefetch(h);
  const size_t oldest = std::min(hashes.size(), ring_.size());
  if (set_.size() + hashes.size() >= max_ids_) {
    for (size_t i = 0; i < oldest; ++i) {
      if (ring_[i] != 0) set_.Prefetch(ring_[i]);
    }
  }
}

void IdWindow::Forget(uint64_t position, uint64_t hash) {
  if (position < ring_base_ || position >= ring_base_ + ring_.size()) return;
  uint64_t& slot = ring_[position - ring_base_];
  if (slot != hash) return;
  slot = 0;
  set_.Erase(hash);
}

bool IdWindow::PopOldest() {
  const uint64_t h = ring_.front();
  if (h != 0) set_.Erase(h);
  ring_.pop_front();
  ++ring_base_;
  return h != 0;
}

bool IdWindow::EvictOldest() {
  const bool removed = PopOldest();
  // A mark whose ids are all gone goes too; the next one then covers the front.
  while (marks_.size() > 1 && marks_[1].position <= ring_base_) marks_.pop_front();
  if (ring_.empty()) marks_.clear();
  return removed;
}

void IdWindow::Expire(int64_t now_s) {
  const int64_t oldest_kept = now_s - window_s_;
  while (!marks_.empty() && marks_.front().second <= oldest_kept) {
    const uint64_t end = marks_.size() > 1 ? marks_[1].position : ring_base_ + ring_.size();
    while (ring_base_ < end) PopOldest();
    marks_.pop_front();
  }
}

size_t IdWindow::MemoryBytes() const {
  return set_.MemoryBytes() + ring_.size() * sizeof(uint64_t) + marks_.size() * sizeof(Mark);
}

}  // namespace tracklake
