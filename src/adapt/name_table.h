// NameTable: a fixed set of protocol names (Segment's message fields, Snowplow's parameters) and
// what each means to an adapter. A name is looked up by its length and first eight bytes taken
// as one integer, hashed into an open-addressing table kept at most a quarter full: a few
// integer operations and at most one string comparison (for the bytes past the eighth),
// instead of a string comparison per candidate. Names are looked up once per field of every
// event, most of them absent from the table.
//
// Thread-safety: immutable after construction; build one as a function-local static.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace tracklake {

template <typename Value>
class NameTable {
 public:
  struct Entry {
    std::string_view name;
    Value value;
  };

  // Precondition: the names are distinct.
  template <size_t N>
  explicit NameTable(const Entry (&entries)[N]) {
    while (size_t{1} << bits_ < 4 * N) ++bits_;
    slots_.resize(size_t{1} << bits_);
    for (const Entry& e : entries) {
      const Key k = KeyOf(e.name);
      size_t i = SlotOf(k);
      while (slots_[i].used) i = (i + 1) & (slots_.size() - 1);
      slots_[i] = Slot{k, e, true};
    }
  }

  // The value of name, or nullptr when it is not in the table.
  const Value* Find(std::string_view name) const {
    const Key k = KeyOf(name);
    for (size_t i = SlotOf(k); slots_[i].used; i = (i + 1) & (slots_.size() - 1)) {
      const Slot& s = slots_[i];
      if (s.key.prefix == k.prefix && s.key.size == k.size &&
          (k.size <= 8 || std::memcmp(s.entry.name.data() + 8, name.data() + 8, k.size - 8) == 0)) {
        return &s.entry.value;
      }
    }
    return nullptr;
  }

 private:
  struct Key {
    uint64_t prefix = 0;  // the first eight bytes (zero-padded)
    size_t size = 0;
  };
  struct Slot {
    Key key;
    Entry entry{};
    bool used = false;
  };

  static Key KeyOf(std::string_view name) {
    Key k{0, name.size()};
    const size_t n = name.size() < 8 ? name.size() : 8;
    for (size_t i = 0; i < n; ++i) k.prefix |= uint64_t{static_cast<unsigned char>(name[i])} << (8 * i);
    return k;
  }
  size_t SlotOf(const Key& k) const {
    return static_cast<size_t>(((k.prefix + k.size) * 0x9E3779B97F4A7C15ull) >> (64 - bits_));
  }

  unsigned bits_ = 1;
  std::vector<Slot> slots_;
};

}  // namespace tracklake
