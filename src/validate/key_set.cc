#include "validate/key_set.h"

#include "common/hash_bytes.h"

namespace tracklake {
namespace {

// At most half full keeps linear probing short.
constexpr size_t kLoadFactorInverse = 2;
constexpr size_t kMinSlots = 16;

}  // namespace

void KeySet::Clear(size_t max_keys) {
  size_t want = kMinSlots;
  while (want < max_keys * kLoadFactorInverse) want *= 2;
  if (slots_.size() < want) {
    slots_.assign(want, Slot{});
    mask_ = want - 1;
    generation_ = 0;
  }
  ++generation_;
  if (generation_ == 0) {  // wrapped: stale stamps could match again
    for (Slot& s : slots_) s.generation = 0;
    generation_ = 1;
  }
}

bool KeySet::Insert(std::string_view key) {
  size_t i = HashBytes(key) & mask_;
  while (slots_[i].generation == generation_) {
    if (slots_[i].key == key) return false;
    i = (i + 1) & mask_;
  }
  slots_[i] = Slot{generation_, key};
  return true;
}

}  // namespace tracklake
