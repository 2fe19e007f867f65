// AWS credentials and the interface every credential provider implements (environment, shared
// files, web identity, ECS, EC2 instance metadata; see credential_chain.h for the standard chain).
//
// Credentials are plain values. Their secret parts must never reach a log: format them with
// Redacted(), which shows the access key id and hides the secret and the session token.
//
// Thread-safety: a CredentialsProvider's Get may be called from several threads at once.
// Errors: Get returns NotFound when its source is simply absent (the chain then tries the next
// provider); Unavailable / IoError / InvalidArgument when the source exists but failed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"

namespace tracklake::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;             // empty for long-term keys
  std::optional<int64_t> expiration_ms;  // Unix ms; nullopt: never expires
  std::string source;                    // the provider that produced them ("environment", ...)
};

// "Credentials{access_key_id=AKIA..., secret=***, session_token=*** (or none), expires=...,
// source=...}". The only way credentials may be printed.
std::string Redacted(const Credentials& credentials);

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  virtual Result<Credentials> Get() = 0;
  virtual std::string_view name() const = 0;
};

}  // namespace tracklake::aws
