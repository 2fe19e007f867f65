#include "pipeline/seal_record.h"

#include <fmt/format.h>

namespace tracklake {

std::string EncodeSealPayload(const SealPayload& p) {
  return fmt::format("{}\t{}\t{}\t{}", p.first_seq, p.last_seq, p.events, p.partition);
}

Status DecodeSealPayload(std::string_view bytes, SealPayload& out) {
  uint64_t nums[3];
  for (uint64_t& n : nums) {
    const size_t tab = bytes.find('\t');
    if (tab == std::string_view::npos || tab == 0) return Status::Corruption("malformed seal record");
    n = 0;
    for (char c : bytes.substr(0, tab)) {
      if (c < '0' || c > '9') return Status::Corruption("malformed seal record");
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    bytes.remove_prefix(tab + 1);
  }
  out.first_seq = nums[0];
  out.last_seq = nums[1];
  out.events = nums[2];
  out.partition = std::string(bytes);
  return Status::Ok();
}

}  // namespace tracklake
