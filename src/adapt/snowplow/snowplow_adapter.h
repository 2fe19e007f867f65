// Snowplow's tracker protocol: POST /com.snowplowanalytics.snowplow/tp2 (a payload_data
// self-describing JSON: {"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-x",
// "data":[{param: value, ...}]}) and GET /i (or /ice.png) with one event's parameters in the
// query string. The mapping to event fields is in docs/ingest-adapters.md.
//
// Thread-safety: a SnowplowRequest serves one request on one thread (thread-local parsers).
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapt/adapter.h"
#include "adapt/flat_event.h"
#include "adapt/query_string.h"
#include "validate/validate.h"

namespace tracklake {

class SnowplowRequest {
 public:
  std::optional<AdaptError> ParsePost(std::string_view body, const ValidationRules& rules);
  std::optional<AdaptError> ParseGet(std::string_view query, const ValidationRules& rules);
  // The aid of the first event ("" when none): what picks the app of keyless browser traffic.
  std::string_view first_app_id() const { return first_aid_; }

  // Maps and validates every event into out (cleared first). anonymous: the request carried
  // SP-Anonymous (its ip and network user ids are dropped). app_ids: when the app was chosen by
  // aid, the ids its events must carry (others are rejected); nullptr otherwise.
  std::optional<AdaptError> Emit(const Validator& validator, const RequestInfo& info, bool anonymous,
                                 const std::vector<std::string>* app_ids, ValidatedBody& out);

 private:
  // One event's parameters, in order, then its flat fields.
  struct Param {
    std::string_view name;
    std::string_view value;
  };
  void EmitEvent(const std::vector<Param>& params, std::string_view raw, uint32_t index, const Validator& validator,
                 const RequestInfo& info, bool anonymous, const std::vector<std::string>* app_ids, ValidatedBody& out);
  // The RFC 3339 text of ms, in the event's own storage (the last one's text again when ms repeats).
  std::string_view KeepTime(int64_t ms);
  // A time parameter's milliseconds (nullopt when not milliseconds since the epoch up to
  // kMaxEventTimeMs), and its RFC 3339 text, from the last event's when the text repeats.
  struct TimeParam {
    std::string_view text;  // as sent (a view of the body or the query)
    int64_t ms = 0;
    std::string_view rfc3339;  // in event_'s storage
  };
  const TimeParam* ReadTime(int slot, std::string_view text);
  // A parameter without a meaning of its own, under its own name.
  void AddOwnName(std::string_view name, std::string_view value);
  // Flattens a self-describing parameter (ue_pr, ue_px, co, cx: param_kind) into the event;
  // returns the rule it breaks, or "" when none.
  std::string_view AddSelfDescribing(int param_kind, std::string_view text);

  bool get_ = false;
  simdjson::ondemand::document doc_;
  QueryParams query_;
  std::string_view raw_query_;
  std::string first_aid_;
  FlattenLimits limits_;
  size_t max_events_ = 0;
  size_t body_bytes_ = 0;
  std::vector<Param> params_;
  FlatEvent event_;
  std::string key_;
  std::string scratch_;
  std::string decoded_;
  // Per event: its self-describing event's name, and the first field that may view the nested
  // parser's buffers (kNoNested when none).
  static constexpr size_t kNoNested = SIZE_MAX;
  std::string ue_name_;
  bool has_ue_ = false;
  size_t nested_from_ = kNoNested;
  // The contexts.<vendor>_<name>_<major> prefixes of an event so far, and how many entities had each.
  struct ContextCount {
    std::string_view key;
    int count;
  };
  std::vector<ContextCount> context_counts_;
  // The events of a batch mostly repeat their time parameters (stm always, dtm often) and
  // their contexts: the last of each, per request, so that the same text is not parsed again.
  TimeParam times_[3];  // dtm, stm, ttm
  int64_t kept_ms_ = 0;
  std::string_view kept_time_;  // KeepTime's last text ("" when none)
  // The fields the last contexts parameter (co or cx) of the request added, when it was its
  // event's first and left the event within its limits: an event whose first contexts
  // parameter has the same kind and text adds the same fields, without parsing it again. The
  // values view the nested parser's buffers: valid until its next document.
  struct ContextsMemo {
    bool valid = false;
    int kind = 0;
    std::string_view text;
    std::vector<Field> fields;
    std::vector<ContextCount> counts;
  };
  ContextsMemo contexts_memo_;
  // The last context schema read in this request, and its contexts.<vendor>_<name>_<major>
  // prefix (in event_'s storage).
  std::string context_schema_;
  std::string_view context_key_;
};

}  // namespace tracklake
