#include "common/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace tracklake {
namespace {

const EVP_MD* Algorithm() {
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

}  // namespace

bool Sha256(std::string_view data, Sha256Digest& out) {
  thread_local DigestContext c;
  unsigned int len = 0;
  return c.ctx != nullptr && Algorithm() != nullptr && EVP_DigestInit_ex2(c.ctx, Algorithm(), nullptr) == 1 &&
         EVP_DigestUpdate(c.ctx, data.data(), data.size()) == 1 && EVP_DigestFinal_ex(c.ctx, out.data(), &len) == 1 &&
         len == kSha256Bytes;
}

std::string Sha256Bytes(std::string_view data) {
  Sha256Digest d;
  if (!Sha256(data, d)) std::abort();
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

}  // namespace tracklake
