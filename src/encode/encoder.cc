#include "encode/encoder.h"

#include "encode/ndjson_encoder.h"
#include "encode/parquet/parquet_encoder.h"

namespace tracklake {

std::unique_ptr<BatchEncoder> MakeEncoder(FileFormat format, const EncodeOptions& options) {
  switch (format) {
    case FileFormat::kNdjsonGzip: return MakeNdjsonGzipEncoder(options);
    case FileFormat::kParquet: return MakeParquetEncoder(options);
  }
  return MakeNdjsonGzipEncoder(options);
}

std::string_view FileExtension(FileFormat format) {
  return format == FileFormat::kParquet ? ".parquet" : ".ndjson.gz";
}

}  // namespace tracklake
