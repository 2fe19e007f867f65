#include "cli/loadgen_wire.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace tracklake {
namespace {

constexpr std::string_view kHeadEnd = "\r\n\r\n";
constexpr unsigned kNoContent = 204;
constexpr unsigned kNotModified = 304;
constexpr unsigned kInformationalEnd = 200;
constexpr unsigned kMinStatus = 100;
constexpr unsigned kMaxStatus = 599;

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string BuildPostRequest(std::string_view host, std::string_view path, std::string_view content_type,
                             const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body) {
  std::string out = fmt::format("POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: tracklake-loadgen\r\n", path, host);
  out += fmt::format("Content-Type: {}\r\nContent-Length: {}\r\n", content_type, body.size());
  for (const auto& [k, v] : headers) out += fmt::format("{}: {}\r\n", k, v);
  out += "\r\n";
  out += body;
  return out;
}

void ResponseParser::Reset() {
  state_ = State::kNeedMore;
  head_.clear();
  body_remaining_ = 0;
  in_body_ = false;
  status_ = 0;
  keep_alive_ = true;
  error_.clear();
}

size_t ResponseParser::Feed(const char* data, size_t n) {
  if (state_ != State::kNeedMore) return 0;
  size_t used = 0;
  if (!in_body_) {
    // The blank line may straddle two reads: search from just before the previous end.
    const size_t from = head_.size() >= kHeadEnd.size() ? head_.size() - (kHeadEnd.size() - 1) : 0;
    head_.append(data, n);
    const size_t end = head_.find(kHeadEnd, from);
    if (end == std::string::npos) {
      if (head_.size() > kMaxHeaderBytes) {
        state_ = State::kError;
        error_ = "response header too large";
      }
      return n;
    }
    const size_t head_len = end + kHeadEnd.size();
    used = n - (head_.size() - head_len);
    head_.resize(head_len);
    if (!ParseHead()) {
      state_ = State::kError;
      return used;
    }
    in_body_ = true;
  }
  const size_t take = std::min(body_remaining_, n - used);
  body_remaining_ -= take;
  used += take;
  if (body_remaining_ == 0) state_ = State::kComplete;
  return used;
}

bool ResponseParser::ParseHead() {
  std::string_view head(head_);
  const size_t line_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, line_end);
  // "HTTP/1.1 204 No Content"
  if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/") {
    error_ = "malformed status line";
    return false;
  }
  const bool http10 = status_line.substr(5, 3) == "1.0";
  keep_alive_ = !http10;
  const size_t sp = status_line.find(' ');
  const std::string_view code = status_line.substr(sp + 1, 3);
  const auto parsed = std::from_chars(code.data(), code.data() + code.size(), status_);
  if (parsed.ec != std::errc{} || parsed.ptr != code.data() + code.size() || status_ < kMinStatus ||
      status_ > kMaxStatus) {
    error_ = "malformed status code";
    return false;
  }
  bool has_length = false;
  size_t pos = line_end + 2;
  while (pos < head.size()) {
    const size_t next = head.find("\r\n", pos);
    const std::string_view line = head.substr(pos, next - pos);
    pos = next + 2;
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = Trim(line.substr(colon + 1));
    if (IEquals(name, "content-length")) {
      if (std::from_chars(value.data(), value.data() + value.size(), body_remaining_).ec != std::errc{}) {
        error_ = "malformed Content-Length";
        return false;
      }
      has_length = true;
    } else if (IEquals(name, "connection")) {
      if (IEquals(value, "close")) keep_alive_ = false;
      if (IEquals(value, "keep-alive")) keep_alive_ = true;
    } else if (IEquals(name, "transfer-encoding")) {
      error_ = "chunked responses are not supported";
      return false;
    }
  }
  const bool bodiless = status_ < kInformationalEnd || status_ == kNoContent || status_ == kNotModified;
  if (bodiless) body_remaining_ = 0;
  if (!has_length && !bodiless) {
    error_ = "response without Content-Length";
    return false;
  }
  return true;
}

}  // namespace tracklake
