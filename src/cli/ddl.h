// `tracklake ddl`: table definitions for the lake, one table per event type. One table per
// type (rather than one table partitioned by type) because each type has its own declared
// columns; `properties` holds every other field as a map in all of them.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace tracklake {

enum class SqlDialect { kAthena, kRedshift, kSpark, kDuckdb };

struct DdlInput {
  SqlDialect dialect = SqlDialect::kAthena;
  std::string location;  // lake root: s3://bucket/prefix or a local directory
  // event type → declared columns (from [event_types.*] and/or found in the lake)
  std::map<std::string, std::vector<std::string>> tables;
};

std::string GenerateDdl(const DdlInput& input);

}  // namespace tracklake
