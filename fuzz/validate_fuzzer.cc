// libFuzzer target: Validator::Parse on arbitrary bytes, as a JSON body and as an NDJSON body,
// under two configurations (the defaults with a write-key application; coerced scalars, tight
// limits and an event-type allow-list with auth off). Besides "no crash, no sanitizer report"
// it checks what the collector relies on when it hands the output to the write-ahead log:
//   - on error the output is empty; on success the records are back to back, every span
//     decodes with DecodeEventRecord, and accepted + rejected == spans;
//   - accepted records lead with event_type, event_id, app_id and obey the rules;
//   - dead-letter records repeat their Rejection and keep the raw text (base64 if not UTF-8);
//   - NDJSON: every non-blank line is exactly one accepted or rejected event.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/time_util.h"
#include "event/event_record.h"
#include "event/names.h"
#include "event/stored_record.h"
#include "fuzz_check.h"
#include "validate/field_rules.h"
#include "validate/validate.h"

namespace tracklake {
namespace {

constexpr int64_t kReceivedAtMs = 1'795'000'000'000;  // 2026-11-18, any fixed time will do
constexpr size_t kCanonicalFields = 3;                // event_type, event_id, app_id
constexpr size_t kDeadLetterFields = 5;               // app_id, index, field, error, raw|raw_base64
constexpr size_t kServerAddedFields = 2;              // event_id and app_id when the client sent none

struct Setup {
  Validator validator;
  std::vector<std::string> allowed;
  RequestInfo info;
};

ValidationRules TightRules() {
  ValidationRules r;
  r.coerce_scalars = true;
  r.max_fields = 4;
  r.max_event_bytes = 256;
  r.max_key_bytes = 8;
  r.max_event_type_bytes = 12;
  r.max_events_per_request = 3;
  return r;
}

std::vector<Setup>& Setups() {
  static std::vector<Setup>* setups = [] {
    auto* s = new std::vector<Setup>();
    s->reserve(2);
    s->push_back(Setup{Validator(ValidationRules{}), {}, RequestInfo{}});
    s->back().info = RequestInfo{"web", kReceivedAtMs, nullptr};
    s->push_back(Setup{Validator(TightRules()), {"purchase", "page_view"}, RequestInfo{}});
    s->back().info = RequestInfo{"", kReceivedAtMs, &s->back().allowed};
    return s;
  }();
  return *setups;
}

bool Utf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

// Non-blank NDJSON lines, counted the way the format is documented (split on '\n', a trailing
// '\r' dropped, JSON whitespace only = blank).
size_t NonBlankLines(std::string_view body) {
  size_t n = 0;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    if (!TrimJsonWhitespace(body.substr(pos, end - pos)).empty()) ++n;
    pos = end + 1;
  }
  return n;
}

void CheckAccepted(const Setup& s, const EventView& e) {
  const ValidationRules& rules = s.validator.rules();
  FUZZ_CHECK(e.fields.size() >= kCanonicalFields, "accepted record lacks the canonical fields");
  FUZZ_CHECK(e.fields.size() <= rules.max_fields + kServerAddedFields, "accepted record has too many fields");
  FUZZ_CHECK(e.fields[0].key == kEventTypeKey && e.fields[1].key == kEventIdKey && e.fields[2].key == kAppIdKey,
             "canonical fields out of order");
  FUZZ_CHECK(IsValidEventType(e.fields[0].value, rules.max_event_type_bytes), "accepted a bad event_type");
  if (s.info.allowed_event_types != nullptr && !s.info.allowed_event_types->empty()) {
    bool allowed = false;
    for (const std::string& t : *s.info.allowed_event_types) allowed = allowed || t == e.fields[0].value;
    FUZZ_CHECK(allowed, "accepted an event type outside the allow-list");
  }
  FUZZ_CHECK(IsValidEventId(e.fields[1].value), "accepted a bad event_id");
  if (!s.info.app_id.empty()) FUZZ_CHECK(e.fields[2].value == s.info.app_id, "wrote as another application");
  FUZZ_CHECK(!e.fields[2].value.empty(), "empty app_id stored");
  FUZZ_CHECK(e.received_at_ms == s.info.received_at_ms, "received_at not the request's");
  bool saw_event_time = false;
  for (size_t i = 0; i < e.fields.size(); ++i) {
    const Field& f = e.fields[i];
    FUZZ_CHECK(IsValidKey(f.key, rules.max_key_bytes) || i < kCanonicalFields, "accepted a bad key");
    FUZZ_CHECK(f.key != kReceivedAtKey, "accepted the reserved received_at");
    FUZZ_CHECK(Utf8(f.value), "accepted a value that is not UTF-8");
    for (size_t j = 0; j < i; ++j) FUZZ_CHECK(e.fields[j].key != f.key, "accepted a duplicate key");
    if (f.key == kEventTimeKey) {
      saw_event_time = true;
      const std::optional<int64_t> ms = ParseRfc3339Millis(f.value);
      FUZZ_CHECK(ms && *ms == e.event_time_ms, "event_time_ms differs from the event_time field");
    }
  }
  if (!saw_event_time) FUZZ_CHECK(e.event_time_ms == kNoEventTime, "event_time_ms without an event_time field");
  FUZZ_CHECK(!IsReservedEventType(e.fields[0].value), "accepted a reserved event type");
  FUZZ_CHECK(!saw_event_time || InLakeTimeRange(e.event_time_ms), "accepted an event_time a lake reader refuses");
  // What validation writes, the log's replay must take back (event/stored_record.h).
  FUZZ_CHECK(!StoredRecordProblem(e), "replay would refuse an accepted record");
}

void CheckRejected(const Setup& s, const EventView& e, const Rejection& r) {
  FUZZ_CHECK(e.fields.size() == kDeadLetterFields, "dead-letter record has the wrong field count");
  FUZZ_CHECK(e.fields[0].key == "app_id" && e.fields[0].value == s.info.app_id, "dead-letter app_id");
  FUZZ_CHECK(e.fields[1].key == "index" && e.fields[1].value == std::to_string(r.index), "dead-letter index");
  FUZZ_CHECK(e.fields[2].key == "field" && e.fields[2].value == r.field, "dead-letter field");
  FUZZ_CHECK(e.fields[3].key == "error" && e.fields[3].value == r.error && !r.error.empty(), "dead-letter error");
  FUZZ_CHECK(e.fields[4].key == "raw" ? Utf8(e.fields[4].value) : e.fields[4].key == "raw_base64",
             "dead-letter raw text");
  FUZZ_CHECK(Utf8(r.field), "rejection field is not UTF-8 (it goes into a JSON response)");
  FUZZ_CHECK(!StoredRecordProblem(e), "replay would refuse a dead letter");
}

void CheckOne(Setup& s, std::string_view body, BodyFormat format) {
  ValidatedBody out;
  const Status status = s.validator.Parse(body, format, s.info, out);
  if (!status.ok()) {
    FUZZ_CHECK(status.code() == Status::Code::kInvalidArgument, "whole-body failure is not InvalidArgument");
    FUZZ_CHECK(!status.message().empty(), "whole-body failure without a message");
    FUZZ_CHECK(out.records.empty() && out.spans.empty() && out.accepted == 0 && out.rejected.empty(),
               "output left behind by a failed parse");
    if (format == BodyFormat::kNdjson) {
      const size_t lines = NonBlankLines(body);
      FUZZ_CHECK(lines == 0 || lines > s.validator.rules().max_events_per_request,
                 "NDJSON body failed as a whole although it has a countable number of lines");
    }
    return;
  }
  FUZZ_CHECK(out.accepted + out.rejected.size() == out.spans.size(), "accepted + rejected != spans");
  FUZZ_CHECK(out.spans.size() <= s.validator.rules().max_events_per_request, "more events than allowed");
  if (format == BodyFormat::kNdjson) {
    FUZZ_CHECK(out.spans.size() == NonBlankLines(body), "an NDJSON line was lost or counted twice");
  } else {
    // An object body is one event, unless it failed as one JSON document and was read as NDJSON
    // sent under another content type (Validator::Parse): then every non-blank line is one.
    const bool object_body = TrimJsonWhitespace(body).starts_with('{');
    FUZZ_CHECK(!object_body || out.spans.size() == 1 || out.spans.size() == NonBlankLines(body),
               "an object body is neither one event nor one per NDJSON line");
  }
  uint64_t next_offset = 0;
  size_t accepted = 0;
  size_t rejected = 0;
  int64_t last_index = -1;
  EventView view;
  for (const RecordSpan& span : out.spans) {
    FUZZ_CHECK(span.offset == next_offset, "records are not back to back");
    FUZZ_CHECK(uint64_t{span.offset} + span.size <= out.records.size(), "span outside the records");
    next_offset = uint64_t{span.offset} + span.size;
    const std::string_view bytes(out.records.data() + span.offset, span.size);
    FUZZ_CHECK(DecodeEventRecord(bytes, view).ok(), "a span does not decode");
    if (view.kind == RecordKind::kEvent) {
      CheckAccepted(s, view);
      ++accepted;
    } else {
      FUZZ_CHECK(view.kind == RecordKind::kRejected, "unknown record kind");
      FUZZ_CHECK(rejected < out.rejected.size(), "more dead-letter records than rejections");
      const Rejection& r = out.rejected[rejected++];
      FUZZ_CHECK(static_cast<int64_t>(r.index) > last_index, "rejection indices not increasing");
      last_index = r.index;
      CheckRejected(s, view, r);
    }
  }
  FUZZ_CHECK(next_offset == out.records.size(), "bytes after the last span");
  FUZZ_CHECK(accepted == out.accepted && rejected == out.rejected.size(), "record kinds do not match the counts");
}

}  // namespace
}  // namespace tracklake

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (tracklake::Setup& s : tracklake::Setups()) {
    tracklake::CheckOne(s, body, tracklake::BodyFormat::kJson);
    tracklake::CheckOne(s, body, tracklake::BodyFormat::kNdjson);
  }
  return 0;
}
