#include "sink/kafka/delivered_batches.h"

#include "common/parse_number.h"

namespace tracklake {
namespace {

constexpr std::string_view kVersion = "tl1";

bool ParseNumber(std::string_view text, uint64_t& out) {
  const std::optional<uint64_t> n = ParseDecimal<uint64_t>(text);
  if (n) out = *n;
  return n.has_value();
}

}  // namespace

DeliveredBatches::State DeliveredBatches::Lookup(uint64_t first_seq) const {
  if (first_seq < below_) return State::kDelivered;
  auto it = above_.find(first_seq);
  if (it == above_.end()) return State::kNotDelivered;
  return it->second ? State::kDeliveredWithRejects : State::kDelivered;
}

void DeliveredBatches::Advance(uint64_t delivered_below) {
  if (delivered_below <= below_) return;
  below_ = delivered_below;
  above_.erase(above_.begin(), above_.lower_bound(below_));
}

void DeliveredBatches::Add(uint64_t first_seq, bool with_rejects) {
  if (first_seq < below_) return;
  // The oldest batch not yet delivered: once it is, nothing below the next one is missing. A
  // batch with rejects stays listed so that a replay knows to keep its dead letter.
  if (first_seq == below_ && !with_rejects) {
    below_ = first_seq + 1;
    above_.erase(above_.begin(), above_.lower_bound(below_));
    return;
  }
  above_[first_seq] = with_rejects;
}

std::string DeliveredBatches::Encode() const {
  std::string out(kVersion);
  out += " " + std::to_string(below_);
  for (const auto& [first, with_rejects] : above_) {
    out += " " + std::to_string(first - below_);
    if (with_rejects) out.push_back('r');
  }
  return out;
}

Result<DeliveredBatches> DeliveredBatches::Decode(std::string_view text) {
  DeliveredBatches d;
  const auto corrupt = [&] {
    return Status::Corruption("not a tracklake log position: \"" + std::string(text.substr(0, 64)) + "\"");
  };
  size_t pos = 0;
  int field = 0;
  while (pos <= text.size()) {
    size_t space = text.find(' ', pos);
    if (space == std::string_view::npos) space = text.size();
    std::string_view word = text.substr(pos, space - pos);
    if (field == 0) {
      if (word != kVersion) return corrupt();
    } else if (field == 1) {
      if (!ParseNumber(word, d.below_)) return corrupt();
    } else {
      const bool with_rejects = !word.empty() && word.back() == 'r';
      if (with_rejects) word.remove_suffix(1);
      uint64_t delta = 0;
      if (!ParseNumber(word, delta) || delta > UINT64_MAX - d.below_) return corrupt();
      d.above_[d.below_ + delta] = with_rejects;
    }
    ++field;
    pos = space + 1;
  }
  if (field < 2) return corrupt();
  return d;
}

}  // namespace tracklake
