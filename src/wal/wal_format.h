// On-disk format of the write-ahead log (specified in docs/wal-format.md). Shared constants
// only; see wal.h for the API and wal_record.h for framing and scanning.
//
// A log is a directory of segment files "<first_seq as 20 digits>.wal", or ".r.wal" for a
// recycled one (written over a released segment's bytes), and of spare files
// "<20 digits>.spare" waiting to be recycled.
//
// Format 2 (written): a segment starts with a header naming its generation, then records:
//   header:  8 bytes magic "TLWALSEG"   u32 format version (2)   u32 masked CRC32C of the rest
//            u64 first sequence number (the file's name)         u64 salt (random, per segment)
//   record:  u32 masked CRC32C of (salt, length, type, seq, payload)   u32 payload length
//            u8  record type                                           u64 sequence number
//            payload
// The salt is never sent anywhere: a record that verifies was written by this segment's
// generation, whatever bytes (stale records, record-shaped event values) lie after it.
// Format 1 (read only, logs written before): no header; the CRC covers (type, seq, payload).
// Integers are little-endian. Sequence numbers increase by one per record across segments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tracklake::wal {

// Values are written to disk: never renumber. SealPayload is the pipeline's (pipeline/seal_record.h).
enum class RecordType : uint8_t {
  kEvent = 1,      // payload: an event record (event/event_record.h), accepted or rejected
  kSeal = 2,       // payload: SealPayload — a batch's extent, made durable before its file is written
  kDelivered = 3,  // payload: SealPayload — that batch's file is in the lake
};

inline constexpr uint32_t kFormatVersion = 2;
// Its last four bytes read as a format-1 record's length are above kMaxPayload, so a format-1
// segment never starts with it.
inline constexpr std::string_view kSegmentMagic = "TLWALSEG";
inline constexpr size_t kSegmentHeaderSize = 8 + 4 + 4 + 8 + 8;
inline constexpr size_t kHeaderSize = 4 + 4 + 1 + 8;  // of a record
inline constexpr uint32_t kMaxPayload = 64u << 20;
inline constexpr const char* kSegmentSuffix = ".wal";
inline constexpr const char* kRecycledSuffix = ".r.wal";
inline constexpr const char* kSpareSuffix = ".spare";
// Room kept at the end of each segment for seal/delivered records, so a batch can still be
// sealed and delivered (and space freed) when the disk is full and no new segment can be made.
inline constexpr uint64_t kControlReserveMax = 1u << 20;

}  // namespace tracklake::wal
