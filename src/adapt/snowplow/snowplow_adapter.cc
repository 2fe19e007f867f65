#include "adapt/snowplow/snowplow_adapter.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>

#include "adapt/base64url.h"
#include "adapt/event_time.h"
#include "adapt/name_table.h"
#include "adapt/naming.h"
#include "common/time_util.h"
#include "validate/field_rules.h"

namespace tracklake {

using simdjson::error_code;
using simdjson::ondemand::json_type;

namespace {

constexpr std::string_view kPayloadSchemaPrefix = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-";
constexpr std::string_view kRuleEvent = "must be one of pv, pp, se, tr, ti, ue";
constexpr std::string_view kRuleMillis = "must be milliseconds since the epoch";
constexpr std::string_view kRuleSelfDescribing =
    "must be a self-describing JSON {\"schema\": \"iglu:...\", \"data\": ...}";
constexpr std::string_view kRuleBase64 = "must be base64url of JSON";
constexpr std::string_view kRuleString = "must be a string";
constexpr std::string_view kRuleAppId = "must be one of the snowplow_app_ids of the request's app";
constexpr std::string_view kRuleUeRequired = "required when e=ue";

// What a tracker-protocol parameter is to the adapter.
enum class ParamKind : uint8_t {
  kRename,     // stored under another name
  kAppId,      // aid: renamed, and checked against the app's ids
  kNetwork,    // renamed, dropped under SP-Anonymous (ip, nuid)
  kNetworkId,  // tnuid: kept under its own name, dropped under SP-Anonymous
  kEvent,      // e
  kDeviceCreated,
  kDeviceSent,
  kTrueTime,  // dtm, stm, ttm
  kUnstruct,
  kUnstruct64,
  kContexts,
  kContexts64,  // ue_pr, ue_px, co, cx
};
struct ParamSpec {
  ParamKind kind;
  std::string_view field;  // the event field it is stored as
};

using K = ParamKind;
// Tracker-protocol parameters with a meaning of their own, and the names Snowplow's own
// warehouse tables give them (atomic.events); event_id, user_id, anonymous_id and session_id are
// tracklake's. Any other parameter is kept under its own name. Built at start-up, so that a
// lookup is inlined without a guard.
const NameTable<ParamSpec> kParams({
    {"eid", {K::kRename, kEventIdKey}},
    {"uid", {K::kRename, kUserIdKey}},
    {"duid", {K::kRename, kAnonymousIdKey}},
    {"sid", {K::kRename, kSessionIdKey}},
    {"aid", {K::kAppId, "tracker_app_id"}},
    {"p", {K::kRename, "platform"}},
    {"tv", {K::kRename, "v_tracker"}},
    {"tna", {K::kRename, "name_tracker"}},
    {"vid", {K::kRename, "domain_sessionidx"}},
    {"nuid", {K::kNetwork, "network_userid"}},
    {"ip", {K::kNetwork, "user_ipaddress"}},
    {"tnuid", {K::kNetworkId, "tnuid"}},
    {"tz", {K::kRename, "os_timezone"}},
    {"lang", {K::kRename, "br_lang"}},
    {"ua", {K::kRename, "useragent"}},
    {"url", {K::kRename, "page_url"}},
    {"refr", {K::kRename, "page_referrer"}},
    {"page", {K::kRename, "page_title"}},
    {"res", {K::kRename, "dvce_screen_resolution"}},
    {"vp", {K::kRename, "br_viewport"}},
    {"ds", {K::kRename, "doc_size"}},
    {"cs", {K::kRename, "doc_charset"}},
    {"cd", {K::kRename, "br_colordepth"}},
    {"cookie", {K::kRename, "br_cookies"}},
    {"se_ca", {K::kRename, "se_category"}},
    {"se_ac", {K::kRename, "se_action"}},
    {"se_la", {K::kRename, "se_label"}},
    {"se_pr", {K::kRename, "se_property"}},
    {"se_va", {K::kRename, "se_value"}},
    {"tr_id", {K::kRename, "tr_orderid"}},
    {"tr_af", {K::kRename, "tr_affiliation"}},
    {"tr_tt", {K::kRename, "tr_total"}},
    {"tr_tx", {K::kRename, "tr_tax"}},
    {"tr_sh", {K::kRename, "tr_shipping"}},
    {"tr_ci", {K::kRename, "tr_city"}},
    {"tr_st", {K::kRename, "tr_state"}},
    {"tr_co", {K::kRename, "tr_country"}},
    {"tr_cu", {K::kRename, "tr_currency"}},
    {"ti_id", {K::kRename, "ti_orderid"}},
    {"ti_sk", {K::kRename, "ti_sku"}},
    {"ti_nm", {K::kRename, "ti_name"}},
    {"ti_ca", {K::kRename, "ti_category"}},
    {"ti_pr", {K::kRename, "ti_price"}},
    {"ti_qu", {K::kRename, "ti_quantity"}},
    {"ti_cu", {K::kRename, "ti_currency"}},
    {"pp_mix", {K::kRename, "pp_xoffset_min"}},
    {"pp_max", {K::kRename, "pp_xoffset_max"}},
    {"pp_miy", {K::kRename, "pp_yoffset_min"}},
    {"pp_may", {K::kRename, "pp_yoffset_max"}},
    {"e", {K::kEvent, ""}},
    {"dtm", {K::kDeviceCreated, "dvce_created_tstamp"}},
    {"stm", {K::kDeviceSent, "dvce_sent_tstamp"}},
    {"ttm", {K::kTrueTime, "true_tstamp"}},
    {"ue_pr", {K::kUnstruct, ""}},
    {"ue_px", {K::kUnstruct64, ""}},
    {"co", {K::kContexts, ""}},
    {"cx", {K::kContexts64, ""}},
});

const ParamSpec* FindParam(std::string_view name) { return kParams.Find(name); }

struct EventCode {
  std::string_view code;
  std::string_view type;
};
constexpr EventCode kEventCodes[] = {
    {"pv", "page_view"}, {"pp", "page_ping"}, {"se", "structured"}, {"tr", "transaction"}, {"ti", "transaction_item"},
};

// "iglu:com.acme/checkout/jsonschema/1-0-0" into its four parts.
struct IgluUri {
  std::string_view vendor, name, format, version;
};
std::optional<IgluUri> ParseIglu(std::string_view uri) {
  if (!uri.starts_with("iglu:")) return std::nullopt;
  uri.remove_prefix(5);
  IgluUri out;
  std::string_view* parts[] = {&out.vendor, &out.name, &out.format, &out.version};
  for (size_t i = 0; i < 4; ++i) {
    const size_t slash = uri.find('/');
    if ((slash == std::string_view::npos) != (i == 3)) return std::nullopt;
    *parts[i] = uri.substr(0, slash);
    if (parts[i]->empty()) return std::nullopt;
    uri = slash == std::string_view::npos ? std::string_view{} : uri.substr(slash + 1);
  }
  return out;
}

// The string field name of object (a view into the parser's strings); false when absent or not
// a string.
bool StringField(simdjson::ondemand::object& object, std::string_view name, std::string_view& out) {
  return object.find_field_unordered(name).get_string().get(out) == simdjson::SUCCESS;
}

}  // namespace

std::optional<AdaptError> SnowplowRequest::ParsePost(std::string_view body, const ValidationRules& rules) {
  get_ = false;
  body_bytes_ = body.size();
  limits_ = FlattenLimits{FlattenLimits{}.max_depth, rules.max_fields, rules.max_key_bytes};
  max_events_ = rules.max_events_per_request;
  if (TrimJsonWhitespace(body).empty()) return AdaptError{400, "", "request body must not be empty"};
  if (error_code e = ParseBody(body, doc_)) return MalformedJson(e);
  json_type type;
  if (error_code e = doc_.type().get(type)) return MalformedJson(e);
  if (type != json_type::object) return AdaptError{400, "", "request body must be a payload_data JSON object"};
  simdjson::ondemand::object object;
  if (error_code e = doc_.get_object().get(object)) return MalformedJson(e);
  std::string_view schema;
  if (!StringField(object, "schema", schema) || !schema.starts_with(kPayloadSchemaPrefix)) {
    return AdaptError{400, "schema", "must be " + std::string(kPayloadSchemaPrefix) + "<n>"};
  }
  simdjson::ondemand::array data;
  if (object.find_field_unordered("data").get_array().get(data)) {
    return AdaptError{400, "data", "must be an array of events"};
  }
  first_aid_.clear();
  for (auto element : data) {  // the first event's aid only
    simdjson::ondemand::object first;
    std::string_view aid;
    if (element.get_object().get(first) == simdjson::SUCCESS && StringField(first, "aid", aid)) first_aid_.assign(aid);
    break;
  }
  doc_.rewind();
  return std::nullopt;
}

std::optional<AdaptError> SnowplowRequest::ParseGet(std::string_view query, const ValidationRules& rules) {
  get_ = true;
  body_bytes_ = query.size();
  limits_ = FlattenLimits{FlattenLimits{}.max_depth, rules.max_fields, rules.max_key_bytes};
  max_events_ = rules.max_events_per_request;
  raw_query_ = query;
  if (query.size() > rules.max_event_bytes) {
    return AdaptError{400, "",
                      "query string must be at most " + std::to_string(rules.max_event_bytes) +
                          " bytes (validation.max_event_bytes)"};
  }
  query_.Parse(query, rules.max_fields + 1);
  if (query_.items().empty()) return AdaptError{400, "e", std::string(kErrRequired)};
  first_aid_.assign(query_.Get("aid"));
  return std::nullopt;
}

std::optional<AdaptError> SnowplowRequest::Emit(const Validator& validator, const RequestInfo& info, bool anonymous,
                                                const std::vector<std::string>* app_ids, ValidatedBody& out) {
  out.Clear();
  out.records.reserve(body_bytes_ * 2);  // short parameter names become longer field names
  event_.Clear(limits_);                 // each event then Begins in it, reusing the keys built for the one before
  context_key_ = {};
  // The memos view this request's text and event_'s storage: forgotten with them.
  for (TimeParam& t : times_) t = TimeParam{};
  kept_time_ = {};
  contexts_memo_.valid = false;
  auto fail = [&out](AdaptError e) {
    out.Clear();
    return std::optional<AdaptError>(std::move(e));
  };
  if (get_) {
    params_.clear();
    for (const auto& [name, value] : query_.items()) {
      if (!simdjson::validate_utf8(name.data(), name.size()) || !simdjson::validate_utf8(value.data(), value.size())) {
        validator.Reject(0, "", kErrNotUtf8, raw_query_, info, out);
        return std::nullopt;
      }
      params_.push_back(Param{name, value});
    }
    EmitEvent(params_, raw_query_, 0, validator, info, anonymous, app_ids, out);
    return std::nullopt;
  }
  simdjson::ondemand::object object;
  simdjson::ondemand::array data;
  if (error_code e = doc_.get_object().get(object)) return fail(MalformedJson(e));
  if (error_code e = object.find_field_unordered("data").get_array().get(data)) return fail(MalformedJson(e));
  uint32_t index = 0;
  for (auto element : data) {
    if (index >= max_events_) {
      return fail(AdaptError{400, "data",
                             "must hold at most " + std::to_string(max_events_) +
                                 " events (validation.max_events_per_request)"});
    }
    simdjson::ondemand::value v;
    if (error_code e = element.get(v)) return fail(MalformedJson(e));
    simdjson::ondemand::object event;
    if (error_code e = v.get_object().get(event)) return fail(MalformedJson(e));
    params_.clear();
    std::string_view bad;
    error_code error = simdjson::SUCCESS;  // malformed JSON met in the event
    for (auto field_result : event) {
      simdjson::ondemand::field field;
      std::string_view name;
      std::string_view text;
      bool present = false;
      bool container = false;
      if ((error = std::move(field_result).get(field)) || (error = field.unescaped_key().get(name)) ||
          (error = ScalarText(field.value(), text, present, container))) {
        break;
      }
      if (container && bad.empty()) bad = name;
      if (present) params_.push_back(Param{name, text});
    }
    // Its text, now that it was read (the rest skipped after an early stop): no second walk.
    std::string_view raw;
    if (error_code e = event.raw_json().get(raw)) return fail(MalformedJson(error ? error : e));
    raw = TrimJsonWhitespace(raw);
    if (raw.size() > validator.rules().max_event_bytes) {
      validator.CheckFlat(nullptr, 0, raw, index++, info, out);  // whatever was read in it
      continue;
    }
    if (error) return fail(MalformedJson(error));
    if (!bad.empty()) {
      validator.Reject(index++, bad, kRuleString, raw, info, out);
      continue;
    }
    EmitEvent(params_, raw, index++, validator, info, anonymous, app_ids, out);
  }
  return std::nullopt;
}

void SnowplowRequest::EmitEvent(const std::vector<Param>& params, std::string_view raw, uint32_t index,
                                const Validator& validator, const RequestInfo& info, bool anonymous,
                                const std::vector<std::string>* app_ids, ValidatedBody& out) {
  auto reject = [&](std::string_view field, std::string_view rule) {
    validator.Reject(index, field, rule, raw, info, out);
  };
  event_.BeginAfresh();
  std::string_view e, aid;
  std::optional<int64_t> dtm, stm, ttm;
  has_ue_ = false;
  nested_from_ = kNoNested;
  context_counts_.clear();
  for (const Param& p : params) {
    const std::string_view name = p.name;
    const ParamSpec* spec = FindParam(name);
    if (spec == nullptr) {
      AddOwnName(name, p.value);
      continue;
    }
    switch (spec->kind) {
      case ParamKind::kRename: event_.Add(spec->field, p.value); continue;
      case ParamKind::kAppId:
        aid = p.value;
        event_.Add(spec->field, p.value);
        continue;
      case ParamKind::kNetwork:
      case ParamKind::kNetworkId:
        if (!anonymous) event_.Add(spec->field, p.value);  // SP-Anonymous: dropped
        continue;
      case ParamKind::kEvent: e = p.value; continue;
      case ParamKind::kDeviceCreated:
      case ParamKind::kDeviceSent:
      case ParamKind::kTrueTime: {
        const int slot = static_cast<int>(spec->kind) - static_cast<int>(ParamKind::kDeviceCreated);
        const TimeParam* t = ReadTime(slot, p.value);
        if (t == nullptr) return reject(name, kRuleMillis);
        (slot == 0 ? dtm : slot == 1 ? stm : ttm) = t->ms;
        event_.Add(spec->field, t->rfc3339);
        continue;
      }
      case ParamKind::kUnstruct:
      case ParamKind::kUnstruct64:
      case ParamKind::kContexts:
      case ParamKind::kContexts64: break;
    }
    if (const std::string_view rule = AddSelfDescribing(static_cast<int>(spec->kind), p.value); !rule.empty())
      return reject(name, rule);
  }
  if (app_ids != nullptr && std::find(app_ids->begin(), app_ids->end(), aid) == app_ids->end()) {
    return reject("aid", kRuleAppId);
  }
  std::string_view event_type;
  if (e == "ue") {
    if (!has_ue_) return reject("ue_pr", kRuleUeRequired);
    scratch_.clear();
    if (!NormalizeEventName(ue_name_, validator.rules().max_event_type_bytes, scratch_)) {
      return reject("ue_pr", kRuleSelfDescribing);
    }
    event_type = event_.Keep(scratch_);
  } else {
    const EventCode* c = std::find_if(std::begin(kEventCodes), std::end(kEventCodes),
                                      [&](const EventCode& x) { return x.code == e; });
    if (e.empty()) return reject("e", kErrRequired);
    if (c == std::end(kEventCodes)) return reject("e", kRuleEvent);
    event_type = c->type;
  }
  // Snowplow's derived timestamp: the true one when the tracker knows it, else the device's
  // creation time corrected by how far its clock was off when it sent the event.
  std::optional<int64_t> event_time = ttm;
  if (!event_time && dtm) event_time = SkewCorrectedTime(info.received_at_ms, stm, *dtm);
  if (event_time) event_.Add(kEventTimeKey, KeepTime(*event_time));
  event_.Add(kEventTypeKey, event_type);
  const std::span<const Field> fields = event_.fields();
  validator.CheckFlat(fields.data(), fields.size(), raw, index, info, out);
}

std::string_view SnowplowRequest::KeepTime(int64_t ms) {
  if (!kept_time_.empty() && ms == kept_ms_) return kept_time_;
  char* text = event_.Take(kRfc3339MillisBytes);
  WriteRfc3339Millis(text, ms);
  kept_ms_ = ms;
  kept_time_ = std::string_view(text, kRfc3339MillisBytes);
  return kept_time_;
}

const SnowplowRequest::TimeParam* SnowplowRequest::ReadTime(int slot, std::string_view text) {
  TimeParam& t = times_[slot];
  if (!t.rfc3339.empty() && SameText(text, t.text)) return &t;  // the same digits: the same time
  const std::optional<int64_t> ms = ParseEpochMillis(text);
  if (!ms || *ms > kMaxEventTimeMs) return nullptr;
  t.text = text;
  t.ms = *ms;
  t.rfc3339 = KeepTime(*ms);
  return &t;
}

void SnowplowRequest::AddOwnName(std::string_view name, std::string_view value) {
  if (IsKeySegment(name)) {
    event_.Add(name, value);  // a view of the body or the query, as the value
    return;
  }
  key_.clear();
  AppendKeySegment(name, key_);
  event_.AddKeyCopy(key_, value);
}

std::string_view SnowplowRequest::AddSelfDescribing(int param_kind, std::string_view text) {
  const auto kind = static_cast<ParamKind>(param_kind);
  const std::string_view raw_text = text;
  if (kind == ParamKind::kUnstruct64 || kind == ParamKind::kContexts64) {
    decoded_.clear();
    if (!DecodeBase64Any(text, decoded_)) return kRuleBase64;
    text = decoded_;
  }
  const bool contexts = kind == ParamKind::kContexts || kind == ParamKind::kContexts64;
  // The event's first contexts parameter, as the memo's was: what it adds depends on nothing
  // else than its kind and text (and the limits, checked by AddAll). The memo's values view the
  // nested parser's current document, which the fields of this event's later nested documents
  // copy first, as for a document parsed here.
  ContextsMemo& memo = contexts_memo_;
  const bool first_contexts = contexts && context_counts_.empty();
  if (first_contexts && memo.valid && memo.kind == param_kind && SameText(memo.text, raw_text) &&
      event_.AddAll(memo.fields)) {
    nested_from_ = std::min(nested_from_, event_.size() - memo.fields.size());
    context_counts_ = memo.counts;
    return {};
  }
  // The fields of an earlier nested document of this event view its parser: copy them first.
  if (nested_from_ != kNoNested) event_.KeepValuesFrom(nested_from_);
  nested_from_ = event_.size();
  memo.valid = false;  // its values view the document about to be replaced
  simdjson::ondemand::document doc;
  simdjson::ondemand::object outer;
  if (ParseNested(text, doc) || doc.get_object().get(outer)) return kRuleSelfDescribing;
  if (kind == ParamKind::kUnstruct || kind == ParamKind::kUnstruct64) {
    simdjson::ondemand::object inner;
    std::string_view schema;
    simdjson::ondemand::value data;
    if (outer.find_field_unordered("data").get_object().get(inner) || !StringField(inner, "schema", schema) ||
        inner.find_field_unordered("data").get(data)) {
      return kRuleSelfDescribing;
    }
    const std::optional<IgluUri> iglu = ParseIglu(schema);
    if (!iglu) return kRuleSelfDescribing;
    ue_name_.assign(iglu->name);
    has_ue_ = true;
    event_.Add("event_vendor", iglu->vendor);
    event_.Add("event_name", iglu->name);
    event_.Add("event_format", iglu->format);
    event_.Add("event_version", iglu->version);
    key_.assign("unstruct_event");
    return event_.Flatten(data, key_) ? kRuleSelfDescribing : std::string_view{};
  }
  simdjson::ondemand::array entities;
  if (outer.find_field_unordered("data").get_array().get(entities)) return kRuleSelfDescribing;
  for (auto entity_result : entities) {
    simdjson::ondemand::object entity;
    std::string_view schema;
    simdjson::ondemand::value data;
    if (entity_result.get_object().get(entity) || !StringField(entity, "schema", schema)) return kRuleSelfDescribing;
    if (entity.find_field_unordered("data").get(data)) return kRuleSelfDescribing;
    // contexts.<vendor>_<name>_<major>, as Snowplow's warehouse columns name them; a second
    // entity of the same schema gets _2, and so on. The events of a request mostly carry the
    // same contexts: the last schema's prefix is built once.
    if (context_key_.empty() || schema != context_schema_) {
      const std::optional<IgluUri> iglu = ParseIglu(schema);
      if (!iglu) return kRuleSelfDescribing;
      key_.assign("contexts.");
      AppendKeySegment(iglu->vendor, key_);
      key_.push_back('_');
      AppendKeySegment(iglu->name, key_);
      key_.push_back('_');
      AppendKeySegment(iglu->version.substr(0, iglu->version.find('-')), key_);
      context_schema_.assign(schema);
      context_key_ = event_.Keep(key_);
    }
    key_.assign(context_key_);
    auto it = std::find_if(context_counts_.begin(), context_counts_.end(),
                           [&](const ContextCount& c) { return c.key == context_key_; });
    if (it == context_counts_.end()) {
      context_counts_.push_back(ContextCount{context_key_, 1});
    } else {
      char digits[24];
      const auto end = std::to_chars(digits, std::end(digits), ++it->count).ptr;
      key_.push_back('_');
      key_.append(digits, end);
    }
    if (event_.Flatten(data, key_)) return kRuleSelfDescribing;
  }
  if (first_contexts && !event_.full()) {
    const size_t first = nested_from_;
    memo.fields.assign(event_.fields(first, event_.size() - first).begin(),
                       event_.fields(first, event_.size() - first).end());
    memo.counts = context_counts_;
    memo.kind = param_kind;
    memo.text = raw_text;
    memo.valid = true;
  }
  return {};
}

}  // namespace tracklake
