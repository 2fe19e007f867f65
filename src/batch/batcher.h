// The batcher: groups committed events by partition (event type / date / hour) and decides
// when a partition's open batch is cut. It keeps only log positions (16 bytes + seq per event),
// never event bytes, so memory does not grow with flush.max_age: the events are read back from
// the write-ahead log when a batch is encoded.
//
// Cut triggers: the batch's bytes reach max_bytes; its oldest event reaches max_age; the
// partition's hour has ended (plus a grace period), so hourly partitions close on time; or all
// open batches together exceed max_buffered_bytes (largest first).
//
// Thread-compatible: owned and called by the pipeline thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "wal/wal_position.h"

namespace tracklake {

struct BatchLimits {
  uint64_t max_bytes = 64ull << 20;
  int64_t max_age_ms = 300'000;
  uint64_t max_buffered_bytes = 1ull << 30;
  int64_t hour_grace_ms = 10'000;  // late events of an hour still join its open batch
};

struct Batch {
  std::string partition;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  std::vector<WalPosition> positions;
  uint64_t bytes = 0;
  int64_t oldest_ms = 0;  // received_at of its first event
};

class Batcher {
 public:
  explicit Batcher(BatchLimits limits) : limits_(limits) {}

  // REQUIRES: seq greater than every seq added before.
  void Add(std::string_view partition, uint64_t seq, const WalPosition& pos, int64_t received_at_ms);

  // Replay of a seal record: cuts the open events of partition with seq <= last_seq.
  std::optional<Batch> Cut(std::string_view partition, uint64_t last_seq);

  // Batches whose cut is due at now_ms (see triggers above).
  std::vector<Batch> TakeDue(int64_t now_ms);
  // Every open batch (shutdown).
  std::vector<Batch> TakeAll();

  uint64_t buffered_bytes() const { return buffered_bytes_; }
  size_t open_partitions() const { return open_.size(); }
  // Lowest seq still held in an open batch, if any.
  std::optional<uint64_t> MinOpenSeq() const;
  // received_at of the oldest open event, if any.
  std::optional<int64_t> OldestOpenMillis() const;

 private:
  struct Open {
    Batch batch;
    std::vector<uint64_t> seqs;  // parallel to batch.positions; needed to replay seal cuts
    int64_t hour_end_ms = 0;
  };
  Batch Take(Open& open);

  BatchLimits limits_;
  // Transparent hashing: Add runs per event and must not build a std::string to look up.
  struct PathHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Open, PathHash, std::equal_to<>> open_;
  uint64_t buffered_bytes_ = 0;
};

}  // namespace tracklake
