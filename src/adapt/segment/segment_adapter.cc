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
    {"track", SegmentCall::kTrack},   {"t", SegmentCall::kTrack},      {"identify", SegmentCall::kIdentify},
    {"i", SegmentCall::kIdentify},    {"page", SegmentCall::kPage},    {"p", SegmentCall::kPage},
    {"screen", SegmentCall::kScreen}, {"s", SegmentCall::kScreen},     {"group", SegmentCall::kGroup},
    {"g", SegmentCall::kGroup},       {"alias", SegmentCall::kAlias},  {"a", SegmentCall::kAlias},
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

// One message of the request as read, waiting for the batch's own fields to be finished.
struct SegmentRequest::Message {
  enum class Kind : uint8_t { kMapped, kNotObject, kTooLarge, kTooDeep };
  Kind kind = Kind::kMapped;
  uint32_t index = 0;
  std::string_view raw;    // its text: what max_event_bytes measures and a dead letter keeps
  std::string_view field;  // kTooDeep: the field nested too deep; kMapped: a well-known field of the wrong JSON type
  size_t first = 0;        // kMapped: its fields in the batch's FlatEvent
  size_t count = 0;
  MessageSlots slots;
  bool has_identity = false;
};

// A thread's storage for the request it is serving, kept for the next one.
struct SegmentRequest::Scratch {
  FlatEvent fields;  // every message's own fields, read before any message is finished
  std::vector<Message> messages;
  FlatEvent event;  // the message being finished
};

SegmentRequest::Scratch& SegmentRequest::ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

std::optional<AdaptError> SegmentRequest::Parse(SegmentCall call, std::string_view body,
                                                const ValidationRules& rules) {
  call_ = call;
  body_bytes_ = body.size();
  limits_ = FlattenLimits{FlattenLimits{}.max_depth, rules.max_fields, rules.max_key_bytes};
  max_events_ = rules.max_events_per_request;
  const bool batch = call == SegmentCall::kBatch;
  const size_t limit = batch ? kSegmentMaxBatchBytes : rules.max_event_bytes;
  if (body.size() > limit) {
    return AdaptError{400, "",
                      "request body must be at most " + std::to_string(limit) + " bytes (Segment's limit per " +
                          (batch ? "batch)" : "message)")};
  }
  if (TrimJsonWhitespace(body).empty()) return AdaptError{400, "", "request body must not be empty"};
  if (error_code e = ParseBody(body, doc_)) return MalformedJson(e);
  json_type type;
  if (error_code e = doc_.type().get(type)) return MalformedJson(e);
  if (type != json_type::object) return AdaptError{400, "", "request body must be a JSON object"};
  return std::nullopt;
}

std::optional<AdaptError> SegmentRequest::FindWriteKey(std::string_view& key) {
  key = {};
  write_key_.clear();
  simdjson::ondemand::object object;
  if (error_code e = doc_.get_object().get(object)) return MalformedJson(e);
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    std::string_view name;
    if (error_code e = std::move(field_result).get(field)) return MalformedJson(e);
    if (error_code e = field.unescaped_key().get(name)) return MalformedJson(e);
    if (name != "writeKey") continue;
    std::string_view text;
    bool present = false;
    bool container = false;
    if (error_code e = ScalarText(field.value(), text, present, container)) return MalformedJson(e);
    if (container) return AdaptError{400, "writeKey", std::string(kRuleString)};
    write_key_.assign(present ? text : std::string_view{});
  }
  doc_.rewind();  // Emit reads the body from its start
  key = write_key_;
  return std::nullopt;
}

std::optional<AdaptError> SegmentRequest::Emit(const Validator& validator, const RequestInfo& info,
                                               ValidatedBody& out) {
  out.Clear();
  out.records.reserve(body_bytes_ + body_bytes_ / 2);  // flattened keys repeat their prefixes
  Scratch& s = ThreadScratch();
  s.fields.Clear(limits_);
  s.messages.clear();
  batch_context_.Clear(limits_);
  sent_at_ = {};
  sent_at_ms_.reset();
  std::optional<AdaptError> error;
  if (call_ != SegmentCall::kBatch) {
    simdjson::ondemand::value message;
    if (error_code e = doc_.get_value().get(message)) {
      error = MalformedJson(e);
    } else {
      error = ReadMessage(message, 0, true, validator);
    }
  } else {
    error = ReadBatch(validator);
  }
  if (!error) {
    for (const Message& m : s.messages) FinishMessage(m, validator, info, out);
  }
  // A huge batch's storage is not kept for the thread's next request.
  constexpr size_t kKeepFields = 1 << 16;
  if (s.fields.size() > kKeepFields) s = Scratch{};
  if (error) out.Clear();
  return error;
}

