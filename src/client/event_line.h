// The JSON line of one tracked event, as the client sends it: event_type, event_id, app_id,
// event_time first (the caller's values where given, else a fresh UUIDv7, the tracker's app and
// now), then the caller's other fields in their order. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tracklake/client.h"

namespace tracklake::client {

struct LineDefaults {
  std::string_view app_id;
  int64_t now_ms = 0;
  bool stamp_event_time = true;
};

// Appends the line (no newline) to out; event_id receives the id the line carries.
void AppendEventLine(std::string& out, std::string_view event_type, const Field* fields, size_t count,
                     const LineDefaults& defaults, std::string& event_id);

}  // namespace tracklake::client
