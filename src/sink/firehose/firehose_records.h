// Turning one lake object (plain NDJSON, one event per line, all of one event type) into
// Firehose records, and records into PutRecordBatch calls, within Firehose's quotas:
//   - a record holds at most 1,000 KiB (before base64),
//   - a call holds at most 500 records and 4 MiB of record data.
// Every record ends in '\n', so the S3 objects Firehose writes by concatenating records are
// line-delimited without a transformation Lambda. In aggregate mode many lines share a record
// (up to 1,000 KiB), which removes Firehose's billing rounding of each record up to 5 KB.
//
// Pure functions, thread-safe. Nothing here copies event bytes: records and lines are views
// into the object, which must outlive them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tracklake {

inline constexpr size_t kFirehoseMaxRecordBytes = 1000 * 1024;
inline constexpr size_t kFirehoseMaxRecordsPerCall = 500;
inline constexpr size_t kFirehoseMaxBytesPerCall = 4 * 1024 * 1024;
// Firehose bills ingestion per record, each rounded up to the next 5 KB.
inline constexpr size_t kFirehoseBillingUnitBytes = 5 * 1024;

struct FirehoseRecords {
  std::vector<std::string_view> records;  // each ends in '\n'
  uint64_t events = 0;                    // lines packed into records
  // 1-based line numbers of events that can never be accepted: one line (with its '\n') over
  // max_record_bytes. They are in no record.
  std::vector<uint64_t> oversized_lines;
};

// Splits ndjson on '\n' (a missing final newline is tolerated: that line's record then lacks
// it too, so callers pass encoder output, which always ends lines). Empty lines are skipped.
// aggregate = false: one record per line; true: consecutive lines packed while they fit.
FirehoseRecords PackRecords(std::string_view ndjson, bool aggregate,
                            size_t max_record_bytes = kFirehoseMaxRecordBytes);

// Groups the records at `indices` (in order) into calls of at most max_records records and
// max_bytes bytes. REQUIRES: every record is at most max_bytes.
std::vector<std::vector<size_t>> GroupIntoCalls(const std::vector<std::string_view>& records,
                                                const std::vector<size_t>& indices,
                                                size_t max_records = kFirehoseMaxRecordsPerCall,
                                                size_t max_bytes = kFirehoseMaxBytesPerCall);

// Bytes Firehose bills for one record: its size rounded up to the next 5 KB (at least 5 KB).
uint64_t BilledBytes(size_t record_bytes);

// The delivery stream of an event type: every "{event_type}" in the template replaced.
std::string StreamName(std::string_view stream_template, std::string_view event_type);
// Firehose stream names: 1 to 64 of [a-zA-Z0-9_.-].
bool IsValidStreamName(std::string_view name);

}  // namespace tracklake
