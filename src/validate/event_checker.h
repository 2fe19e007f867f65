// EventChecker: applies the per-event rules to one JSON object and appends its event record
// (accepted) or its dead-letter record (rejected) to a ValidatedBody. Internal to
// validate.cc, which handles the body formats.
//
// One pass over the object's fields with simdjson on-demand; field keys and values are kept as
// views (into the parser's string buffer or the padded input) in EventScratch until the event
// is known to be valid, then copied once into the record in canonical order.
//
// Thread-safety: not thread-safe; one EventChecker per Parse call, scratch thread-local.
// Lifetimes: rules, messages, info, out and scratch must outlive the checker; views passed in
// must stay valid until the call returns.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "event/event_record.h"
#include "validate/key_set.h"
#include "validate/known_keys.h"
#include "validate/validate.h"

namespace tracklake {

// An upper bound (almost always) of the record of an event whose JSON is json_bytes long: the
// header and a generated event_id come on top, and the write key's app_id; lengths take fewer
// bytes than JSON's quotes and separators. The record builder makes this much room at once.
inline size_t RecordBytesBound(size_t json_bytes, const RequestInfo& info) {
  constexpr size_t kServerFieldsBytes = 96;
  return json_bytes + kServerFieldsBytes + info.app_id.size();
}

// Reusable per-thread buffers, so a warm thread validates without allocating per event.
struct EventScratch {
  struct PendingField {
    std::string_view key;
    std::string_view value;
    bool canonical;  // event_type, event_id or app_id: written first, not again in order
  };
  std::vector<PendingField> fields;
  KeySet keys;
  KnownKeys known;
  std::string uuid;
  std::string base64;
};

class EventChecker {
 public:
  EventChecker(const ValidationRules& rules, const ValidationMessages& messages, const RequestInfo& info,
               ValidatedBody& out, EventScratch& scratch)
      : rules_(rules), messages_(messages), info_(info), out_(out), scratch_(scratch) {
    scratch_.known.UseRules(rules_.max_key_bytes);
  }

  // Validates the object whose raw JSON text is raw (already located by the caller, who
  // reset the object to its start) as event number index. Returns SUCCESS once the event is
  // accepted or rejected, or the simdjson error when the JSON turns out to be malformed, in
  // which case nothing was appended. The object may be left partly consumed.
  simdjson::error_code CheckObject(simdjson::ondemand::object& object, std::string_view raw, uint32_t index);

  // Validates an event a protocol adapter has already made flat (string keys and values, in the
  // order they should be stored) under the same rules as CheckObject; raw is the text it came
  // from, kept in the dead-letter record when rejected and measured against max_event_bytes.
  void CheckFlat(const Field* fields, size_t count, std::string_view raw, uint32_t index);

  // Records a rejection and its dead-letter record.
  void Reject(uint32_t index, std::string_view field, std::string_view error, std::string_view raw);

 private:
  struct EventState;  // what the fields of one event have shown so far (event_checker.cc)

  // The rules over any range of fields (a simdjson object's, or an adapter's flat ones).
  template <typename Range>
  simdjson::error_code CheckFields(Range& range, std::string_view raw, uint32_t index);
  // CheckFields' steps. Each records the first rule broken in e; a simdjson error is malformed
  // JSON. A key outside the event's known sequence: its pattern, uniqueness, reservation.
  bool CheckNewKey(std::string_view key, EventState& e);
  // The value as stored: a string, or a number or bool as sent when the rules coerce scalars.
  template <typename Value>
  simdjson::error_code ReadString(Value& v, std::string_view key, EventState& e, std::string_view& value);
  // The rules of event_type, event_id, app_id and event_time; true for the fields written
  // first in the record (canonical), not again in order.
  bool CheckCanonicalField(std::string_view key, std::string_view value, size_t position, EventState& e);
  // Rejects the event, or appends its record and remembers its key sequence.
  void Conclude(const EventState& e, std::string_view raw, uint32_t index);
  bool EventTypeAllowed(std::string_view event_type) const;
  // The stored sequence of event_type when its keys up to position (where event_type was
  // found) are this event's; otherwise current.
  const KnownKeys::Sequence* SequenceOfType(std::string_view event_type, size_t position,
                                            const KnownKeys::Sequence* current) const;
  void AppendAccepted(std::string_view event_type, const std::string_view* event_id, const std::string_view* app_id,
                      int64_t event_time_ms, size_t raw_bytes);

  const ValidationRules& rules_;
  const ValidationMessages& messages_;
  const RequestInfo& info_;
  ValidatedBody& out_;
  EventScratch& scratch_;
};

}  // namespace tracklake
