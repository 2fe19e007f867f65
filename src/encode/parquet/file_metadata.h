// In-memory form of the parts of parquet.thrift that tracklake writes and reads (FileMetaData,
// SchemaElement, RowGroup, ColumnChunk, ColumnMetaData, Statistics, PageHeader), with their
// compact-protocol serialisation (metadata_writer.cc) and parsing (metadata_reader.cc).
//
// Parsing is bounds-checked and never trusts a count or an offset: hostile input yields
// Status kCorruption, never a crash. Unknown fields are skipped. Values borrowed from the
// input are copied, so parsed structs own their data. Thread-safe free functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "encode/parquet/parquet_format.h"

namespace tracklake::parquet {

struct Statistics {
  std::optional<int64_t> null_count;
  std::optional<std::string> min_value;  // PLAIN-encoded bytes (no length prefix for strings)
  std::optional<std::string> max_value;
};

struct ColumnMetaData {
  PhysicalType type = PhysicalType::kByteArray;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  Codec codec = Codec::kUncompressed;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;  // all pages, headers included
  int64_t total_compressed_size = 0;
  int64_t data_page_offset = 0;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;
};

struct ColumnChunk {
  int64_t file_offset = 0;
  ColumnMetaData meta_data;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;  // uncompressed
  int64_t num_rows = 0;
  int64_t file_offset = 0;
  int64_t total_compressed_size = 0;
  std::optional<int16_t> ordinal;  // omitted past INT16_MAX row groups
};

struct SchemaElement {
  std::optional<PhysicalType> type;
  std::optional<Repetition> repetition;
  std::string name;
  std::optional<int32_t> num_children;
  std::optional<ConvertedType> converted_type;
  LogicalKind logical = LogicalKind::kNone;
  // For LogicalKind::kTimestamp.
  bool timestamp_utc = false;
  TimeUnit timestamp_unit = TimeUnit::kNone;
};

struct KeyValue {
  std::string key;
  std::string value;
};

struct FileMetaData {
  int32_t version = kFormatVersion;
  std::vector<SchemaElement> schema;  // depth-first, root first
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::vector<KeyValue> key_value_metadata;
  std::string created_by;
  // The writer emits a TypeDefinedOrder per leaf (so readers trust min_value/max_value);
  // the reader only records how many were present.
  size_t num_column_orders = 0;
};

struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  // DataPageHeader (type kDataPage) or DictionaryPageHeader (type kDictionaryPage).
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;
  Encoding repetition_level_encoding = Encoding::kRle;
};

void WriteFileMetaData(const FileMetaData& meta, std::string& out);
Status ReadFileMetaData(std::string_view in, FileMetaData& out);

void WritePageHeader(const PageHeader& header, std::string& out);
// Parses the header at the start of in; consumed receives its length in bytes.
Status ReadPageHeader(std::string_view in, PageHeader& out, size_t& consumed);

std::string_view EncodingName(Encoding e);
std::string_view PhysicalTypeName(PhysicalType t);

}  // namespace tracklake::parquet
