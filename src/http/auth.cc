#include "http/auth.h"

#include <openssl/crypto.h>
#include <boost/beast/core/string.hpp>

#include <cstdint>
#include <cstring>

#include "common/json_writer.h"
#include "common/sha256.h"

namespace tracklake {
namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && boost::beast::iequals(s.substr(0, prefix.size()), prefix);
}

// Constant time: every byte of both digests is read whatever differs (CRYPTO_memcmp does the
// same a byte at a time; with many applications its loop was the larger half of the check).
bool DigestsEqual(const char* a, const Sha256Digest& b) {
  uint64_t diff = 0;
  for (size_t i = 0; i < kSha256Bytes; i += sizeof(uint64_t)) {
    uint64_t x;
    uint64_t y;
    std::memcpy(&x, a + i, sizeof x);
    std::memcpy(&y, b.data() + i, sizeof y);
    diff |= x ^ y;
  }
  return diff == 0;
}

// Constant time for equal lengths (OpenSSL's CRYPTO_memcmp): every byte is read whatever differs.
bool SameBytes(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> ExtractWriteKey(std::string_view authorization_header) {
  const std::string_view h = Trim(authorization_header);
  if (StartsWithNoCase(h, "bearer ")) {
    std::string_view key = Trim(h.substr(7));
    if (key.empty()) return std::nullopt;
    return std::string(key);
  }
  if (StartsWithNoCase(h, "basic ")) {
    std::string decoded;
    if (!Base64Decode(Trim(h.substr(6)), decoded)) return std::nullopt;
    // Segment-style: the key is the user name, the password is empty or ignored.
    const size_t colon = decoded.find(':');
    std::string key = decoded.substr(0, colon);
    if (key.empty()) return std::nullopt;
    return key;
  }
  return std::nullopt;
}

Authenticator::Authenticator(bool enabled, std::vector<App> apps) : enabled_(enabled), apps_(std::move(apps)) {}

Authenticator::Outcome Authenticator::Authenticate(std::string_view header, const AppIdentity** app, AuthMemo* memo,
                                                   bool* browser) const {
  *app = nullptr;
  if (browser != nullptr) *browser = false;
  if (!enabled_) return Outcome::kOk;
  if (memo != nullptr && memo->owner == this && SameBytes(memo->header, header)) {
    *app = memo->app;
    if (browser != nullptr) *browser = memo->browser;
    return Outcome::kOk;
  }
  if (Trim(header).empty()) return Outcome::kMissing;
  const std::optional<std::string> key = ExtractWriteKey(header);
  if (!key) return Outcome::kMalformed;
  bool is_browser = false;
  const Outcome outcome = AuthenticateKey(*key, app, &is_browser);
  if (outcome != Outcome::kOk) return outcome;
  if (browser != nullptr) *browser = is_browser;
  if (memo != nullptr) {
    memo->owner = this;
    memo->header.assign(header);
    memo->app = *app;
    memo->browser = is_browser;
  }
  return Outcome::kOk;
}

Authenticator::Outcome Authenticator::AuthenticateKey(std::string_view key, const AppIdentity** app,
                                                      bool* browser) const {
  *app = nullptr;
  *browser = false;
  if (!enabled_) return Outcome::kOk;
  if (key.empty()) return Outcome::kMissing;
  Sha256Digest digest;
  if (!Sha256(key, digest)) return Outcome::kUnknown;  // fail closed
  const AppIdentity* match = nullptr;
  bool match_browser = false;
  for (const App& a : apps_) {
    // Visit every key of every application whatever matched, so the time taken does not
    // depend on which (nor on whether it is a browser key).
    const bool equal = a.key_sha256.size() == kSha256Bytes && DigestsEqual(a.key_sha256.data(), digest);
    if (equal) match = &a.identity;
    for (const std::string& b : a.browser_key_sha256s) {
      const bool browser_equal = b.size() == kSha256Bytes && DigestsEqual(b.data(), digest);
      if (browser_equal) {
        match = &a.identity;
        match_browser = true;
      }
    }
  }
  if (!match) return Outcome::kUnknown;
  *app = match;
  *browser = match_browser;
  return Outcome::kOk;
}

const AppIdentity* Authenticator::FindSnowplowApp(std::string_view aid) const {
  for (const App& a : apps_) {
    for (const std::string& id : a.identity.snowplow_app_ids) {
      if (id == aid) return &a.identity;
    }
  }
  return nullptr;
}

}  // namespace tracklake
