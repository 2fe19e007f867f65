#include "adapt/query_string.h"

#include "common/hex.h"

namespace tracklake {

std::string_view QueryParams::Decode(std::string_view text) {
  const size_t start = bytes_.size();
  AppendPercentDecoded(bytes_, text, /*plus_is_space=*/true);
  return std::string_view(bytes_).substr(start);
}

void QueryParams::Parse(std::string_view query, size_t max_params) {
  bytes_.clear();
  items_.clear();
  bytes_.reserve(query.size());  // decoding never grows, so the views below stay valid
  while (!query.empty() && items_.size() < max_params) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string_view name = Decode(pair.substr(0, eq));
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : Decode(pair.substr(eq + 1));
    items_.emplace_back(name, value);
  }
}

std::string_view QueryParams::Get(std::string_view name) const {
  for (const auto& [k, v] : items_) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace tracklake
