// KeySet: detects duplicate keys within one event without allocating per event. An open-
// addressing hash table whose slots carry a generation stamp, so Clear() is O(1) instead of
// wiping the table for every event.
//
// Thread-safety: not thread-safe; meant to live in thread-local scratch.
// Lifetimes: stores the string_views it is given; they must stay valid until Clear().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace tracklake {

class KeySet {
 public:
  // Forgets all keys and makes room for up to max_keys insertions without rehashing.
  void Clear(size_t max_keys);
  // Adds key; false if it was already present. Precondition: fewer than max_keys (from the
  // last Clear) keys inserted since.
  bool Insert(std::string_view key);

 private:
  struct Slot {
    uint32_t generation = 0;
    std::string_view key;
  };
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  uint32_t generation_ = 0;
};

}  // namespace tracklake
