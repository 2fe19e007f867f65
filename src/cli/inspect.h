// `tracklake inspect FILE`: prints a Parquet file's schema, row groups, column sizes,
// encodings, statistics and first rows.
#pragma once

#include <cstddef>
#include <string>

namespace tracklake {

int Inspect(const std::string& path, size_t rows);

}  // namespace tracklake