std::optional<AdaptError> SegmentRequest::ReadBatch(const Validator& validator) {
  // One pass over the top level, so the messages are read once; the batch's sentAt and
  // context may come after them (Segment's libraries send sentAt last).
  simdjson::ondemand::object object;
  if (error_code e = doc_.get_object().get(object)) return MalformedJson(e);
  bool has_batch = false;
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    std::string_view name;
    if (error_code e = std::move(field_result).get(field)) return MalformedJson(e);
    if (error_code e = field.unescaped_key().get(name)) return MalformedJson(e);
    if (name == "batch") {
      if (has_batch) continue;  // the first one is the batch
      has_batch = true;
      simdjson::ondemand::array messages;
      if (field.value().get_array().get(messages)) return AdaptError{400, "batch", "must be an array of messages"};
      uint32_t index = 0;
      for (auto element : messages) {
        simdjson::ondemand::value message;
        if (error_code e = element.get(message)) return MalformedJson(e);
        if (index >= max_events_) {
          return AdaptError{400, "batch",
                            "must hold at most " + std::to_string(max_events_) +
                                " messages (validation.max_events_per_request)"};
        }
        if (auto e = ReadMessage(message, index, false, validator)) return e;
        ++index;
      }
    } else if (name == "writeKey" || name == "sentAt") {
      std::string_view text;
      bool present = false;
      bool container = false;
      if (error_code e = ScalarText(field.value(), text, present, container)) return MalformedJson(e);
      if (container) return AdaptError{400, std::string(name), std::string(kRuleString)};
      if (name == "sentAt") sent_at_ = present ? text : std::string_view{};
    } else if (name == "context") {
      key_.assign("context");
      if (error_code e = batch_context_.Flatten(field.value(), key_)) return MalformedJson(e);
    }
  }
  if (!has_batch) return AdaptError{400, "batch", std::string(kErrRequired)};
  if (!sent_at_.empty() && !(sent_at_ms_ = ParseRfc3339Millis(sent_at_))) {
    return AdaptError{400, "sentAt", std::string(kErrBadEventTime)};
  }
  return std::nullopt;
}

std::optional<AdaptError> SegmentRequest::ReadMessage(simdjson::ondemand::value message, uint32_t index,
                                                      bool top_level, const Validator& validator) {
  Scratch& s = ThreadScratch();
  Message m;
  m.index = index;
  json_type type;
  if (error_code e = message.type().get(type)) return MalformedJson(e);
  if (type != json_type::object) {
    std::string_view raw;
    if (type == json_type::array) {
      simdjson::ondemand::array a;
      if (error_code e = message.get_array().get(a)) return MalformedJson(e);
      if (error_code e = a.raw_json().get(raw)) return MalformedJson(e);
    } else {
      raw = message.raw_json_token();
    }
    m.kind = Message::Kind::kNotObject;
    m.raw = TrimJsonWhitespace(raw);
    s.messages.push_back(m);
    return std::nullopt;
  }
  simdjson::ondemand::object object;
  if (error_code e = message.get_object().get(object)) return MalformedJson(e);
  s.fields.Begin();
  m.first = s.fields.size();
  error_code error = simdjson::SUCCESS;  // malformed JSON met in the message
  bool too_deep = false;
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    std::string_view name;
    if ((error = std::move(field_result).get(field)) || (error = field.unescaped_key().get(name))) break;
    if (name == "writeKey" || name == "integrations" || name == "_metadata" || name == "receivedAt" ||
        name == "options") {
      // Delivery instructions and server-set times, not event data; the body's key must be text.
      if (top_level && name == "writeKey") {
        std::string_view text;
        bool present = false;
        bool container = false;
        if ((error = ScalarText(field.value(), text, present, container))) break;
        if (container) return AdaptError{400, "writeKey", std::string(kRuleString)};
      }
      continue;
    }
    const KnownField* k = FindKnownField(name);
    if (k != nullptr) {
      std::string_view text;
      bool present = false;
      bool container = false;
      if ((error = ScalarText(field.value(), text, present, container))) break;
      if (container && m.field.empty()) m.field = k->name;
      if (!present) continue;
      if (k->slot != nullptr) m.slots.*(k->slot) = text;
      if (!k->as.empty()) {
        s.fields.Add(k->as, text);
        m.has_identity = m.has_identity || k->identity;
      }
      continue;
    }
    key_.clear();
    AppendKeySegment(name, key_);
    if ((error = s.fields.Flatten(field.value(), key_))) {
      if (error == simdjson::DEPTH_ERROR) {
        // Our own bound, not malformed JSON: this message only.
        error = simdjson::SUCCESS;
        too_deep = true;
        m.field = s.fields.Keep(key_);
      }
      break;
    }
  }
  // Its text, now that it was read (the rest skipped after an early stop): no second walk.
  std::string_view raw;
  if (error_code e = object.raw_json().get(raw)) return MalformedJson(error ? error : e);
  m.raw = TrimJsonWhitespace(raw);
  if (m.raw.size() > validator.rules().max_event_bytes) {
    m.kind = Message::Kind::kTooLarge;  // whatever was read in it
  } else if (error) {
    return MalformedJson(error);
  } else if (too_deep) {
    m.kind = Message::Kind::kTooDeep;
  } else {
    m.count = s.fields.size() - m.first;
  }
  if (m.kind != Message::Kind::kMapped) s.fields.Truncate(m.first);
  s.messages.push_back(m);
  return std::nullopt;
}

