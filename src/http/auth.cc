#include "http/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cctype>

#include "common/json_writer.h"

namespace tracklake {
namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> ExtractWriteKey(std::string_view h) {
  h = Trim(h);
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

Authenticator::Outcome Authenticator::Authenticate(std::string_view header, const AppIdentity** app) const {
  *app = nullptr;
  if (!enabled_) return Outcome::kOk;
  if (Trim(header).empty()) return Outcome::kMissing;
  const std::optional<std::string> key = ExtractWriteKey(header);
  if (!key) return Outcome::kMalformed;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key->data()), key->size(), digest);
  const AppIdentity* match = nullptr;
  for (const App& a : apps_) {
    // Visit every application whatever matched, so the time taken does not depend on which.
    const bool equal = a.key_sha256.size() == SHA256_DIGEST_LENGTH &&
                       CRYPTO_memcmp(a.key_sha256.data(), digest, SHA256_DIGEST_LENGTH) == 0;
    if (equal) match = &a.identity;
  }
  if (!match) return Outcome::kUnknown;
  *app = match;
  return Outcome::kOk;
}

}  // namespace tracklake
