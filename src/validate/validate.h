// Request body parsing and event validation: turns an HTTP body into event records ready
// for the write-ahead log, plus a per-event list of rejections. One pass per event with
// simdjson on-demand; no allocation per field on the accepted path.
//
// Thread-safety: a Validator is immutable after construction and may be shared by all
// connection threads; each call uses only its arguments and thread-local scratch (a padded
// copy of the body, a simdjson parser, per-event field lists). The thread-local buffers grow
// to the largest body a thread has seen and are kept for reuse.
//
// Errors: Parse returns InvalidArgument only for whole-body failures (empty, not JSON,
// invalid UTF-8 in a JSON body, a top-level scalar, too many events); per-event problems are
// Rejections. Each event reports only the first rule it breaks: event-level rules (object,
// size, field count) first, then per-field rules in the order the fields were sent, then
// "event_type required".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "event/record_span.h"

namespace tracklake {

enum class BodyFormat { kJson, kNdjson };

// Parse's message when a body is not valid UTF-8 (the tracker client names that per event).
inline constexpr std::string_view kErrBodyNotUtf8 = "request body is not valid UTF-8";

struct ValidationRules {
  bool coerce_scalars = false;         // numbers/bools become their JSON text; null/object/array still rejected
  size_t max_fields = 256;             // per event, including event_type
  size_t max_event_bytes = 32 * 1024;  // raw JSON text of one event
  size_t max_key_bytes = 128;
  size_t max_event_type_bytes = 64;
  size_t max_events_per_request = 10'000;
};

// Who sent the request and when; fixed for every event of one request.
struct RequestInfo {
  std::string_view app_id;     // from the write key; empty when auth is "none"
  int64_t received_at_ms = 0;  // stamped once per request
  // Event types the application may write; empty means any.
  const std::vector<std::string>* allowed_event_types = nullptr;
};

struct Rejection {
  uint32_t index = 0;  // position of the event in the request (array index or NDJSON line number, from 0)
  std::string field;   // offending key, or "" when the event as a whole is at fault
  std::string error;   // the rule, in words: "required", "must be a string", ...
};

// Output of one request. records holds the event records (see event/event_record.h) of the
// accepted events AND of the rejected ones (kind kRejected, for the dead-letter area), back to
// back; spans locates each. accepted counts kEvent records.
struct ValidatedBody {
  std::string records;
  std::vector<RecordSpan> spans;
  uint32_t accepted = 0;
  std::vector<Rejection> rejected;
  // Indices into spans, ascending, of the accepted events whose event_id the client sent: only
  // those can be retried idempotently (the deduplicator looks them up; generated ids are new).
  std::vector<uint32_t> client_ids;

  // Empties it, keeping the capacity.
  void Clear() {
    records.clear();
    spans.clear();
    accepted = 0;
    rejected.clear();
    client_ids.clear();
  }
};

struct Field;  // event/event_record.h: a key and a string value

// The rule texts that depend on the configured limits ("event is larger than 32768 bytes"),
// rendered once per Validator so the hot path only copies them.
struct ValidationMessages {
  std::string event_too_large;
  std::string too_many_fields;
  std::string bad_key;
  std::string bad_event_type;
  std::string too_many_events;
};

class Validator {
 public:
  // Precondition: rules.max_fields < 65,533 (an event record holds at most 65,535 fields and
  // the server may add event_id and app_id).
  explicit Validator(ValidationRules rules);

  // Parses body (one JSON object, a JSON array of objects, or NDJSON) and validates each
  // event. Returns InvalidArgument with a message naming the problem when the body as a
  // whole cannot be parsed (HTTP 400); otherwise every event is either accepted or rejected.
  // out is cleared first and may be reused across calls to keep its capacity.
  // A kJson body that is not one JSON document but has objects on lines of their own is read as
  // NDJSON: clients often post NDJSON under a JSON or form content type (curl --data-binary).
  Status Parse(std::string_view body, BodyFormat format, const RequestInfo& info, ValidatedBody& out) const;

  // The protocol adapters' entry (src/adapt): one event already made flat (string keys and
  // values, in the order to store them) is validated under the same rules as a JSON event and
  // appended to out (not cleared first). raw is the protocol's text of the event: measured
  // against max_event_bytes and kept in the dead-letter record when the event is rejected.
  void CheckFlat(const Field* fields, size_t count, std::string_view raw, uint32_t index, const RequestInfo& info,
                 ValidatedBody& out) const;
  // Appends the rejection of an event an adapter could not make flat (and its dead letter).
  void Reject(uint32_t index, std::string_view field, std::string_view error, std::string_view raw,
              const RequestInfo& info, ValidatedBody& out) const;

  const ValidationRules& rules() const { return rules_; }
  const ValidationMessages& messages() const { return messages_; }

 private:
  ValidationRules rules_;
  ValidationMessages messages_;
};

}  // namespace tracklake
