// Snowplow's tracker protocol: POST /com.snowplowanalytics.snowplow/tp2 (a payload_data
// self-describing JSON: {"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-x",
// "data":[{param: value, ...}]}) and GET /i (or /ice.png) with one event's parameters in the
// query string. The mapping to event fields is in docs/ingest-adapters.md.
//
// Thread-safety: a SnowplowRequest serves one request on one thread (thread-local parsers).
#pragma once

#include <simdjson.h>

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
};

}  // namespace tracklake
