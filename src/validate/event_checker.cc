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

template <typename Range>
error_code EventChecker::CheckFields(Range& range, std::string_view raw, uint32_t index) {
  if (raw.size() > rules_.max_event_bytes) {
    Reject(index, "", messages_.event_too_large, raw);
    return simdjson::SUCCESS;
  }
  auto& fields = scratch_.fields;
  fields.clear();
  scratch_.keys.Clear(rules_.max_fields);
  // While every key so far equals the same position of this accepted sequence, the keys need
  // neither the pattern check nor the duplicate set (see known_keys.h).
  const KnownKeys::Sequence* known = scratch_.known.Latest();

  FirstFailure failure;
  std::string_view event_type;
  std::string_view event_id;
  std::string_view app_id;
  bool has_event_type = false;
  bool has_event_id = false;
  bool has_app_id = false;
  int64_t event_time_ms = kNoEventTime;
  size_t count = 0;

  for (auto field_result : range) {
    typename FieldTraits<Range>::Field field;
    if (error_code e = std::move(field_result).get(field)) return e;
    if (++count > rules_.max_fields) {
      Reject(index, "", messages_.too_many_fields, raw);
      return simdjson::SUCCESS;
    }
    if (failure.failed) continue;  // only counting from here on

    std::string_view key;
    if (error_code e = field.unescaped_key().get(key)) return e;
    const size_t position = count - 1;
    if (known == nullptr || position >= known->size() || key != known->key(position)) {
      if (known != nullptr) {  // leaving the sequence: the duplicate set takes over
        known = nullptr;
        for (const EventScratch::PendingField& f : fields) scratch_.keys.Insert(f.key);
      }
      if (!IsValidKey(key, rules_.max_key_bytes)) {
        failure.Set(TruncateUtf8(key, rules_.max_key_bytes), messages_.bad_key);
        continue;
      }
      if (!scratch_.keys.Insert(key)) {
        failure.Set(key, kErrDuplicateKey);
        continue;
      }
      // Reserved whatever its value: the type of a forbidden field is beside the point. (An
      // accepted sequence never holds it, so the known path needs no check.)
      if (key == kReceivedAtKey) {
        failure.Set(key, kErrReserved);
        continue;
      }
    }

    auto& v = field.value();
    json_type type;
    if (error_code e = v.type().get(type)) return e;
    std::string_view value;
    switch (type) {
      case json_type::string:
        if (error_code e = v.get_string().get(value)) return e;
        break;
      case json_type::number:
        if (!rules_.coerce_scalars) {
          failure.Set(key, kErrGotNumber);
          continue;
        }
        value = TrimJsonWhitespace(v.raw_json_token());
        // Checked by hand: simdjson's get_number() refuses valid JSON it cannot represent
        // (huge integers, 1e999), and the text is kept as sent anyway.
        if (!IsJsonNumber(value)) return simdjson::NUMBER_ERROR;
        break;
      case json_type::boolean: {
        if (!rules_.coerce_scalars) {
          failure.Set(key, kErrGotBool);
          continue;
        }
        bool b;
        if (error_code e = v.get_bool().get(b)) return e;
        value = b ? kTrue : kFalse;
        break;
      }
      case json_type::null:
        failure.Set(key, kErrGotNull);
        continue;
      case json_type::object:
        failure.Set(key, kErrGotObject);
        continue;
      case json_type::array:
        failure.Set(key, kErrGotArray);
        continue;
    }

    bool canonical = false;
    if (key == kEventTypeKey) {
      if (!IsValidEventType(value, rules_.max_event_type_bytes)) {
        failure.Set(key, messages_.bad_event_type);
        continue;
      }
      // "_rejected" is the dead-letter area; the prefix stays free for what tracklake adds.
      if (IsReservedEventType(value)) {
        failure.Set(key, kErrEventTypeReserved);
        continue;
      }
      if (!EventTypeAllowed(value)) {
        failure.Set(key, kErrEventTypeNotAllowed);
        continue;
      }
      event_type = value;
      has_event_type = canonical = true;
      if (known != nullptr && known->event_type() != value) known = SequenceOfType(value, position, known);
    } else if (key == kEventIdKey) {
      if (!IsValidEventId(value)) {
        failure.Set(key, kErrBadEventId);
        continue;
      }
      event_id = value;
      has_event_id = canonical = true;
    } else if (key == kAppIdKey) {
      if (!info_.app_id.empty() && value != info_.app_id) {
        failure.Set(key, kErrAppIdMismatch);
        continue;
      }
      app_id = value;
      has_app_id = canonical = true;
    } else if (key == kEventTimeKey) {
      const std::optional<int64_t> ms = ParseRfc3339Millis(value);
      if (!ms) {
        failure.Set(key, kErrBadEventTime);
        continue;
      }
      // 0000-01-01T00:00:00Z is RFC 3339, and so is 0001-01-01T00:00:00+23:59 (year 0 in UTC):
      // a lake reader refuses a whole file holding one value it cannot take (time_util.h).
      if (!InLakeTimeRange(*ms)) {
        failure.Set(key, kErrEventTimeOutOfRange);
        continue;
      }
      event_time_ms = *ms;
    }
    fields.push_back({key, value, canonical});
  }

  if (failure.failed) {
    Reject(index, failure.field, failure.error, raw);
  } else if (!has_event_type) {
    Reject(index, kEventTypeKey, kErrRequired, raw);
  } else {
    AppendAccepted(event_type, has_event_id ? &event_id : nullptr, has_app_id ? &app_id : nullptr,
                   event_time_ms, raw.size());
    if (known != nullptr && known->event_type() == event_type) {
      scratch_.known.Touch(*known);
    } else {
      scratch_.known.Store(event_type, fields.size(), [&](size_t i) { return fields[i].key; });
    }
  }
  return simdjson::SUCCESS;
}

error_code EventChecker::CheckObject(simdjson::ondemand::object& object, std::string_view raw,
                                     uint32_t index) {
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

void EventChecker::Reject(uint32_t index, std::string_view field, std::string_view error,
                          std::string_view raw) {
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
                                  const std::string_view* app_id, int64_t event_time_ms,
                                  size_t raw_bytes) {
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
