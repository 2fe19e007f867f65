#include "encode/parquet/parquet_encoder.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <limits>
#include <string>

#include "common/version.h"
#include "encode/parquet/column_writer.h"
#include "encode/parquet/compression.h"
#include "encode/parquet/file_metadata.h"
#include "encode/parquet/string_dictionary.h"
#include "event/lake_schema.h"

namespace tracklake {
namespace {

using parquet::ColumnSpec;
using parquet::ColumnWriter;
using parquet::ConvertedType;
using parquet::LogicalKind;
using parquet::PhysicalType;
using parquet::Repetition;
using parquet::SchemaElement;

constexpr std::string_view kRootName = "schema";
// The properties map's inner group and leaves (the Parquet spec's names for a MAP).
constexpr std::string_view kKeyValue = "key_value";
constexpr std::string_view kKey = "key";
constexpr std::string_view kValue = "value";
// Room kept for the footer when sizing the file buffer: tens of bytes per column chunk.
constexpr uint64_t kFooterReserve = 64u << 10;
// The leading fields of every kEvent record, in this order (see event_record.h).
constexpr size_t kLeadingFields = 3;

// Leaf column indices of the fixed part of the schema (event/lake_schema.h), which Add fills
// by position.
enum Leaf : size_t { kLeafEventId, kLeafEventType, kLeafAppId, kLeafReceivedAt, kLeafEventTime, kFirstNamedLeaf };
static_assert(std::size(kLakeFixedColumns) == kFirstNamedLeaf);
static_assert(kLakeFixedColumns[kLeafEventId].name == kEventIdKey);
static_assert(kLakeFixedColumns[kLeafEventType].name == kEventTypeKey);
static_assert(kLakeFixedColumns[kLeafAppId].name == kAppIdKey);
static_assert(kLakeFixedColumns[kLeafReceivedAt].name == kReceivedAtKey);
static_assert(kLakeFixedColumns[kLeafEventTime].name == kEventTimeKey);

// Levels of the properties map leaves: properties (optional) > key_value (repeated) > key/value.
[[maybe_unused]] constexpr int16_t kMapNullDef = 0;  // a null map: never written (maps are empty, not null)
constexpr int16_t kMapEmptyDef = 1;
constexpr int16_t kMapKeyDef = 2;
constexpr int16_t kMapValueDef = 3;
constexpr int16_t kMapMaxRep = 1;
constexpr int16_t kOptionalDef = 1;

SchemaElement StringElement(std::string_view name, Repetition rep) {
  SchemaElement e;
  e.type = PhysicalType::kByteArray;
  e.repetition = rep;
  e.name = std::string(name);
  e.converted_type = ConvertedType::kUtf8;
  e.logical = LogicalKind::kString;
  return e;
}

SchemaElement TimestampElement(std::string_view name, Repetition rep) {
  SchemaElement e;
  e.type = PhysicalType::kInt64;
  e.repetition = rep;
  e.name = std::string(name);
  e.converted_type = ConvertedType::kTimestampMillis;
  e.logical = LogicalKind::kTimestamp;
  e.timestamp_utc = true;
  e.timestamp_unit = parquet::TimeUnit::kMillis;
  return e;
}

SchemaElement GroupElement(std::string_view name, Repetition rep, int32_t children) {
  SchemaElement e;
  e.repetition = rep;
  e.name = std::string(name);
  e.num_children = children;
  return e;
}

// A set of field names that answers "certainly not in the set" with a few instructions: most
// fields of an event are custom properties, and hashing each of their names for the lookup
// of named columns was half of Add's time. 256 bits over (length, first byte, last byte).
class NameFilter {
 public:
  void Insert(std::string_view name) {
    const size_t b = Bit(name);
    bits_[b / 64] |= uint64_t{1} << (b % 64);
  }
  bool MayContain(std::string_view name) const {
    const size_t b = Bit(name);
    return (bits_[b / 64] >> (b % 64) & 1) != 0;
  }

 private:
  static size_t Bit(std::string_view s) {
    if (s.empty()) return 0;
    return (s.size() * 31 + static_cast<uint8_t>(s.front()) * 7 + static_cast<uint8_t>(s.back())) & 255;
  }
  uint64_t bits_[4] = {};
};

class ParquetEncoder final : public BatchEncoder {
 public:
  explicit ParquetEncoder(const EncodeOptions& options)
      : options_(options),
        named_(LakeNamedColumns(options.declared_columns)),
        codec_(parquet::ToCodec(options.compression)) {
    BuildSchema();
    // LakeNamedColumns has no duplicates, so the dictionary index of a name is its column.
    for (const std::string& name : named_) {
      if (named_index_.Find(name) == parquet::StringDictionary::kNotFound) named_index_.InsertMissing(name);
      not_property_.Insert(name);
    }
    for (const LakeColumn& c : kLakeFixedColumns) not_property_.Insert(c.name);
    not_property_.Insert(kLakePropertiesColumn.name);
    named_values_.resize(named_.size());
    out_.append(parquet::kMagic);
  }

