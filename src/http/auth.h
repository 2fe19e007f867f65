// Write-key authentication. A request names its application only through its key:
// "Authorization: Bearer KEY" or Basic with KEY as the user name. Keys are kept as SHA-256
// digests and compared in constant time against every application (no early exit), so
// timing reveals neither a key nor which application matched.
//
// Thread-safety: immutable after construction; Authenticate is safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tracklake {

struct AppIdentity {
  std::string app_id;
  std::vector<std::string> event_types;  // empty: any
  uint32_t rate_limit = 0;                // events per second; 0: unlimited
  uint32_t rate_burst = 0;                // 0: one second's worth
};

class Authenticator {
 public:
  struct App {
    AppIdentity identity;
    std::string key_sha256;  // raw 32 bytes
  };
  // enabled=false: every request is accepted as the anonymous application (auth = "none").
  Authenticator(bool enabled, std::vector<App> apps);

  enum class Outcome { kOk, kMissing, kMalformed, kUnknown };
  // On kOk, *app points at the matched application (nullptr when auth is disabled).
  Outcome Authenticate(std::string_view authorization_header, const AppIdentity** app) const;

  bool enabled() const { return enabled_; }
  std::vector<AppIdentity> apps() const {
    std::vector<AppIdentity> ids;
    for (const App& a : apps_) ids.push_back(a.identity);
    return ids;
  }

 private:
  bool enabled_;
  std::vector<App> apps_;
};

// The key inside an Authorization header value, or nullopt when it is neither Bearer nor Basic.
std::optional<std::string> ExtractWriteKey(std::string_view authorization_header);

}  // namespace tracklake
