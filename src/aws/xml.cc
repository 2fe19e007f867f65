#include "aws/xml.h"

namespace tracklake::aws {
namespace {

struct Entity {
  std::string_view escaped;
  char plain;
};
constexpr Entity kEntities[] = {
    {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''},
};

}  // namespace

std::optional<std::string> XmlText(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const size_t start = xml.find(open);
  if (start == std::string_view::npos) return std::nullopt;
  const size_t begin = start + open.size();
  const size_t end = xml.find(close, begin);
  if (end == std::string_view::npos) return std::nullopt;
  const std::string_view raw = xml.substr(begin, end - begin);
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    bool decoded = false;
    if (raw[i] == '&') {
      for (const Entity& e : kEntities) {
        if (raw.substr(i, e.escaped.size()) == e.escaped) {
          out += e.plain;
          i += e.escaped.size() - 1;
          decoded = true;
          break;
        }
      }
    }
    if (!decoded) out += raw[i];
  }
  return out;
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    bool escaped = false;
    for (const Entity& e : kEntities) {
      if (e.plain == c) {
        out += e.escaped;
        escaped = true;
        break;
      }
    }
    if (!escaped) out += c;
  }
  return out;
}

}  // namespace tracklake::aws
