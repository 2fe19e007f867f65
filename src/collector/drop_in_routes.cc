// The drop-in protocols' routes (src/adapt): Segment's HTTP Tracking API and pixel, Snowplow's
// tracker protocol. Each: body limits and parse (adapter), who sends (a key in the Authorization
// header, the query or the body; or Snowplow's aid from an allowed origin), map and validate
// (adapter → Validator::CheckFlat), then the native path's tail (Commit).
#include <fmt/format.h>

#include "adapt/base64url.h"
#include "adapt/query_string.h"
#include "adapt/segment/segment_adapter.h"
#include "collector/collector_handler.h"
#include "common/time_util.h"

namespace tracklake {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view kPixelPrefix = "/v1/pixel/";

}  // namespace

bool CollectorHandler::RouteDropIn(std::string_view target, HttpRequest& request, ConnectionState& connection,
                                   Responder& respond) {
  const bool post = request.method() == http::verb::post;
  const bool get = request.method() == http::verb::get;
  if (target.starts_with(kPixelPrefix)) {
    const std::optional<SegmentCall> call = SegmentCallOf(target.substr(kPixelPrefix.size()));
    if (!call || *call == SegmentCall::kBatch) return false;
    if (!get) {
      HttpResponse r = ErrorReply(ReplyStyle::kSegment, 405, "", "use GET for the pixel API");
      r.headers.emplace_back("Allow", "GET, OPTIONS");
      Respond(respond, std::move(r));
      return true;
    }
    IngestSegment(request, connection, std::move(respond), static_cast<int>(*call), true);
    return true;
  }
  if (target.starts_with("/v1/")) {
    const std::optional<SegmentCall> call = SegmentCallOf(target.substr(4));
    if (!call) return false;
    if (!post) {
      HttpResponse r = ErrorReply(ReplyStyle::kSegment, 405, "", "use POST for Segment's HTTP Tracking API");
      r.headers.emplace_back("Allow", "POST, OPTIONS");
      Respond(respond, std::move(r));
      return true;
    }
    IngestSegment(request, connection, std::move(respond), static_cast<int>(*call), false);
    return true;
  }
  return false;
}

void CollectorHandler::IngestSegment(HttpRequest& request, ConnectionState& connection, Responder respond, int call,
                                     bool pixel) {
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
  Caller caller;
  Refusal refusal;
  if (!ResolveCaller(request, connection, segment.write_key(), caller, refusal)) {
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
    return Respond(respond, ErrorReply(style, e->status, e->field, e->rule));
  }
  Commit(caller, std::move(out), respond, style, t0);
}

void CollectorHandler::IngestSnowplow(HttpRequest&, ConnectionState&, Responder respond, bool) {
  Respond(respond, ErrorReply(ReplyStyle::kSnowplow, 404, "", "not yet"));
}

}  // namespace tracklake
