#include "http/auth.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstdint>
#include <cstring>

#include "common/json_writer.h"

namespace tracklake {
namespace {

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// prefix is lower case.
bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (AsciiLower(s[i]) != prefix[i]) return false;
  }
  return true;
}

// Constant time: every byte of both digests is read whatever differs (CRYPTO_memcmp does the
// same a byte at a time; with many applications its loop was the larger half of the check).
bool DigestsEqual(const char* a, const unsigned char* b) {
  uint64_t diff = 0;
  for (size_t i = 0; i < SHA256_DIGEST_LENGTH; i += sizeof(uint64_t)) {
    uint64_t x;
    uint64_t y;
    std::memcpy(&x, a + i, sizeof x);
    std::memcpy(&y, b + i, sizeof y);
    diff |= x ^ y;
  }
  return diff == 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// OpenSSL 3's one-shot SHA256() fetches the algorithm from its provider on every call (a lookup
// under a lock, with allocations): about 6,600 instructions per request under callgrind, more than
// a third of validating the event. Fetched once, with a context per thread, a digest of a write
// key costs a few hundred.
const EVP_MD* Sha256Algorithm() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct DigestContext {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  DigestContext() = default;
  DigestContext(const DigestContext&) = delete;
  DigestContext& operator=(const DigestContext&) = delete;
  ~DigestContext() { EVP_MD_CTX_free(ctx); }
};

bool Sha256(std::string_view s, unsigned char (&out)[SHA256_DIGEST_LENGTH]) {
  thread_local DigestContext c;
  unsigned int len = 0;
  return c.ctx != nullptr && Sha256Algorithm() != nullptr &&
         EVP_DigestInit_ex2(c.ctx, Sha256Algorithm(), nullptr) == 1 &&
         EVP_DigestUpdate(c.ctx, s.data(), s.size()) == 1 && EVP_DigestFinal_ex(c.ctx, out, &len) == 1 &&
         len == SHA256_DIGEST_LENGTH;
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
  if (!Sha256(*key, digest)) return Outcome::kUnknown;  // fail closed
  const AppIdentity* match = nullptr;
  for (const App& a : apps_) {
    // Visit every application whatever matched, so the time taken does not depend on which.
    const bool equal = a.key_sha256.size() == SHA256_DIGEST_LENGTH && DigestsEqual(a.key_sha256.data(), digest);
    if (equal) match = &a.identity;
  }
  if (!match) return Outcome::kUnknown;
  *app = match;
  return Outcome::kOk;
}

}  // namespace tracklake
