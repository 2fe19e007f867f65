#include "adapt/segment/segment_adapter.h"

#include <algorithm>

#include "adapt/event_time.h"
#include "adapt/naming.h"
#include "common/time_util.h"
#include "validate/field_rules.h"

namespace tracklake {

using simdjson::error_code;
using simdjson::ondemand::json_type;

namespace {

constexpr std::string_view kRuleType = "must be one of track, identify, page, screen, group, alias";
constexpr std::string_view kRuleIdentity = "userId or anonymousId required";
constexpr std::string_view kRuleString = "must be a string";
constexpr std::string_view kRuleDepth = "must nest at most 64 levels";
constexpr std::string_view kRuleEventName = "must contain a letter or a digit (it names the event type)";

struct CallName {
  std::string_view name;
  SegmentCall call;
};
// The long names and analytics.js's one-letter paths.
constexpr CallName kCalls[] = {
    {"track", SegmentCall::kTrack},   {"t", SegmentCall::kTrack},    {"identify", SegmentCall::kIdentify},
    {"i", SegmentCall::kIdentify},    {"page", SegmentCall::kPage},  {"p", SegmentCall::kPage},
    {"screen", SegmentCall::kScreen}, {"s", SegmentCall::kScreen},   {"group", SegmentCall::kGroup},
    {"g", SegmentCall::kGroup},       {"alias", SegmentCall::kAlias}, {"a", SegmentCall::kAlias},
    {"batch", SegmentCall::kBatch},   {"import", SegmentCall::kBatch}, {"b", SegmentCall::kBatch},
};

// The message fields with a meaning of their own: where their text goes, and the event field
// they are stored as (if any).
struct MessageSlots {
  std::string_view type, event, message_id, timestamp, original_timestamp, sent_at;
};
struct KnownField {
  std::string_view name;
  std::string_view MessageSlots::*slot;
  std::string_view as;
  bool identity;
};
constexpr KnownField kKnownFields[] = {
    {"type", &MessageSlots::type, "", false},
    {"event", &MessageSlots::event, "", false},
    {"messageId", &MessageSlots::message_id, "", false},
    {"timestamp", &MessageSlots::timestamp, "", false},
    {"originalTimestamp", &MessageSlots::original_timestamp, "", false},
    {"sentAt", &MessageSlots::sent_at, "", false},
    {"userId", nullptr, kUserIdKey, true},
    {"anonymousId", nullptr, kAnonymousIdKey, true},
    {"groupId", nullptr, "group_id", false},
    {"previousId", nullptr, "previous_id", false},
};

const KnownField* FindKnownField(std::string_view name) {
  // Custom fields (properties, context, ...) are most fields: rule them out by length first.
  if (name.size() < 4 || name.size() > 17) return nullptr;
  for (const KnownField& k : kKnownFields) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::string_view TypeName(SegmentCall call) {
  switch (call) {
    case SegmentCall::kTrack: return "track";
    case SegmentCall::kIdentify: return "identify";
    case SegmentCall::kPage: return "page";
    case SegmentCall::kScreen: return "screen";
    case SegmentCall::kGroup: return "group";
    case SegmentCall::kAlias: return "alias";
    case SegmentCall::kBatch: break;
  }
  return "";
}

std::optional<SegmentCall> MessageType(std::string_view type) {
  for (const CallName& c : kCalls) {
    if (c.name.size() > 1 && c.name == type && c.call != SegmentCall::kBatch) return c.call;
  }
  return std::nullopt;
}


}  // namespace

std::optional<SegmentCall> SegmentCallOf(std::string_view name) {
  for (const CallName& c : kCalls) {
    if (c.name == name) return c.call;
  }
  return std::nullopt;
}

std::optional<AdaptError> SegmentRequest::Parse(SegmentCall call, std::string_view body, const ValidationRules& rules) {
  call_ = call;
  body_bytes_ = body.size();
  limits_ = FlattenLimits{FlattenLimits{}.max_depth, rules.max_fields, rules.max_key_bytes};
  max_events_ = rules.max_events_per_request;
  const bool batch = call == SegmentCall::kBatch;
  const size_t limit = batch ? kSegmentMaxBatchBytes : rules.max_event_bytes;
  if (body.size() > limit) {
    return AdaptError{400, "", "request body must be at most " + std::to_string(limit) + " bytes (Segment's limit per " +
                                   (batch ? "batch)" : "message)")};
  }
  if (TrimJsonWhitespace(body).empty()) return AdaptError{400, "", "request body must not be empty"};
  if (error_code e = ParseBody(body, doc_)) return MalformedJson(e);
  simdjson::ondemand::object object;
  json_type type;
  if (error_code e = doc_.type().get(type)) return MalformedJson(e);
  if (type != json_type::object) return AdaptError{400, "", "request body must be a JSON object"};
  if (error_code e = doc_.get_object().get(object)) return MalformedJson(e);
  // One pass over the top level (the batch array is skipped once, not once per field looked up).
  write_key_.clear();
  sent_at_.clear();
  batch_context_.Clear(limits_);
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    std::string_view name;
    if (error_code e = std::move(field_result).get(field)) return MalformedJson(e);
    if (error_code e = field.unescaped_key().get(name)) return MalformedJson(e);
    const bool write_key = name == "writeKey";
    if (write_key || (batch && name == "sentAt")) {
      std::string_view text;
      bool present = false;
      bool container = false;
      if (error_code e = ScalarText(field.value(), text, present, container)) return MalformedJson(e);
      if (container) return AdaptError{400, std::string(name), std::string(kRuleString)};
      (write_key ? write_key_ : sent_at_).assign(present ? text : std::string_view{});
    } else if (batch && name == "context") {
      key_.assign("context");
      if (error_code e = batch_context_.Flatten(field.value(), key_)) return MalformedJson(e);
    }
  }
  // Its values view the parser's strings, which the rewind below lets the messages overwrite.
  batch_context_.KeepValuesFrom(0);
  if (!sent_at_.empty() && !ParseRfc3339Millis(sent_at_)) return AdaptError{400, "sentAt", std::string(kErrBadEventTime)};
  doc_.rewind();
  return std::nullopt;
}

std::optional<AdaptError> SegmentRequest::Emit(const Validator& validator, const RequestInfo& info, ValidatedBody& out) {
  out.Clear();
  out.records.reserve(body_bytes_ + body_bytes_ / 2);  // flattened keys repeat their prefixes
  auto fail = [&out](AdaptError e) {
    out.Clear();
    return std::optional<AdaptError>(std::move(e));
  };
  if (call_ != SegmentCall::kBatch) {
    simdjson::ondemand::value message;
    if (error_code e = doc_.get_value().get(message)) return fail(MalformedJson(e));
    if (auto e = EmitMessage(message, 0, validator, info, out)) return fail(std::move(*e));
    return std::nullopt;
  }
  simdjson::ondemand::object object;
  simdjson::ondemand::value batch;
  if (error_code e = doc_.get_object().get(object)) return fail(MalformedJson(e));
  error_code e = object.find_field_unordered("batch").get(batch);
  if (e == simdjson::NO_SUCH_FIELD) return fail(AdaptError{400, "batch", std::string(kErrRequired)});
  if (e) return fail(MalformedJson(e));
  simdjson::ondemand::array messages;
  if (batch.get_array().get(messages)) return fail(AdaptError{400, "batch", "must be an array of messages"});
  uint32_t index = 0;
  for (auto element : messages) {
    simdjson::ondemand::value message;
    if ((e = element.get(message))) return fail(MalformedJson(e));
    if (index >= max_events_) {
      return fail(AdaptError{400, "batch", "must hold at most " + std::to_string(max_events_) +
                                               " messages (validation.max_events_per_request)"});
    }
    if (auto err = EmitMessage(message, index, validator, info, out)) return fail(std::move(*err));
    ++index;
  }
  return std::nullopt;
}

std::optional<AdaptError> SegmentRequest::EmitMessage(simdjson::ondemand::value message, uint32_t index,
                                                      const Validator& validator, const RequestInfo& info,
                                                      ValidatedBody& out) {
  json_type type;
  std::string_view raw;
  if (error_code e = message.type().get(type)) return MalformedJson(e);
  if (type != json_type::object) {
    if (type == json_type::array) {
      simdjson::ondemand::array a;
      if (error_code e = message.get_array().get(a)) return MalformedJson(e);
      if (error_code e = a.raw_json().get(raw)) return MalformedJson(e);
    } else {
      raw = message.raw_json_token();
    }
    validator.Reject(index, "", kErrNotObject, TrimJsonWhitespace(raw), info, out);
    return std::nullopt;
  }
  simdjson::ondemand::object object;
  if (error_code e = message.get_object().get(object)) return MalformedJson(e);
  if (error_code e = object.raw_json().get(raw)) return MalformedJson(e);
  raw = TrimJsonWhitespace(raw);
  if (raw.size() > validator.rules().max_event_bytes) {  // before any work on its fields
    validator.CheckFlat(nullptr, 0, raw, index, info, out);
    return std::nullopt;
  }
  if (error_code e = object.reset().error()) return MalformedJson(e);

  event_.Clear(limits_);
  MessageSlots slots;
  bool has_identity = false;
  std::string_view bad_field;  // a well-known field of the wrong JSON type
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    if (error_code e = std::move(field_result).get(field)) return MalformedJson(e);
    std::string_view name;
    if (error_code e = field.unescaped_key().get(name)) return MalformedJson(e);
    if (name == "writeKey" || name == "integrations" || name == "_metadata" || name == "receivedAt" ||
        name == "options") {
      continue;  // delivery instructions and server-set times, not event data
    }
    const KnownField* k = FindKnownField(name);
    if (k != nullptr) {
      std::string_view text;
      bool present = false;
      bool container = false;
      if (error_code e = ScalarText(field.value(), text, present, container)) return MalformedJson(e);
      if (container && bad_field.empty()) bad_field = k->name;
      if (!present) continue;
      if (k->slot != nullptr) slots.*(k->slot) = text;
      if (!k->as.empty()) {
        event_.Add(k->as, text);
        has_identity = has_identity || k->identity;
      }
      continue;
    }
    key_.clear();
    AppendKeySegment(name, key_);
    if (error_code e = event_.Flatten(field.value(), key_)) {
      if (e != simdjson::DEPTH_ERROR) return MalformedJson(e);
      // Our own bound, not malformed JSON: this message only (the batch's iteration skips the rest).
      validator.Reject(index, key_, kRuleDepth, raw, info, out);
      return std::nullopt;
    }
  }

