#include "adapt/snowplow/snowplow_adapter.h"

#include <algorithm>
#include <array>

#include "adapt/base64url.h"
#include "adapt/event_time.h"
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
constexpr std::string_view kRuleSelfDescribing = "must be a self-describing JSON {\"schema\": \"iglu:...\", \"data\": ...}";
constexpr std::string_view kRuleBase64 = "must be base64url of JSON";
constexpr std::string_view kRuleString = "must be a string";
constexpr std::string_view kRuleAppId = "must be one of the snowplow_app_ids of the request's app";
constexpr std::string_view kRuleUeRequired = "required when e=ue";

struct Rename {
  std::string_view param;
  std::string_view field;
};
// Tracker-protocol parameters and the names Snowplow's own warehouse tables give them
// (atomic.events); event_id, user_id, anonymous_id and session_id are tracklake's.
constexpr Rename kRenames[] = {
    {"eid", "event_id"},          {"uid", "user_id"},           {"duid", "anonymous_id"},
    {"sid", "session_id"},        {"aid", "tracker_app_id"},    {"p", "platform"},
    {"tv", "v_tracker"},          {"tna", "name_tracker"},      {"vid", "domain_sessionidx"},
    {"nuid", "network_userid"},   {"ip", "user_ipaddress"},     {"tz", "os_timezone"},
    {"lang", "br_lang"},          {"ua", "useragent"},          {"url", "page_url"},
    {"refr", "page_referrer"},    {"page", "page_title"},       {"res", "dvce_screen_resolution"},
    {"vp", "br_viewport"},        {"ds", "doc_size"},           {"cs", "doc_charset"},
    {"cd", "br_colordepth"},      {"cookie", "br_cookies"},     {"se_ca", "se_category"},
    {"se_ac", "se_action"},       {"se_la", "se_label"},        {"se_pr", "se_property"},
    {"se_va", "se_value"},        {"tr_id", "tr_orderid"},      {"tr_af", "tr_affiliation"},
    {"tr_tt", "tr_total"},        {"tr_tx", "tr_tax"},          {"tr_sh", "tr_shipping"},
    {"tr_ci", "tr_city"},         {"tr_st", "tr_state"},        {"tr_co", "tr_country"},
    {"tr_cu", "tr_currency"},     {"ti_id", "ti_orderid"},      {"ti_sk", "ti_sku"},
    {"ti_nm", "ti_name"},         {"ti_ca", "ti_category"},     {"ti_pr", "ti_price"},
    {"ti_qu", "ti_quantity"},     {"ti_cu", "ti_currency"},     {"pp_mix", "pp_xoffset_min"},
    {"pp_max", "pp_xoffset_max"}, {"pp_miy", "pp_yoffset_min"}, {"pp_may", "pp_yoffset_max"},
};

// kRenames sorted by parameter, once: a binary search per parameter instead of a scan.
const Rename* FindRename(std::string_view param) {
  static const auto sorted = [] {
    std::array<Rename, std::size(kRenames)> a;
    std::copy(std::begin(kRenames), std::end(kRenames), a.begin());
    std::sort(a.begin(), a.end(), [](const Rename& x, const Rename& y) { return x.param < y.param; });
    return a;
  }();
  const auto it = std::lower_bound(sorted.begin(), sorted.end(), param,
                                   [](const Rename& r, std::string_view p) { return r.param < p; });
  return it != sorted.end() && it->param == param ? &*it : nullptr;
}

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

