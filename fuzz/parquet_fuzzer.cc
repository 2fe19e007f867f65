// libFuzzer target: the Parquet reader (footer, schema, pages, rows) and the `inspect` report on
// arbitrary bytes. The reader's contract is that hostile input yields an error, never a crash
// or an unbounded allocation (libFuzzer's -malloc_limit_mb turns one into a finding).
// Invariants: a decoded table has one cell per column in every row and no more rows than
// asked for; a file whose rows decode also has a readable footer.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "encode/parquet/file_metadata.h"
#include "encode/parquet/parquet_inspect.h"
#include "encode/parquet/parquet_reader.h"
#include "fuzz_check.h"

namespace tracklake {
namespace {

constexpr size_t kFewRows = 3;
constexpr size_t kInspectRows = 10;

void CheckRows(std::string_view file, size_t max_rows) {
  Result<ParquetTable> table = ReadParquetRows(file, max_rows);
  if (!table.ok()) {
    FUZZ_CHECK(!table.status().message().empty(), "reader error without a message");
    return;
  }
  FUZZ_CHECK(table->rows.size() <= max_rows, "more rows than asked for");
  for (const auto& row : table->rows) FUZZ_CHECK(row.size() == table->columns.size(), "row width != columns");
}

}  // namespace
}  // namespace tracklake

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  tracklake::parquet::FileMetaData meta;
  const bool footer_ok = tracklake::ReadParquetMetadata(file, meta).ok();
  tracklake::CheckRows(file, tracklake::kFewRows);
  tracklake::CheckRows(file, SIZE_MAX);
  if (!footer_ok) FUZZ_CHECK(!tracklake::ReadParquetRows(file).ok(), "rows decoded without a readable footer");
  std::string report;
  (void)tracklake::InspectParquet(file, tracklake::kInspectRows, report);
  return 0;
}
