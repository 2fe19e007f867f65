#include "client/collector_answer.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <ctime>

#include "common/backoff.h"
#include "common/parse_number.h"

namespace tracklake::client {
namespace {

constexpr std::chrono::milliseconds kInitialBackoff{100};
constexpr int kMaxBackoffDoublings = 30;
constexpr double kMaxBackoffS = 1e9;
constexpr double kMaxRetryAfterS = 600;
constexpr size_t kMaxDetailBytes = 200;

bool IsRetryable(unsigned status) {
  return status == 0 || status == 429 || status == 401 || status == 403 || status >= 500;
}

// {"accepted":N,"rejected":[{"index":i,"field":"f","error":"e"},...]}: how many were rejected
// and the first one's field and rule (names and rule texts, never values).
bool ParseRejections(std::string_view body, uint64_t& rejected, std::string& first) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) return false;
  simdjson::dom::array list;
  if (doc["rejected"].get_array().get(list) != simdjson::SUCCESS) return false;
  rejected = list.size();
  for (simdjson::dom::element r : list) {
    std::string_view field;
    std::string_view error;
    if (r["field"].get_string().get(field) != simdjson::SUCCESS) field = "";
    if (r["error"].get_string().get(error) != simdjson::SUCCESS) error = "";
    first = fmt::format("first: field '{}', {}", field.substr(0, 128), error.substr(0, kMaxDetailBytes));
    break;
  }
  return true;
}

std::string ErrorText(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view error;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS ||
      doc["error"].get_string().get(error) != simdjson::SUCCESS) {
    return "";
  }
  return std::string(error.substr(0, kMaxDetailBytes));
}

}  // namespace

Answer ClassifyAnswer(unsigned status, std::string_view body, std::string_view retry_after, uint64_t events,
                      double now_s) {
  Answer a;
  if (status / 100 == 2 || status == 400) {
    std::string first;
    uint64_t rejected = 0;
    if (ParseRejections(body, rejected, first)) {
      a.rejected = std::min(rejected, events);
      a.detail = std::move(first);
      return a;
    }
    if (status / 100 == 2) return a;  // a 2xx without the usual body: delivered all the same
  }
  if (IsRetryable(status)) {
    a.kind = AnswerKind::kRetry;
    a.retry_after_s = ParseRetryAfter(retry_after, now_s);
    a.detail = status == 0 ? "no answer" : fmt::format("HTTP {} ({})", status, ErrorText(body));
    return a;
  }
  if (status == 413 && events > 1) {
    a.kind = AnswerKind::kSplit;
    return a;
  }
  a.kind = AnswerKind::kRejected;
  a.rejected = events;
  a.detail = fmt::format("HTTP {} ({})", status, ErrorText(body));
  return a;
}

std::optional<double> ParseRetryAfter(std::string_view value, double now_s) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return kMaxRetryAfterS;
    return static_cast<double>(*ParseDecimal<uint32_t>(value));  // 1 to 9 digits
  }
  std::tm tm{};
  const std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return std::max(0.0, static_cast<double>(timegm(&tm)) - now_s);
}

double BackoffSeconds(int attempt, double max_s, std::optional<double> retry_after_s, std::mt19937_64& rng) {
  // Clamped so that the conversion to milliseconds cannot overflow (a billion seconds is forever).
  const auto max = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::duration<double>(std::clamp(max_s, 0.0, kMaxBackoffS)));
  const Backoff backoff{kInitialBackoff, max, kMaxBackoffDoublings};
  double delay = std::chrono::duration<double>(backoff.FullJitter(attempt, rng)).count();
  if (retry_after_s) delay = std::max(delay, std::min(*retry_after_s, kMaxRetryAfterS));
  return delay;
}

}  // namespace tracklake::client
