#include "cli/event_ids.h"

#include <simdjson.h>

#include "common/uuid.h"
#include "event/names.h"

namespace tracklake {

bool EnsureEventId(std::string& line, int64_t now_ms) {
  // The whole line is validated (the DOM parser refuses trailing content too): an id goes only
  // into what is surely one JSON object.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(line).get(object) != simdjson::SUCCESS) return false;
  for (const auto field : object) {
    if (field.key == kEventIdKey) return false;
  }
  const size_t brace = line.find('{');
  std::string member = "\"";
  member += kEventIdKey;
  member += "\":\"";
  AppendUuidV7(member, now_ms);
  member += '"';
  const size_t next = line.find_first_not_of(" \t\r\n", brace + 1);
  if (next == std::string::npos || line[next] != '}') member += ',';
  line.insert(brace + 1, member);
  return true;
}

}  // namespace tracklake
