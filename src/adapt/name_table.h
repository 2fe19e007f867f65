// NameTable: a fixed set of protocol names (Segment's message fields, Snowplow's parameters) and
// what each means to an adapter. A name is looked up by its length and first eight bytes taken
// as one integer, hashed into an open-addressing table kept at most a quarter full: a few
// integer operations and at most one string comparison (for the bytes past the eighth),
// instead of a string comparison per candidate. Names are looked up once per field of every
// event, most of them absent from the table.
//
// Thread-safety: immutable after construction; build one once, as a static.
#pragma once

#include <bit>
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
    // A few loads instead of a byte loop: overlapping loads OR the same bytes into place.
    const auto* p = reinterpret_cast<const unsigned char*>(name.data());
    const size_t n = name.size();
    uint64_t prefix = 0;
    if constexpr (std::endian::native != std::endian::little) {
      for (size_t i = 0; i < (n < 8 ? n : 8); ++i) prefix |= uint64_t{p[i]} << (8 * i);
    } else if (n >= 8) {
      std::memcpy(&prefix, p, 8);
    } else if (n >= 4) {
      uint32_t head, tail;
      std::memcpy(&head, p, 4);
      std::memcpy(&tail, p + n - 4, 4);
      prefix = head | (uint64_t{tail} << (8 * (n - 4)));
    } else if (n > 0) {
      prefix = p[0] | (uint64_t{p[n / 2]} << (8 * (n / 2))) | (uint64_t{p[n - 1]} << (8 * (n - 1)));
    }
    return Key{prefix, n};
  }
  size_t SlotOf(const Key& k) const {
    return static_cast<size_t>(((k.prefix + k.size) * 0x9E3779B97F4A7C15ull) >> (64 - bits_));
  }

  unsigned bits_ = 1;
  std::vector<Slot> slots_;
};

}  // namespace tracklake
