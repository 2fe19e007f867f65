#include "sink/firehose/firehose_sink.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "common/gzip.h"
#include "sink/firehose/firehose_records.h"

namespace tracklake {
namespace {

constexpr std::string_view kGzipSuffix = ".gz";
constexpr uint64_t kMaxObjectBytes = 8ull << 30;  // above flush.max_bytes' bound: only a guard
// Objects whose accepted records are remembered between attempts; beyond it the oldest
// memory is dropped, which costs duplicates, never losses.
constexpr size_t kMaxRememberedObjects = 1024;
constexpr int kMaxBackoffShift = 10;
constexpr size_t kMaxLinesNamed = 10;
// A template checked with this event type must give a valid stream name.
constexpr std::string_view kProbeEventType = "probe_event_type";

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string LineList(const std::vector<uint64_t>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size() && i < kMaxLinesNamed; ++i) out += (i ? ", " : "") + std::to_string(lines[i]);
  if (lines.size() > kMaxLinesNamed) out += fmt::format(" and {} more", lines.size() - kMaxLinesNamed);
  return out;
}

// Which records of an object Firehose already accepted, kept across the pipeline's attempts.
class AcceptedRecords {
 public:
  std::vector<bool> Take(const std::string& key, size_t fingerprint, size_t records) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.fingerprint != fingerprint || it->second.accepted.size() != records) {
      return std::vector<bool>(records, false);
    }
    std::vector<bool> accepted = std::move(it->second.accepted);
    entries_.erase(it);
    return accepted;
  }
  void Keep(const std::string& key, size_t fingerprint, std::vector<bool> accepted) {
    std::lock_guard lock(mu_);
    if (entries_.size() >= kMaxRememberedObjects) entries_.erase(entries_.begin());
    entries_[key] = {fingerprint, std::move(accepted)};
  }

 private:
  struct Entry {
    size_t fingerprint;
    std::vector<bool> accepted;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

class FirehoseSink : public Sink {
 public:
  FirehoseSink(const FirehoseSinkOptions& options, std::unique_ptr<FirehoseClient> client)
      : options_(options), client_(std::move(client)) {}

  DeliveryResult Put(const LakeObject& object) override {
    const std::string event_type = object.key.substr(0, object.key.find('/'));
    const std::string stream = StreamName(options_.stream_template, event_type);
    if (!IsValidStreamName(stream)) {
      return {DeliveryOutcome::kRejected, fmt::format("Firehose {}: \"{}\" is not a valid stream name", object.key, stream),
              /*destination_refuses=*/true};
    }
    std::string unzipped;
    std::string_view ndjson = object.bytes;
    if (EndsWith(object.key, kGzipSuffix)) {
      if (Status s = GunzipBounded(object.bytes, kMaxObjectBytes, unzipped); !s.ok()) {
        return {DeliveryOutcome::kRejected, fmt::format("Firehose {}: {}", object.key, s.ToString())};
      }
      ndjson = unzipped;
    }
    const FirehoseRecords packed = PackRecords(ndjson, options_.aggregate);
    const size_t fingerprint = std::hash<std::string_view>{}(ndjson);
    std::vector<bool> accepted = remembered_.Take(object.key, fingerprint, packed.records.size());

    DeliveryResult result = SendAll(stream, packed.records, accepted);
    // A whole call refused for good (no such stream, denied) refuses every object of the stream.
    result.destination_refuses = result.outcome == DeliveryOutcome::kRejected;
    if (result.outcome != DeliveryOutcome::kDelivered) {
      if (result.outcome == DeliveryOutcome::kRetry) remembered_.Keep(object.key, fingerprint, std::move(accepted));
      return result;
    }
    if (!packed.oversized_lines.empty()) {
      // Remembered so that, should keeping the dead letter fail and the object come back,
      // the delivered events are not sent twice.
      remembered_.Keep(object.key, fingerprint, std::move(accepted));
      return {DeliveryOutcome::kRejected,
              fmt::format("Firehose {} {}: {} event(s) over the 1,000 KiB record limit can never be sent (lines {} "
                          "of the file); the other {} events were delivered, the whole file is kept",
                          stream, object.key, packed.oversized_lines.size(), LineList(packed.oversized_lines),
                          packed.events)};
    }
    return {DeliveryOutcome::kDelivered, ""};
  }

  std::string_view name() const override { return "firehose"; }

  std::string Destination(std::string_view event_type) const override {
    return "firehose stream " + StreamName(options_.stream_template, std::string(event_type));
  }

  DeliveryResult Check(std::string_view event_type) override {
    const std::string stream = StreamName(options_.stream_template, std::string(event_type));
    if (!IsValidStreamName(stream)) {
      return {DeliveryOutcome::kRejected, fmt::format("Firehose: \"{}\" is not a valid stream name", stream), true};
    }
    return ClassifyDescribeDeliveryStream(
        stream, client_->Send(DescribeDeliveryStreamBody(stream), kDescribeDeliveryStreamTarget));
  }

 private:
  // Sends every record not yet accepted; failed records again, for a few rounds.
  DeliveryResult SendAll(const std::string& stream, const std::vector<std::string_view>& records,
                         std::vector<bool>& accepted) const {
    std::vector<size_t> pending;
    for (size_t i = 0; i < records.size(); ++i) {
      if (!accepted[i]) pending.push_back(i);
    }
    std::string last_failure;
    for (int round = 0; !pending.empty(); ++round) {
      if (round > options_.max_record_retries) {
        return {DeliveryOutcome::kRetry, fmt::format("{} record(s) still failing after {} rounds; last: {}",
                                                     pending.size(), options_.max_record_retries, last_failure)};
      }
      if (round > 0) {
        spdlog::warn("Firehose {}: {} record(s) failed ({}); sending them again", stream, pending.size(), last_failure);
        Backoff(round);
      }
      std::vector<size_t> failed;
      for (const std::vector<size_t>& call : GroupIntoCalls(records, pending)) {
        std::vector<std::string_view> data;
        data.reserve(call.size());
        for (size_t index : call) data.push_back(records[index]);
        const std::string body = PutRecordBatchBody(stream, data);
        const PutRecordBatchOutcome outcome = ClassifyPutRecordBatch(stream, client_->Send(body), call.size());
        if (outcome.call != DeliveryOutcome::kDelivered) return {outcome.call, outcome.detail};
        std::vector<bool> failed_here(call.size(), false);
        for (size_t position : outcome.failed) failed_here[position] = true;
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

  // Full jitter up to initial << (round - 1).
  void Backoff(int round) const {
    thread_local std::mt19937_64 rng(std::random_device{}());
    const int64_t bound = options_.record_retry_initial_ms << std::min(round - 1, kMaxBackoffShift);
    if (bound <= 0) return;
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(bound / 2, bound)(rng)));
  }

  const FirehoseSinkOptions options_;
  const std::unique_ptr<FirehoseClient> client_;
  AcceptedRecords remembered_;
};

}  // namespace

Result<std::unique_ptr<Sink>> MakeFirehoseSink(const FirehoseSinkOptions& options,
                                               std::shared_ptr<aws::CredentialsProvider> credentials) {
  if (!IsValidStreamName(StreamName(options.stream_template, kProbeEventType))) {
    return Status::InvalidArgument("firehose.stream_template \"" + options.stream_template +
                                   "\" does not make valid stream names (1-64 of [a-zA-Z0-9_.-], "
                                   "{event_type} replaced by the event type)");
  }
  if (options.max_record_retries < 0) return Status::InvalidArgument("firehose.max_record_retries must be >= 0");
  Result<std::unique_ptr<FirehoseClient>> client = FirehoseClient::Create(options, std::move(credentials));
  if (!client.ok()) return client.status();
  return std::unique_ptr<Sink>(std::make_unique<FirehoseSink>(options, std::move(client).value()));
}

}  // namespace tracklake
