// KnownKeys: the key sequences of recently accepted events, one per event type, so that the
// next event of the same shape skips the per-key checks. Senders repeat their key order from
// one event to the next; a key equal to the one at the same position of an accepted event's
// sequence, with every earlier key equal too, is valid (it passed the key pattern) and distinct
// from the keys before it (an accepted event had no duplicates). Only when an event leaves its
// sequence does the checker fall back to the pattern check and the duplicate set.
//
// The pattern depends on the key length limit, so a cache seen under another limit is
// forgotten (a thread may serve validators with different rules).
//
// Thread-safety: not thread-safe; meant to live in thread-local scratch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tracklake {

class KnownKeys {
 public:
  // A sequence of keys, back to back.
  class Sequence {
   public:
    size_t size() const { return ends_.size(); }
    std::string_view key(size_t i) const {
      const uint32_t begin = i == 0 ? 0 : ends_[i - 1];
      return std::string_view(bytes_).substr(begin, ends_[i] - begin);
    }
    std::string_view event_type() const { return event_type_; }

   private:
    friend class KnownKeys;
    std::string event_type_;
    std::string bytes_;
    std::vector<uint32_t> ends_;
    uint64_t last_used_ = 0;
  };

  static constexpr size_t kMaxSequences = 32;

  // Forgets everything when max_key_bytes differs from the limit the cache was filled under.
  void UseRules(size_t max_key_bytes);
  // The sequence of the most recently accepted event, or nullptr.
  const Sequence* Latest() const { return latest_; }
  // The sequence stored for event_type, or nullptr.
  const Sequence* Find(std::string_view event_type) const;
  // Records the keys of an accepted event of event_type (valid and distinct), replacing the
  // type's sequence or, when all slots are taken, the least recently used one. key_at(i) gives
  // the i-th of count keys.
  template <typename KeyAt>
  void Store(std::string_view event_type, size_t count, KeyAt key_at) {
    Sequence& s = SlotFor(event_type);
    s.bytes_.clear();
    s.ends_.clear();
    for (size_t i = 0; i < count; ++i) {
      s.bytes_.append(key_at(i));
      s.ends_.push_back(static_cast<uint32_t>(s.bytes_.size()));
    }
    Touch(s);
  }
  // Marks seq (from this cache) as the latest.
  void Touch(const Sequence& seq);

 private:
  Sequence& SlotFor(std::string_view event_type);
  // Index of event_type's sequence, or sequences_.size().
  size_t IndexOf(std::string_view event_type) const;

  std::vector<Sequence> sequences_;
  const Sequence* latest_ = nullptr;
  uint64_t clock_ = 0;
  size_t max_key_bytes_ = 0;
};

}  // namespace tracklake
