#include "config/name_rules.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "common/hex.h"
#include "common/parse_number.h"
#include "event/names.h"

namespace tracklake::config_internal {
namespace {

constexpr uint32_t kMaxPort = 65535;
constexpr int kHexBase = 16;

bool IsAsciiLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAsciiUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlnum(char c) { return IsAsciiLower(c) || IsAsciiUpper(c) || IsAsciiDigit(c); }

bool IsIdChar(char c) { return IsAsciiAlnum(c) || c == '_' || c == '.' || c == '-'; }
bool IsHostChar(char c) { return IsAsciiAlnum(c) || c == '.' || c == '-'; }
bool IsIpv6Char(char c) { return HexDigitValue(c) >= 0 || c == ':' || c == '.'; }

template <typename Pred>
bool AllOf(std::string_view s, Pred pred) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> CheckId(std::string_view value) {
  const bool ok = !value.empty() && value.size() <= kMaxIdLength && AllOf(value, IsIdChar);
  // "." and ".." are legal by the character rule but name directories, not files.
  if (ok && value != "." && value != "..") return std::nullopt;
  return "must match " + std::string(kIdRule) + " (it goes into file names)";
}

std::optional<std::string> CheckEventType(std::string_view value) {
  if (!IsValidEventType(value, kMaxEventTypeLength)) return "must match " + std::string(kEventTypeRule);
  if (IsReservedEventType(value)) return "must not start with _ (reserved for tracklake, e.g. _rejected)";
  return std::nullopt;
}

std::optional<std::string> CheckColumn(std::string_view value) {
  if (IsValidKey(value, kMaxColumnLength)) return std::nullopt;
  return "must match " + std::string(kColumnRule);
}

std::optional<std::string> CheckListen(std::string_view value) {
  const std::string rule = "must be " + std::string(kListenRule);
  const size_t colon = value.rfind(':');
  if (colon == std::string_view::npos) return rule + " (no port)";
  std::string_view host = value.substr(0, colon);
  const std::string_view port = value.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    if (host.empty() || !AllOf(host, IsIpv6Char)) {
      return rule + " (bad IPv6 address; write it as [::1]:8080)";
    }
  } else if (host.empty() || !AllOf(host, IsHostChar)) {
    return rule + " (bad host)";
  }
  const std::optional<uint32_t> port_number = ParseDecimal<uint32_t>(port);
  if (!port_number || *port_number > kMaxPort) {
    return rule + " (the port must be 0..65535)";
  }
  return std::nullopt;
}

std::optional<std::string> CheckSha256Hex(std::string_view value) {
  if (value == kMaskedSecret) {
    return "is masked (\"***\" is what `tracklake config check` prints): "
           "put the digest or the key back";
  }
  if (value.size() == kSha256HexLength && AllOf(value, [](char c) { return HexDigitValue(c) >= 0; })) {
    return std::nullopt;
  }
  return "must be " + std::string(kSha256HexRule) + " (the SHA-256 of the key, e.g. from `sha256sum`)";
}

std::optional<std::string> CheckNonEmpty(std::string_view value) {
  if (!value.empty()) return std::nullopt;
  return "must not be empty";
}

std::optional<std::string> CheckBrowserKey(std::string_view value) {
  constexpr size_t kMinBrowserKey = 16;
  constexpr size_t kMaxBrowserKey = 256;
  if (value == kMaskedSecret) {
    return "is masked (\"***\" is what `tracklake config check` prints): put the key back";
  }
  const bool ok = value.size() >= kMinBrowserKey && value.size() <= kMaxBrowserKey && AllOf(value, [](char c) {
                    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                           c == '.' || c == '~' || c == '-';
                  });
  if (ok) return std::nullopt;
  return "must match " + std::string(kBrowserKeyRule) + " (URL-safe, at least 16 characters)";
}

std::optional<std::string> CheckOrigin(std::string_view value) {
  const std::string rule =
      "must be an origin such as https://shop.example.com or http://127.0.0.1:8000 "
      "(" +
      std::string(kOriginRule) + ", lower case, no path or trailing slash)";
  std::string_view rest;
  if (value.starts_with("https://")) {
    rest = value.substr(8);
  } else if (value.starts_with("http://")) {
    rest = value.substr(7);
  } else {
    return rule;
  }
  const bool bracketed = rest.starts_with('[');
  const size_t host_end = bracketed ? rest.find(']') + 1 : rest.find(':');
  if (bracketed && host_end == 0) return rule;
  const std::string_view host = rest.substr(0, std::min(host_end, rest.size()));
  const bool host_ok = bracketed ? host.size() > 2 && AllOf(host.substr(1, host.size() - 2), IsIpv6Char)
                                 : !host.empty() && AllOf(host, [](char c) {
                                     return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
                                   });
  if (!host_ok) return rule;
  if (host.size() == rest.size()) return std::nullopt;
  const std::string_view port = rest.substr(host.size());
  if (port.size() < 2 || port.size() > 6 || port[0] != ':' ||
      !AllOf(port.substr(1), [](char c) { return c >= '0' && c <= '9'; })) {
    return rule;
  }
  return std::nullopt;
}

std::string HexToBytes(std::string_view hex) {
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(HexDigitValue(hex[i]) * kHexBase + HexDigitValue(hex[i + 1])));
  }
  return out;
}

}  // namespace tracklake::config_internal
