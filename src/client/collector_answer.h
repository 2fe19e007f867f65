// What the collector's answer to one batch means for the client (README, "Sending events"), and
// how long to wait before sending again. Pure functions, thread-safe.
//
//   2xx (and a 400 listing rejections)  delivered; listed events are refused for good
//   429, 503, 5xx, no answer            send again later, not before Retry-After
//   401, 403                            the key is refused: keep the events, send again later
//   413                                 split the batch in two, send both halves at once
//   other 4xx                           refused for good
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace tracklake::client {

enum class AnswerKind { kDelivered, kRetry, kSplit, kRejected };

struct Answer {
  AnswerKind kind = AnswerKind::kDelivered;
  uint64_t rejected = 0;                // kDelivered: events the collector refused
  std::optional<double> retry_after_s;  // kRetry: the server's Retry-After
  std::string detail;                   // for a log line: status, error text or first rejection
};

// status 0 means no answer. events: how many the batch carried. now_s: Unix time, for an
// HTTP-date Retry-After.
Answer ClassifyAnswer(unsigned status, std::string_view body, std::string_view retry_after, uint64_t events,
                      double now_s);

// Seconds from a Retry-After value (delay-seconds or an IMF-fixdate), or nullopt.
std::optional<double> ParseRetryAfter(std::string_view value, double now_s);

// Full jitter (common/backoff.h): uniform in [0, min(max_s, 0.1 s * 2^attempt)] to the millisecond,
// never below retry_after_s (capped at 10 minutes).
double BackoffSeconds(int attempt, double max_s, std::optional<double> retry_after_s, std::mt19937_64& rng);

}  // namespace tracklake::client