// The string field name of object, copied into out; false when absent or not a string.
bool StringField(simdjson::ondemand::object& object, std::string_view name, std::string& out) {
  std::string_view text;
  if (object.find_field_unordered(name).get_string().get(text)) return false;
  out.assign(text);
  return true;
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
  std::string schema;
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
    if (element.get_object().get(first) == simdjson::SUCCESS) StringField(first, "aid", first_aid_);
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
    return AdaptError{400, "", "query string must be at most " + std::to_string(rules.max_event_bytes) +
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
      return fail(AdaptError{400, "data", "must hold at most " + std::to_string(max_events_) +
                                              " events (validation.max_events_per_request)"});
    }
    simdjson::ondemand::value v;
    if (error_code e = element.get(v)) return fail(MalformedJson(e));
    simdjson::ondemand::object event;
    std::string_view raw;
    json_type type;
    if (error_code e = v.type().get(type)) return fail(MalformedJson(e));
    if (type != json_type::object) {
      validator.Reject(index++, "", kErrNotObject, TrimJsonWhitespace(v.raw_json_token()), info, out);
      continue;
    }
    if (error_code e = v.get_object().get(event)) return fail(MalformedJson(e));
    if (error_code e = event.raw_json().get(raw)) return fail(MalformedJson(e));
    raw = TrimJsonWhitespace(raw);
    if (raw.size() > validator.rules().max_event_bytes) {
      validator.CheckFlat(nullptr, 0, raw, index++, info, out);
      continue;
    }
    if (error_code e = event.reset().error()) return fail(MalformedJson(e));
    params_.clear();
    std::string_view bad;
    for (auto field_result : event) {
      simdjson::ondemand::field field;
      if (error_code e = std::move(field_result).get(field)) return fail(MalformedJson(e));
      std::string_view name;
      std::string_view text;
      bool present = false;
      bool container = false;
      if (error_code e = field.unescaped_key().get(name)) return fail(MalformedJson(e));
      if (error_code e = ScalarText(field.value(), text, present, container)) return fail(MalformedJson(e));
      if (container && bad.empty()) bad = name;
      if (present) params_.push_back(Param{name, text});
    }
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
  event_.Clear(limits_);
  std::string_view e, aid;
  std::optional<int64_t> dtm, stm, ttm;
  std::string ue_name;
  bool has_ue = false;
  std::vector<std::pair<std::string, int>> context_counts;
  for (const Param& p : params) {
    const std::string_view name = p.name;
    if (name == "e") {
      e = p.value;
      continue;
    }
    if (name == "dtm" || name == "stm" || name == "ttm") {
      const std::optional<int64_t> ms = ParseEpochMillis(p.value);
      if (!ms || *ms > kMaxEventTimeMs) return reject(name, kRuleMillis);
      (name == "dtm" ? dtm : name == "stm" ? stm : ttm) = ms;
      scratch_.clear();
      AppendRfc3339Millis(scratch_, *ms);
      event_.Add(name == "dtm" ? "dvce_created_tstamp" : name == "stm" ? "dvce_sent_tstamp" : "true_tstamp", scratch_);
      continue;
    }
    if (anonymous && (name == "ip" || name == "nuid" || name == "tnuid")) continue;  // SP-Anonymous
    const bool ue = name == "ue_pr" || name == "ue_px";
    const bool co = name == "co" || name == "cx";
    if (ue || co) {
      std::string_view text = p.value;
      if (name == "ue_px" || name == "cx") {
        decoded_.clear();
        if (!DecodeBase64Any(text, decoded_)) return reject(name, kRuleBase64);
        text = decoded_;
      }
      simdjson::ondemand::document doc;
      simdjson::ondemand::object outer;
      if (ParseNested(text, doc) || doc.get_object().get(outer)) return reject(name, kRuleSelfDescribing);
      if (ue) {
        simdjson::ondemand::object inner;
        std::string schema;
        simdjson::ondemand::value data;
        if (outer.find_field_unordered("data").get_object().get(inner) || !StringField(inner, "schema", schema) ||
            inner.find_field_unordered("data").get(data)) {
          return reject(name, kRuleSelfDescribing);
        }
        const std::optional<IgluUri> iglu = ParseIglu(schema);
        if (!iglu) return reject(name, kRuleSelfDescribing);
        ue_name.assign(iglu->name);
        has_ue = true;
        event_.Add("event_vendor", iglu->vendor);
        event_.Add("event_name", iglu->name);
        event_.Add("event_format", iglu->format);
        event_.Add("event_version", iglu->version);
        key_.assign("unstruct_event");
        if (event_.Flatten(data, key_)) return reject(name, kRuleSelfDescribing);
        continue;
      }
      simdjson::ondemand::array entities;
      if (outer.find_field_unordered("data").get_array().get(entities)) return reject(name, kRuleSelfDescribing);
      for (auto entity_result : entities) {
        simdjson::ondemand::object entity;
        std::string schema;
        simdjson::ondemand::value data;
        if (entity_result.get_object().get(entity) || !StringField(entity, "schema", schema)) {
          return reject(name, kRuleSelfDescribing);
        }
        const std::optional<IgluUri> iglu = ParseIglu(schema);
        if (!iglu || entity.find_field_unordered("data").get(data)) return reject(name, kRuleSelfDescribing);
        // contexts.<vendor>_<name>_<major>, as Snowplow's warehouse columns name them; a second
        // entity of the same schema gets _2, and so on.
        key_.assign("contexts.");
        AppendKeySegment(iglu->vendor, key_);
        key_.push_back('_');
        AppendKeySegment(iglu->name, key_);
        key_.push_back('_');
        AppendKeySegment(iglu->version.substr(0, iglu->version.find('-')), key_);
        auto it = std::find_if(context_counts.begin(), context_counts.end(),
                               [&](const auto& c) { return c.first == key_; });
        if (it == context_counts.end()) {
          context_counts.emplace_back(key_, 1);
        } else {
          key_ += "_" + std::to_string(++it->second);
        }
        if (event_.Flatten(data, key_)) return reject(name, kRuleSelfDescribing);
      }
      continue;
    }
    if (name == "aid") aid = p.value;
    if (const Rename* r = FindRename(name)) {
      event_.Add(r->field, p.value);
    } else {
      key_.clear();
      AppendKeySegment(name, key_);
      event_.Add(key_, p.value);
    }
  }
  if (app_ids != nullptr && std::find(app_ids->begin(), app_ids->end(), aid) == app_ids->end()) {
    return reject("aid", kRuleAppId);
  }
  scratch_.clear();
  if (e == "ue") {
    if (!has_ue) return reject("ue_pr", kRuleUeRequired);
    if (!NormalizeEventName(ue_name, validator.rules().max_event_type_bytes, scratch_)) {
      return reject("ue_pr", kRuleSelfDescribing);
    }
  } else {
    const EventCode* c = std::find_if(std::begin(kEventCodes), std::end(kEventCodes),
                                      [&](const EventCode& x) { return x.code == e; });
    if (e.empty()) return reject("e", kErrRequired);
    if (c == std::end(kEventCodes)) return reject("e", kRuleEvent);
    scratch_.assign(c->type);
  }
  // Snowplow's derived timestamp: the true one when the tracker knows it, else the device's
  // creation time corrected by how far its clock was off when it sent the event.
  std::optional<int64_t> event_time = ttm;
  if (!event_time && dtm) event_time = SkewCorrectedTime(info.received_at_ms, stm, *dtm);
  const size_t type_end = scratch_.size();
  if (event_time) {
    AppendRfc3339Millis(scratch_, *event_time);
    event_.Add("event_time", std::string_view(scratch_).substr(type_end));
  }
  event_.Add("event_type", std::string_view(scratch_).substr(0, type_end));
  const std::vector<Field>& fields = event_.fields();
  validator.CheckFlat(fields.data(), fields.size(), raw, index, info, out);
}

}  // namespace tracklake
