#include "collector/browser_access.h"

#include <algorithm>

namespace tracklake {

namespace http = boost::beast::http;

std::string_view RequestOrigin(const HttpRequest& request) {
  const std::string_view origin = request[http::field::origin];
  if (!origin.empty()) return origin;
  const std::string_view referer = request[http::field::referer];
  const size_t scheme_end = referer.find("://");
  if (scheme_end == std::string_view::npos) return {};
  const size_t path = referer.find_first_of("/?#", scheme_end + 3);
  return referer.substr(0, path);
}

CorsPolicy::CorsPolicy(const std::vector<AppIdentity>& apps) {
  for (const AppIdentity& app : apps) origins_.insert(app.allowed_origins.begin(), app.allowed_origins.end());
}

void CorsPolicy::AddHeaders(std::string_view origin, HttpResponse& r) {
  // The origin is one of the configured ones (Allows), never a client's bytes as such.
  r.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  r.headers.emplace_back("Access-Control-Allow-Credentials", "true");
  r.headers.emplace_back("Vary", "Origin");
}

HttpResponse CorsPolicy::Preflight(std::string_view origin) const {
  if (!Allows(origin)) {
    return ErrorResponse(403, origin.empty() ? "a preflight needs an Origin header"
                                             : "origin not allowed: add it to an app's allowed_origins");
  }
  HttpResponse r = MakeResponse(204, "");  // the origin headers come with every answer to origin
  r.headers.emplace_back("Access-Control-Allow-Methods", "POST, GET, OPTIONS");
  r.headers.emplace_back("Access-Control-Allow-Headers", "Content-Type, Authorization, SP-Anonymous");
  // Browsers cap it (Chromium at 2 hours); a day asks for as long as they allow.
  r.headers.emplace_back("Access-Control-Max-Age", "86400");
  return r;
}

bool CheckCaller(Authenticator::Outcome outcome, const AppIdentity* app, bool browser, std::string_view origin,
                 std::string_view where, Caller& caller, Refusal& refusal) {
  switch (outcome) {
    case Authenticator::Outcome::kOk: break;
    case Authenticator::Outcome::kMissing:
      refusal = {401, "",
                 "missing write key: send 'Authorization: Bearer <write key>' (pages: a browser key as ?writeKey=)"};
      return false;
    case Authenticator::Outcome::kMalformed:
      refusal = {401, std::string(where),
                 "Authorization must be 'Bearer <write key>' or Basic with the key as user name"};
      return false;
    case Authenticator::Outcome::kUnknown: refusal = {401, std::string(where), "unknown write key"}; return false;
  }
  caller.app = app;
  caller.browser = browser;
  if (browser && app != nullptr &&
      std::find(app->allowed_origins.begin(), app->allowed_origins.end(), origin) == app->allowed_origins.end()) {
    refusal = {403, "Origin",
               origin.empty() ? "a browser key is valid only from a page (an Origin or Referer header)"
                              : "a browser key is valid only from its app's allowed_origins"};
    return false;
  }
  return true;
}

const std::vector<std::string>* AllowedEventTypes(const Caller& caller) {
  if (caller.app == nullptr) return nullptr;
  if (caller.browser && !caller.app->browser_event_types.empty()) return &caller.app->browser_event_types;
  return &caller.app->event_types;
}

}  // namespace tracklake
