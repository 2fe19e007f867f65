// Reader of the Parquet files tracklake writes (see parquet_encoder.h): footer, schema, row
// groups and rows. Used by `tracklake inspect` (via InspectParquet) and by tests.
//
// Supported: top-level BYTE_ARRAY and INT64 columns (required or optional) and MAP groups of
// the standard 3-level layout with BYTE_ARRAY keys and values; data pages v1, PLAIN and
// dictionary encodings, codecs UNCOMPRESSED/SNAPPY/GZIP/ZSTD. Other files get kInvalidArgument.
//
// Hostile input never crashes the reader or makes it allocate without bound: it returns
// kCorruption. Thread-safe free functions; results own their data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"
#include "encode/parquet/file_metadata.h"

namespace tracklake {

struct ParquetMapEntry {
  std::string key;
  std::optional<std::string> value;
  bool operator==(const ParquetMapEntry&) const = default;
};
using ParquetMap = std::vector<ParquetMapEntry>;

// One cell: null, a string, an INT64 (timestamps as epoch milliseconds) or a map.
using ParquetCell = std::variant<std::monostate, std::string, int64_t, ParquetMap>;

struct ParquetTable {
  std::vector<std::string> columns;  // top-level column names, schema order
  std::vector<std::vector<ParquetCell>> rows;
  // Index of a column by name, or nullopt.
  std::optional<size_t> ColumnIndex(std::string_view name) const;
};

// Checks the magic bytes and parses the footer.
Status ReadParquetMetadata(std::string_view file, parquet::FileMetaData& out);

// Decodes up to max_rows rows (all by default), row group by row group.
Result<ParquetTable> ReadParquetRows(std::string_view file, size_t max_rows = std::numeric_limits<size_t>::max());

}  // namespace tracklake
