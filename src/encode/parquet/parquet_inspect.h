// Human-readable report of a tracklake Parquet file for `tracklake inspect FILE`: file
// metadata, schema, row groups with per-column sizes, encodings and statistics, and the first
// rows as JSON-like lines. Thread-safe; never crashes on hostile input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tracklake {

// Appends the report to out. Fails (with out holding what was reported so far) when the
// footer cannot be parsed or the first max_rows rows cannot be decoded.
Status InspectParquet(std::string_view file_bytes, size_t max_rows, std::string& out);

}  // namespace tracklake
