// Write-key authentication. A request names its application only through its key:
// "Authorization: Bearer KEY" or Basic with KEY as the user name. Keys are kept as SHA-256
// digests and compared in constant time against every application (no early exit), so
// timing reveals neither a key nor which application matched.
//
// A connection may keep an AuthMemo: its last accepted header and the application it named. A
// keep-alive client sends the same header with every request, and the memo spares it the digest
// (a SHA-256 was about 5 % of a single-event request's instructions). The memo is compared in
// constant time too, so behind a proxy that carries several clients over one connection the
// time taken still says nothing about another client's key.
//
// Thread-safety: immutable after construction; Authenticate is safe from any thread (a memo
// from one thread at a time: its connection's).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tracklake {

struct AppIdentity {
  std::string app_id;
  std::vector<std::string> event_types;  // empty: any
  uint32_t rate_limit = 0;               // events per second; 0: unlimited
  uint32_t rate_burst = 0;               // 0: one second's worth
  // Browser access (docs/security.md): origins whose pages may use the app's browser keys or
  // Snowplow app ids, the event types those may send (empty: event_types), the Snowplow ids.
  // (Default member initializers: aggregate initializations that stop before them stay warning-free.)
  std::vector<std::string> allowed_origins = {};
  std::vector<std::string> browser_event_types = {};
  std::vector<std::string> snowplow_app_ids = {};
};

class Authenticator;

struct AuthMemo {
  const Authenticator* owner = nullptr;  // the memo is trusted only by the authenticator that filled it
  std::string header;
  const AppIdentity* app = nullptr;
  bool browser = false;
};

class Authenticator {
 public:
  struct App {
    AppIdentity identity;
    std::string key_sha256;                             // raw 32 bytes
    std::vector<std::string> browser_key_sha256s = {};  // raw 32 bytes each: public keys for web pages
  };
  // enabled=false: every request is accepted as the anonymous application (auth = "none").
  Authenticator(bool enabled, std::vector<App> apps);

  enum class Outcome { kOk, kMissing, kMalformed, kUnknown };
  // On kOk, *app points at the matched application (nullptr when auth is disabled). With a memo,
  // a header equal to the memo's is accepted as its application, and an accepted header is kept.
  // *browser (when given) says whether the key is one of the app's browser keys, whose caller
  // must then be checked against the app's allowed origins.
  Outcome Authenticate(std::string_view authorization_header, const AppIdentity** app, AuthMemo* memo = nullptr,
                       bool* browser = nullptr) const;
  // The same for a key found elsewhere (a query string, a body): kMissing when key is empty.
  Outcome AuthenticateKey(std::string_view key, const AppIdentity** app, bool* browser) const;
  // The application that lists aid among its snowplow_app_ids, or nullptr. Not a secret.
  const AppIdentity* FindSnowplowApp(std::string_view aid) const;

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
