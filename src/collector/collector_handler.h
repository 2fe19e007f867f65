// The collector's HTTP face: POST /v1/events (authenticate → decode → validate → write-ahead
// log → answer once durable), the drop-in protocols of src/adapt (Segment's /v1/<call>,
// /v1/batch, /v1/pixel/<call>; Snowplow's /com.snowplowanalytics.snowplow/tp2, /i, /ice.png),
// CORS on every ingest path (browser_access.h), GET /healthz, /readyz and /metrics.
//
// Status codes: 200 some or all events accepted (rejections listed); 400 body unparsable, every
// event rejected, or more than one Authorization header; 401 missing/unknown write key; 404/405 unknown route or
// method; 413 body or decompressed body too large; 415 content type or encoding not supported; 503 + Retry-After when
// the log refuses (queue full, disk budget, shutting down).
//
// Thread-safety: Handle runs concurrently on every server thread; shared state is immutable
// or atomic.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>

#include "collector/app_metrics.h"
#include "collector/browser_access.h"
#include "collector/replies.h"
#include "collector/token_bucket.h"

#include "http/auth.h"
#include "http/handler.h"
#include "metrics/metrics.h"
#include "pipeline/pipeline.h"
#include "validate/validate.h"

namespace tracklake {

struct CollectorLimits {
  uint64_t max_decompressed_bytes = 8 << 20;
};

class CollectorHandler final : public RequestHandler {
 public:
  // All references must outlive the handler. Rate limits come from the authenticator's apps.
  CollectorHandler(const Validator& validator, const Authenticator& auth, Pipeline& pipeline, MetricsRegistry& metrics,
                   CollectorLimits limits);

  void Handle(HttpRequest& request, ConnectionState& connection, Responder respond) override;
  void CountRefused(unsigned status) override;
  void CountAcceptFailure() override;

 private:
  void Ingest(HttpRequest& request, ConnectionState& connection, const Responder& respond);
  // drop_in_routes.cc: the Segment and Snowplow paths; false when target is none of them.
  bool RouteDropIn(std::string_view target, HttpRequest& request, ConnectionState& connection, Responder& respond);
  void IngestSegment(HttpRequest& request, ConnectionState& connection, const Responder& respond, int call,
                     bool pixel);
  void IngestSnowplow(HttpRequest& request, ConnectionState& connection, const Responder& respond, bool pixel);
  // The body as sent or gunzipped into inflated; on failure the refusal.
  std::optional<HttpResponse> DecodeBody(HttpRequest& request, ReplyStyle style, std::string& inflated,
                                         std::string_view& body);
  // Who sends: the Authorization header, else a browser key in ?writeKey=, else body_key.
  bool ResolveCaller(HttpRequest& request, ConnectionState& connection, std::string_view body_key, Caller& caller,
                     Refusal& refusal);
  // The shared tail: rejection metrics, the app's rate limit, the write-ahead log, the answer.
  void Commit(const Caller& caller, ValidatedBody&& out, const Responder& respond, ReplyStyle style,
              std::chrono::steady_clock::time_point t0);
  // app: the authenticated application, counted per app too; nullptr before authentication.
  void Respond(const Responder& respond, HttpResponse response, const AppIdentity* app = nullptr);
  Counter& StatusCounter(unsigned status);

  const Validator& validator_;
  const Authenticator& auth_;
  Pipeline& pipeline_;
  MetricsRegistry& metrics_;
  const CollectorLimits limits_;
  std::map<std::string, std::unique_ptr<TokenBucket>, std::less<>> buckets_;  // by app_id; immutable map

  static constexpr std::array<unsigned, 14> kStatuses = {200, 204, 400, 401, 403, 404, 405,
                                                         408, 413, 415, 429, 431, 500, 503};  // 204: CORS preflights
  std::array<Counter*, kStatuses.size()> status_counters_{};
  Counter& events_accepted_;
  Counter& rate_limited_;
  Counter& bytes_in_;
  Counter& accept_failures_;
  Histogram& request_seconds_;
  AppMetrics app_metrics_;
  const CorsPolicy cors_;  // the origins every app allows together
};

}  // namespace tracklake
