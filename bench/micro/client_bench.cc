// tracklake_client_bench: what tracklake::client costs a service, against a running collector.
//   tracklake_client_bench --endpoint URL --key KEY --app APP --event-file event.json --events N
// Tracks N copies of the event's custom fields (every field but event_type, event_id, app_id)
// as fast as it can, timing Track() on the caller's thread in runs of 1,000 calls (wall and
// thread CPU time), then Flush()es, and prints one JSON object:
//   track_ns_p50/p90/max (per call, over the runs), track_cpu_ns (per call),
//   process_cpu_ns_per_event (the process's CPU time, caller and sender, from the first Track to
//   the end of Flush, per event), delivered_per_s (N over that time), and the tracker's stats.
// The queue is sized to hold all N events, so nothing is dropped. getppid() marks the start and
// the end of the Track loop for `strace -f` (bench/client_bench.py counts the calls between).
// Driven by bench/client_bench.py; not a test.
#include <simdjson.h>
#include <tracklake/client.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

namespace {

int64_t CpuNs(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

std::string Arg(int argc, char** argv, std::string_view name, std::string fallback = "") {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const int events = std::stoi(Arg(argc, argv, "--events", "100000"));
  simdjson::dom::parser parser;
  simdjson::dom::object event;
  if (parser.load(Arg(argc, argv, "--event-file")).get(event) != simdjson::SUCCESS) {
    std::cerr << "cannot read --event-file\n";
    return 2;
  }
  std::vector<std::string> keys;
  std::vector<std::string> values;
  for (auto [key, value] : event) {
    if (key == "event_type" || key == "event_id" || key == "app_id") continue;
    std::string_view v;
    if (value.get_string().get(v) != simdjson::SUCCESS) continue;
    keys.emplace_back(key);
    values.emplace_back(v);
  }
  std::vector<tracklake::client::Field> fields;
  for (size_t i = 0; i < keys.size(); ++i) fields.push_back({keys[i], values[i]});

  tracklake::client::TrackerOptions o;
  o.app_id = Arg(argc, argv, "--app");
  o.event_types = {"page_view"};
  o.endpoint = Arg(argc, argv, "--endpoint");
  o.write_key = Arg(argc, argv, "--key");
  o.max_queue_events = static_cast<size_t>(events) + 1;
  o.max_queue_bytes = static_cast<size_t>(events) * 2048 + (1 << 20);
  std::string error;
  auto tracker = tracklake::client::Tracker::Create(o, &error);
  if (!tracker) {
    std::cerr << error << "\n";
    return 2;
  }
  constexpr int kRun = 1000;
  std::vector<double> per_call_ns;
  const auto start = std::chrono::steady_clock::now();
  const int64_t process0 = CpuNs(CLOCK_PROCESS_CPUTIME_ID);
  const int64_t cpu0 = CpuNs(CLOCK_THREAD_CPUTIME_ID);
  (void)getppid();  // marker for strace
  for (int done = 0; done < events; done += kRun) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kRun && done + i < events; ++i) {
      if (!tracker->Track("page_view", fields.data(), fields.size()).ok()) {
        std::cerr << "track failed\n";
        return 1;
      }
    }
    per_call_ns.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() /
                          kRun);
  }
  (void)getppid();  // marker for strace
  const int64_t cpu_ns = CpuNs(CLOCK_THREAD_CPUTIME_ID) - cpu0;
  const bool flushed = tracker->Flush(std::chrono::minutes(5));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int64_t process_ns = CpuNs(CLOCK_PROCESS_CPUTIME_ID) - process0;
  std::sort(per_call_ns.begin(), per_call_ns.end());
  const auto at = [&](double q) { return per_call_ns[static_cast<size_t>(q * (per_call_ns.size() - 1))]; };
  const auto s = tracker->Stats();
  std::printf(
      "{\"client\":\"cpp\",\"events\":%d,\"fields\":%zu,\"track_ns_p50\":%.0f,\"track_ns_p90\":%.0f,"
      "\"track_ns_max\":%.0f,\"track_cpu_ns\":%.0f,\"process_cpu_ns_per_event\":%.0f,\"delivered_per_s\":%.0f,"
      "\"flushed\":%s,\"delivered\":%llu,"
      "\"dropped\":%llu,\"retries\":%llu}\n",
      events, fields.size(), at(0.5), at(0.9), per_call_ns.back(), static_cast<double>(cpu_ns) / events,
      static_cast<double>(process_ns) / events, events / seconds, flushed ? "true" : "false",
      static_cast<unsigned long long>(s.delivered), static_cast<unsigned long long>(s.dropped),
      static_cast<unsigned long long>(s.retries));
  return flushed ? 0 : 1;
}
