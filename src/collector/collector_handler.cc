#include "collector/collector_handler.h"

#include <fmt/format.h>
#include <chrono>
#include <cmath>

#include "adapt/query_string.h"
#include "common/gzip.h"
#include "common/json_writer.h"
#include "common/time_util.h"

namespace tracklake {

namespace http = boost::beast::http;

namespace {

std::string_view MediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return t;
}

// JSON bodies arrive under several media types in practice: curl -d sends
// application/x-www-form-urlencoded, some SDKs text/plain to avoid CORS preflights.
std::optional<BodyFormat> FormatOf(std::string_view content_type) {
  const std::string_view t = MediaType(content_type);
  if (t.empty() || boost::beast::iequals(t, "application/json") || boost::beast::iequals(t, "text/plain") ||
      boost::beast::iequals(t, "application/x-www-form-urlencoded")) {
    return BodyFormat::kJson;
  }
  if (boost::beast::iequals(t, "application/x-ndjson") || boost::beast::iequals(t, "application/jsonl") ||
      boost::beast::iequals(t, "application/x-jsonlines")) {
    return BodyFormat::kNdjson;
  }
  return std::nullopt;
}

HttpResponse Unavailable(ReplyStyle style, const Status& s) {
  HttpResponse r = ErrorReply(style, 503, "", s.message());
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

// Responses to a page of an allowed origin carry the CORS headers, errors included. Only
// browser requests pay for the wrapper.
Responder WithCors(std::string_view origin, Responder respond) {
  return [origin = std::string(origin), respond = std::move(respond)](HttpResponse r) {
    CorsPolicy::AddHeaders(origin, r);
    respond(std::move(r));
  };
}

bool IsDropInPath(std::string_view target) {
  return target.starts_with("/v1/") || target == "/com.snowplowanalytics.snowplow/tp2" || target == "/i" ||
         target == "/ice.png";
}

}  // namespace

CollectorHandler::CollectorHandler(const Validator& validator, const Authenticator& auth, Pipeline& pipeline,
                                   MetricsRegistry& metrics, CollectorLimits limits)
    : validator_(validator),
      auth_(auth),
      pipeline_(pipeline),
      metrics_(metrics),
      limits_(limits),
      events_accepted_(
          metrics.GetCounter("tracklake_events_accepted_total", "Events accepted into the write-ahead log.")),
      rate_limited_(metrics.GetCounter("tracklake_events_rate_limited_total",
                                       "Events refused with 429 by an application's rate limit.")),
      bytes_in_(metrics.GetCounter("tracklake_http_request_bytes_total",
                                   "Bytes of request bodies received (before decompression).")),
      accept_failures_(metrics.GetCounter("tracklake_http_accept_failures_total",
                                          "Connections that could not be taken (no descriptor or memory left); "
                                          "accepting paused, then resumed.")),
      request_seconds_(metrics.GetHistogram("tracklake_http_request_duration_seconds",
                                            "Time from a complete request to its response being queued.",
                                            LatencyBuckets())),
      app_metrics_(auth.apps(), metrics),
      cors_(auth.apps()) {
  for (const AppIdentity& app : auth.apps()) {
    if (app.rate_limit == 0) continue;
    const double burst = app.rate_burst > 0 ? app.rate_burst : app.rate_limit;
    buckets_.emplace(app.app_id, std::make_unique<TokenBucket>(app.rate_limit, burst));
  }
  for (size_t i = 0; i < kStatuses.size(); ++i) {
    status_counters_[i] = &metrics.GetCounter("tracklake_http_requests_total", "HTTP requests by response status.",
                                              fmt::format("status=\"{}\"", kStatuses[i]));
  }
}

Counter& CollectorHandler::StatusCounter(unsigned status) {
  for (size_t i = 0; i < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) return *status_counters_[i];
  }
  return metrics_.GetCounter("tracklake_http_requests_total", "HTTP requests by response status.",
                             fmt::format("status=\"{}\"", status));
}

void CollectorHandler::CountRefused(unsigned status) { StatusCounter(status).Inc(); }

void CollectorHandler::CountAcceptFailure() { accept_failures_.Inc(); }

