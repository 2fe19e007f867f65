#include "cli/ddl.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <utility>

#include "encode/parquet/file_metadata.h"
#include "encode/parquet/parquet_encoder.h"
#include "encode/parquet/parquet_reader.h"

namespace tracklake {
namespace {

using NamedTypes = std::vector<std::pair<std::string, std::string>>;

// The top-level columns of a Parquet footer, typed as Athena names them.
NamedTypes FileColumns(const parquet::FileMetaData& meta) {
  NamedTypes out;
  // Elements still to skip: the children of a group already named (the map's key_value, key, value).
  int32_t nested = 0;
  for (size_t i = 1; i < meta.schema.size(); ++i) {
    const parquet::SchemaElement& e = meta.schema[i];
    if (nested > 0) {
      nested += e.num_children.value_or(0) - 1;
      continue;
    }
    nested = e.num_children.value_or(0);
    std::string type = "?";
    if (e.logical == parquet::LogicalKind::kString && e.type == parquet::PhysicalType::kByteArray) type = "string";
    if (e.logical == parquet::LogicalKind::kTimestamp && e.type == parquet::PhysicalType::kInt64 && e.timestamp_utc &&
        e.timestamp_unit == parquet::TimeUnit::kMillis) {
      type = "timestamp";
    }
    if (e.logical == parquet::LogicalKind::kMap && i + 3 < meta.schema.size() &&
        meta.schema[i + 2].logical == parquet::LogicalKind::kString &&
        meta.schema[i + 3].logical == parquet::LogicalKind::kString) {
      type = "map<string,string>";
    }
    out.emplace_back(e.name, type);
  }
  return out;
}

// The columns of the one table of an Athena DDL.
NamedTypes DdlColumns(const std::string& sql) {
  NamedTypes out;
  const std::regex column(R"(^  `([^`]+)` (\S+?),?$)");
  std::smatch m;
  std::istringstream lines(sql);
  for (std::string line; std::getline(lines, line) && line.rfind("PARTITIONED BY", 0) != 0;) {
    if (std::regex_match(line, m, column)) out.emplace_back(m[1], m[2]);
  }
  return out;
}

// tracklake ddl declares the columns, in order and with the types, of the files the encoder
// writes, whatever an event type declares (clashes with fixed columns, repeats, the map's name).
TEST(Ddl, ColumnsAreThoseOfAFileTheParquetEncoderWrites) {
  for (const std::vector<std::string>& declared :
       {std::vector<std::string>{}, {"url", "user_id", "properties", "event_time", "url", "app_id", "plan"}}) {
    EncodeOptions options;
    options.event_type = "page_view";
    options.declared_columns = declared;
    auto encoder = MakeParquetEncoder(options);
    std::string record;
    EventRecordBuilder b(record);
    b.Begin(RecordKind::kEvent, 1'700'000'000'000, kNoEventTime);
    for (std::string_view k : {"event_type", "event_id", "app_id"}) b.Add(k, "x");
    b.Finish();
    EventView view;
    ASSERT_TRUE(DecodeEventRecord(record, view).ok());
    ASSERT_TRUE(encoder->Add(view).ok());
    Result<std::string> file = encoder->Finish();
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    parquet::FileMetaData meta;
    ASSERT_TRUE(ReadParquetMetadata(*file, meta).ok());

    const NamedTypes in_file = FileColumns(meta);
    const NamedTypes in_ddl = DdlColumns(GenerateDdl({SqlDialect::kAthena, "s3://b/l", {{"page_view", declared}}}));
    EXPECT_EQ(in_ddl, in_file);
    EXPECT_GE(in_file.size(), 9u);
  }
}

TEST(Ddl, AthenaTableHasProjectionMapAndDeclaredColumns) {
  DdlInput in{SqlDialect::kAthena, "s3://bucket/lake/", {{"page_view", {"url"}}}};
  const std::string sql = GenerateDdl(in);
  EXPECT_NE(sql.find("CREATE EXTERNAL TABLE IF NOT EXISTS `page_view`"), std::string::npos);
  EXPECT_NE(sql.find("`url` string,"), std::string::npos);
  EXPECT_NE(sql.find("`properties` map<string,string>"), std::string::npos);
  EXPECT_NE(sql.find("`received_at` timestamp"), std::string::npos);
  EXPECT_NE(sql.find("LOCATION 's3://bucket/lake/page_view/'"), std::string::npos);
  EXPECT_NE(sql.find("'storage.location.template' = 's3://bucket/lake/page_view/dt=${dt}/hr=${hr}/'"),
            std::string::npos);
}

TEST(Ddl, DeclaredColumnClashingWithACommonOneIsNotRepeated) {
  DdlInput in{SqlDialect::kSpark, "/lake", {{"t", {"user_id", "plan"}}}};
  const std::string sql = GenerateDdl(in);
  EXPECT_EQ(sql.find("`user_id`"), sql.rfind("`user_id`"));
  EXPECT_NE(sql.find("`plan` string"), std::string::npos);
  EXPECT_NE(sql.find("PARTITIONED BY (dt, hr)"), std::string::npos);
}

TEST(Ddl, DuckdbViewReadsHivePartitions) {
  DdlInput in{SqlDialect::kDuckdb, "/data/lake", {{"click", {}}}};
  EXPECT_NE(GenerateDdl(in).find("read_parquet('/data/lake/click/*/*/*.parquet', hive_partitioning = true"),
            std::string::npos);
}

}  // namespace
}  // namespace tracklake
