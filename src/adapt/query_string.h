// The parameters of a URL query string ("a=1&b=x%20y"), percent-decoded, '+' read as a space.
// Decoded text is kept in the object (never longer than the query), so the views it hands out
// live as long as it does. A '%' not followed by two hex digits is kept as is.
//
// Thread-safety: a plain value; one per request.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tracklake {

class QueryParams {
 public:
  // Parses query (the text after '?', without it). Parameters past max_params are ignored.
  void Parse(std::string_view query, size_t max_params = 256);
  // The first value of name, or "" when absent.
  std::string_view Get(std::string_view name) const;
  const std::vector<std::pair<std::string_view, std::string_view>>& items() const { return items_; }

 private:
  std::string_view Decode(std::string_view text);
  std::string bytes_;
  std::vector<std::pair<std::string_view, std::string_view>> items_;
};

// The query part of a request target ("" when it has none).
inline std::string_view QueryOf(std::string_view target) {
  const size_t q = target.find('?');
  return q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
}

}  // namespace tracklake
