// Bindings from option table rows to Config members via pointers to members, so each row says
// where its value lives without a hand-written setter/getter pair per option. Internal to
// src/config/ (used by option_table.cc and its test).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "config/option_table.h"

namespace tracklake::config_internal {

// The name of one enumerator in the configuration ("fsync" for Durability::kFsync).
template <typename E>
struct EnumName {
  std::string_view name;
  E value;
};

template <auto kSection, auto kMember>
using FieldType = std::remove_cvref_t<decltype((std::declval<Config&>().*kSection).*kMember)>;

// A string, bool or integer member (Config::<section>.<member>). The table's bounds keep
// integers within the member's range; option_table_test.cc checks every maximum round-trips.
template <auto kSection, auto kMember>
OptionBinding BindField() {
  using Field = FieldType<kSection, kMember>;
  static_assert(std::is_same_v<Field, std::string> || std::is_same_v<Field, bool> || std::is_integral_v<Field>);
  OptionBinding binding;
  binding.store = [](Config& config, const OptionValue& value) {
    Field& field = (config.*kSection).*kMember;
    if constexpr (std::is_same_v<Field, std::string> || std::is_same_v<Field, bool>) {
      field = std::get<Field>(value);
    } else {
      field = static_cast<Field>(std::get<int64_t>(value));
    }
  };
  binding.load = [](const Config& config) -> OptionValue {
    const Field& field = (config.*kSection).*kMember;
    if constexpr (std::is_same_v<Field, std::string> || std::is_same_v<Field, bool>) {
      return field;
    } else {
      return static_cast<int64_t>(field);
    }
  };
  return binding;
}

// An enum member, stored in the table by name; kNames lists every enumerator.
template <auto kSection, auto kMember, const auto& kNames>
OptionBinding BindEnum() {
  OptionBinding binding;
  binding.store = [](Config& config, const OptionValue& value) {
    for (const auto& entry : kNames) {
      if (entry.name == std::get<std::string>(value)) (config.*kSection).*kMember = entry.value;
    }
  };
  binding.load = [](const Config& config) -> OptionValue {
    for (const auto& entry : kNames) {
      if (entry.value == (config.*kSection).*kMember) return std::string(entry.name);
    }
    return std::string();
  };
  return binding;
}

template <const auto& kNames>
std::vector<std::string_view> NamesOf() {
  std::vector<std::string_view> names;
  for (const auto& entry : kNames) names.push_back(entry.name);
  return names;
}

}  // namespace tracklake::config_internal
