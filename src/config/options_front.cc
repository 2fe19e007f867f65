// The option table's sections of the collector's front: [node], [server], [auth], [apps.<app_id>]
// and [validation] (option_builder.h).
#include "config/option_builder.h"

#include "config/name_rules.h"
#include "config/option_binding.h"
#include "config/option_value.h"

namespace tracklake::config_internal {
namespace {

constexpr EnumName<AuthMode> kAuthModeNames[] = {
    {"keys", AuthMode::kKeys},
    {"none", AuthMode::kNone},
};
constexpr EnumName<TlsVersion> kTlsVersionNames[] = {
    {"1.2", TlsVersion::kTls12},
    {"1.3", TlsVersion::kTls13},
};

// while leaving room for any deployment we can imagine.
constexpr int64_t kMaxThreads = 64;
constexpr int64_t kMinBodyBytes = kKiB;
constexpr int64_t kMaxBodyBytes = 64 * kMiB;
constexpr int64_t kMaxDecompressedBytes = kGiB;
constexpr int64_t kMaxConnections = 1'000'000;
constexpr int64_t kMaxRateLimit = 100'000'000;
constexpr int64_t kMaxFields = 10'000;
constexpr int64_t kMinEventBytes = 256;
constexpr int64_t kMaxEventBytes = 16 * kMiB;
constexpr int64_t kMaxEventsPerRequest = 1'000'000;

}  // namespace

std::vector<OptionSpec> NodeSection() {
  return {
      Option("node", "id")
          .String(CheckId, kIdRule)
          .DefaultText("the host name")
          .Doc("Names this collector in every file and object it writes (with its log's id), so "
               "the files of collectors sharing a bucket are told apart.")
          .Bind(BindField<&Config::node, &Config::Node::id>()),
  };
}

std::vector<OptionSpec> ServerSection() {
  return {
      Option("server", "listen")
          .String(CheckListen, kListenRule)
          .Doc("Address the HTTP server listens on; IPv6 as [::1]:8080; port 0 picks a free port.")
          .Bind(BindField<&Config::server, &Config::Server::listen>()),
      Option("server", "threads")
          .Integer(0, kMaxThreads)
          .Doc("HTTP worker threads; 0 means one per CPU this process may run on (its affinity mask).")
          .Bind(BindField<&Config::server, &Config::Server::threads>()),
      Option("server", "max_body_bytes")
          .Bytes(kMinBodyBytes, kMaxBodyBytes)
          .Doc("Largest request body accepted as sent (413 beyond).")
          .Bind(BindField<&Config::server, &Config::Server::max_body_bytes>()),
      Option("server", "max_decompressed_bytes")
          .Bytes(kMinBodyBytes, kMaxDecompressedBytes)
          .Doc("Largest body after gzip decompression (413 beyond): a guard against gzip bombs.")
          .Bind(BindField<&Config::server, &Config::Server::max_decompressed_bytes>()),
      Option("server", "header_timeout")
          .Seconds(1, kMaxTimeoutSeconds)
          .Doc("Time allowed from connecting (TLS handshake included) to the end of the first request's "
               "headers; a request cut at it is answered 408, then the connection closes.")
          .Bind(BindField<&Config::server, &Config::Server::header_timeout_s>()),
      Option("server", "body_timeout")
          .Seconds(1, kMaxTimeoutSeconds)
          .Doc("Time allowed to receive the request body; a request cut at it is answered 408.")
          .Bind(BindField<&Config::server, &Config::Server::body_timeout_s>()),
      Option("server", "idle_timeout")
          .Seconds(1, kMaxTimeoutSeconds)
          .Doc("A keep-alive connection idle this long is closed; a next request begun and not finished by "
               "then is answered 408.")
          .Bind(BindField<&Config::server, &Config::Server::idle_timeout_s>()),
      Option("server", "shutdown_timeout")
          .Seconds(0, kMaxTimeoutSeconds)
          .Doc("On SIGTERM/SIGINT the listener closes at once and requests in flight are waited for this long: "
               "each gets its answer (requests that complete during the wait get 503 with Retry-After and "
               "Connection: close); then every connection closes and sink.shutdown_timeout begins. The default "
               "and sink.shutdown_timeout's add up to 25 s, inside the 30 s that Kubernetes "
               "(terminationGracePeriodSeconds) and ECS (stopTimeout) allow before SIGKILL.")
          .Bind(BindField<&Config::server, &Config::Server::shutdown_timeout_s>()),
      Option("server", "max_connections")
          .Integer(1, kMaxConnections)
          .Doc("Open connections beyond this are refused (the client sees its connection closed). At start "
               "the collector raises its open-files limit to the hard limit; if even that cannot hold this many "
               "connections and 256 more descriptors for the log, the lake and the sinks (a quarter of a limit "
               "under 1024), it lowers this value and logs a warning.")
          .Bind(BindField<&Config::server, &Config::Server::max_connections>()),
      Option("server", "tls_cert")
          .String()
          .Doc("PEM file of the TLS certificate chain (leaf first). With server.tls_key the listener "
               "speaks HTTPS only; give both or neither (empty: plain HTTP). Read at start-up.")
          .Bind(BindField<&Config::server, &Config::Server::tls_cert>()),
      Option("server", "tls_key")
          .String()
          .Doc("PEM file of the private key of the certificate in server.tls_cert (unencrypted; "
               "readable by the collector only). Read at start-up.")
          .Bind(BindField<&Config::server, &Config::Server::tls_key>()),
      Option("server", "tls_min_version")
          .Enum(NamesOf<kTlsVersionNames>())
          .Doc("Oldest TLS version accepted; older clients fail the handshake.")
          .Bind(BindEnum<&Config::server, &Config::Server::tls_min_version, kTlsVersionNames>()),
  };
}

std::vector<OptionSpec> AuthSection() {
  return {
      Option("auth", "mode")
          .Enum(NamesOf<kAuthModeNames>())
          .Doc("\"keys\": every request needs the write key of an app of the [apps] tables; "
               "\"none\": no authentication (local development only).")
          .Bind(BindEnum<&Config::auth, &Config::Auth::mode, kAuthModeNames>()),
  };
}

std::vector<OptionSpec> AppsSection() {
  return {
      Option("apps.<app_id>", "key")
          .Scope(OptionScope::kPerApp)
          .String(CheckNonEmpty, kNonEmptyRule)
          .Secret()
          .Doc("The app's write key, sent by clients. Only its SHA-256 is kept in memory. "
               "Give exactly one of key and key_sha256."),
      Option("apps.<app_id>", "key_sha256")
          .Scope(OptionScope::kPerApp)
          .String(CheckSha256Hex, kSha256HexRule)
          .Secret()
          .Doc("SHA-256 of the write key in hex, so the file need not hold the key itself."),
      Option("apps.<app_id>", "event_types")
          .Scope(OptionScope::kPerApp)
          .StringList(CheckEventType, kEventTypeRule)
          .DefaultText("any")
          .Doc("Event types the app may send; others are rejected. Omit to allow any."),
      Option("apps.<app_id>", "rate_limit")
          .Scope(OptionScope::kPerApp)
          .Integer(0, kMaxRateLimit)
          .Doc("Events per second the app may send (token bucket); beyond it requests get 429 with "
               "Retry-After. 0: unlimited."),
      Option("apps.<app_id>", "rate_burst")
          .Scope(OptionScope::kPerApp)
          .Integer(0, kMaxRateLimit)
          .Doc("Events the app may send at once above its rate (bucket size). 0: one second's worth."),
      Option("apps.<app_id>", "browser_keys")
          .Scope(OptionScope::kPerApp)
          .StringList(CheckBrowserKey, kBrowserKeyRule)
          .Secret()
          .DefaultText("none")
          .Doc("Write keys for web pages, which cannot keep a secret: accepted in the Authorization header, "
               "the query string (?writeKey=) or the body (Segment's writeKey), only from an Origin (or, for "
               "image requests, a Referer) listed in allowed_origins, only for browser_event_types when set, "
               "under the app's rate limit. See docs/security.md."),
      Option("apps.<app_id>", "allowed_origins")
          .Scope(OptionScope::kPerApp)
          .StringList(CheckOrigin, kOriginRule)
          .DefaultText("none")
          .Doc("Web origins whose pages may send with the app's browser keys or snowplow_app_ids; browsers get "
               "CORS headers (preflight included) for these origins only. Exact matches, as browsers send them."),
      Option("apps.<app_id>", "browser_event_types")
          .Scope(OptionScope::kPerApp)
          .StringList(CheckEventType, kEventTypeRule)
          .DefaultText("event_types")
          .Doc("Event types pages may send with a browser key or by Snowplow app id; others are rejected. "
               "Omit to allow what event_types allows."),
      Option("apps.<app_id>", "snowplow_app_ids")
          .Scope(OptionScope::kPerApp)
          .StringList(CheckNonEmpty, kNonEmptyRule)
          .DefaultText("none")
          .Doc("Snowplow JavaScript trackers send no key: their events are accepted for this app when their "
               "aid (the tracker's appId) is listed here and the page's origin is in allowed_origins. Each id "
               "belongs to one app."),
  };
}

std::vector<OptionSpec> ValidationSection() {
  return {
      Option("validation", "coerce_scalars")
          .Bool()
          .Doc("Turn numbers and booleans into strings instead of rejecting the event.")
          .Bind(BindField<&Config::validation, &Config::Validation::coerce_scalars>()),
      Option("validation", "max_fields")
          .Integer(1, kMaxFields)
          .Doc("Most fields one event may have, event_type included.")
          .Bind(BindField<&Config::validation, &Config::Validation::max_fields>()),
      Option("validation", "max_event_bytes")
          .Bytes(kMinEventBytes, kMaxEventBytes)
          .Doc("Largest JSON text of one event.")
          .Bind(BindField<&Config::validation, &Config::Validation::max_event_bytes>()),
      Option("validation", "max_events_per_request")
          .Integer(1, kMaxEventsPerRequest)
          .Doc("Most events in one request body.")
          .Bind(BindField<&Config::validation, &Config::Validation::max_events_per_request>()),
  };
}

}  // namespace tracklake::config_internal