  auto reject = [&](std::string_view field, std::string_view rule) {
    validator.Reject(index, field, rule, raw, info, out);
    return std::nullopt;
  };
  const std::string_view type_name = slots.type, event_name = slots.event, message_id = slots.message_id;
  std::string_view timestamp = slots.timestamp, sent_at = slots.sent_at;
  const std::string_view original_timestamp = slots.original_timestamp;
  if (!bad_field.empty()) return reject(bad_field, kRuleString);
  SegmentCall call = call_;
  if (call == SegmentCall::kBatch) {
    if (type_name.empty()) return reject("type", kErrRequired);
    const std::optional<SegmentCall> c = MessageType(type_name);
    if (!c) return reject("type", kRuleType);
    call = *c;
  }
  if (!has_identity) return reject("userId", kRuleIdentity);
  scratch_.clear();
  if (call == SegmentCall::kTrack) {
    if (event_name.empty()) return reject("event", kErrRequired);
    if (!NormalizeEventName(event_name, validator.rules().max_event_type_bytes, scratch_)) {
      return reject("event", kRuleEventName);
    }
    event_.Add("event_text", event_name);
  } else {
    scratch_.assign(TypeName(call));
  }
  if (timestamp.empty()) timestamp = original_timestamp;
  if (sent_at.empty()) sent_at = sent_at_;
  if (!timestamp.empty()) {
    const std::optional<int64_t> happened = ParseRfc3339Millis(timestamp);
    if (!happened) return reject("timestamp", kErrBadEventTime);
    std::optional<int64_t> sent;
    if (!sent_at.empty() && !(sent = ParseRfc3339Millis(sent_at))) return reject("sentAt", kErrBadEventTime);
    const std::optional<int64_t> corrected = SkewCorrectedTime(info.received_at_ms, sent, *happened);
    if (!corrected) return reject("timestamp", kErrBadEventTime);
    const size_t at = scratch_.size();
    AppendRfc3339Millis(scratch_, *corrected);
    event_.Add(kEventTimeKey, event_.Keep(std::string_view(scratch_).substr(at)));
    event_.Add("original_timestamp", timestamp);
    scratch_.resize(at);
  }
  if (!sent_at.empty()) event_.Add("sent_at", sent_at);
  for (const Field& f : batch_context_.fields()) {
    if (!event_.Has(f.key)) event_.Add(f.key, f.value);
  }
  event_.Add(kEventTypeKey, event_.Keep(scratch_));
  if (!message_id.empty()) event_.Add(kEventIdKey, message_id);
  const std::vector<Field>& fields = event_.fields();
  validator.CheckFlat(fields.data(), fields.size(), raw, index, info, out);
  return std::nullopt;
}

}  // namespace tracklake
