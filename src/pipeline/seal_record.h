// The payload of the pipeline's seal and delivered records in the write-ahead log
// (wal::RecordType::kSeal / kDelivered): the batch they name, by partition and sequence range.
// The log carries these bytes without reading them; only the pipeline writes and replays them.
// Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tracklake {

// Seal and delivered records name a batch: its partition and WAL sequence range.
struct SealPayload {
  std::string partition;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  uint64_t events = 0;
};
std::string EncodeSealPayload(const SealPayload& p);
// kCorruption when bytes is not three decimal numbers and a partition, tab-separated. The
// partition is returned as read: the caller validates it before it names anything.
Status DecodeSealPayload(std::string_view bytes, SealPayload& out);

}  // namespace tracklake
