#include "cli/loadgen.h"

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <random>
#include <vector>

#include "cli/http_client.h"
#include "cli/loadgen_events.h"
#include "cli/loadgen_runner.h"
#include "cli/loadgen_wire.h"

namespace tracklake {
namespace {

// The request pool's memory bound: large batches get fewer distinct bodies.
constexpr size_t kMaxPoolBytes = size_t{256} << 20;
constexpr size_t kMinPool = 4;

Result<std::vector<std::string>> ReadEventFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot open " + path);
  std::vector<std::string> events;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) events.push_back(line);
  }
  if (events.empty()) return Status::InvalidArgument(path + " holds no event");
  return events;
}

struct Pool {
  std::vector<std::string> requests;
  size_t mean_body_bytes = 0;
};

Result<Pool> BuildPool(const LoadgenFlags& f, const HttpTarget& target) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!f.key.empty()) headers.emplace_back("Authorization", "Bearer " + f.key);
  std::vector<std::string> fixed;
  if (!f.event_file.empty()) {
    Result<std::vector<std::string>> r = ReadEventFile(f.event_file);
    if (!r.ok()) return r.status();
    fixed = std::move(*r);
  }
  EventGeneratorOptions o;
  o.seed = f.seed;
  o.event_types = f.event_types;
  o.min_bytes = f.min_event_bytes;
  o.max_bytes = f.max_event_bytes;
  o.event_bytes = f.event_bytes;
  EventGenerator gen(o);
  std::mt19937_64 rng(f.seed);
  auto next_event = [&]() -> std::string {
    return fixed.empty() ? gen.Next() : fixed[fixed.size() == 1 ? 0 : rng() % fixed.size()];
  };
  Pool pool;
  size_t total_body = 0;
  size_t total_bytes = 0;
  const size_t wanted = std::max(f.pool, kMinPool);
  for (size_t i = 0; i < wanted && (i < kMinPool || total_bytes < kMaxPoolBytes); ++i) {
    std::string body;
    if (f.batch <= 1) {
      body = next_event();
    } else {
      body.push_back('[');
      for (int e = 0; e < f.batch; ++e) {
        if (e) body.push_back(',');
        body += next_event();
      }
      body.push_back(']');
    }
    total_body += body.size();
    pool.requests.push_back(
        BuildPostRequest(target.host + ":" + target.port, target.path, "application/json", headers, body));
    total_bytes += pool.requests.back().size();
  }
  pool.mean_body_bytes = total_body / pool.requests.size();
  return pool;
}

}  // namespace

int Loadgen(const LoadgenFlags& f) {
  Result<HttpTarget> target = ParseHttpUrl(f.url);
  if (!target.ok()) {
    std::cerr << target.status().ToString() << "\n";
    return 2;
  }
  if (target->tls) {
    // Its connections write pre-built requests straight to sockets, to measure the collector
    // rather than the client.
    std::cerr << "loadgen speaks plain HTTP only: " << f.url << "\n";
    return 2;
  }
  RunnerConfig config;
  const bool open_loop = f.rate > 0 || !f.profile.empty();
  if (open_loop) {
    Result<RateSchedule> schedule = RateSchedule::FromProfile(f.profile, f.rate, f.duration_s);
    if (!schedule.ok()) {
      std::cerr << schedule.status().message() << "\n";
      return 2;
    }
    config.schedule = *schedule;
  }
  Result<Pool> pool = BuildPool(f, *target);
  if (!pool.ok()) {
    std::cerr << pool.status().ToString() << "\n";
    return 2;
  }
  config.target = *target;
  config.requests = &pool->requests;
  config.events_per_request = std::max(f.batch, 1);
  config.connections = f.connections;
  config.threads = f.threads;
  config.duration_s = f.duration_s;
  config.timeout_s = f.timeout_s;
  config.interval_s = f.interval_s;
  Result<LoadStats> stats = RunLoad(config);
  if (!stats.ok()) {
    std::cerr << stats.status().ToString() << "\n";
    return 2;
  }
  LoadSummary summary;
  summary.url = f.url;
  summary.mode = !f.profile.empty() && f.profile != "constant" ? "profile:" + f.profile
                 : open_loop                                   ? "open-loop"
                                                               : "closed-loop";
  summary.offered_events_per_s = config.schedule ? config.schedule->EventsUntil(f.duration_s) / f.duration_s : 0;
  summary.events_per_request = config.events_per_request;
  summary.connections = f.connections;
  summary.threads = std::min(f.threads, f.connections);
  summary.duration_s = f.duration_s;
  summary.interval_s = f.interval_s;
  summary.mean_body_bytes = pool->mean_body_bytes;
  std::cout << (f.json ? FormatJson(summary, *stats) : FormatText(summary, *stats));
  return 0;
}

}  // namespace tracklake
