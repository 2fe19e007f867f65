#include "encode/parquet/string_dictionary.h"

#include <algorithm>

namespace tracklake::parquet {
namespace {

constexpr size_t kInitialSlots = 1024;
// Grow when more than half the slots are used: linear probing stays short below that.
constexpr size_t kMaxLoadDenominator = 2;

}  // namespace

StringDictionary::StringDictionary() : slots_(kInitialSlots), mask_(kInitialSlots - 1) {}

uint32_t StringDictionary::InsertMissing(std::string_view value) {
  const uint32_t index = size_++;
  const auto offset = static_cast<uint32_t>(arena_.size());
  arena_.AppendU32LE(static_cast<uint32_t>(value.size()));
  arena_.Append(value.data(), value.size());
  slots_[pending_slot_] = Slot{pending_hash_, index + 1, offset};
  if (size_ * kMaxLoadDenominator > mask_ + 1) Grow();
  return index;
}

void StringDictionary::Grow() {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.resize(old.size() * 2);
  mask_ = slots_.size() - 1;
  const size_t mask = mask_;
  for (const Slot& s : old) {
    if (s.index_plus_one == 0) continue;
    size_t i = s.hash & mask;
    while (slots_[i].index_plus_one != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

std::string_view StringDictionary::at(uint32_t index) const {
  uint32_t offset = 0;
  for (uint32_t i = 0; i < index; ++i) offset += kLengthBytes + arena_.LoadU32LE(offset);
  return ValueAt(offset);
}

void StringDictionary::Clear() {
  arena_.clear();
  size_ = 0;
  std::fill(slots_.begin(), slots_.end(), Slot{});
}

}  // namespace tracklake::parquet
