#include "collector/collector_handler.h"

#include <chrono>
#include <cmath>
#include <fmt/format.h>

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

std::string AcceptedBody(uint32_t accepted, const std::vector<Rejection>& rejected) {
  // Every response has one: integers by format_int, not the general formatter.
  std::string body = "{\"accepted\":";
  body += fmt::format_int(accepted).c_str();
  body += ",\"rejected\":[";
  for (size_t i = 0; i < rejected.size(); ++i) {
    if (i > 0) body.push_back(',');
    body += "{\"index\":";
    body += fmt::format_int(rejected[i].index).c_str();
    body += ",\"field\":";
    AppendJsonString(body, rejected[i].field);
    body += ",\"error\":";
    AppendJsonString(body, rejected[i].error);
    body.push_back('}');
  }
  body += "]}";
  return body;
}

HttpResponse Unavailable(const Status& s) {
  HttpResponse r = ErrorResponse(503, s.message());
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace

CollectorHandler::CollectorHandler(const Validator& validator, const Authenticator& auth, Pipeline& pipeline,
                                   MetricsRegistry& metrics, CollectorLimits limits)
    : validator_(validator),
      auth_(auth),
      pipeline_(pipeline),
      metrics_(metrics),
      limits_(limits),
      events_accepted_(metrics.GetCounter("tracklake_events_accepted_total", "Events accepted into the write-ahead log.")),
      rate_limited_(metrics.GetCounter("tracklake_events_rate_limited_total", "Events refused with 429 by an application's rate limit.")),
      bytes_in_(metrics.GetCounter("tracklake_http_request_bytes_total", "Bytes of request bodies received (before decompression).")),
      accept_failures_(metrics.GetCounter("tracklake_http_accept_failures_total",
                                          "Connections that could not be taken (no descriptor or memory left); "
                                          "accepting paused, then resumed.")),
      request_seconds_(metrics.GetHistogram("tracklake_http_request_duration_seconds",
                                            "Time from a complete request to its response being queued.",
                                            LatencyBuckets())),
      app_metrics_(auth.apps(), metrics) {
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
  if (target == "/v1/events") {
    if (request.method() != http::verb::post) {
      HttpResponse r = ErrorResponse(405, "use POST for /v1/events");
      r.headers.emplace_back("Allow", "POST");
      return Respond(respond, std::move(r));
    }
    return Ingest(request, connection, std::move(respond));
  }
  if (target == "/healthz" && get) return Respond(respond, MakeResponse(200, R"({"status":"ok"})"));
  if (target == "/readyz" && get) {
    const Status ready = pipeline_.Readiness();
    if (ready.ok()) return Respond(respond, MakeResponse(200, R"({"status":"ready"})"));
    return Respond(respond, Unavailable(ready));
  }
  if (target == "/metrics" && get) {
    return Respond(respond, MakeResponse(200, metrics_.Render(), "text/plain; version=0.0.4; charset=utf-8"));
  }
  Respond(respond, ErrorResponse(404, "no such endpoint; events go to POST /v1/events"));
}

void CollectorHandler::Ingest(HttpRequest& request, ConnectionState& connection, Responder respond) {
  const auto t0 = std::chrono::steady_clock::now();
  bytes_in_.Inc(request.body().size());
  const AppIdentity* app = nullptr;
  // One lookup finds the header and any second one. Which of two keys would count is up to each
  // proxy and server on the way: none is trusted.
  const auto [authorization, after] = request.equal_range(http::field::authorization);
  if (authorization != after && std::next(authorization) != after) {
    return Respond(respond, ErrorResponse(400, "more than one Authorization header: send exactly one write key"));
  }
  const std::string_view key_header = authorization != after ? std::string_view(authorization->value()) : std::string_view();
  switch (auth_.Authenticate(key_header, &app, &connection.auth)) {
    case Authenticator::Outcome::kOk: break;
    case Authenticator::Outcome::kMissing:
      return Respond(respond, ErrorResponse(401, "missing write key: send 'Authorization: Bearer <write key>'"));
    case Authenticator::Outcome::kMalformed:
      return Respond(respond, ErrorResponse(401, "Authorization must be 'Bearer <write key>' or Basic with the key as user name"));
    case Authenticator::Outcome::kUnknown: return Respond(respond, ErrorResponse(401, "unknown write key"));
  }
  const std::string_view content_type = request[http::field::content_type];
  const std::optional<BodyFormat> format = FormatOf(content_type);
  if (!format) {
    return Respond(respond, ErrorResponse(415, fmt::format("unsupported content type '{}': send application/json "
                                                           "or application/x-ndjson", MediaType(content_type))), app);
  }
  std::string_view body = request.body();
  std::string inflated;
  const std::string_view encoding = request[http::field::content_encoding];
  if (boost::beast::iequals(encoding, "gzip")) {
    Status s = GunzipBounded(body, limits_.max_decompressed_bytes, inflated);
    if (!s.ok()) {
      const bool too_big = s.message().find("exceeds") != std::string::npos;
      return Respond(respond, ErrorResponse(too_big ? 413 : 400,
                                            too_big ? s.message() + " (server.max_decompressed_bytes)" : s.message()), app);
    }
    body = inflated;
  } else if (!encoding.empty() && !boost::beast::iequals(encoding, "identity")) {
    return Respond(respond, ErrorResponse(415, fmt::format("unsupported content encoding '{}': send gzip or none", encoding)), app);
  }

  RequestInfo info;
  info.received_at_ms = NowMillis();
  if (app) {
    info.app_id = app->app_id;
    info.allowed_event_types = &app->event_types;
  }
  ValidatedBody out;
  if (Status s = validator_.Parse(body, *format, info, out); !s.ok()) {
    return Respond(respond, ErrorResponse(400, s.message()), app);
  }
  for (const Rejection& r : out.rejected) {
    metrics_.GetCounter("tracklake_events_rejected_total", "Events rejected by validation, by rule.",
                        "reason=\"" + LabelValue(r.error) + "\"").Inc();
  }
  if (app) {
    if (auto it = buckets_.find(app->app_id); it != buckets_.end()) {
      const double now_s = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
      double retry_after = 0;
      if (!it->second->TryTake(out.spans.size(), now_s, retry_after)) {
        rate_limited_.Inc(out.spans.size());
        HttpResponse r = ErrorResponse(429, fmt::format("application {} is over its rate limit of {} events/s",
                                                        app->app_id, app->rate_limit));
        r.headers.emplace_back("Retry-After", std::to_string(static_cast<int64_t>(std::ceil(retry_after))));
        return Respond(respond, std::move(r), app);
      }
    }
  }
  if (out.spans.empty()) return Respond(respond, MakeResponse(200, AcceptedBody(0, {})), app);

  std::vector<Wal::Span> spans;
  spans.reserve(out.spans.size());
  for (const auto& s : out.spans) spans.push_back(Wal::Span{s.offset, s.size});
  const uint32_t accepted = out.accepted;
  Status s = pipeline_.Ingest(std::move(out.records), std::move(spans),
                              [this, respond, app, accepted, rejected = std::move(out.rejected), t0](const Status& st) {
                                if (!st.ok()) return Respond(respond, Unavailable(st), app);
                                events_accepted_.Inc(accepted);
                                app_metrics_.CountAccepted(app, accepted);
                                // Nothing accepted: a client error, though its evidence is kept.
                                const unsigned status = accepted == 0 ? 400 : 200;
                                Respond(respond, MakeResponse(status, AcceptedBody(accepted, rejected)), app);
                                request_seconds_.Observe(std::chrono::duration<double>(
                                    std::chrono::steady_clock::now() - t0).count());
                              });
  if (!s.ok()) Respond(respond, Unavailable(s), app);
}

}  // namespace tracklake
