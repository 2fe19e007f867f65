// Decodes one column chunk of a tracklake Parquet file (data pages v1, PLAIN or dictionary
// encoded, any of the four codecs) into its levels and values.
//
// Hostile input: every offset, size and count is checked against the file, and decoding stops
// with kCorruption rather than reading out of bounds or allocating past fixed limits
// (kMaxReaderPageBytes, kMaxReaderPageValues, and the caller's value budget).
// Thread-safe free function; the result owns its data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "encode/parquet/file_metadata.h"

namespace tracklake::parquet {

struct LeafInfo {
  PhysicalType type = PhysicalType::kByteArray;
  int16_t max_def = 0;
  int16_t max_rep = 0;
};

struct ColumnValues {
  std::vector<uint32_t> defs;        // one per entry (all max_def when the column is required)
  std::vector<uint32_t> reps;        // one per entry when max_rep > 0, else empty
  std::vector<std::string> strings;  // present values of a BYTE_ARRAY column, in order
  std::vector<int64_t> ints;         // present values of an INT64 column, in order
  size_t size() const { return defs.size(); }
};

// file: the whole file; data_end: where the footer starts (chunks must lie before it).
// value_budget: decremented by the chunk's declared value count, which must not exceed it.
Status DecodeColumnChunk(std::string_view file, size_t data_end, const ColumnChunk& chunk, const LeafInfo& leaf,
                         uint64_t& value_budget, ColumnValues& out);

}  // namespace tracklake::parquet
