#include "config/option_builder.h"

#include <iterator>

#include "event/names.h"

namespace tracklake::config_internal {

std::optional<std::string> CheckEndpointUrl(std::string_view value) {
  if (value.empty() || value.rfind("http://", 0) == 0 || value.rfind("https://", 0) == 0) {
    if (value.empty() || value.find("://") + 3 < value.size()) return std::nullopt;
  }
  return "must be empty (AWS) or an http:// or https:// URL";
}

std::optional<std::string> CheckNameTemplate(std::string_view value, size_t max_length, std::string_view what) {
  constexpr std::string_view kPlaceholder = "{event_type}";
  std::string name(value);
  for (size_t at = name.find(kPlaceholder); at != std::string::npos; at = name.find(kPlaceholder, at)) {
    name.replace(at, kPlaceholder.size(), "e");
  }
  const bool valid = !name.empty() && name.size() <= max_length &&
                     name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
                         std::string::npos;
  if (valid) return std::nullopt;
  return "must make valid " + std::string(what) + " names: [a-zA-Z0-9_.-] and {event_type}, at most " +
         std::to_string(max_length) + " characters";
}

std::vector<std::string_view> MessageKeyNames() {
  return {std::begin(kMessageKeyFields), std::end(kMessageKeyFields)};
}

}  // namespace tracklake::config_internal
