#include "adapt/query_string.h"

namespace tracklake {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view QueryParams::Decode(std::string_view text) {
  const size_t start = bytes_.size();
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      bytes_.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() && HexDigit(text[i + 1]) >= 0 && HexDigit(text[i + 2]) >= 0) {
      bytes_.push_back(static_cast<char>(HexDigit(text[i + 1]) * 16 + HexDigit(text[i + 2])));
      i += 2;
    } else {
      bytes_.push_back(c);
    }
  }
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
