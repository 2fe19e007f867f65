// `tracklake loadgen`: HTTP load for capacity planning and benchmarks. Builds a pool of
// requests (synthetic realistic events, or a fixed event from --event-file), runs them open-loop
// at a rate, along a profile, or closed-loop at maximum (see loadgen_runner.h), and prints the
// achieved rates, errors and latency percentiles as text or JSON.
#pragma once

#include <cstdint>
#include <string>

namespace tracklake {

struct LoadgenFlags {
  std::string url = "http://127.0.0.1:8080/v1/events";
  std::string key;      // sent as "Authorization: Bearer <key>" when not empty
  double rate = 0;      // events/s; 0 = closed loop at maximum (or the profile's peak)
  std::string profile;  // "" / "constant" or "mission"
  double duration_s = 10;
  int connections = 16;
  int threads = 1;
  int batch = 1;           // events per request; 1 sends a JSON object, more a JSON array
  std::string event_file;  // one JSON event per line (NDJSON); default: synthetic events
  int event_types = 8;
  size_t min_event_bytes = 512;
  size_t max_event_bytes = 4096;
  size_t event_bytes = 0;  // fixed size of synthetic events (0: drawn between min and max)
  size_t pool = 1024;      // distinct request bodies (bounded by kMaxPoolBytes)
  uint64_t seed = 1;
  double timeout_s = 10;
  double interval_s = 1;
  bool json = false;
};

// Returns 0 when the run completed (whatever the server answered), 2 on bad flags or inputs.
int Loadgen(const LoadgenFlags& flags);

}  // namespace tracklake
