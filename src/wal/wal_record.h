// Framing of one log record (header + payload) and scanning of a whole segment with
// corruption recovery. Pure functions over byte buffers: the unit tests drive them directly.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "wal/wal_format.h"

namespace tracklake::wal {

void AppendRecord(std::string& buf, RecordType type, uint64_t seq, std::string_view payload);
// The same record into out[0, kHeaderSize + payload.size()).
void EncodeRecord(char* out, RecordType type, uint64_t seq, std::string_view payload);

struct ParsedRecord {
  RecordType type;
  uint64_t seq;
  uint32_t offset;  // of the header within the segment
  std::string_view payload;
};

struct ScanResult {
  uint64_t records = 0;
  uint64_t valid_end = 0;      // offset just past the last good record
  uint64_t skipped_bytes = 0;  // bytes that belonged to no good record (torn tail, corruption)
  uint64_t last_seq = 0;       // of the last good record, 0 when none
};

// Walks data record by record; zeros from a record boundary to the end are padding (not
// counted as skipped). A record whose header or checksum does not verify is not
// returned; scanning resumes at the next offset where a record verifies with a sequence
// number above the last good one, so one damaged region loses only itself.
// min_seq: sequence numbers at or below it are treated as garbage (stale bytes).
// A recycled segment (resync = false) holds an older segment's records after its own: the scan
// stops at the first record that does not verify or does not follow, and never searches the
// bytes after it (they are stale, not damage, and are not counted as skipped).
ScanResult ScanSegment(std::string_view data, uint64_t min_seq,
                       const std::function<void(const ParsedRecord&)>& fn, bool resync = true);

// Verifies and returns the payload of the record whose header starts at data[0].
bool ParseRecordAt(std::string_view data, ParsedRecord& out);

}  // namespace tracklake::wal
