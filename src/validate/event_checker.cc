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

}  // namespace

[[gnu::always_inline]] inline bool EventChecker::CheckNewKey(std::string_view key, EventFacts& facts) {
  if (!IsValidKey(key, rules_.max_key_bytes)) {
    facts.Fail(TruncateUtf8(key, rules_.max_key_bytes), messages_.bad_key);
    return false;
  }
  if (!scratch_.keys.Insert(key)) {
    facts.Fail(key, kErrDuplicateKey);
    return false;
  }
  // Reserved whatever its value: the type of a forbidden field is beside the point. (An
  // accepted sequence never holds it, so the known path needs no check.)
  if (key == kReceivedAtKey) {
    facts.Fail(key, kErrReserved);
    return false;
  }
  return true;
}

[[gnu::always_inline]] inline bool EventChecker::CheckStringField(std::string_view key, std::string_view value,
                                                                 EventFacts& facts, bool* is_event_type) {
  bool canonical = false;
  if (key == kEventTypeKey) {
    if (is_event_type != nullptr) *is_event_type = true;
    if (!IsValidEventType(value, rules_.max_event_type_bytes)) {
      facts.Fail(key, messages_.bad_event_type);
      return false;
    }
    if (!EventTypeAllowed(value)) {
      facts.Fail(key, kErrEventTypeNotAllowed);
      return false;
    }
    facts.event_type = value;
    facts.has_event_type = canonical = true;
  } else if (key == kEventIdKey) {
    if (!IsValidEventId(value)) {
      facts.Fail(key, kErrBadEventId);
      return false;
    }
    facts.event_id = value;
    facts.has_event_id = canonical = true;
  } else if (key == kAppIdKey) {
    if (!info_.app_id.empty() && value != info_.app_id) {
      facts.Fail(key, kErrAppIdMismatch);
      return false;
    }
    facts.app_id = value;
    facts.has_app_id = canonical = true;
  } else if (key == kEventTimeKey) {
    const std::optional<int64_t> ms = ParseRfc3339Millis(value);
    if (!ms) {
      facts.Fail(key, kErrBadEventTime);
      return false;
    }
    facts.event_time_ms = *ms;
  }
  scratch_.fields.push_back({key, value, canonical});
  return true;
}

[[gnu::always_inline]] inline bool EventChecker::Conclude(const EventFacts& facts, std::string_view raw, uint32_t index) {
  if (facts.failed) {
    Reject(index, facts.failed_field, facts.failed_error, raw);
    return false;
  }
  if (!facts.has_event_type) {
    Reject(index, kEventTypeKey, kErrRequired, raw);
    return false;
  }
  AppendAccepted(facts.event_type, facts.has_event_id ? &facts.event_id : nullptr,
                 facts.has_app_id ? &facts.app_id : nullptr, facts.event_time_ms, raw.size());
  return true;
}

error_code EventChecker::CheckObject(simdjson::ondemand::object& object, std::string_view raw,
                                     uint32_t index) {
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

  EventFacts facts;
  size_t count = 0;

  for (auto field_result : object) {
    simdjson::ondemand::field field;
    if (error_code e = std::move(field_result).get(field)) return e;
    if (++count > rules_.max_fields) {
      Reject(index, "", messages_.too_many_fields, raw);
      return simdjson::SUCCESS;
    }
    if (facts.failed) continue;  // only counting from here on

    std::string_view key;
    if (error_code e = field.unescaped_key().get(key)) return e;
    const size_t position = count - 1;
    if (known == nullptr || position >= known->size() || key != known->key(position)) {
      if (known != nullptr) {  // leaving the sequence: the duplicate set takes over
        known = nullptr;
        for (const EventScratch::PendingField& f : fields) scratch_.keys.Insert(f.key);
      }
      if (!CheckNewKey(key, facts)) continue;
    }

    simdjson::ondemand::value& v = field.value();
    json_type type;
    if (error_code e = v.type().get(type)) return e;
    std::string_view value;
    switch (type) {
      case json_type::string:
        if (error_code e = v.get_string().get(value)) return e;
        break;
      case json_type::number:
        if (!rules_.coerce_scalars) {
          facts.Fail(key, kErrGotNumber);
          continue;
        }
        value = TrimJsonWhitespace(v.raw_json_token());
        // Checked by hand: simdjson's get_number() refuses valid JSON it cannot represent
        // (huge integers, 1e999), and the text is kept as sent anyway.
        if (!IsJsonNumber(value)) return simdjson::NUMBER_ERROR;
        break;
      case json_type::boolean: {
        if (!rules_.coerce_scalars) {
          facts.Fail(key, kErrGotBool);
          continue;
        }
        bool b;
        if (error_code e = v.get_bool().get(b)) return e;
        value = b ? kTrue : kFalse;
        break;
      }
      case json_type::null:
        facts.Fail(key, kErrGotNull);
        continue;
      case json_type::object:
        facts.Fail(key, kErrGotObject);
        continue;
      case json_type::array:
        facts.Fail(key, kErrGotArray);
        continue;
    }

    bool is_event_type = false;
    if (!CheckStringField(key, value, facts, &is_event_type)) continue;
    if (is_event_type && known != nullptr && known->event_type() != value) {
      known = SequenceOfType(value, position, known);
    }
  }

  if (Conclude(facts, raw, index)) {
    if (known != nullptr && known->event_type() == facts.event_type) {
      scratch_.known.Touch(*known);
    } else {
      scratch_.known.Store(facts.event_type, fields.size(), [&](size_t i) { return fields[i].key; });
    }
  }
  return simdjson::SUCCESS;
}

void EventChecker::CheckFlat(const Field* fields, size_t count, std::string_view raw, uint32_t index) {
  if (raw.size() > rules_.max_event_bytes) return Reject(index, "", messages_.event_too_large, raw);
  if (count > rules_.max_fields) return Reject(index, "", messages_.too_many_fields, raw);
  scratch_.fields.clear();
  scratch_.keys.Clear(rules_.max_fields);
  EventFacts facts;
  for (size_t i = 0; i < count && !facts.failed; ++i) {
    if (CheckNewKey(fields[i].key, facts)) CheckStringField(fields[i].key, fields[i].value, facts, nullptr);
  }
  Conclude(facts, raw, index);
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
  out_.spans.push_back(ValidatedBody::Span{offset, size});
  ++out_.accepted;
}

}  // namespace tracklake