void CollectorHandler::Respond(const Responder& respond, HttpResponse response, const AppIdentity* app) {
  StatusCounter(response.status).Inc();
  app_metrics_.CountResponse(app, response.status);
  respond(std::move(response));
}

void CollectorHandler::Handle(HttpRequest& request, ConnectionState& connection, Responder respond) {
  std::string_view target = request.target();
  target = target.substr(0, target.find('?'));
  const bool get = request.method() == http::verb::get || request.method() == http::verb::head;
  const bool events = target == "/v1/events";
  if (events || IsDropInPath(target)) {
    const std::string_view origin = request[http::field::origin];
    if (!origin.empty() && cors_.Allows(origin)) respond = WithCors(origin, std::move(respond));
    if (request.method() == http::verb::options) return Respond(respond, cors_.Preflight(origin));
    if (!events) {
      if (RouteDropIn(target, request, connection, respond)) return;
      return Respond(respond, ErrorResponse(404, "no such endpoint; events go to POST /v1/events"));
    }
    if (request.method() != http::verb::post) {
      HttpResponse r = ErrorResponse(405, "use POST for /v1/events");
      r.headers.emplace_back("Allow", "POST, OPTIONS");
      return Respond(respond, std::move(r));
    }
    return Ingest(request, connection, respond);
  }
  if (target == "/healthz" && get) return Respond(respond, MakeResponse(200, R"({"status":"ok"})"));
  if (target == "/readyz" && get) {
    const Status ready = pipeline_.Readiness();
    if (ready.ok()) return Respond(respond, MakeResponse(200, R"({"status":"ready"})"));
    return Respond(respond, Unavailable(ReplyStyle::kNative, ready));
  }
  if (target == "/metrics" && get) {
    return Respond(respond, MakeResponse(200, metrics_.Render(), "text/plain; version=0.0.4; charset=utf-8"));
  }
  Respond(respond, ErrorResponse(404, "no such endpoint; events go to POST /v1/events"));
}

bool CollectorHandler::ResolveCaller(HttpRequest& request, ConnectionState& connection, std::string_view body_key,
                                     Caller& caller, Refusal& refusal) {
  const AppIdentity* app = nullptr;
  // One lookup finds the header and any second one. Which of two keys would count is up to each
  // proxy and server on the way: none is trusted.
  const auto [authorization, after] = request.equal_range(http::field::authorization);
  if (authorization != after && std::next(authorization) != after) {
    refusal = {400, "Authorization", "more than one Authorization header: send exactly one write key"};
    return false;
  }
  const std::string_view key_header = authorization != after ? std::string_view(authorization->value())
                                                             : std::string_view();
  bool browser = false;
  std::string_view where = "Authorization";
  Authenticator::Outcome outcome = auth_.Authenticate(key_header, &app, &connection.auth, &browser);
  if (outcome == Authenticator::Outcome::kMissing) {
    // A page's sendBeacon or image cannot set headers: its browser key rides in the URL.
    QueryParams query;
    const std::string_view q = QueryOf(request.target());
    if (!q.empty()) query.Parse(q);
    std::string_view key = query.Get("writeKey");
    where = "writeKey";
    const bool from_query = !key.empty();
    if (!from_query) key = body_key;
    outcome = auth_.AuthenticateKey(key, &app, &browser);
    if (outcome == Authenticator::Outcome::kOk && from_query && !browser && app != nullptr) {
      refusal = {401, "writeKey",
                 "a server key goes in the Authorization header (URLs end up in logs); pages use a "
                 "browser key"};
      return false;
    }
  }
  return CheckCaller(outcome, app, browser, browser ? RequestOrigin(request) : std::string_view{}, where, caller,
                     refusal);
}

std::optional<HttpResponse> CollectorHandler::DecodeBody(HttpRequest& request, ReplyStyle style, std::string& inflated,
                                                         std::string_view& body) {
  body = request.body();
  const std::string_view encoding = request[http::field::content_encoding];
  if (boost::beast::iequals(encoding, "gzip")) {
    Status s = GunzipBounded(body, limits_.max_decompressed_bytes, inflated);
    if (!s.ok()) {
      const bool too_big = s.reason() == Status::Reason::kTooLarge;
      return ErrorReply(style, too_big ? 413 : 400, "Content-Encoding",
                        too_big ? s.message() + " (server.max_decompressed_bytes)" : s.message());
    }
    body = inflated;
  } else if (!encoding.empty() && !boost::beast::iequals(encoding, "identity")) {
    return ErrorReply(style, 415, "Content-Encoding",
                      fmt::format("unsupported content encoding '{}': send gzip or none", encoding));
  }
  return std::nullopt;
}

