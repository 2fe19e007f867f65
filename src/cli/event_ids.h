// Client-side idempotency for `tracklake send`: every event gets an event_id (UUIDv7) before its
// first attempt, so that a resend after a lost answer or a collector restart carries the same id
// and the collector's deduplication (dedup.window) drops the copy. Events that have one keep it.
// Thread-compatible.
#pragma once

#include <cstdint>
#include <string>

namespace tracklake {

// When line is one JSON object without a top-level "event_id" key, inserts a fresh UUIDv7 for
// now_ms as its first member and returns true. Anything else (an id already there, not an
// object, not JSON) is left for the collector to judge: false.
bool EnsureEventId(std::string& line, int64_t now_ms);

}  // namespace tracklake
