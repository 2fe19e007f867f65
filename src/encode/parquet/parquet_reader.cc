#include "encode/parquet/parquet_reader.h"

#include "encode/parquet/column_reader.h"

namespace tracklake {
namespace {

using parquet::ColumnValues;
using parquet::LeafInfo;
using parquet::PhysicalType;
using parquet::Repetition;
using parquet::SchemaElement;

constexpr size_t kMinFileBytes = 2 * parquet::kMagic.size() + parquet::kFooterLengthBytes;
// Levels of the 3-level map layout below an optional (or required) map group.
constexpr int16_t kMapKeyValueRep = 1;

struct TopColumn {
  std::string name;
  bool is_map = false;
  size_t leaf = 0;  // first leaf (the key leaf for maps)
};

struct Layout {
  std::vector<TopColumn> columns;
  std::vector<LeafInfo> leaves;
};

Status Unsupported(std::string_view what) {
  return Status::InvalidArgument("unsupported Parquet schema: " + std::string(what));
}

bool IsLeaf(const SchemaElement& e) { return !e.num_children.has_value(); }

int16_t DefOf(const SchemaElement& e) { return e.repetition == Repetition::kRequired ? 0 : 1; }

Result<Layout> ReadLayout(const std::vector<SchemaElement>& schema) {
  if (schema.empty() || IsLeaf(schema[0]) || *schema[0].num_children < 0) return Unsupported("no root group");
  Layout layout;
  size_t i = 1;
  for (int32_t c = 0; c < *schema[0].num_children; ++c) {
    if (i >= schema.size()) return Unsupported("schema shorter than its root's children");
    const SchemaElement& e = schema[i];
    if (!e.repetition || *e.repetition == Repetition::kRepeated) return Unsupported("repeated top-level field");
    if (IsLeaf(e)) {
      if (e.type != PhysicalType::kByteArray && e.type != PhysicalType::kInt64) return Unsupported("leaf type");
      layout.columns.push_back({e.name, false, layout.leaves.size()});
      layout.leaves.push_back({*e.type, DefOf(e), 0});
      ++i;
      continue;
    }
    if (*e.num_children != 1 || i + 3 >= schema.size()) return Unsupported("group is not a map");
    const SchemaElement& kv = schema[i + 1];
    const SchemaElement& key = schema[i + 2];
    const SchemaElement& value = schema[i + 3];
    if (IsLeaf(kv) || *kv.num_children != 2 || kv.repetition != Repetition::kRepeated || !IsLeaf(key) ||
        !IsLeaf(value) || key.type != PhysicalType::kByteArray || value.type != PhysicalType::kByteArray ||
        key.repetition != Repetition::kRequired || !value.repetition || *value.repetition == Repetition::kRepeated) {
      return Unsupported("group is not a map<string,string>");
    }
    const auto base = static_cast<int16_t>(DefOf(e) + 1);  // + the repeated key_value level
    layout.columns.push_back({e.name, true, layout.leaves.size()});
    layout.leaves.push_back({PhysicalType::kByteArray, base, kMapKeyValueRep});
    layout.leaves.push_back({PhysicalType::kByteArray, static_cast<int16_t>(base + DefOf(value)), kMapKeyValueRep});
    i += 4;
  }
  if (i != schema.size()) return Unsupported("schema has elements beyond its root's children");
  return layout;
}

Status Mismatch(std::string_view what) { return Status::Corruption("Parquet row group: " + std::string(what)); }

// Appends the rows of one flat column to rows[first..].
Status AssembleFlat(const ColumnValues& v, const LeafInfo& leaf, size_t col, size_t n,
                    std::vector<std::vector<ParquetCell>>& rows, size_t first) {
  if (v.size() != n) return Mismatch("column entry count differs from the row count");
  size_t next = 0;
  for (size_t r = 0; r < n; ++r) {
    if (v.defs[r] != static_cast<uint32_t>(leaf.max_def)) continue;  // null
    if (leaf.type == PhysicalType::kInt64) rows[first + r][col] = v.ints[next++];
    else rows[first + r][col] = v.strings[next++];
  }
  return Status::Ok();
}

Status AssembleMap(const ColumnValues& keys, const ColumnValues& values, const LeafInfo& key_leaf,
                   const LeafInfo& value_leaf, size_t col, size_t n, std::vector<std::vector<ParquetCell>>& rows,
                   size_t first) {
  if (keys.size() != values.size() || keys.reps != values.reps) return Mismatch("map key/value levels differ");
  const auto key_def = static_cast<uint32_t>(key_leaf.max_def);
  const auto value_def = static_cast<uint32_t>(value_leaf.max_def);
  size_t row = 0, next_key = 0, next_value = 0;
  for (size_t e = 0; e < keys.size(); ++e) {
    if (keys.reps[e] == 0) {
      if (e > 0) ++row;
    } else if (e == 0) {
      return Mismatch("map column starts mid-row");
    }
    if (row >= n) return Mismatch("map column has more rows than its row group");
    const uint32_t kd = keys.defs[e], vd = values.defs[e];
    const bool entry = kd == key_def;
    if (entry ? vd < key_def : vd != kd) return Mismatch("map key/value definition levels differ");
    if (!entry && keys.reps[e] != 0) return Mismatch("null or empty map inside a row");
    if (kd + 1 < key_def) continue;  // null map: the cell stays null
    ParquetCell& cell = rows[first + row][col];
    if (!std::holds_alternative<ParquetMap>(cell)) cell = ParquetMap{};
    if (!entry) continue;  // empty map
    ParquetMapEntry item{keys.strings[next_key++], std::nullopt};
    if (vd == value_def) item.value = values.strings[next_value++];
    std::get<ParquetMap>(cell).push_back(std::move(item));
  }
  if (n > 0 && (keys.size() == 0 || row + 1 != n)) return Mismatch("map column has fewer rows than its row group");
  return Status::Ok();
}

}  // namespace

std::optional<size_t> ParquetTable::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  return std::nullopt;
}

