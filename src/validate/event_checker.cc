#include "validate/event_checker.h"

#include "common/time_util.h"
#include "common/uuid.h"
#include "event/event_record.h"
#include "validate/dead_letter.h"
#include "validate/field_rules.h"

namespace tracklake {

using simdjson::error_code;
using simdjson::ondemand::json_type;

namespace {

constexpr std::string_view kTrue = "true";
constexpr std::string_view kFalse = "false";

// The first rule a field breaks, kept while the remaining fields are still counted (the
// field-count rule outranks per-field rules).
struct FirstFailure {
  bool failed = false;
  std::string_view field;
  std::string_view error;
  void Set(std::string_view f, std::string_view e) {
    failed = true;
    field = f;
    error = e;
  }
};

// The fields of an event as the rule loop below reads them: a simdjson object's, or the flat
// fields of a protocol adapter (all strings), behind the same few calls, so that the rules are
// written once and the JSON path compiles to what it was before adapters existed.
class FlatFieldValue {
 public:
  explicit FlatFieldValue(std::string_view value) : value_(value) {}
  simdjson::simdjson_result<json_type> type() const { return json_type::string; }
  simdjson::simdjson_result<std::string_view> get_string() const { return std::string_view(value_); }
  std::string_view raw_json_token() const { return value_; }
  simdjson::simdjson_result<bool> get_bool() const { return simdjson::INCORRECT_TYPE; }

 private:
  std::string_view value_;
};

class FlatFieldRef {
 public:
  FlatFieldRef() = default;
  explicit FlatFieldRef(const Field* f) : f_(f), value_(f->value) {}
  simdjson::simdjson_result<std::string_view> unescaped_key() const { return std::string_view(f_->key); }
  FlatFieldValue& value() { return value_; }

