// On-disk format of the write-ahead log (specified in docs/wal-format.md). Shared constants
// only; see wal.h for the API.
//
// A log is a directory of segment files "<first_seq as 20 digits>.wal", or ".r.wal" for a
// recycled one (written over a released segment's bytes: its records end at the first one that
// does not verify or does not follow), and of spare files "<20 digits>.spare" waiting to be
// recycled. A segment is a sequence of records, each:
//   u32 masked CRC32C of (type, seq, payload)   u32 payload length
//   u8  record type                             u64 sequence number
//   payload
// Integers are little-endian. Sequence numbers increase by one per record across segments.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tracklake::wal {

// Values are written to disk: never renumber.
enum class RecordType : uint8_t {
  kEvent = 1,      // payload: an event record (event/event_record.h), accepted or rejected
  kSeal = 2,       // payload: SealPayload — a batch's extent, made durable before its file is written
  kDelivered = 3,  // payload: SealPayload — that batch's file is in the lake
};

inline constexpr size_t kHeaderSize = 4 + 4 + 1 + 8;
inline constexpr uint32_t kMaxPayload = 64u << 20;
inline constexpr const char* kSegmentSuffix = ".wal";
inline constexpr const char* kRecycledSuffix = ".r.wal";
inline constexpr const char* kSpareSuffix = ".spare";
// Room kept at the end of each segment for seal/delivered records, so a batch can still be
// sealed and delivered (and space freed) when the disk is full and no new segment can be made.
inline constexpr uint64_t kControlReserveMax = 1u << 20;

}  // namespace tracklake::wal
