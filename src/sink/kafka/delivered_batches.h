// Which batches of one write-ahead log are already in Kafka: the "log position" a transactional
// Kafka sink commits atomically with each batch's messages (as the committed offset and metadata
// of the consumer group named after the log, on partition 0 of the batch's topic), and reads
// back at start so that a replay never publishes a batch twice (docs/kafka.md).
//
// A batch is named by its first log seq (unique within a log, the same on replay). The position
// is "every batch below `below` is delivered, and so are these ones above it": `below` follows
// the pipeline's delivered watermark (BatchIdentity::delivered_below), so the list holds only
// batches delivered ahead of an older one still in flight, and stays short. A batch committed
// with some events left out (too large for the broker) is marked, so that a replay rejects it
// again and its dead letter is kept.
//
// Text form (the offset's metadata, at most kMaxText bytes): "tl1 <below> <delta>[r] ...", each
// delta a batch's first seq minus below. Thread-compatible value type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tracklake {

class DeliveredBatches {
 public:
  // Brokers keep at most offset.metadata.max.bytes (4096 by default) of metadata.
  static constexpr size_t kMaxText = 3800;

  enum class State { kNotDelivered, kDelivered, kDeliveredWithRejects };

  State Lookup(uint64_t first_seq) const;
  // Raises `below` to the pipeline's watermark (never lowers it) and forgets what it covers.
  void Advance(uint64_t delivered_below);
  // Records a batch as delivered (with_rejects: some of its events were left out).
  void Add(uint64_t first_seq, bool with_rejects);

  uint64_t below() const { return below_; }
  size_t listed() const { return above_.size(); }

  std::string Encode() const;
  // Corruption for text that is not ours.
  static Result<DeliveredBatches> Decode(std::string_view text);

 private:
  uint64_t below_ = 0;
  std::map<uint64_t, bool> above_;  // first seq -> with rejects
};

}  // namespace tracklake