void CollectorHandler::Ingest(HttpRequest& request, ConnectionState& connection, const Responder& respond) {
  const auto t0 = std::chrono::steady_clock::now();
  bytes_in_.Inc(request.body().size());
  Caller caller;
  Refusal refusal;
  if (!ResolveCaller(request, connection, {}, caller, refusal)) {
    return Respond(respond, ErrorResponse(refusal.status, refusal.message));
  }
  const std::string_view content_type = request[http::field::content_type];
  const std::optional<BodyFormat> format = FormatOf(content_type);
  if (!format) {
    return Respond(respond,
                   ErrorResponse(415, fmt::format("unsupported content type '{}': send application/json "
                                                  "or application/x-ndjson",
                                                  MediaType(content_type))),
                   caller.app);
  }
  std::string_view body;
  std::string inflated;
  if (auto refused = DecodeBody(request, ReplyStyle::kNative, inflated, body))
    return Respond(respond, std::move(*refused), caller.app);

  RequestInfo info;
  info.received_at_ms = NowMillis();
  if (caller.app) {
    info.app_id = caller.app->app_id;
    info.allowed_event_types = AllowedEventTypes(caller);
  }
  ValidatedBody out;
  if (Status s = validator_.Parse(body, *format, info, out); !s.ok()) {
    return Respond(respond, ErrorResponse(400, s.message()), caller.app);
  }
  Commit(caller, std::move(out), respond, ReplyStyle::kNative, t0);
}

void CollectorHandler::Commit(const Caller& caller, ValidatedBody&& out, const Responder& respond, ReplyStyle style,
                              std::chrono::steady_clock::time_point t0) {
  for (const Rejection& r : out.rejected) {
    metrics_
        .GetCounter("tracklake_events_rejected_total", "Events rejected by validation, by rule.",
                    "reason=\"" + LabelValue(r.error) + "\"")
        .Inc();
  }
  const AppIdentity* app = caller.app;
  if (app) {
    if (auto it = buckets_.find(app->app_id); it != buckets_.end()) {
      const double now_s = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
      double retry_after = 0;
      if (!it->second->TryTake(out.spans.size(), now_s, retry_after)) {
        rate_limited_.Inc(out.spans.size());
        HttpResponse r = ErrorReply(style, 429, "",
                                    fmt::format("application {} is over its rate limit of {} events/s", app->app_id,
                                                app->rate_limit));
        r.headers.emplace_back("Retry-After", std::to_string(static_cast<int64_t>(std::ceil(retry_after))));
        return Respond(respond, std::move(r), app);
      }
    }
  }
  if (out.spans.empty()) return Respond(respond, AcceptedReply(style, 0, {}), app);

  const uint32_t accepted = out.accepted;
  // respond by an init-capture: a plain copy of a const reference would make a const member, which
  // every move of the callback copies again (an allocation and a clone each).
  Status s = pipeline_.Ingest(std::move(out.records), std::move(out.spans), out.client_ids,
                              [this, respond = Responder(respond), app, accepted, style,
                               rejected = std::move(out.rejected), t0](const Status& st, uint32_t duplicates) {
                                if (!st.ok()) return Respond(respond, Unavailable(style, st), app);
                                // Duplicates are answered as accepted (the client's earlier attempt
                                // was) but were not written again.
                                events_accepted_.Inc(accepted - duplicates);
                                app_metrics_.CountAccepted(app, accepted - duplicates);
                                // Nothing accepted: a client error, though its evidence is kept.
                                Respond(respond, AcceptedReply(style, accepted, rejected), app);
                                request_seconds_.Observe(
                                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
                              });
  if (!s.ok()) Respond(respond, Unavailable(style, s), app);
}

}  // namespace tracklake
