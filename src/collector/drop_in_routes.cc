// The drop-in protocols' routes (src/adapt): Segment's HTTP Tracking API and pixel, Snowplow's
// tracker protocol. Each: body limits and parse (adapter), who sends (a key in the Authorization
// header, the query or the body; or Snowplow's aid from an allowed origin), map and validate
// (adapter → Validator::CheckFlat), then the native path's tail (Commit).
#include <fmt/format.h>

#include <algorithm>

#include "adapt/base64url.h"
#include "adapt/query_string.h"
#include "adapt/segment/segment_adapter.h"
#include "adapt/snowplow/snowplow_adapter.h"
#include "collector/collector_handler.h"
#include "common/time_util.h"

namespace tracklake {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view kPixelPrefix = "/v1/pixel/";

}  // namespace

bool CollectorHandler::RouteDropIn(std::string_view target, HttpRequest& request, ConnectionState& connection,
                                   Responder& respond) {
  // Each path: its protocol's reply style, the one method it takes, and the handler.
  ReplyStyle style = ReplyStyle::kSegment;
  http::verb method = http::verb::post;
  std::optional<SegmentCall> segment_call;
  bool pixel = false;
  if (target.starts_with(kPixelPrefix)) {
    segment_call = SegmentCallOf(target.substr(kPixelPrefix.size()));
    if (!segment_call || *segment_call == SegmentCall::kBatch) return false;
    method = http::verb::get;
    pixel = true;
  } else if (target == "/com.snowplowanalytics.snowplow/tp2" || target == "/i" || target == "/ice.png") {
    style = ReplyStyle::kSnowplow;
    pixel = target != "/com.snowplowanalytics.snowplow/tp2";
    if (pixel) method = http::verb::get;
  } else if (target.starts_with("/v1/")) {
    segment_call = SegmentCallOf(target.substr(4));
    if (!segment_call) return false;
  } else {
    return false;
  }
  if (request.method() != method) {
    const bool get = method == http::verb::get;
    HttpResponse r = ErrorReply(style, 405, "", get ? "use GET for this path" : "use POST for this path");
    r.headers.emplace_back("Allow", get ? "GET, OPTIONS" : "POST, OPTIONS");
    Respond(respond, std::move(r));
  } else if (segment_call) {
    IngestSegment(request, connection, respond, static_cast<int>(*segment_call), pixel);
  } else {
    IngestSnowplow(request, connection, respond, pixel);
  }
  return true;
}

void CollectorHandler::IngestSegment(HttpRequest& request, ConnectionState& connection, const Responder& respond,
                                     int call, bool pixel) {
  const auto t0 = std::chrono::steady_clock::now();
  const ReplyStyle style = pixel ? ReplyStyle::kPixel : ReplyStyle::kSegment;
  bytes_in_.Inc(request.body().size());
  std::string_view body;
  std::string decoded;
  if (pixel) {
    // GET /v1/pixel/<call>?data=<base64 of the message>
    QueryParams query;
    query.Parse(QueryOf(request.target()));
    const std::string_view data = query.Get("data");
    if (data.empty()) return Respond(respond, ErrorReply(style, 400, "data", "required: the message as base64 JSON"));
    if (!DecodeBase64Any(data, decoded)) return Respond(respond, ErrorReply(style, 400, "data", "must be base64"));
    body = decoded;
  } else if (auto refused = DecodeBody(request, style, decoded, body)) {
    return Respond(respond, std::move(*refused));
  }
  SegmentRequest segment;
  if (auto e = segment.Parse(static_cast<SegmentCall>(call), body, validator_.rules())) {
    return Respond(respond, ErrorReply(style, e->status, e->field, e->rule));
  }
  // The body's writeKey counts only without a key in the headers: only then is it looked for.
  std::string_view body_key;
  if (request[http::field::authorization].empty()) {
    if (auto e = segment.FindWriteKey(body_key))
      return Respond(respond, ErrorReply(style, e->status, e->field, e->rule));
  }
  Caller caller;
  Refusal refusal;
  if (!ResolveCaller(request, connection, body_key, caller, refusal)) {
    return Respond(respond, ErrorReply(style, refusal.status, refusal.field, refusal.message));
  }
  RequestInfo info;
  info.received_at_ms = NowMillis();
  if (caller.app) {
    info.app_id = caller.app->app_id;
    info.allowed_event_types = AllowedEventTypes(caller);
  }
  ValidatedBody out;
  if (auto e = segment.Emit(validator_, info, out)) {
    return Respond(respond, ErrorReply(style, e->status, e->field, e->rule), caller.app);
  }
  Commit(caller, std::move(out), respond, style, t0);
}

void CollectorHandler::IngestSnowplow(HttpRequest& request, ConnectionState& connection, const Responder& respond,
                                      bool pixel) {
  const auto t0 = std::chrono::steady_clock::now();
  const ReplyStyle style = pixel ? ReplyStyle::kPixel : ReplyStyle::kSnowplow;
  bytes_in_.Inc(request.body().size());
  SnowplowRequest snowplow;
  std::string inflated;
  if (pixel) {
    if (auto e = snowplow.ParseGet(QueryOf(request.target()), validator_.rules())) {
      return Respond(respond, ErrorReply(style, e->status, e->field, e->rule));
    }
  } else {
    std::string_view body;
    if (auto refused = DecodeBody(request, style, inflated, body)) return Respond(respond, std::move(*refused));
    if (auto e = snowplow.ParsePost(body, validator_.rules())) {
      return Respond(respond, ErrorReply(style, e->status, e->field, e->rule));
    }
  }
  Caller caller;
  Refusal refusal;
  const std::vector<std::string>* app_ids = nullptr;
  QueryParams query;
  query.Parse(QueryOf(request.target()));
  if (request[http::field::authorization].empty() && query.Get("writeKey").empty() && auth_.enabled()) {
    // Snowplow's JavaScript tracker sends no key: an app may take its events by their aid, from
    // a page of one of its origins (docs/security.md).
    const AppIdentity* app = auth_.FindSnowplowApp(snowplow.first_app_id());
    const std::string_view origin = RequestOrigin(request);
    if (app == nullptr) {
      return Respond(respond,
                     ErrorReply(style, 401, "aid", "no write key, and no app lists this aid in snowplow_app_ids"));
    }
    if (std::find(app->allowed_origins.begin(), app->allowed_origins.end(), origin) == app->allowed_origins.end()) {
      return Respond(respond,
                     ErrorReply(style, 403, "Origin", "events taken by aid only come from the app's allowed_origins"));
    }
    caller = Caller{app, true};
    app_ids = &app->snowplow_app_ids;
  } else if (!ResolveCaller(request, connection, {}, caller, refusal)) {
    return Respond(respond, ErrorReply(style, refusal.status, refusal.field, refusal.message));
  }
  RequestInfo info;
  info.received_at_ms = NowMillis();
  if (caller.app) {
    info.app_id = caller.app->app_id;
    info.allowed_event_types = AllowedEventTypes(caller);
  }
  const bool anonymous = !request["SP-Anonymous"].empty();
  ValidatedBody out;
  if (auto e = snowplow.Emit(validator_, info, anonymous, app_ids, out)) {
    return Respond(respond, ErrorReply(style, e->status, e->field, e->rule), caller.app);
  }
  Commit(caller, std::move(out), respond, style, t0);
}

}  // namespace tracklake
