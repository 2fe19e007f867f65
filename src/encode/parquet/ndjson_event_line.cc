#include "encode/parquet/ndjson_event_line.h"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

#include "common/time_util.h"
#include "event/event_record.h"
#include "event/names.h"

namespace tracklake {
namespace {

// The leading fields of an event record, in record order (event/event_record.h).
constexpr std::string_view kLeading[] = {kEventTypeKey, kEventIdKey, kAppIdKey};

}  // namespace

std::string AppendNdjsonEventRecord(simdjson::ondemand::parser& parser, std::string_view line, std::string& records) {
  simdjson::padded_string padded(line);
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc)) return "invalid JSON";
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return "line is not a JSON object";
  std::vector<std::pair<std::string, std::string>> fields;
  int64_t received_at = 0;
  int64_t event_time = kNoEventTime;
  for (auto f : obj) {
    std::string_view key;
    if (f.unescaped_key().get(key)) return "bad key";
    if (key == kReceivedAtKey) {
      if (f.value().get_int64().get(received_at)) return "received_at must be an integer";
      continue;
    }
    std::string_view value;
    if (f.value().get_string().get(value)) return "value of " + std::string(key) + " is not a string";
    if (key == kEventTimeKey) {
      if (auto t = ParseRfc3339Millis(value)) event_time = *t;
      else return "event_time is not RFC 3339";
    }
    fields.emplace_back(std::string(key), std::string(value));
  }
  EventRecordBuilder b(records);
  b.Begin(RecordKind::kEvent, received_at, event_time);
  for (std::string_view lead : kLeading) {
    auto it = std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.first == lead; });
    if (it == fields.end()) {
      b.Abort();
      return "missing " + std::string(lead);
    }
    b.Add(it->first, it->second);
  }
  for (const auto& [k, v] : fields) {
    if (std::find(std::begin(kLeading), std::end(kLeading), k) == std::end(kLeading)) b.Add(k, v);
  }
  b.Finish();
  return "";
}

}  // namespace tracklake
