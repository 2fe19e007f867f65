// Tracker: Create/FromEnv check the options; Track builds the event's line, runs the collector's
// validator over exactly those bytes, and queues it (send_queue.h does the rest).
#include <cstdlib>
#include <string>

#include "client/event_line.h"
#include "client/send_queue.h"
#include "common/time_util.h"
#include "common/version.h"
#include "event/names.h"
#include "tracklake/client.h"
#include "validate/field_rules.h"
#include "validate/validate.h"

namespace tracklake::client {
namespace {

ValidationRules RulesOf(const TrackerOptions& o) {
  ValidationRules rules;
  rules.max_fields = o.max_fields;
  rules.max_event_bytes = o.max_event_bytes;
  return rules;
}

std::string CheckOptions(const TrackerOptions& o) {
  if (o.app_id.empty()) return "app_id is required";
  if (o.event_types.empty()) return "event_types must list the event types this service sends";
  for (const std::string& t : o.event_types) {
    if (!IsValidEventType(t) || t.front() == '_') {
      return "event type '" + t + "' does not match [a-z0-9_]{1,64} (and may not start with '_')";
    }
  }
  if (o.batch_events == 0 || o.batch_bytes == 0) return "batch_events and batch_bytes must be positive";
  if (o.batch_events > o.max_queue_events || o.batch_bytes >= o.max_queue_bytes) {
    return "a batch must be smaller than the queue";
  }
  if (o.max_fields == 0 || o.max_fields >= 65'533) return "max_fields must be 1 to 65,532";
  return "";
}

}  // namespace

struct Tracker::Impl {
  explicit Impl(TrackerOptions o, std::unique_ptr<CollectorSender> sender)
      : options(std::move(o)), validator(RulesOf(options)), queue(options, std::move(sender)) {}
  TrackerOptions options;
  Validator validator;
  SendQueue queue;
};

std::string_view Version() { return kTracklakeVersion; }

Tracker::Tracker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Tracker::~Tracker() { Close(impl_->options.close_timeout); }

std::unique_ptr<Tracker> Tracker::Create(TrackerOptions options, std::string* error) {
  std::string problem = CheckOptions(options);
  Result<std::unique_ptr<CollectorSender>> sender = Status::Ok();
  if (problem.empty()) {
    sender = CollectorSender::Create(options);
    if (!sender.ok()) problem = sender.status().message();
  }
  if (!problem.empty()) {
    if (error != nullptr) *error = problem;
    return nullptr;
  }
  return std::unique_ptr<Tracker>(new Tracker(std::make_unique<Impl>(std::move(options), std::move(*sender))));
}

std::unique_ptr<Tracker> Tracker::FromEnv(std::string* error, TrackerOptions defaults) {
  auto get = [](const char* name) -> const char* {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? v : nullptr;
  };
  if (const char* v = get("TRACKLAKE_APP_ID")) defaults.app_id = v;
  if (const char* v = get("TRACKLAKE_EVENT_TYPES")) {
    defaults.event_types.clear();
    std::string_view list(v);
    while (!list.empty()) {
      const size_t comma = list.find(',');
      std::string_view item = list.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty()) defaults.event_types.emplace_back(item);
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
  }
  if (const char* v = get("TRACKLAKE_ENDPOINT")) defaults.endpoint = v;
  if (const char* v = get("TRACKLAKE_WRITE_KEY")) defaults.write_key = v;
  if (const char* v = get("TRACKLAKE_CA_FILE")) defaults.ca_file = v;
  if (const char* v = get("TRACKLAKE_BATCH_AGE")) {
    char* end = nullptr;
    const double seconds = std::strtod(v, &end);
    if (end == v || *end != '\0' || !(seconds > 0) || seconds > 3600) {
      if (error != nullptr) *error = "TRACKLAKE_BATCH_AGE must be seconds between 0 and 3600";
      return nullptr;
    }
    defaults.batch_age = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  }
  if (const char* v = get("TRACKLAKE_MODE"); v != nullptr && std::string_view(v) != "collector") {
    if (error != nullptr) *error = "the C++ tracker sends to a collector only (TRACKLAKE_MODE=collector)";
    return nullptr;
  }
  return Create(std::move(defaults), error);
}

TrackResult Tracker::Track(std::string_view event_type, std::initializer_list<Field> fields) {
  return Track(event_type, fields.begin(), fields.size());
}

TrackResult Tracker::Track(std::string_view event_type, const Field* fields, size_t count) {
  // Per-thread buffers keep their capacity: a warm thread allocates only the queued copy.
  thread_local std::string line;
  thread_local ValidatedBody checked;
  const TrackerOptions& o = impl_->options;
  TrackResult result;
  line.clear();
  const int64_t now_ms = NowMillis();
  AppendEventLine(line, event_type, fields, count, LineDefaults{o.app_id, now_ms, o.stamp_event_time},
                  result.event_id);

  RequestInfo info;
  info.app_id = o.app_id;
  info.received_at_ms = now_ms;
  info.allowed_event_types = &o.event_types;
  const Status parsed = impl_->validator.Parse(line, BodyFormat::kJson, info, checked);
  if (!parsed.ok() || !checked.rejected.empty()) {
    impl_->queue.CountInvalid();
    result.code = TrackCode::kInvalid;
    if (!parsed.ok()) {
      // The validator's whole-body message for a line that is not UTF-8, as the per-event rule reads.
      result.rule = parsed.message() == kErrBodyNotUtf8 ? std::string(kErrNotUtf8) : parsed.message();
    } else {
      result.field = std::move(checked.rejected.front().field);
      result.rule = std::move(checked.rejected.front().error);
    }
    result.event_id.clear();
    return result;
  }
  switch (impl_->queue.Put(std::string(line))) {
    case SendQueue::PutResult::kQueued: return result;
    case SendQueue::PutResult::kFull:
      impl_->queue.log().Log("dropped", "tracklake: queue full, event dropped (Stats().dropped counts them)");
      result.code = TrackCode::kQueueFull;
      break;
    case SendQueue::PutResult::kClosed: result.code = TrackCode::kClosed; break;
  }
  result.event_id.clear();
  return result;
}

bool Tracker::Flush(std::chrono::milliseconds timeout) { return impl_->queue.Flush(timeout); }

bool Tracker::Close(std::chrono::milliseconds timeout) { return impl_->queue.Close(timeout); }

TrackerStats Tracker::Stats() const { return impl_->queue.Stats(); }

}  // namespace tracklake::client
