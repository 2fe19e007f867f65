// Page compression for the codecs tracklake writes: none, Snappy, GZIP (zlib with gzip
// framing, as the Parquet spec requires) and ZSTD. Thread-safe free functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "encode/encoder.h"
#include "encode/parquet/parquet_format.h"

namespace tracklake::parquet {

// ZSTD level: see docs/parquet.md for the measurement behind the choice.
inline constexpr int kZstdLevel = 1;
inline constexpr int kGzipLevel = 6;

Codec ToCodec(ParquetCompression compression);
std::string_view CodecName(Codec codec);

// Replaces out with the compressed bytes of in.
Status Compress(Codec codec, std::string_view in, std::string& out);

// Replaces out with exactly `uncompressed_size` bytes decompressed from in. Fails with
// kCorruption when the data is malformed or its size differs, and never allocates more than
// uncompressed_size (callers bound it).
Status Decompress(Codec codec, std::string_view in, size_t uncompressed_size, std::string& out);

}  // namespace tracklake::parquet
