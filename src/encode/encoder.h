// Batch encoders: turn the events of one sealed batch into the bytes of one lake file.
// Formats: gzip NDJSON (one JSON object per line), Parquet, plain NDJSON (for record
// sinks such as Firehose, which want the lines themselves, not a file), and JSON messages (for
// message sinks, Kafka and Kinesis: each event a message with a key and headers; json_messages.h).
//
// Thread-safety: an encoder instance is used by one thread at a time; different instances
// are independent.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "event/event_record.h"

namespace tracklake {

enum class FileFormat { kNdjsonGzip, kParquet, kNdjson, kJsonMessages };

enum class ParquetCompression { kNone, kSnappy, kGzip, kZstd };

struct EncodeOptions {
  std::string event_type;                     // of every event in the batch
  std::vector<std::string> declared_columns;  // extra typed columns for this event type (Parquet)
  uint64_t first_seq = 0;                     // WAL range covered, written to file metadata
  uint64_t last_seq = 0;
  std::string node_id;
  std::string log_id;  // the write-ahead log's (wal/log_id.h); "" for an older log
  ParquetCompression compression = ParquetCompression::kZstd;
  uint64_t row_group_bytes = 256ull << 20;  // Parquet: buffered bytes per row group (see docs/parquet.md)
  uint64_t dictionary_bytes = 8ull << 20;   // Parquet: a column chunk's dictionary, at most (ditto)
  std::string message_key = "none";         // JSON messages: the field whose value keys each message
};

class BatchEncoder {
 public:
  virtual ~BatchEncoder() = default;
  // Adds one event. REQUIRES: Finish() not called yet. The view's bytes need only live
  // during the call.
  virtual Status Add(const EventView& event) = 0;
  // Returns the complete file. Called once.
  virtual Result<std::string> Finish() = 0;
};

std::unique_ptr<BatchEncoder> MakeEncoder(FileFormat format, const EncodeOptions& options);

// ".ndjson.gz", ".parquet", ".ndjson" or ".messages".
std::string_view FileExtension(FileFormat format);

// One event as a JSON object (server fields first: event_type, event_id, app_id, received_at),
// without the trailing newline. Shared by the NDJSON encoder and tools.
void AppendEventJson(std::string& out, const EventView& event);

}  // namespace tracklake
