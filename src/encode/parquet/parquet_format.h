// Parquet format constants: the Thrift enum values of parquet.thrift that tracklake writes or
// reads, and the limits shared by its writer and reader. Header-only, no state.
//
// Enums are plain int32_t-backed enum classes so that a reader can hold any value found in a
// (possibly hostile) file and compare it against the known ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tracklake::parquet {

inline constexpr std::string_view kMagic = "PAR1";
inline constexpr size_t kFooterLengthBytes = 4;
inline constexpr int32_t kFormatVersion = 1;

enum class PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7
};

enum class ConvertedType : int32_t { kUtf8 = 0, kMap = 1, kMapKeyValue = 2, kList = 3, kTimestampMillis = 9 };

enum class Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

enum class Encoding : int32_t { kPlain = 0, kPlainDictionary = 2, kRle = 3, kBitPacked = 4, kRleDictionary = 8 };

enum class Codec : int32_t { kUncompressed = 0, kSnappy = 1, kGzip = 2, kZstd = 6 };

enum class PageType : int32_t { kDataPage = 0, kIndexPage = 1, kDictionaryPage = 2, kDataPageV2 = 3 };

// The LogicalType union members tracklake knows (field ids of the union in parquet.thrift).
enum class LogicalKind : int16_t { kNone = 0, kString = 1, kMap = 2, kList = 3, kTimestamp = 8, kOther = -1 };
enum class TimeUnit : int16_t { kNone = 0, kMillis = 1, kMicros = 2, kNanos = 3 };

// Writer limits. Pages are cut near kPageBytes of uncompressed data (at row boundaries), which
// keeps page decompression buffers small and gives readers page-level granularity.
inline constexpr size_t kPageBytes = 1u << 20;
inline constexpr size_t kMaxPageValues = 1u << 17;
// Dictionary encoding falls back to PLAIN for the rest of a column chunk once the dictionary
// would hold more entries than this (or more bytes than EncodeOptions::dictionary_bytes): it
// bounds the writer's slot table (12 bytes per slot, at most two slots per entry).
inline constexpr size_t kMaxDictionaryEntries = 1u << 19;
// String min/max statistics longer than this are omitted (they would bloat every footer and
// pruning on long free-text values is rarely useful).
inline constexpr size_t kMaxStatisticsValueBytes = 64;

// Reader limits: guards against hostile files asking for huge allocations.
inline constexpr size_t kMaxReaderPageBytes = 64u << 20;
inline constexpr size_t kMaxReaderPageValues = 1u << 20;
inline constexpr size_t kMaxReaderTotalValues = 1u << 26;

}  // namespace tracklake::parquet