  Status Add(const EventView& event) override;
  Result<std::string> Finish() override;

 private:
  void BuildSchema();
  void AddColumn(const SchemaElement& leaf, std::vector<std::string> path, int16_t max_def, int16_t max_rep);
  void AddMapColumn(std::string_view name, Repetition rep);
  Status FlushRowGroup();
  bool IsReservedField(size_t index, std::string_view key) const;

  EncodeOptions options_;
  std::vector<std::string> named_;
  parquet::Codec codec_;
  parquet::StringDictionary named_index_;  // name -> position in named_
  NameFilter not_property_;                // the names of every column
  std::vector<ColumnWriter> columns_;
  parquet::FileMetaData meta_;
  std::string out_;
  int64_t row_group_rows_ = 0;
  bool finished_ = false;
  // Per-event scratch, reused.
  std::vector<std::optional<std::string_view>> named_values_;
  std::vector<size_t> property_fields_;
};

void ParquetEncoder::AddColumn(const SchemaElement& leaf, std::vector<std::string> path, int16_t max_def,
                               int16_t max_rep) {
  meta_.schema.push_back(leaf);
  ColumnSpec spec;
  spec.path = std::move(path);
  spec.type = *leaf.type;
  spec.max_def = max_def;
  spec.max_rep = max_rep;
  columns_.emplace_back(std::move(spec), codec_, options_.dictionary_bytes);
}

void ParquetEncoder::BuildSchema() {
  const std::vector<LakeColumn> columns = LakeColumns(named_);
  meta_.schema.push_back(GroupElement(kRootName, Repetition::kRequired, static_cast<int32_t>(columns.size())));
  meta_.schema.back().repetition.reset();  // the root has no repetition
  for (const LakeColumn& c : columns) {
    const Repetition rep = c.required ? Repetition::kRequired : Repetition::kOptional;
    const int16_t max_def = c.required ? 0 : kOptionalDef;
    switch (c.type) {
      case LakeType::kString: AddColumn(StringElement(c.name, rep), {std::string(c.name)}, max_def, 0); break;
      case LakeType::kTimestamp: AddColumn(TimestampElement(c.name, rep), {std::string(c.name)}, max_def, 0); break;
      case LakeType::kStringMap: AddMapColumn(c.name, rep); break;
    }
  }
}

void ParquetEncoder::AddMapColumn(std::string_view name, Repetition rep) {
  SchemaElement map = GroupElement(name, rep, 1);
  map.converted_type = ConvertedType::kMap;
  map.logical = LogicalKind::kMap;
  meta_.schema.push_back(map);
  meta_.schema.push_back(GroupElement(kKeyValue, Repetition::kRepeated, 2));
  const std::string p(name), kv(kKeyValue);
  AddColumn(StringElement(kKey, Repetition::kRequired), {p, kv, std::string(kKey)}, kMapKeyDef, kMapMaxRep);
  AddColumn(StringElement(kValue, Repetition::kOptional), {p, kv, std::string(kValue)}, kMapValueDef, kMapMaxRep);
}

bool ParquetEncoder::IsReservedField(size_t index, std::string_view key) const {
  return index < kLeadingFields || key == kEventTimeKey || key == kEventTypeKey || key == kEventIdKey ||
         key == kAppIdKey;
}

Status ParquetEncoder::Add(const EventView& event) {
  if (finished_) return Status::InvalidArgument("Parquet encoder: Add after Finish");
  if (event.kind != RecordKind::kEvent || event.fields.size() < kLeadingFields ||
      event.fields[0].key != kEventTypeKey || event.fields[1].key != kEventIdKey || event.fields[2].key != kAppIdKey) {
    return Status::InvalidArgument("Parquet encoder: record is not an event with event_type, event_id, app_id");
  }
  std::fill(named_values_.begin(), named_values_.end(), std::nullopt);
  // Sized once per event so the loop below stores by index instead of growing a vector.
  const size_t max_fields = event.fields.size();
  if (property_fields_.size() < max_fields) property_fields_.resize(max_fields);
  size_t properties = 0;
  for (size_t i = kLeadingFields; i < event.fields.size(); ++i) {
    const Field& f = event.fields[i];
    if (!not_property_.MayContain(f.key)) {
      property_fields_[properties++] = i;
    } else if (const uint32_t named = named_index_.Find(f.key); named != parquet::StringDictionary::kNotFound) {
      if (!named_values_[named]) named_values_[named] = f.value;
    } else if (!IsReservedField(i, f.key)) {
      property_fields_[properties++] = i;
    }
  }

  columns_[kLeafEventId].AddString(event.fields[1].value);
  columns_[kLeafEventType].AddString(event.fields[0].value);
  columns_[kLeafAppId].AddString(event.fields[2].value);
  columns_[kLeafReceivedAt].AddInt64(event.received_at_ms);
  if (event.event_time_ms == kNoEventTime) columns_[kLeafEventTime].AddNull(0);
  else columns_[kLeafEventTime].AddInt64(event.event_time_ms);
  ColumnWriter& keys = columns_[columns_.size() - 2];
  ColumnWriter& values = columns_[columns_.size() - 1];
  for (size_t i = 0; i < named_.size(); ++i) {
    ColumnWriter& c = columns_[kFirstNamedLeaf + i];
    if (named_values_[i]) c.AddString(*named_values_[i]);
    else c.AddNull(0);
  }
  if (properties == 0) {
    keys.AddNull(kMapEmptyDef);  // an empty map, not a null one
    values.AddNull(kMapEmptyDef);
  }
  for (size_t n = 0; n < properties; ++n) {
    const Field& f = event.fields[property_fields_[n]];
    const int16_t rep = n == 0 ? 0 : kMapMaxRep;
    keys.AddString(f.key, rep);
    values.AddString(f.value, rep);
  }
  ++row_group_rows_;

  uint64_t buffered = 0;
  for (const ColumnWriter& c : columns_) buffered += c.buffered_bytes();
  if (buffered >= options_.row_group_bytes) return FlushRowGroup();
  return Status::Ok();
}

Status ParquetEncoder::FlushRowGroup() {
  if (row_group_rows_ == 0) return Status::Ok();
  parquet::RowGroup& rg = meta_.row_groups.emplace_back();
  rg.file_offset = static_cast<int64_t>(out_.size());
  rg.num_rows = row_group_rows_;
  const size_t ordinal = meta_.row_groups.size() - 1;
  if (ordinal <= static_cast<size_t>(std::numeric_limits<int16_t>::max())) {
    rg.ordinal = static_cast<int16_t>(ordinal);
  }
  // The file buffer grows once per row group rather than doubling its way up page by page: on
  // a 1,000,000-event encode the doublings touched ~2.7x the file's bytes in fresh pages, and
  // zero-filling fresh pages was 5 % of the encoder's time.
  uint64_t bound = kFooterReserve;
  for (const ColumnWriter& c : columns_) bound += c.chunk_bytes_bound();
  out_.reserve(out_.size() + bound);
  for (ColumnWriter& c : columns_) {
    parquet::ColumnChunk& chunk = rg.columns.emplace_back();
    Status s = c.WriteChunk(out_, chunk);
    if (!s.ok()) return s;
    rg.total_byte_size += chunk.meta_data.total_uncompressed_size;
    rg.total_compressed_size += chunk.meta_data.total_compressed_size;
  }
  meta_.num_rows += row_group_rows_;
  row_group_rows_ = 0;
  return Status::Ok();
}

Result<std::string> ParquetEncoder::Finish() {
  if (finished_) return Status::InvalidArgument("Parquet encoder: Finish called twice");
  finished_ = true;
  Status s = FlushRowGroup();
  if (!s.ok()) return s;
  meta_.created_by = fmt::format("tracklake version {}", kTracklakeVersion);
  meta_.key_value_metadata = {
      {std::string(kMetaVersion), std::string(kTracklakeVersion)},
      {std::string(kMetaNodeId), options_.node_id},
      {std::string(kMetaWalFirstSeq), std::to_string(options_.first_seq)},
      {std::string(kMetaWalLastSeq), std::to_string(options_.last_seq)},
  };
  if (!options_.log_id.empty()) meta_.key_value_metadata.push_back({std::string(kMetaLogId), options_.log_id});
  const size_t footer_start = out_.size();
  parquet::WriteFileMetaData(meta_, out_);
  const auto footer_len = static_cast<uint32_t>(out_.size() - footer_start);
  for (size_t i = 0; i < parquet::kFooterLengthBytes; ++i) out_.push_back(static_cast<char>(footer_len >> (8 * i)));
  out_.append(parquet::kMagic);
  return std::move(out_);
}

}  // namespace

std::unique_ptr<BatchEncoder> MakeParquetEncoder(const EncodeOptions& options) {
  return std::make_unique<ParquetEncoder>(options);
}

}  // namespace tracklake