 private:
  const Field* f_ = nullptr;
  FlatFieldValue value_{{}};
};

// What a flat field's "result" is in the range-for: always a field, never an error.
struct FlatFieldResult {
  const Field* f;
  simdjson::error_code get(FlatFieldRef& out) && {
    out = FlatFieldRef(f);
    return simdjson::SUCCESS;
  }
};

struct FlatFields {
  const Field* begin_;
  const Field* end_;
  struct Iterator {
    const Field* p;
    FlatFieldResult operator*() const { return FlatFieldResult{p}; }
    Iterator& operator++() {
      ++p;
      return *this;
    }
    bool operator!=(const Iterator& o) const { return p != o.p; }
  };
  Iterator begin() const { return Iterator{begin_}; }
  Iterator end() const { return Iterator{end_}; }
};

template <typename Range>
struct FieldTraits;
template <>
struct FieldTraits<simdjson::ondemand::object> {
  using Field = simdjson::ondemand::field;
};
template <>
struct FieldTraits<FlatFields> {
  using Field = FlatFieldRef;
};

}  // namespace

// What the fields of one event have shown so far.
struct EventChecker::EventState {
  FirstFailure failure;
  // While every key so far equals the same position of this accepted sequence, the keys need
  // neither the pattern check nor the duplicate set (see known_keys.h).
  const KnownKeys::Sequence* known = nullptr;
  std::string_view event_type;
  std::string_view event_id;
  std::string_view app_id;
  bool has_event_type = false;
  bool has_event_id = false;
  bool has_app_id = false;
  int64_t event_time_ms = kNoEventTime;
};

// CheckFields' per-field steps are inlined into its loop, as they were written before they were
// named: as calls, with the event's state in memory, validation cost 14 % more instructions per
// event (BM_ValidateSingle, bench/micro/instructions.py). Conclude, once per event, is not.
[[gnu::always_inline]] inline bool EventChecker::CheckNewKey(std::string_view key, EventState& e) {
  if (e.known != nullptr) {  // leaving the sequence: the duplicate set takes over
    e.known = nullptr;
    for (const EventScratch::PendingField& f : scratch_.fields) scratch_.keys.Insert(f.key);
  }
  if (!IsValidKey(key, rules_.max_key_bytes)) {
    e.failure.Set(TruncateUtf8(key, rules_.max_key_bytes), messages_.bad_key);
    return false;
  }
  if (!scratch_.keys.Insert(key)) {
    e.failure.Set(key, kErrDuplicateKey);
    return false;
  }
  // Reserved whatever its value: the type of a forbidden field is beside the point. (An
  // accepted sequence never holds it, so the known path needs no check.)
  if (key == kReceivedAtKey) {
    e.failure.Set(key, kErrReserved);
    return false;
  }
  return true;
}

template <typename Value>
[[gnu::always_inline]] inline error_code EventChecker::ReadString(Value& v, std::string_view key, EventState& e,
                                                                  std::string_view& value) {
  json_type type;
  if (error_code err = v.type().get(type)) return err;
  switch (type) {
    case json_type::string: return v.get_string().get(value);
    case json_type::number:
      if (!rules_.coerce_scalars) {
        e.failure.Set(key, kErrGotNumber);
        return simdjson::SUCCESS;
      }
      value = TrimJsonWhitespace(v.raw_json_token());
      // Checked by hand: simdjson's get_number() refuses valid JSON it cannot represent
      // (huge integers, 1e999), and the text is kept as sent anyway.
      return IsJsonNumber(value) ? simdjson::SUCCESS : simdjson::NUMBER_ERROR;
    case json_type::boolean: {
      if (!rules_.coerce_scalars) {
        e.failure.Set(key, kErrGotBool);
        return simdjson::SUCCESS;
      }
      bool b;
      if (error_code err = v.get_bool().get(b)) return err;
      value = b ? kTrue : kFalse;
      return simdjson::SUCCESS;
    }
    case json_type::null: e.failure.Set(key, kErrGotNull); return simdjson::SUCCESS;
    case json_type::object: e.failure.Set(key, kErrGotObject); return simdjson::SUCCESS;
    case json_type::array: e.failure.Set(key, kErrGotArray); return simdjson::SUCCESS;
  }
  return simdjson::SUCCESS;
}

[[gnu::always_inline]] inline bool EventChecker::CheckCanonicalField(std::string_view key, std::string_view value,
                                                                     size_t position, EventState& e) {
  if (key == kEventTypeKey) {
    if (!IsValidEventType(value, rules_.max_event_type_bytes)) {
      e.failure.Set(key, messages_.bad_event_type);
    } else if (IsReservedEventType(value)) {
      // "_rejected" is the dead-letter area; the prefix stays free for what tracklake adds.
      e.failure.Set(key, kErrEventTypeReserved);
    } else if (!EventTypeAllowed(value)) {
      e.failure.Set(key, kErrEventTypeNotAllowed);
    } else {
      e.event_type = value;
      e.has_event_type = true;
      if (e.known != nullptr && e.known->event_type() != value) e.known = SequenceOfType(value, position, e.known);
    }
    return true;
  }
  if (key == kEventIdKey) {
    if (!IsValidEventId(value)) {
      e.failure.Set(key, kErrBadEventId);
    } else {
      e.event_id = value;
      e.has_event_id = true;
    }
    return true;
  }
  if (key == kAppIdKey) {
    if (!info_.app_id.empty() && value != info_.app_id) {
      e.failure.Set(key, kErrAppIdMismatch);
    } else {
      e.app_id = value;
      e.has_app_id = true;
    }
    return true;
  }
  if (key == kEventTimeKey) {
    const std::optional<int64_t> ms = ParseRfc3339Millis(value);
    if (!ms) {
      e.failure.Set(key, kErrBadEventTime);
    } else if (!InLakeTimeRange(*ms)) {
      // 0000-01-01T00:00:00Z is RFC 3339, and so is 0001-01-01T00:00:00+23:59 (year 0 in UTC):
      // a lake reader refuses a whole file holding one value it cannot take (time_util.h).
      e.failure.Set(key, kErrEventTimeOutOfRange);
    } else {
      e.event_time_ms = *ms;
    }
  }
  // Every other field is written in order, event_time too (its value also goes in the header).
  return false;
}

void EventChecker::Conclude(const EventState& e, std::string_view raw, uint32_t index) {
  if (e.failure.failed) return Reject(index, e.failure.field, e.failure.error, raw);
  if (!e.has_event_type) return Reject(index, kEventTypeKey, kErrRequired, raw);
  AppendAccepted(e.event_type, e.has_event_id ? &e.event_id : nullptr, e.has_app_id ? &e.app_id : nullptr,
                 e.event_time_ms, raw.size());
  const std::vector<EventScratch::PendingField>& fields = scratch_.fields;
  if (e.known != nullptr && e.known->event_type() == e.event_type) {
    scratch_.known.Touch(*e.known);
  } else {
    scratch_.known.Store(e.event_type, fields.size(), [&](size_t i) { return fields[i].key; });
  }
}

template <typename Range>
error_code EventChecker::CheckFields(Range& range, std::string_view raw, uint32_t index) {
  if (raw.size() > rules_.max_event_bytes) {
    Reject(index, "", messages_.event_too_large, raw);
    return simdjson::SUCCESS;
  }
  std::vector<EventScratch::PendingField>& fields = scratch_.fields;
  fields.clear();
  scratch_.keys.Clear(rules_.max_fields);
  EventState e;
  e.known = scratch_.known.Latest();
  size_t count = 0;
  for (auto field_result : range) {
    typename FieldTraits<Range>::Field field;
    if (error_code err = std::move(field_result).get(field)) return err;
    if (++count > rules_.max_fields) {
      Reject(index, "", messages_.too_many_fields, raw);
      return simdjson::SUCCESS;
    }
    if (e.failure.failed) continue;  // only counting from here on
    std::string_view key;
    if (error_code err = field.unescaped_key().get(key)) return err;
    const size_t position = count - 1;
    const bool known_key = e.known != nullptr && position < e.known->size() && key == e.known->key(position);
    if (!known_key && !CheckNewKey(key, e)) continue;
    std::string_view value;
    if (error_code err = ReadString(field.value(), key, e, value)) return err;
    if (e.failure.failed) continue;
    const bool canonical = CheckCanonicalField(key, value, position, e);
    if (e.failure.failed) continue;
    fields.push_back({key, value, canonical});
  }
  Conclude(e, raw, index);
  return simdjson::SUCCESS;
}

error_code EventChecker::CheckObject(simdjson::ondemand::object& object, std::string_view raw, uint32_t index) {
  return CheckFields(object, raw, index);
}

void EventChecker::CheckFlat(const Field* fields, size_t count, std::string_view raw, uint32_t index) {
  FlatFields flat{fields, fields + count};
  CheckFields(flat, raw, index);  // a flat event has no malformed JSON to report
}

const KnownKeys::Sequence* EventChecker::SequenceOfType(std::string_view event_type, size_t position,
                                                        const KnownKeys::Sequence* current) const {
  const KnownKeys::Sequence* other = scratch_.known.Find(event_type);
  if (other == nullptr || other->size() <= position) return current;
  for (size_t i = 0; i < position; ++i) {
    if (other->key(i) != scratch_.fields[i].key) return current;
  }
  return other->key(position) == kEventTypeKey ? other : current;
}

void EventChecker::Reject(uint32_t index, std::string_view field, std::string_view error, std::string_view raw) {
  RejectEvent(out_, info_, index, field, error, raw, scratch_.base64);
}

bool EventChecker::EventTypeAllowed(std::string_view event_type) const {
  const std::vector<std::string>* allowed = info_.allowed_event_types;
  if (allowed == nullptr || allowed->empty()) return true;
  for (const std::string& t : *allowed) {
    if (t == event_type) return true;
  }
  return false;
}

void EventChecker::AppendAccepted(std::string_view event_type, const std::string_view* event_id,
                                  const std::string_view* app_id, int64_t event_time_ms, size_t raw_bytes) {
  const auto offset = static_cast<uint32_t>(out_.records.size());
  EventRecordBuilder b(out_.records);
  b.Begin(RecordKind::kEvent, info_.received_at_ms, event_time_ms, RecordBytesBound(raw_bytes, info_));
  b.Add(kEventTypeKey, event_type);
  if (event_id != nullptr) {
    b.Add(kEventIdKey, *event_id);
  } else {
    scratch_.uuid.clear();
    AppendUuidV7(scratch_.uuid, info_.received_at_ms);
    b.Add(kEventIdKey, scratch_.uuid);
  }
  // With auth disabled there is no key to trust, so the event may name its application.
  std::string_view stored_app_id = info_.app_id;
  if (stored_app_id.empty()) stored_app_id = app_id != nullptr ? *app_id : kDefaultAppId;
  b.Add(kAppIdKey, stored_app_id);
  for (const EventScratch::PendingField& f : scratch_.fields) {
    if (!f.canonical) b.Add(f.key, f.value);
  }
  const auto size = static_cast<uint32_t>(b.Finish());
  if (event_id != nullptr) out_.client_ids.push_back(static_cast<uint32_t>(out_.spans.size()));
  out_.spans.push_back(RecordSpan{offset, size});
  ++out_.accepted;
}

}  // namespace tracklake
