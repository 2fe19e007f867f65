#include "cli/ddl.h"

#include <gtest/gtest.h>

namespace tracklake {
namespace {

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
