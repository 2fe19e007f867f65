// SipHash (Aumasson and Bernstein, 2012): a keyed 64-bit pseudo-random function for short
// inputs. Without the key nobody can predict an output or make two inputs collide, which is what
// a table keyed by client-chosen strings needs (the deduplicator's ids). SipHash-2-4 is the
// reference; SipHash-1-3 (one compression round per word, three at the end) is what Python's and
// Rust's hash tables use against hash flooding, at about 60 % of the cost. Both are checked
// against known outputs. Thread-safe; a SipHasher belongs to one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tracklake {

struct SipKey {
  uint64_t k0 = 0;
  uint64_t k1 = 0;
};

// Streaming SipHash-c-d: Update any number of times, then Final once. Equal to the one-shot
// function of the concatenated inputs.
template <int kCompressionRounds, int kFinalRounds>
class BasicSipHasher {
 public:
  explicit BasicSipHasher(const SipKey& key);
  void Update(std::string_view data);
  uint64_t Final();

 private:
  uint64_t v0_, v1_, v2_, v3_;
  uint64_t tail_ = 0;  // bytes not yet compressed, little-endian
  size_t tail_bytes_ = 0;
  uint64_t total_ = 0;  // bytes seen
};
using SipHasher24 = BasicSipHasher<2, 4>;
using SipHasher13 = BasicSipHasher<1, 3>;

// One-shot, faster than the streaming form for bytes already contiguous.
uint64_t SipHash24(const SipKey& key, std::string_view data);
uint64_t SipHash13(const SipKey& key, std::string_view data);

}  // namespace tracklake
