#include "batch/batcher.h"

#include <algorithm>

#include "event/partition.h"

namespace tracklake {

void Batcher::Add(std::string_view partition, uint64_t seq, const WalPosition& pos, int64_t received_at_ms) {
  auto it = open_.find(partition);
  if (it == open_.end()) {
    it = open_.emplace(std::string(partition), Open{}).first;
    it->second.batch.partition = partition;
    it->second.batch.first_seq = seq;
    it->second.batch.oldest_ms = received_at_ms;
    it->second.hour_end_ms = PartitionHourEndMillis(partition);
  }
  Open& o = it->second;
  o.batch.positions.push_back(pos);
  o.seqs.push_back(seq);
  o.batch.last_seq = seq;
  o.batch.bytes += pos.size;
  o.batch.oldest_ms = std::min(o.batch.oldest_ms, received_at_ms);
  buffered_bytes_ += pos.size;
}

Batch Batcher::Take(Open& open) {
  buffered_bytes_ -= open.batch.bytes;
  return std::move(open.batch);
}

std::optional<Batch> Batcher::Cut(std::string_view partition, uint64_t last_seq) {
  auto it = open_.find(partition);
  if (it == open_.end()) return std::nullopt;
  Open& o = it->second;
  const size_t n = static_cast<size_t>(std::upper_bound(o.seqs.begin(), o.seqs.end(), last_seq) - o.seqs.begin());
  if (n == 0) return std::nullopt;
  if (n == o.seqs.size()) {
    Batch b = Take(o);
    open_.erase(it);
    return b;
  }
  Batch b;
  b.partition = o.batch.partition;
  b.first_seq = o.seqs.front();
  b.last_seq = o.seqs[n - 1];
  b.oldest_ms = o.batch.oldest_ms;
  b.positions.assign(o.batch.positions.begin(), o.batch.positions.begin() + static_cast<ptrdiff_t>(n));
  for (const WalPosition& p : b.positions) b.bytes += p.size;
  o.batch.positions.erase(o.batch.positions.begin(), o.batch.positions.begin() + static_cast<ptrdiff_t>(n));
  o.seqs.erase(o.seqs.begin(), o.seqs.begin() + static_cast<ptrdiff_t>(n));
  o.batch.first_seq = o.seqs.front();
  o.batch.bytes -= b.bytes;
  buffered_bytes_ -= b.bytes;
  return b;
}

std::vector<Batch> Batcher::TakeDue(int64_t now_ms) {
  std::vector<Batch> due;
  for (auto it = open_.begin(); it != open_.end();) {
    Open& o = it->second;
    const bool full = o.batch.bytes >= limits_.max_bytes;
    const bool old = now_ms - o.batch.oldest_ms >= limits_.max_age_ms;
    const bool hour_over = o.hour_end_ms > 0 && now_ms >= o.hour_end_ms + limits_.hour_grace_ms;
    if (full || old || hour_over) {
      due.push_back(Take(o));
      it = open_.erase(it);
    } else {
      ++it;
    }
  }
  while (buffered_bytes_ > limits_.max_buffered_bytes && !open_.empty()) {
    auto largest = std::max_element(open_.begin(), open_.end(), [](const auto& a, const auto& b) {
      return a.second.batch.bytes < b.second.batch.bytes;
    });
    due.push_back(Take(largest->second));
    open_.erase(largest);
  }
  return due;
}

std::vector<Batch> Batcher::TakeAll() {
  std::vector<Batch> all;
  all.reserve(open_.size());
  for (auto& [key, o] : open_) all.push_back(Take(o));
  open_.clear();
  return all;
}

std::optional<uint64_t> Batcher::MinOpenSeq() const {
  std::optional<uint64_t> min;
  for (const auto& [key, o] : open_) {
    if (!min || o.batch.first_seq < *min) min = o.batch.first_seq;
  }
  return min;
}

std::optional<int64_t> Batcher::OldestOpenMillis() const {
  std::optional<int64_t> oldest;
  for (const auto& [key, o] : open_) {
    if (!oldest || o.batch.oldest_ms < *oldest) oldest = o.batch.oldest_ms;
  }
  return oldest;
}

}  // namespace tracklake
