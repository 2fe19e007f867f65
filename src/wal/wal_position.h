// Where a record lives in the write-ahead log: what a batch remembers of each event, so that
// the batcher and the encoders name a log position without depending on the log itself.
#pragma once

#include <cstdint>

namespace tracklake {

// The segment (named by its first sequence number) and the byte offset of the record's
// header. 16 bytes, so a batch can remember millions of events cheaply.
struct WalPosition {
  uint64_t segment = 0;
  uint32_t offset = 0;
  uint32_t size = 0;  // payload bytes
};

}  // namespace tracklake
