#include "client/event_line.h"

#include "common/json_writer.h"
#include "common/time_util.h"
#include "common/uuid.h"
#include "validate/field_rules.h"

namespace tracklake::client {
namespace {

void AppendMember(std::string& out, std::string_view key, std::string_view value) {
  out.push_back(',');
  AppendJsonString(out, key);
  out.push_back(':');
  AppendJsonString(out, value);
}

const Field* Find(const Field* fields, size_t count, std::string_view key) {
  for (size_t i = 0; i < count; ++i) {
    if (fields[i].key == key) return &fields[i];
  }
  return nullptr;
}

}  // namespace

void AppendEventLine(std::string& out, std::string_view event_type, const Field* fields, size_t count,
                     const LineDefaults& defaults, std::string& event_id) {
  const Field* given_id = Find(fields, count, kEventIdKey);
  const Field* given_app = Find(fields, count, kAppIdKey);
  const Field* given_time = Find(fields, count, kEventTimeKey);
  event_id.clear();
  if (given_id != nullptr) {
    event_id.assign(given_id->value);
  } else {
    AppendUuidV7(event_id, defaults.now_ms);
  }
  out += "{\"event_type\":";
  AppendJsonString(out, event_type);
  AppendMember(out, kEventIdKey, event_id);
  AppendMember(out, kAppIdKey, given_app != nullptr ? given_app->value : defaults.app_id);
  if (given_time != nullptr) {
    AppendMember(out, kEventTimeKey, given_time->value);
  } else if (defaults.stamp_event_time) {
    out += ",\"event_time\":\"";
    AppendRfc3339Millis(out, defaults.now_ms);
    out.push_back('"');
  }
  for (size_t i = 0; i < count; ++i) {
    const Field& f = fields[i];
    if (&f == given_id || &f == given_app || &f == given_time) continue;
    AppendMember(out, f.key, f.value);
  }
  out.push_back('}');
}

}  // namespace tracklake::client
