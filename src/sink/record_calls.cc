#include "sink/record_calls.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <random>
#include <thread>

#include "common/backoff.h"

namespace tracklake {
namespace {

constexpr int kMaxBackoffDoublings = 10;
constexpr size_t kMaxLinesNamed = 10;

// Before resend round `round` (1 for the first): up to initial << (round - 1), at least half.
void WaitBeforeRound(int64_t initial_ms, int round) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  const Backoff backoff{std::chrono::milliseconds(initial_ms), std::chrono::milliseconds::max(), kMaxBackoffDoublings};
  const std::chrono::milliseconds wait = backoff.EqualJitter(round - 1, rng);
  if (wait > std::chrono::milliseconds::zero()) std::this_thread::sleep_for(wait);
}

}  // namespace

DeliveryResult SendRecordsWithRetries(std::string_view destination, std::vector<bool>& accepted,
                                      const GroupRecords& group, const SendRecordCall& send,
                                      const RecordRetryPolicy& policy) {
  std::vector<size_t> pending;
  for (size_t i = 0; i < accepted.size(); ++i) {
    if (!accepted[i]) pending.push_back(i);
  }
  std::string last_failure;
  for (int round = 0; !pending.empty(); ++round) {
    if (round > policy.max_rounds) {
      return {DeliveryOutcome::kRetry, fmt::format("{}: {} record(s) still failing after {} rounds; last: {}",
                                                   destination, pending.size(), policy.max_rounds, last_failure)};
    }
    if (round > 0) {
      spdlog::warn("{}: {} record(s) failed ({}); sending them again", destination, pending.size(), last_failure);
      WaitBeforeRound(policy.initial_backoff_ms, round);
    }
    std::vector<size_t> failed;
    for (const std::vector<size_t>& call : group(pending)) {
      const RecordCallOutcome outcome = send(call);
      if (outcome.call != DeliveryOutcome::kDelivered) return {outcome.call, outcome.detail};
      std::vector<bool> failed_here(call.size(), false);
      for (size_t position : outcome.failed) {
        if (position < call.size()) failed_here[position] = true;
      }
      for (size_t i = 0; i < call.size(); ++i) {
        if (failed_here[i]) {
          failed.push_back(call[i]);
        } else {
          accepted[call[i]] = true;
        }
      }
      if (!outcome.failed.empty()) last_failure = outcome.detail;
    }
    pending = std::move(failed);
  }
  return {DeliveryOutcome::kDelivered, ""};
}

std::vector<bool> AcceptedRecords::Take(const std::string& key, size_t fingerprint, size_t records) {
  MutexLock lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.fingerprint != fingerprint || it->second.accepted.size() != records) {
    return std::vector<bool>(records, false);
  }
  std::vector<bool> accepted = std::move(it->second.accepted);
  entries_.erase(it);
  return accepted;
}

void AcceptedRecords::Keep(const std::string& key, size_t fingerprint, std::vector<bool> accepted) {
  MutexLock lock(mu_);
  if (entries_.size() >= kMaxObjects) entries_.erase(entries_.begin());
  entries_[key] = {fingerprint, std::move(accepted)};
}

std::vector<std::vector<size_t>> GroupIntoCalls(const std::function<size_t(size_t)>& size_of,
                                                const std::vector<size_t>& indices, size_t max_records,
                                                size_t max_bytes) {
  std::vector<std::vector<size_t>> calls;
  size_t call_bytes = 0;
  for (size_t index : indices) {
    const size_t size = size_of(index);
    if (calls.empty() || calls.back().size() >= max_records || call_bytes + size > max_bytes) {
      calls.emplace_back();
      call_bytes = 0;
    }
    calls.back().push_back(index);
    call_bytes += size;
  }
  return calls;
}

std::string LineList(const std::vector<uint64_t>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size() && i < kMaxLinesNamed; ++i) out += (i ? ", " : "") + std::to_string(lines[i]);
  if (lines.size() > kMaxLinesNamed) out += fmt::format(" and {} more", lines.size() - kMaxLinesNamed);
  return out;
}

}  // namespace tracklake
