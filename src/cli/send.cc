#include "cli/send.h"

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <thread>

#include "cli/event_ids.h"
#include "cli/http_client.h"
#include "common/backoff.h"
#include "common/parse_number.h"
#include "common/time_util.h"

namespace tracklake {
namespace {

// Retry n waits 100 ms << n, at most 5 s, or what Retry-After asks (up to the same 5 s).
constexpr Backoff kBackoff{std::chrono::milliseconds(100), std::chrono::milliseconds(5000), 20};

struct Totals {
  uint64_t events = 0;
  uint64_t batches = 0;
  uint64_t retries = 0;
  uint64_t failed_batches = 0;
  uint64_t ids_added = 0;
};

// Sends one batch until it is answered with something other than 429/503/network error.
bool SendBatch(HttpClient& client, const std::string& body, const SendFlags& flags, Totals& totals) {
  std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/x-ndjson"}};
  if (!flags.key.empty()) headers.emplace_back("Authorization", "Bearer " + flags.key);
  for (int attempt = 0;; ++attempt) {
    Result<ClientResponse> r = client.Post(body, headers);
    const bool retry = !r.ok() || r->status == 503 || r->status == 429;
    if (!retry) {
      if (r->status / 100 == 2) return true;
      std::cerr << fmt::format("batch refused with HTTP {}: {}\n", r->status, r->body);
      return false;
    }
    if (attempt >= flags.max_retries) {
      std::cerr << "giving up after " << attempt
                << " retries: " << (r.ok() ? fmt::format("HTTP {}", r->status) : r.status().ToString()) << "\n";
      return false;
    }
    ++totals.retries;
    std::chrono::milliseconds wait = kBackoff.Bound(attempt);
    // Delay-seconds only; an HTTP date (or anything else) leaves the backoff as it is.
    if (const std::optional<int64_t> s = r.ok() ? ParseDecimal<int64_t>(r->retry_after) : std::nullopt; s && *s > 0) {
      wait = std::max<std::chrono::milliseconds>(wait, std::chrono::seconds(std::min<int64_t>(*s, 3600)));
    }
    std::this_thread::sleep_for(std::min(wait, kBackoff.max));
  }
}

}  // namespace

int Send(const SendFlags& flags) {
  Result<HttpTarget> target = ParseHttpUrl(flags.url);
  if (!target.ok()) {
    std::cerr << target.status().ToString() << "\n";
    return 2;
  }
  std::ifstream file;
  if (flags.input != "-") {
    file.open(flags.input);
    if (!file) {
      std::cerr << "cannot open " << flags.input << "\n";
      return 2;
    }
  }
  std::istream& in = flags.input == "-" ? std::cin : file;
  HttpClient client(*target);
  if (!flags.cacert.empty()) {
    if (Status ca = client.UseCaFile(flags.cacert); !ca.ok()) {
      std::cerr << ca.ToString() << "\n";
      return 2;
    }
  }
  Totals totals;
  std::string body;
  size_t in_batch = 0;
  auto flush = [&] {
    if (in_batch == 0) return;
    ++totals.batches;
    if (!SendBatch(client, body, flags, totals)) ++totals.failed_batches;
    totals.events += in_batch;
    body.clear();
    in_batch = 0;
  };
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    // Before the first attempt: every retry of this batch then carries the same ids, and the
    // collector drops the copies of events it already accepted.
    if (EnsureEventId(line, NowMillis())) ++totals.ids_added;
    body += line;
    body.push_back('\n');
    if (++in_batch >= flags.batch_events) flush();
  }
  flush();
  std::cerr << fmt::format("sent {} events in {} batches ({} retries, {} batches failed; {} event ids added)\n",
                           totals.events, totals.batches, totals.retries, totals.failed_batches, totals.ids_added);
  return totals.failed_batches == 0 ? 0 : 1;
}

}  // namespace tracklake
