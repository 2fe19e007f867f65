// ByteBuffer: an append-only byte buffer for the encoder's per-value hot path.
//
// Why not std::string: every append of a value and of its 4-byte length went through
// std::string's length checks and an out-of-line _M_append, several times the cost of the copy
// itself for the short values most columns hold; here an append is one capacity check and the
// copy, and growth (doubling) is the only call out.
// Thread-compatible.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

namespace tracklake::parquet {

class ByteBuffer {
 public:
  ByteBuffer() = default;
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;
  ByteBuffer(ByteBuffer&& o) noexcept : data_(o.data_), size_(o.size_), capacity_(o.capacity_) {
    o.data_ = nullptr;
    o.size_ = o.capacity_ = 0;
  }
  ByteBuffer& operator=(ByteBuffer&&) = delete;
  ~ByteBuffer() { std::free(data_); }

  const char* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return std::string_view(data_, size_); }
  void clear() { size_ = 0; }

  void Append(const void* p, size_t n) {
    if (capacity_ - size_ < n) Grow(n);
    char* dst = data_ + size_;
    const auto* src = static_cast<const char*>(p);
    // Most values are short: two overlapping fixed-size moves (both inside the n bytes) instead
    // of a call to memcpy.
    if (n <= 16) {
      if (n >= 8) {
        uint64_t a, b;
        std::memcpy(&a, src, 8);
        std::memcpy(&b, src + n - 8, 8);
        std::memcpy(dst, &a, 8);
        std::memcpy(dst + n - 8, &b, 8);
      } else if (n >= 4) {
        uint32_t a, b;
        std::memcpy(&a, src, 4);
        std::memcpy(&b, src + n - 4, 4);
        std::memcpy(dst, &a, 4);
        std::memcpy(dst + n - 4, &b, 4);
      } else {
        for (size_t i = 0; i < n; ++i) dst[i] = src[i];
      }
    } else {
      std::memcpy(dst, src, n);
    }
    size_ += n;
  }
  void AppendU32LE(uint32_t v) {
    char b[sizeof v];
    for (size_t i = 0; i < sizeof v; ++i) b[i] = static_cast<char>(v >> (8 * i));
    Append(b, sizeof v);
  }
  void AppendU64LE(uint64_t v) {
    char b[sizeof v];
    for (size_t i = 0; i < sizeof v; ++i) b[i] = static_cast<char>(v >> (8 * i));
    Append(b, sizeof v);
  }
  // The little-endian 32-bit value at offset. REQUIRES offset + 4 <= size().
  uint32_t LoadU32LE(size_t offset) const {
    const auto* p = reinterpret_cast<const unsigned char*>(data_ + offset);
    return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
           static_cast<uint32_t>(p[3]) << 24;
  }

 private:
  static constexpr size_t kMinCapacity = 4096;

  [[gnu::noinline]] void Grow(size_t n) {
    size_t capacity = capacity_ < kMinCapacity ? kMinCapacity : capacity_ * 2;
    while (capacity - size_ < n) capacity *= 2;
    void* p = std::realloc(data_, capacity);
    if (p == nullptr) throw std::bad_alloc();
    data_ = static_cast<char*>(p);
    capacity_ = capacity;
  }

  char* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace tracklake::parquet
