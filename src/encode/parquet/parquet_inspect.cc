#include "encode/parquet/parquet_inspect.h"

#include <fmt/format.h>

#include "common/json_writer.h"
#include "common/time_util.h"
#include "encode/parquet/compression.h"
#include "encode/parquet/parquet_reader.h"

namespace tracklake {
namespace {

using parquet::PhysicalType;
using parquet::SchemaElement;

constexpr size_t kInt64Bytes = 8;
// Timestamps outside years 0000..9999 print as plain integers (RFC 3339 has 4-digit years).
constexpr int64_t kMinRfc3339Ms = -62'167'219'200'000;
constexpr int64_t kMaxRfc3339Ms = 253'402'300'799'999;

std::string SchemaLine(const SchemaElement& e) {
  std::string line = e.name;
  if (e.repetition) {
    static constexpr std::string_view kReps[] = {"required", "optional", "repeated"};
    const auto r = static_cast<size_t>(*e.repetition);
    line += fmt::format(" {}", r < std::size(kReps) ? kReps[r] : "?");
  }
  line += e.type ? fmt::format(" {}", parquet::PhysicalTypeName(*e.type)) : std::string(" group");
  switch (e.logical) {
    case parquet::LogicalKind::kString: line += " (STRING)"; break;
    case parquet::LogicalKind::kMap: line += " (MAP)"; break;
    case parquet::LogicalKind::kList: line += " (LIST)"; break;
    case parquet::LogicalKind::kTimestamp:
      line += fmt::format(" (TIMESTAMP unit={} utc={})",
                          e.timestamp_unit == parquet::TimeUnit::kMillis ? "ms" : "other", e.timestamp_utc);
      break;
    default: break;
  }
  return line;
}

std::string StatValue(PhysicalType type, const std::string& v) {
  if (type == PhysicalType::kInt64 && v.size() == kInt64Bytes) {
    uint64_t u = 0;
    for (size_t i = 0; i < kInt64Bytes; ++i) u |= static_cast<uint64_t>(static_cast<uint8_t>(v[i])) << (8 * i);
    return std::to_string(static_cast<int64_t>(u));
  }
  std::string out;
  AppendJsonString(out, v);
  return out;
}

void AppendColumn(std::string& out, const parquet::ColumnChunk& c) {
  const parquet::ColumnMetaData& m = c.meta_data;
  std::string path, encodings;
  // Appends piece by piece: `"," + std::string(...)` trips a GCC 12 -Wrestrict false positive.
  for (const std::string& p : m.path_in_schema) {
    if (!path.empty()) path.push_back('.');
    path.append(p);
  }
  for (parquet::Encoding e : m.encodings) {
    if (!encodings.empty()) encodings.push_back(',');
    encodings.append(parquet::EncodingName(e));
  }
  out += fmt::format("    {}: {} {} values={} compressed={} uncompressed={} encodings={}\n", path,
                     parquet::PhysicalTypeName(m.type), parquet::CodecName(m.codec), m.num_values,
                     m.total_compressed_size, m.total_uncompressed_size, encodings);
  if (m.statistics) {
    const parquet::Statistics& st = *m.statistics;
    out += "      statistics:";
    if (st.null_count) out += fmt::format(" null_count={}", *st.null_count);
    if (st.min_value) out += " min=" + StatValue(m.type, *st.min_value);
    if (st.max_value) out += " max=" + StatValue(m.type, *st.max_value);
    out += "\n";
  }
}

void AppendCell(std::string& out, const ParquetCell& cell, bool is_timestamp) {
  if (std::holds_alternative<std::monostate>(cell)) {
    out += "null";
  } else if (const auto* s = std::get_if<std::string>(&cell)) {
    AppendJsonString(out, *s);
  } else if (const auto* i = std::get_if<int64_t>(&cell)) {
    if (is_timestamp && *i >= kMinRfc3339Ms && *i <= kMaxRfc3339Ms) AppendJsonString(out, FormatRfc3339Millis(*i));
    else out += std::to_string(*i);
  } else {
    out += "{";
    bool first = true;
    for (const ParquetMapEntry& e : std::get<ParquetMap>(cell)) {
      if (!first) out += ", ";
      first = false;
      AppendJsonString(out, e.key);
      out += ": ";
      if (e.value) AppendJsonString(out, *e.value);
      else out += "null";
    }
    out += "}";
  }
}

}  // namespace

Status InspectParquet(std::string_view file_bytes, size_t max_rows, std::string& out) {
  parquet::FileMetaData meta;
  Status s = ReadParquetMetadata(file_bytes, meta);
  if (!s.ok()) return s;
  out += fmt::format("file: {} bytes, format version {}, created_by {}\n", file_bytes.size(), meta.version,
                     meta.created_by);
  out += fmt::format("rows: {}, row groups: {}\n", meta.num_rows, meta.row_groups.size());
  out += "key-value metadata:\n";
  for (const parquet::KeyValue& kv : meta.key_value_metadata) out += fmt::format("  {} = {}\n", kv.key, kv.value);
  out += "schema:\n";
  for (const SchemaElement& e : meta.schema) out += "  " + SchemaLine(e) + "\n";
  for (size_t i = 0; i < meta.row_groups.size(); ++i) {
    const parquet::RowGroup& rg = meta.row_groups[i];
    out += fmt::format("row group {}: rows={} offset={} compressed={} uncompressed={}\n", i, rg.num_rows,
                       rg.file_offset, rg.total_compressed_size, rg.total_byte_size);
    for (const parquet::ColumnChunk& c : rg.columns) AppendColumn(out, c);
  }
  if (max_rows == 0) return Status::Ok();
  Result<ParquetTable> table = ReadParquetRows(file_bytes, max_rows);
  if (!table.ok()) return table.status();
  // Timestamp columns print as RFC 3339; find them among the top-level leaves.
  std::vector<bool> is_timestamp(table->columns.size(), false);
  for (const SchemaElement& e : meta.schema) {
    if (e.logical != parquet::LogicalKind::kTimestamp) continue;
    if (auto c = table->ColumnIndex(e.name)) is_timestamp[*c] = true;
  }
  out += fmt::format("first {} rows:\n", table->rows.size());
  for (const std::vector<ParquetCell>& row : table->rows) {
    out += "  {";
    for (size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out += ", ";
      AppendJsonString(out, table->columns[c]);
      out += ": ";
      AppendCell(out, row[c], is_timestamp[c]);
    }
    out += "}\n";
  }
  return Status::Ok();
}

}  // namespace tracklake
