// An open-addressing hash table keyed by 64-bit hashes that are already uniformly distributed
// (keyed SipHash outputs): linear probing on the low bits, backward-shift deletion (no
// tombstones, so lookups never slow down with churn), doubled when 70 % full. Key 0 marks an
// empty slot, so callers map a hash of 0 to another value. V may be an empty type (a set).
//
// Memory: 8 bytes per slot (plus sizeof(V) unless V is empty); between 35 % and 70 % of the
// slots are used, so 11-23 bytes per key for a set.
//
// Thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

namespace tracklake {

template <class V>
class FlatMap64 {
 public:
  explicit FlatMap64(size_t initial_slots = 1024) { Reset(RoundUp(initial_slots)); }

  size_t size() const { return size_; }
  size_t slots() const { return keys_.size(); }
  size_t MemoryBytes() const { return keys_.capacity() * sizeof(uint64_t) + ValueBytes(); }

  // Starts loading key's home slot, so that a lookup of many keys overlaps their cache misses.
  void Prefetch(uint64_t key) const { __builtin_prefetch(&keys_[key & mask_]); }

  // REQUIRES: key != 0.
  V* Find(uint64_t key) {
    for (size_t i = key & mask_;; i = (i + 1) & mask_) {
      if (keys_[i] == key) return ValueAt(i);
      if (keys_[i] == 0) return nullptr;
    }
  }
  bool Contains(uint64_t key) const {
    for (size_t i = key & mask_;; i = (i + 1) & mask_) {
      if (keys_[i] == key) return true;
      if (keys_[i] == 0) return false;
    }
  }
  // Inserts key (REQUIRES: key != 0 and not present).
  void Insert(uint64_t key, V value = V{}) {
    if (10 * (size_ + 1) > 7 * keys_.size()) Grow();
    Place(key, std::move(value));
    ++size_;
  }
  // Removes key if present; returns whether it was.
  bool Erase(uint64_t key) {
    size_t i = key & mask_;
    for (;; i = (i + 1) & mask_) {
      if (keys_[i] == key) break;
      if (keys_[i] == 0) return false;
    }
    // Backward shift: move later members of the probe run into the hole when the hole lies
    // between their home slot and where they sit.
    for (size_t j = (i + 1) & mask_; keys_[j] != 0; j = (j + 1) & mask_) {
      const size_t home = keys_[j] & mask_;
      if (((j - home) & mask_) >= ((j - i) & mask_)) {
        keys_[i] = keys_[j];
        if constexpr (!kEmpty) values_[i] = std::move(values_[j]);
        i = j;
      }
    }
    keys_[i] = 0;
    --size_;
    return true;
  }
  void Clear() { Reset(RoundUp(1024)); }

 private:
  static constexpr bool kEmpty = std::is_empty_v<V>;
  static size_t RoundUp(size_t n) {
    size_t s = 16;
    while (s < n) s <<= 1;
    return s;
  }
  size_t ValueBytes() const {
    if constexpr (kEmpty) {
      return 0;
    } else {
      return values_.capacity() * sizeof(V);
    }
  }
  V* ValueAt(size_t i) {
    if constexpr (kEmpty) {
      static V none;
      (void)i;
      return &none;
    } else {
      return &values_[i];
    }
  }
  void Reset(size_t n) {
    keys_.assign(n, 0);
    if constexpr (!kEmpty) values_.assign(n, V{});
    mask_ = n - 1;
    size_ = 0;
  }
  void Place(uint64_t key, V value) {
    size_t i = key & mask_;
    while (keys_[i] != 0) i = (i + 1) & mask_;
    keys_[i] = key;
    if constexpr (!kEmpty) values_[i] = std::move(value);
  }
  void Grow() {
    std::vector<uint64_t> old_keys = std::move(keys_);
    std::vector<std::conditional_t<kEmpty, char, V>> old_values;
    if constexpr (!kEmpty) old_values = std::move(values_);
    const size_t size = size_;
    Reset(2 * old_keys.size());
    for (size_t i = 0; i < old_keys.size(); ++i) {
      if (old_keys[i] == 0) continue;
      if constexpr (kEmpty) {
        Place(old_keys[i], V{});
      } else {
        Place(old_keys[i], std::move(old_values[i]));
      }
    }
    size_ = size;
  }

  std::vector<uint64_t> keys_;
  std::vector<std::conditional_t<kEmpty, char, V>> values_;  // unused when V is empty
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace tracklake
