#include "encode/encoder.h"

#include "encode/json_messages.h"
#include "encode/ndjson_encoder.h"
#include "encode/parquet/parquet_encoder.h"

namespace tracklake {

std::unique_ptr<BatchEncoder> MakeEncoder(FileFormat format, const EncodeOptions& options) {
  switch (format) {
    case FileFormat::kNdjsonGzip: return MakeNdjsonGzipEncoder(options);
    case FileFormat::kParquet: return MakeParquetEncoder(options);
    case FileFormat::kNdjson: return MakeNdjsonEncoder(options);
    case FileFormat::kJsonMessages: return MakeJsonMessagesEncoder(options);
  }
  return MakeNdjsonGzipEncoder(options);
}

std::string_view FileExtension(FileFormat format) {
  switch (format) {
    case FileFormat::kNdjsonGzip: return ".ndjson.gz";
    case FileFormat::kParquet: return ".parquet";
    case FileFormat::kNdjson: return ".ndjson";
    case FileFormat::kJsonMessages: return ".messages";
  }
  return ".ndjson.gz";
}

}  // namespace tracklake
