#include "sink/sink.h"

#include <fmt/format.h>

namespace tracklake {

std::string ObjectKey(std::string_view partition, std::string_view node_id, std::string_view log_id,
                      uint64_t first_seq, uint64_t last_seq, std::string_view extension) {
  if (log_id.empty()) return fmt::format("{}/{}-{:020d}-{:020d}{}", partition, node_id, first_seq, last_seq, extension);
  return fmt::format("{}/{}-{}-{:020d}-{:020d}{}", partition, node_id, log_id, first_seq, last_seq, extension);
}

}  // namespace tracklake
