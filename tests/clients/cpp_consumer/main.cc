// consumer: tracks COUNT events of type click through tracklake::client (configured from the
// TRACKLAKE_* environment), pausing PAUSE_MS every 100 events, flushes, and prints one event id
// per line, then "flushed <0|1>" and the stats.
#include <tracklake/client.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: consumer COUNT [PAUSE_MS]\n";
    return 2;
  }
  const int count = std::atoi(argv[1]);
  const int pause_ms = argc > 2 ? std::atoi(argv[2]) : 0;
  std::string error;
  auto tracker = tracklake::client::Tracker::FromEnv(&error);
  if (!tracker) {
    std::cerr << "tracker: " << error << "\n";
    return 2;
  }
  for (int i = 0; i < count; ++i) {
    const std::string seq = std::to_string(i);
    const auto r = tracker->Track("click", {{"seq", seq}, {"lib", "cpp"}, {"page.url", "/ü?q=\"x\""}});
    if (!r.ok()) {
      std::cerr << "track: " << r.field << ": " << r.rule << "\n";
      return 1;
    }
    std::cout << r.event_id << "\n";
    if (pause_ms > 0 && i % 100 == 99) std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
  }
  const bool flushed = tracker->Flush(std::chrono::seconds(60));
  const auto s = tracker->Stats();
  std::cout << "flushed " << flushed << "\nstats " << s.delivered << " " << s.rejected << " " << s.dropped << " "
            << s.retries << " " << tracklake::client::Version() << std::endl;
  return flushed ? 0 : 1;
}
