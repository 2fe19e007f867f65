// `tracklake send`: posts NDJSON events (from a file or stdin) to a collector in batches,
// retrying on 503, 429 and network errors with backoff (honouring Retry-After), so a client
// using it loses nothing across collector restarts or overload. Every event without an event_id
// gets one (UUIDv7) before the first attempt, so a retry of an accepted batch is dropped by the
// collector's deduplication instead of duplicating it.
#pragma once

#include <string>

namespace tracklake {

struct SendFlags {
  std::string url = "http://127.0.0.1:8080/v1/events";
  std::string key;
  std::string cacert;  // https: trust only this PEM CA file instead of the system's CAs
  std::string input = "-";
  size_t batch_events = 500;
  int max_retries = 30;
};

// Returns 0 when every batch was answered 2xx, 1 otherwise. Prints a summary to stderr.
int Send(const SendFlags& flags);

}  // namespace tracklake
