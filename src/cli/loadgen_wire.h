// The load generator's HTTP/1.1 wire format, kept minimal so one core can drive >50k req/s:
// requests are serialized once into a pool and written as-is; responses are parsed
// incrementally (status line, Content-Length, Connection) without allocating.
// Only what a collector or nginx answers is supported: Content-Length or no body (1xx, 204,
// 304); a chunked response is reported as an error. Thread-compatible.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tracklake {

// "POST <path> HTTP/1.1" with Host, Content-Type, Content-Length, the extra headers and body.
std::string BuildPostRequest(std::string_view host, std::string_view path, std::string_view content_type,
                             const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body);

class ResponseParser {
 public:
  enum class State { kNeedMore, kComplete, kError };
  static constexpr size_t kMaxHeaderBytes = 16 * 1024;

  // Consumes up to n bytes; returns how many were used (the rest belongs to a next response).
  size_t Feed(const char* data, size_t n);
  State state() const { return state_; }
  unsigned status() const { return status_; }
  bool keep_alive() const { return keep_alive_; }
  const std::string& error() const { return error_; }
  // Ready for the next response on the same connection.
  void Reset();

 private:
  bool ParseHead();

  State state_ = State::kNeedMore;
  std::string head_;  // header bytes until the blank line
  size_t body_remaining_ = 0;
  bool in_body_ = false;
  unsigned status_ = 0;
  bool keep_alive_ = true;
  std::string error_;
};

}  // namespace tracklake
