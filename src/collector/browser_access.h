// Who may send from a web page, and what browsers are told (CORS). A browser cannot keep a
// secret, so pages use an app's browser keys (or, for Snowplow's JavaScript tracker, its
// snowplow_app_ids), valid only from the app's allowed_origins; see docs/security.md.
//
// CORS: every ingest path answers a preflight (OPTIONS) from an origin some app allows, and
// carries Access-Control-Allow-Origin (that origin, echoed), -Allow-Credentials and Vary on
// every response to such a request, errors included, so a page's script can read why it failed.
//
// Thread-safety: immutable after construction.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "http/auth.h"
#include "http/handler.h"

namespace tracklake {

// The origin of a browser request: its Origin header, or for image and other no-CORS GETs
// (which send none) the scheme://host[:port] of its Referer. "" when neither is there.
std::string_view RequestOrigin(const HttpRequest& request);

class CorsPolicy {
 public:
  explicit CorsPolicy(const std::vector<AppIdentity>& apps);
  bool Allows(std::string_view origin) const { return !origin.empty() && origins_.contains(origin); }
  // Adds the CORS headers for origin (which Allows) to r.
  static void AddHeaders(std::string_view origin, HttpResponse& r);
  // The answer to OPTIONS: 204 with the preflight's own headers (methods, headers, max age) when
  // origin is allowed, 403 otherwise. The origin headers are added to every answer to an allowed
  // origin by the caller (AddHeaders), this one included.
  HttpResponse Preflight(std::string_view origin) const;

 private:
  std::set<std::string, std::less<>> origins_;
};

// How a request proved its application, after the key (or Snowplow app id) was found.
struct Caller {
  const AppIdentity* app = nullptr;  // nullptr with auth disabled
  bool browser = false;              // a browser key or a Snowplow app id: scoped to origins
};

// Why a request is refused: 401 (no key, unknown key), 403 (a browser credential from an origin
// its app does not allow).
struct Refusal {
  unsigned status = 401;
  std::string field;
  std::string message;
};

// The caller of an authenticated key: a browser key must come from one of its app's origins.
// outcome is what Authenticator gave for the key; where names where the key was found, for
// messages ("the Authorization header", "writeKey").
bool CheckCaller(Authenticator::Outcome outcome, const AppIdentity* app, bool browser, std::string_view origin,
                 std::string_view where, Caller& caller, Refusal& refusal);

// The event types a caller may send: the app's browser_event_types for browser callers (when
// set), else its event_types.
const std::vector<std::string>* AllowedEventTypes(const Caller& caller);

}  // namespace tracklake
