#include "sink/sink.h"

#include <fmt/format.h>

namespace tracklake {

std::string ObjectKey(std::string_view partition, std::string_view node_id, std::string_view log_id,
                      uint64_t first_seq, uint64_t last_seq, std::string_view extension) {
  if (log_id.empty()) return fmt::format("{}/{}-{:020d}-{:020d}{}", partition, node_id, first_seq, last_seq, extension);
  return fmt::format("{}/{}-{}-{:020d}-{:020d}{}", partition, node_id, log_id, first_seq, last_seq, extension);
}

std::string NameFromTemplate(std::string_view name_template, std::string_view event_type) {
  std::string name;
  size_t pos = 0;
  for (;;) {
    const size_t at = name_template.find(kEventTypePlaceholder, pos);
    name.append(name_template.substr(pos, at == std::string_view::npos ? std::string_view::npos : at - pos));
    if (at == std::string_view::npos) return name;
    name.append(event_type);
    pos = at + kEventTypePlaceholder.size();
  }
}

}  // namespace tracklake
