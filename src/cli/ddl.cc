#include "cli/ddl.h"

#include <fmt/format.h>

#include "event/lake_schema.h"

namespace tracklake {
namespace {

// The SQL type of a lake column. Timestamps are UTC instants: DuckDB's TIMESTAMP WITH TIME ZONE;
// Athena, Spark and Redshift Spectrum read Parquet's UTC-adjusted TIMESTAMP as their timestamp.
std::string_view TypeName(SqlDialect d, LakeType t) {
  switch (t) {
    case LakeType::kStringMap: return d == SqlDialect::kDuckdb ? "MAP(VARCHAR, VARCHAR)" : "map<string,string>";
    case LakeType::kTimestamp: return d == SqlDialect::kDuckdb ? "TIMESTAMP WITH TIME ZONE" : "timestamp";
    case LakeType::kString: break;
  }
  if (d == SqlDialect::kRedshift) return "varchar(65535)";
  return d == SqlDialect::kDuckdb ? "VARCHAR" : "string";
}

// The table's columns are the files' (event/lake_schema.h, which the Parquet encoder writes).
std::string ColumnList(SqlDialect d, const std::vector<std::string>& declared, std::string_view quote) {
  std::string out;
  const std::vector<std::string> named = LakeNamedColumns(declared);
  const std::vector<LakeColumn> cols = LakeColumns(named);
  for (size_t i = 0; i < cols.size(); ++i) {
    out += fmt::format("  {0}{1}{0} {2}{3}\n", quote, cols[i].name, TypeName(d, cols[i].type),
                       i + 1 < cols.size() ? "," : "");
  }
  return out;
}

std::string TableLocation(const std::string& root, const std::string& type) {
  std::string base = root;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + type + "/";
}

std::string Athena(const std::string& type, const std::vector<std::string>& declared, const std::string& root) {
  const std::string loc = TableLocation(root, type);
  return fmt::format(
      "CREATE EXTERNAL TABLE IF NOT EXISTS `{0}` (\n{1})\n"
      "PARTITIONED BY (`dt` string, `hr` string)\n"
      "STORED AS PARQUET\n"
      "LOCATION '{2}'\n"
      "TBLPROPERTIES (\n"
      "  'parquet.compression' = 'ZSTD',\n"
      "  'projection.enabled' = 'true',\n"
      "  'projection.dt.type' = 'date',\n"
      "  'projection.dt.format' = 'yyyy-MM-dd',\n"
      "  'projection.dt.range' = '2024-01-01,NOW',\n"
      "  'projection.dt.interval' = '1',\n"
      "  'projection.dt.interval.unit' = 'DAYS',\n"
      "  'projection.hr.type' = 'integer',\n"
      "  'projection.hr.range' = '0,23',\n"
      "  'projection.hr.digits' = '2',\n"
      "  'storage.location.template' = '{2}dt=${{dt}}/hr=${{hr}}/'\n"
      ");\n",
      type, ColumnList(SqlDialect::kAthena, declared, "`"), loc);
}

std::string Redshift(const std::string& type, const std::vector<std::string>& declared, const std::string& root) {
  // Spectrum has no partition projection: partitions are added as they appear (or by a Glue
  // crawler); the statement for one hour is printed as a template.
  const std::string loc = TableLocation(root, type);
  return fmt::format(
      "CREATE EXTERNAL TABLE tracklake.{0} (\n{1})\n"
      "PARTITIONED BY (dt varchar(10), hr varchar(2))\n"
      "STORED AS PARQUET\n"
      "LOCATION '{2}';\n"
      "-- per hour: ALTER TABLE tracklake.{0} ADD IF NOT EXISTS PARTITION (dt='YYYY-MM-DD', hr='HH') "
      "LOCATION '{2}dt=YYYY-MM-DD/hr=HH/';\n",
      type, ColumnList(SqlDialect::kRedshift, declared, ""), loc);
}

std::string Spark(const std::string& type, const std::vector<std::string>& declared, const std::string& root) {
  const std::string loc = TableLocation(root, type);
  std::string cols = ColumnList(SqlDialect::kSpark, declared, "`");
  cols.insert(cols.size() - 1, ",\n  `dt` string,\n  `hr` string");
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS `{0}` (\n{1})\n"
      "USING parquet\n"
      "PARTITIONED BY (dt, hr)\n"
      "LOCATION '{2}';\n"
      "MSCK REPAIR TABLE `{0}`;\n",
      type, cols, loc);
}

std::string Duckdb(const std::string& type, const std::string& root) {
  return fmt::format(
      "CREATE OR REPLACE VIEW \"{0}\" AS\n"
      "  SELECT * FROM read_parquet('{1}*/*/*.parquet', hive_partitioning = true, union_by_name = true);\n",
      type, TableLocation(root, type));
}

}  // namespace

std::string GenerateDdl(const DdlInput& in) {
  std::string out;
  if (in.dialect == SqlDialect::kRedshift) {
    out +=
        "-- CREATE EXTERNAL SCHEMA tracklake FROM DATA CATALOG DATABASE 'tracklake' IAM_ROLE '<role arn>' "
        "CREATE EXTERNAL DATABASE IF NOT EXISTS;\n";
  }
  for (const auto& [type, declared] : in.tables) {
    switch (in.dialect) {
      case SqlDialect::kAthena: out += Athena(type, declared, in.location); break;
      case SqlDialect::kRedshift: out += Redshift(type, declared, in.location); break;
      case SqlDialect::kSpark: out += Spark(type, declared, in.location); break;
      case SqlDialect::kDuckdb: out += Duckdb(type, in.location); break;
    }
    out += "\n";
  }
  return out;
}

}  // namespace tracklake
