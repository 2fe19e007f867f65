// StringDictionary: the value -> index map behind a dictionary-encoded BYTE_ARRAY column.
//
// Why not std::unordered_map<std::string, uint32_t>: it allocated a node and a string per
// distinct value and chased pointers on every lookup, which made it a third of the encoder's
// time. Here the values live back to back in one arena and the table is open addressing over
// (hash, index, offset) slots, so a lookup is one hash, one probe sequence in a flat array and,
// on a hash match, one comparison against the arena. The arena is laid out as a PLAIN page
// (length, bytes, ...), so it is the dictionary page as it stands.
//
// Memory: the value bytes plus 4 of length per entry and 12 bytes per slot (at most twice the
// entries). Clear keeps the capacity for the next row group.
// Thread-compatible.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "common/hash_bytes.h"
#include "encode/parquet/byte_buffer.h"

namespace tracklake::parquet {
namespace internal {

// Equality for the short strings dictionaries mostly hold, without a call into libc:
// overlapping word loads cover every length from 8 to 32 bytes.
inline bool EqualBytes(const char* a, const char* b, size_t n) {
  using tracklake::internal::Load64;
  constexpr size_t kWord = sizeof(uint64_t);
  if (n >= kWord && n <= 2 * kWord) {
    const size_t last = n - kWord;
    return Load64(a) == Load64(b) && Load64(a + last) == Load64(b + last);
  }
  if (n > 2 * kWord && n <= 4 * kWord) {
    const size_t last = n - 2 * kWord;
    return Load64(a) == Load64(b) && Load64(a + kWord) == Load64(b + kWord) && Load64(a + last) == Load64(b + last) &&
           Load64(a + last + kWord) == Load64(b + last + kWord);
  }
  if (n > 4 * kWord) return std::memcmp(a, b, n) == 0;
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace internal

class StringDictionary {
 public:
  static constexpr uint32_t kNotFound = UINT32_MAX;
  // Bytes in front of each value in plain_values(): its length, little-endian.
  static constexpr size_t kLengthBytes = 4;

  StringDictionary();

  // The index of value, or kNotFound. The probe position is remembered, so an Insert of the
  // same value right after (the usual miss path) costs no second probe.
  uint32_t Find(std::string_view value) { return Find(value, HashBytes(value)); }
  // The same with hash == HashBytes(value) computed earlier, e.g. to Prefetch a batch first.
  uint32_t Find(std::string_view value, uint64_t hash);
  // Starts loading the slot a lookup of hash probes first. Dictionaries of high-cardinality
  // columns outgrow the L2 cache; issuing the loads for a row's values before looking any of
  // them up overlaps their misses instead of paying them one after the other.
  void Prefetch(uint64_t hash) const { __builtin_prefetch(&slots_[SlotOf(hash)]); }
  // The second step of the same: once the slot is loaded, starts loading the value it points
  // to, which a hit compares next (the slot holds the value's offset, so no other array sits
  // between the two misses).
  void PrefetchValue(uint64_t hash) const {
    const Slot& s = slots_[SlotOf(hash)];
    if (s.index_plus_one != 0) __builtin_prefetch(arena_.data() + s.offset);
  }
  // Adds value, which the previous call to Find reported missing; returns its index.
  // REQUIRES: plain_values() stays below 4 GiB (the column writer caps it far lower).
  uint32_t InsertMissing(std::string_view value);

  size_t size() const { return size_; }
  // The values in index order, each behind its 4-byte length: a PLAIN dictionary page body.
  std::string_view plain_values() const { return arena_.view(); }
  // The value of index, found by walking the arena: O(index), for tests and diagnostics (the
  // writer only ever needs the whole page).
  std::string_view at(uint32_t index) const;
  void Clear();

 private:
  // A slot keeps the high half of the 64-bit hash, which also picks its bucket: the table
  // grows without hashing any value again. Up to 2^32 slots, the tag bits above the mask
  // still tell most non-equal values apart before a byte comparison.
  static constexpr int kSlotHashShift = 32;

  struct Slot {
    uint32_t hash = 0;
    uint32_t index_plus_one = 0;  // 0: empty
    uint32_t offset = 0;          // of the value's length in arena_
  };

  size_t SlotOf(uint64_t h64) const { return (h64 >> kSlotHashShift) & mask_; }
  std::string_view ValueAt(uint32_t offset) const {
    return std::string_view(arena_.data() + offset + kLengthBytes, arena_.LoadU32LE(offset));
  }
  void Grow();

  ByteBuffer arena_;
  uint32_t size_ = 0;        // entries
  std::vector<Slot> slots_;  // power-of-two size
  size_t mask_ = 0;          // slots_.size() - 1 (a 12-byte slot makes size() a division)
  size_t pending_slot_ = 0;  // set by Find on a miss
  uint32_t pending_hash_ = 0;
};

inline uint32_t StringDictionary::Find(std::string_view value, uint64_t h64) {
  const auto hash = static_cast<uint32_t>(h64 >> kSlotHashShift);
  for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.index_plus_one == 0) {
      pending_slot_ = i;
      pending_hash_ = hash;
      return kNotFound;
    }
    if (s.hash == hash) {
      const std::string_view entry = ValueAt(s.offset);
      if (entry.size() == value.size() && internal::EqualBytes(entry.data(), value.data(), value.size())) {
        return s.index_plus_one - 1;
      }
    }
  }
}

}  // namespace tracklake::parquet
