// SHA-256 through OpenSSL's EVP interface, with the algorithm fetched once and one digest
// context per thread. OpenSSL 3's one-shot SHA256() and EVP_Digest(..., EVP_sha256()) look the
// algorithm up in the provider on every call (a locked lookup with allocations): about 6,600
// instructions for a write key, which the collector hashes on every request.
//
// Thread-safety: safe from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace tracklake {

inline constexpr size_t kSha256Bytes = 32;
using Sha256Digest = std::array<unsigned char, kSha256Bytes>;

// False only when OpenSSL fails (out of memory, no provider); callers fail closed.
bool Sha256(std::string_view data, Sha256Digest& out);

// The raw 32 bytes as a string. Aborts if OpenSSL fails (configuration time and signing only).
std::string Sha256Bytes(std::string_view data);

}  // namespace tracklake
