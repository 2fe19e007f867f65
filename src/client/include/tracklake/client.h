// tracklake::client: the tracker a C++ service embeds to send events to a tracklake collector.
//
//   tracklake::client::TrackerOptions options;
//   options.app_id = "checkout";
//   options.event_types = {"purchase", "refund"};
//   options.endpoint = "https://collector.internal:8080";
//   options.write_key = key;
//   std::string error;
//   auto tracker = tracklake::client::Tracker::Create(options, &error);
//   tracker->Track("purchase", {{"user_id", "u1"}, {"order_id", "o-9"}});
//
// Track() validates the event with the collector's own validator (the same code the collector
// runs, linked in), stamps event_id (UUIDv7, unless given) and event_time (now, unless given),
// and queues it. It never waits for the network: it holds a lock for a queue push only and makes
// no system call. One background thread sends batches (by count, bytes and age) as gzip NDJSON
// over a keep-alive connection, and retries 429/503/5xx/network failures with jittered
// exponential backoff, never before Retry-After; the ids chosen at Track() make a retry safe.
//
// Thread-safety: a Tracker may be shared by any number of threads. Create it after any fork():
// its sender thread does not survive one. Only the standard library appears in this header.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tracklake::client {

// The library's version: the project's VERSION.
std::string_view Version();

struct Field {
  std::string_view key;
  std::string_view value;
};

struct TrackerOptions {
  std::string app_id;                    // the application of the write key
  std::vector<std::string> event_types;  // the event types this service sends; Track refuses others
  std::string endpoint;                  // http(s)://host[:port][/path]; path defaults to /v1/events
  std::string write_key;
  std::string ca_file;   // https: trust only this PEM CA file (default: system CAs)
  bool compress = true;  // gzip request bodies
  size_t batch_events = 500;
  size_t batch_bytes = 512 * 1024;
  std::chrono::milliseconds batch_age{1000};  // a batch leaves at this age at the latest
  // The queue beside the batch being sent; beyond it Track drops (TrackCode::kQueueFull).
  size_t max_queue_events = 100'000;
  size_t max_queue_bytes = 64 * 1024 * 1024;
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds max_backoff{30'000};
  std::chrono::milliseconds close_timeout{5'000};  // the destructor's flush
  bool stamp_event_time = true;
  // The collector's validation.* limits, where they differ from its defaults.
  size_t max_fields = 256;
  size_t max_event_bytes = 32 * 1024;
  // Receives the sender's warnings and errors, rate-limited (never a write key or an event
  // value); called on the sender thread. Empty: written to stderr.
  std::function<void(std::string_view)> log;
};

enum class TrackCode {
  kQueued,     // on its way; event_id is set
  kInvalid,    // the collector would reject it: field and rule say why, in the collector's words
  kQueueFull,  // dropped and counted (TrackerStats::dropped)
  kClosed,     // Close() was called
};

struct TrackResult {
  TrackCode code = TrackCode::kQueued;
  std::string event_id;
  std::string field;  // kInvalid: the field at fault, "" for the event as a whole
  std::string rule;   // kInvalid
  bool ok() const { return code == TrackCode::kQueued; }
};

// Counters since the tracker was made. queued: tracked, not finished; delivered: acknowledged by
// the collector; rejected: refused for good by the collector (it keeps them in its dead-letter
// area); dropped: the queue was full; invalid: refused by Track; retries: requests sent again;
// abandoned: still undelivered when Close gave up.
struct TrackerStats {
  uint64_t queued = 0;
  uint64_t delivered = 0;
  uint64_t rejected = 0;
  uint64_t dropped = 0;
  uint64_t invalid = 0;
  uint64_t retries = 0;
  uint64_t abandoned = 0;
};

class Tracker {
 public:
  // nullptr, with *error saying why, when the options are unusable (no app_id, no event types,
  // a malformed endpoint, an unreadable CA file...).
  static std::unique_ptr<Tracker> Create(TrackerOptions options, std::string* error);
  // defaults overridden by TRACKLAKE_APP_ID, TRACKLAKE_EVENT_TYPES (comma-separated),
  // TRACKLAKE_ENDPOINT, TRACKLAKE_WRITE_KEY, TRACKLAKE_CA_FILE, TRACKLAKE_BATCH_AGE (seconds).
  static std::unique_ptr<Tracker> FromEnv(std::string* error, TrackerOptions defaults = {});

  // Close(close_timeout), then waits for the sender (at most one request_timeout more).
  ~Tracker();
  Tracker(const Tracker&) = delete;
  Tracker& operator=(const Tracker&) = delete;

  // fields: flat string values; event_id, app_id and event_time may be among them. The views
  // are copied before Track returns.
  TrackResult Track(std::string_view event_type, std::initializer_list<Field> fields);
  TrackResult Track(std::string_view event_type, const Field* fields, size_t count);

  // Waits until every event tracked before the call is delivered or refused for good; false on
  // timeout.
  bool Flush(std::chrono::milliseconds timeout);
  // Refuses new events, flushes for up to timeout, then gives up on the rest (abandoned). True
  // when nothing was left behind.
  bool Close(std::chrono::milliseconds timeout);
  TrackerStats Stats() const;

  struct Impl;

 private:
  explicit Tracker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tracklake::client