void SegmentRequest::FinishMessage(const Message& m, const Validator& validator, const RequestInfo& info,
                                   ValidatedBody& out) {
  auto reject = [&](std::string_view field, std::string_view rule) {
    validator.Reject(m.index, field, rule, m.raw, info, out);
  };
  switch (m.kind) {
    case Message::Kind::kNotObject: return reject("", kErrNotObject);
    case Message::Kind::kTooLarge:
      return validator.CheckFlat(nullptr, 0, m.raw, m.index, info, out);  // names the size rule
    case Message::Kind::kTooDeep: return reject(m.field, kRuleDepth);
    case Message::Kind::kMapped: break;
  }
  const MessageSlots& slots = m.slots;
  if (!m.field.empty()) return reject(m.field, kRuleString);
  SegmentCall call = call_;
  if (call == SegmentCall::kBatch) {
    if (slots.type.empty()) return reject("type", kErrRequired);
    const std::optional<SegmentCall> c = MessageType(slots.type);
    if (!c) return reject("type", kRuleType);
    call = *c;
  }
  if (!m.has_identity) return reject("userId", kRuleIdentity);
  Scratch& s = ThreadScratch();
  FlatEvent& event = s.event;
  event.Clear(limits_);
  event.Assign(s.fields.fields(m.first, m.count));
  std::string_view event_type = TypeName(call);
  if (call == SegmentCall::kTrack) {
    if (slots.event.empty()) return reject("event", kErrRequired);
    if (slots.event != event_name_) {  // a batch mostly repeats its names
      scratch_.clear();
      if (!NormalizeEventName(slots.event, validator.rules().max_event_type_bytes, scratch_)) {
        return reject("event", kRuleEventName);
      }
      event_name_.assign(slots.event);
      event_type_.swap(scratch_);
    }
    event_type = event_type_;
    event.Add("event_text", slots.event);
  }
  const std::string_view timestamp = slots.timestamp.empty() ? slots.original_timestamp : slots.timestamp;
  const std::string_view sent_at = slots.sent_at.empty() ? sent_at_ : slots.sent_at;
  if (!timestamp.empty()) {
    const std::optional<int64_t> happened = ParseRfc3339Millis(timestamp);
    if (!happened) return reject("timestamp", kErrBadEventTime);
    std::optional<int64_t> sent = sent_at_ms_;  // the batch's, checked once
    if (!slots.sent_at.empty() && !(sent = ParseRfc3339Millis(slots.sent_at)))
      return reject("sentAt", kErrBadEventTime);
    const std::optional<int64_t> corrected = SkewCorrectedTime(info.received_at_ms, sent, *happened);
    if (!corrected) return reject("timestamp", kErrBadEventTime);
    char* text = event.Take(kRfc3339MillisBytes);
    WriteRfc3339Millis(text, *corrected);
    event.Add(kEventTimeKey, std::string_view(text, kRfc3339MillisBytes));
    event.Add("original_timestamp", timestamp);
  }
  if (!sent_at.empty()) event.Add("sent_at", sent_at);
  for (const Field& f : batch_context_.fields()) {
    if (!event.Has(f.key)) event.Add(f.key, f.value);
  }
  event.Add(kEventTypeKey, event_type);
  if (!slots.message_id.empty()) event.Add(kEventIdKey, slots.message_id);
  const std::span<const Field> fields = event.fields();
  validator.CheckFlat(fields.data(), fields.size(), m.raw, m.index, info, out);
}

}  // namespace tracklake
