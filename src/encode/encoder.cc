#include "encode/encoder.h"

#include "encode/ndjson_encoder.h"

namespace tracklake {

std::unique_ptr<BatchEncoder> MakeEncoder(FileFormat format, const EncodeOptions& options) {
  switch (format) {
    case FileFormat::kNdjsonGzip: return MakeNdjsonGzipEncoder(options);
    case FileFormat::kParquet: break;
  }
  return MakeNdjsonGzipEncoder(options);
}

std::string_view FileExtension(FileFormat format) {
  return format == FileFormat::kParquet ? ".parquet" : ".ndjson.gz";
}

}  // namespace tracklake
