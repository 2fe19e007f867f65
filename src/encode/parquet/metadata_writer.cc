// Compact-protocol serialisation of file_metadata.h structs. Field ids are parquet.thrift's.
#include "encode/parquet/file_metadata.h"
#include "encode/parquet/thrift_compact.h"

namespace tracklake::parquet {
namespace {

void WriteStatistics(CompactWriter& w, const Statistics& s) {
  if (s.null_count) w.FieldI64(3, *s.null_count);
  if (s.max_value) w.FieldBinary(5, *s.max_value);
  if (s.min_value) w.FieldBinary(6, *s.min_value);
}

void WriteColumnMetaData(CompactWriter& w, const ColumnMetaData& m) {
  w.FieldI32(1, static_cast<int32_t>(m.type));
  w.BeginListField(2, CompactType::kI32, m.encodings.size());
  for (Encoding e : m.encodings) w.ElementI32(static_cast<int32_t>(e));
  w.BeginListField(3, CompactType::kBinary, m.path_in_schema.size());
  for (const std::string& p : m.path_in_schema) w.ElementBinary(p);
  w.FieldI32(4, static_cast<int32_t>(m.codec));
  w.FieldI64(5, m.num_values);
  w.FieldI64(6, m.total_uncompressed_size);
  w.FieldI64(7, m.total_compressed_size);
  w.FieldI64(9, m.data_page_offset);
  if (m.dictionary_page_offset) w.FieldI64(11, *m.dictionary_page_offset);
  if (m.statistics) {
    w.BeginStructField(12);
    WriteStatistics(w, *m.statistics);
    w.EndStruct();
  }
}

void WriteRowGroup(CompactWriter& w, const RowGroup& rg) {
  w.BeginListField(1, CompactType::kStruct, rg.columns.size());
  for (const ColumnChunk& c : rg.columns) {
    w.BeginStructElement();
    w.FieldI64(2, c.file_offset);
    w.BeginStructField(3);
    WriteColumnMetaData(w, c.meta_data);
    w.EndStruct();
    w.EndStruct();
  }
  w.FieldI64(2, rg.total_byte_size);
  w.FieldI64(3, rg.num_rows);
  w.FieldI64(5, rg.file_offset);
  w.FieldI64(6, rg.total_compressed_size);
  if (rg.ordinal) w.FieldI16(7, *rg.ordinal);
}

void WriteLogicalType(CompactWriter& w, const SchemaElement& e) {
  if (e.logical == LogicalKind::kNone || e.logical == LogicalKind::kOther) return;
  w.BeginStructField(10);
  if (e.logical == LogicalKind::kTimestamp) {
    w.BeginStructField(static_cast<int16_t>(LogicalKind::kTimestamp));
    w.FieldBool(1, e.timestamp_utc);
    w.BeginStructField(2);  // TimeUnit union: one empty struct member
    w.EmptyStructField(static_cast<int16_t>(e.timestamp_unit));
    w.EndStruct();
    w.EndStruct();
  } else {
    // STRING, MAP and LIST are empty structs inside the union.
    w.EmptyStructField(static_cast<int16_t>(e.logical));
  }
  w.EndStruct();
}

void WriteSchemaElement(CompactWriter& w, const SchemaElement& e) {
  if (e.type) w.FieldI32(1, static_cast<int32_t>(*e.type));
  if (e.repetition) w.FieldI32(3, static_cast<int32_t>(*e.repetition));
  w.FieldBinary(4, e.name);
  if (e.num_children) w.FieldI32(5, *e.num_children);
  if (e.converted_type) w.FieldI32(6, static_cast<int32_t>(*e.converted_type));
  WriteLogicalType(w, e);
}

}  // namespace

void WriteFileMetaData(const FileMetaData& meta, std::string& out) {
  CompactWriter w(out);
  w.FieldI32(1, meta.version);
  w.BeginListField(2, CompactType::kStruct, meta.schema.size());
  size_t leaves = 0;
  for (const SchemaElement& e : meta.schema) {
    w.BeginStructElement();
    WriteSchemaElement(w, e);
    w.EndStruct();
    if (!e.num_children) ++leaves;
  }
  w.FieldI64(3, meta.num_rows);
  w.BeginListField(4, CompactType::kStruct, meta.row_groups.size());
  for (const RowGroup& rg : meta.row_groups) {
    w.BeginStructElement();
    WriteRowGroup(w, rg);
    w.EndStruct();
  }
  if (!meta.key_value_metadata.empty()) {
    w.BeginListField(5, CompactType::kStruct, meta.key_value_metadata.size());
    for (const KeyValue& kv : meta.key_value_metadata) {
      w.BeginStructElement();
      w.FieldBinary(1, kv.key);
      w.FieldBinary(2, kv.value);
      w.EndStruct();
    }
  }
  w.FieldBinary(6, meta.created_by);
  // ColumnOrder union, member 1 = TypeDefinedOrder (empty struct), one per leaf column.
  w.BeginListField(7, CompactType::kStruct, leaves);
  for (size_t i = 0; i < leaves; ++i) {
    w.BeginStructElement();
    w.EmptyStructField(1);
    w.EndStruct();
  }
  w.EndStruct();
}

void WritePageHeader(const PageHeader& h, std::string& out) {
  CompactWriter w(out);
  w.FieldI32(1, static_cast<int32_t>(h.type));
  w.FieldI32(2, h.uncompressed_page_size);
  w.FieldI32(3, h.compressed_page_size);
  if (h.type == PageType::kDictionaryPage) {
    w.BeginStructField(7);
    w.FieldI32(1, h.num_values);
    w.FieldI32(2, static_cast<int32_t>(h.encoding));
    w.EndStruct();
  } else {
    w.BeginStructField(5);
    w.FieldI32(1, h.num_values);
    w.FieldI32(2, static_cast<int32_t>(h.encoding));
    w.FieldI32(3, static_cast<int32_t>(h.definition_level_encoding));
    w.FieldI32(4, static_cast<int32_t>(h.repetition_level_encoding));
    w.EndStruct();
  }
  w.EndStruct();
}

std::string_view EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kPlain: return "PLAIN";
    case Encoding::kPlainDictionary: return "PLAIN_DICTIONARY";
    case Encoding::kRle: return "RLE";
    case Encoding::kBitPacked: return "BIT_PACKED";
    case Encoding::kRleDictionary: return "RLE_DICTIONARY";
  }
  return "OTHER";
}

std::string_view PhysicalTypeName(PhysicalType t) {
  switch (t) {
    case PhysicalType::kBoolean: return "BOOLEAN";
    case PhysicalType::kInt32: return "INT32";
    case PhysicalType::kInt64: return "INT64";
    case PhysicalType::kInt96: return "INT96";
    case PhysicalType::kFloat: return "FLOAT";
    case PhysicalType::kDouble: return "DOUBLE";
    case PhysicalType::kByteArray: return "BYTE_ARRAY";
    case PhysicalType::kFixedLenByteArray: return "FIXED_LEN_BYTE_ARRAY";
  }
  return "OTHER";
}

}  // namespace tracklake::parquet