Status ReadParquetMetadata(std::string_view file, parquet::FileMetaData& out) {
  if (file.size() < kMinFileBytes || file.substr(0, parquet::kMagic.size()) != parquet::kMagic ||
      file.substr(file.size() - parquet::kMagic.size()) != parquet::kMagic) {
    return Status::Corruption("not a Parquet file (magic bytes missing)");
  }
  const size_t len_pos = file.size() - parquet::kMagic.size() - parquet::kFooterLengthBytes;
  uint32_t len = 0;
  for (size_t i = 0; i < parquet::kFooterLengthBytes; ++i) {
    len |= static_cast<uint32_t>(static_cast<uint8_t>(file[len_pos + i])) << (8 * i);
  }
  if (len > len_pos - parquet::kMagic.size()) return Status::Corruption("Parquet footer length out of range");
  return parquet::ReadFileMetaData(file.substr(len_pos - len, len), out);
}

Result<ParquetTable> ReadParquetRows(std::string_view file, size_t max_rows) {
  parquet::FileMetaData meta;
  Status s = ReadParquetMetadata(file, meta);
  if (!s.ok()) return s;
  Result<Layout> layout = ReadLayout(meta.schema);
  if (!layout.ok()) return layout.status();
  ParquetTable table;
  for (const TopColumn& c : layout->columns) table.columns.push_back(c.name);
  // The footer length was validated above; data lies between the magic and the footer.
  const size_t data_end = file.size() - parquet::kMagic.size() - parquet::kFooterLengthBytes;
  uint64_t budget = parquet::kMaxReaderTotalValues;
  std::vector<ColumnValues> values(layout->leaves.size());
  for (const parquet::RowGroup& rg : meta.row_groups) {
    if (table.rows.size() >= max_rows) break;
    if (rg.columns.size() != layout->leaves.size()) return Mismatch("column count differs from the schema");
    if (rg.num_rows < 0 || static_cast<uint64_t>(rg.num_rows) > budget) return Mismatch("row count out of range");
    for (size_t l = 0; l < values.size(); ++l) {
      s = parquet::DecodeColumnChunk(file, data_end, rg.columns[l], layout->leaves[l], budget, values[l]);
      if (!s.ok()) return s;
    }
    const auto n = static_cast<size_t>(rg.num_rows);
    // Size the rows by a count the decoded data vouches for, not by the footer alone.
    if (layout->leaves.empty() || values[0].size() < n) return Mismatch("row count exceeds the column data");
    const size_t first = table.rows.size();
    table.rows.resize(first + n, std::vector<ParquetCell>(layout->columns.size()));
    for (size_t c = 0; c < layout->columns.size(); ++c) {
      const TopColumn& col = layout->columns[c];
      const size_t l = col.leaf;
      s = col.is_map ? AssembleMap(values[l], values[l + 1], layout->leaves[l], layout->leaves[l + 1], c, n,
                                   table.rows, first)
                     : AssembleFlat(values[l], layout->leaves[l], c, n, table.rows, first);
      if (!s.ok()) return s;
    }
  }
  if (table.rows.size() > max_rows) table.rows.resize(max_rows);
  return table;
}

}  // namespace tracklake
