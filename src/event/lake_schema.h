// The lake's table schema: the columns of every event type's table, in file order, with their
// types. The one definition that the Parquet encoder writes and `tracklake ddl` declares, so a
// table can never describe other columns than its files hold (docs/parquet.md explains it to
// users). The names are event/names.h's. Pure data and functions; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "event/names.h"

namespace tracklake {

enum class LakeType {
  kString,     // UTF-8 string
  kTimestamp,  // milliseconds since the epoch, UTC
  kStringMap,  // string keys to string values
};

struct LakeColumn {
  std::string_view name;
  LakeType type = LakeType::kString;
  bool required = false;  // never null in a file
};

// Every table starts with these, in this order.
inline constexpr LakeColumn kLakeFixedColumns[] = {
    {kEventIdKey, LakeType::kString, true},       {kEventTypeKey, LakeType::kString, true},
    {kAppIdKey, LakeType::kString, true},         {kReceivedAtKey, LakeType::kTimestamp, true},
    {kEventTimeKey, LakeType::kTimestamp, false},
};
// Then optional strings: these, in this order, then the event type's declared columns.
inline constexpr std::string_view kLakeStandardColumns[] = {kUserIdKey, kAnonymousIdKey, kSessionIdKey};
// And last every other field of an event, in event order (an empty map, never null).
inline constexpr LakeColumn kLakePropertiesColumn = {"properties", LakeType::kStringMap, false};

// The optional string columns of an event type's table, in order: kLakeStandardColumns, then
// declared minus names that are empty, repeated, or already a column (fixed, standard or
// properties).
std::vector<std::string> LakeNamedColumns(std::span<const std::string> declared);

// The whole table, in file order: kLakeFixedColumns, named (LakeNamedColumns' result) as
// optional strings, then kLakePropertiesColumn. The names view into named.
std::vector<LakeColumn> LakeColumns(std::span<const std::string> named);

}  // namespace tracklake
