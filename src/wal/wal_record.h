// Framing of segment headers and log records, and scanning of a whole segment with corruption
// recovery. Pure functions over byte buffers: the unit tests and fuzz targets drive them directly.
// Formats in wal_format.h and docs/wal-format.md.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>

#include "wal/wal_format.h"

namespace tracklake::wal {

// How the records of one segment generation are checksummed. Format 2: the CRC starts from the
// CRC of the segment's salt, so a record verifies only in the generation that wrote it.
// Format 1 (segments written before format 2; read, never written): no salt, and the CRC covers
// type, sequence number and payload only.
struct Framing {
  static Framing Salted(uint64_t salt);
  static Framing Legacy() { return Framing{}; }
  bool legacy = true;
  uint64_t salt = 0;
  uint32_t seed = 0;  // CRC-32C of the salt's 8 bytes
};

void AppendRecord(std::string& buf, const Framing& framing, RecordType type, uint64_t seq, std::string_view payload);
// The same record into out[0, kHeaderSize + payload.size()).
void EncodeRecord(char* out, const Framing& framing, RecordType type, uint64_t seq, std::string_view payload);

struct ParsedRecord {
  RecordType type;
  uint64_t seq;
  uint32_t offset;  // of the header within the segment
  std::string_view payload;
};

// Verifies and returns the payload of the record whose header starts at data[0].
bool ParseRecordAt(std::string_view data, const Framing& framing, ParsedRecord& out);

struct SegmentHeader {
  uint64_t first_seq = 0;
  uint64_t salt = 0;
};
// kSegmentHeaderSize bytes into out.
void EncodeSegmentHeader(char* out, const SegmentHeader& header);
void AppendSegmentHeader(std::string& buf, const SegmentHeader& header);

enum class HeaderCheck {
  kValid,        // a format-2 header that verifies
  kAbsent,       // no magic: a format-1 segment
  kDamaged,      // the magic, but the header does not verify
  kNewerFormat,  // a header that verifies, of a format this build does not know
};
// version: the header's format version when it verifies (kValid, kNewerFormat).
HeaderCheck ReadSegmentHeader(std::string_view file, SegmentHeader& out, uint32_t* version = nullptr);

struct ScanOptions {
  Framing framing;
  uint64_t first_seq = 1;  // the segment's name: the sequence number of its first record
  uint64_t max_seq = std::numeric_limits<uint64_t>::max();  // no record above it
  // Resynchronise after damage (see ScanRecords); never in a recycled or format-1 segment.
  bool resync = true;
};

struct ScanResult {
  uint64_t records = 0;
  uint64_t valid_end = 0;      // offset just past the last good record, 0 when none
  uint64_t skipped_bytes = 0;  // bytes that belonged to no good record (torn tail, corruption)
  uint64_t last_seq = 0;       // of the last good record, 0 when none
};

// Walks data[start, end) record by record. Sequence numbers follow one another: the first is
// options.first_seq, each next one more, never above max_seq; a record that does not verify or
// does not follow ends the scan, unless options.resync: then scanning resumes at the next
// offset where a record verifies with a sequence number above the last good one by no more
// than the records the skipped bytes could have held (kHeaderSize each), so one damaged region
// loses only itself and can never make the numbering jump. Zeros from a record boundary to the
// end are padding (not counted as skipped). Without resync the bytes after the end are not
// searched and not counted (a recycled segment's older bytes are stale, not damage).
ScanResult ScanRecords(std::string_view data, size_t start, const ScanOptions& options,
                       const std::function<void(const ParsedRecord&)>& fn);

// A segment file as recovery reads it: its header, then its records.
struct SegmentScan : ScanResult {
  HeaderCheck header = HeaderCheck::kAbsent;
  uint32_t version = 0;  // with kNewerFormat: the file's format version
  Framing framing;       // of its records
};
// id: the file's name (its first sequence number); recycled: an ".r.wal" file; max_seq: the
// next segment's first sequence number minus one. A format-2 header of another generation (a
// recycled file whose new header was never written) holds no record of this one.
SegmentScan ScanSegment(std::string_view file, uint64_t id, bool recycled, uint64_t max_seq,
                        const std::function<void(const ParsedRecord&)>& fn);

}  // namespace tracklake::wal
