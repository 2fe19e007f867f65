#include "event/lake_schema.h"

#include <algorithm>
#include <iterator>

namespace tracklake {
namespace {

// Names a declared column may not take: they already are columns (or the map).
bool IsFixedName(std::string_view name) {
  return name == kLakePropertiesColumn.name || std::any_of(std::begin(kLakeFixedColumns), std::end(kLakeFixedColumns),
                                                           [&](const LakeColumn& c) { return c.name == name; });
}

}  // namespace

std::vector<std::string> LakeNamedColumns(std::span<const std::string> declared) {
  std::vector<std::string> names(std::begin(kLakeStandardColumns), std::end(kLakeStandardColumns));
  for (const std::string& name : declared) {
    if (name.empty() || IsFixedName(name) || std::find(names.begin(), names.end(), name) != names.end()) continue;
    names.push_back(name);
  }
  return names;
}

std::vector<LakeColumn> LakeColumns(std::span<const std::string> named) {
  std::vector<LakeColumn> columns(std::begin(kLakeFixedColumns), std::end(kLakeFixedColumns));
  for (const std::string& name : named) columns.push_back({name, LakeType::kString, false});
  columns.push_back(kLakePropertiesColumn);
  return columns;
}

}  // namespace tracklake
