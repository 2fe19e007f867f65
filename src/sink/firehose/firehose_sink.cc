#include "sink/firehose/firehose_sink.h"

#include <fmt/format.h>

#include <functional>

#include "common/gzip.h"
#include "sink/firehose/firehose_records.h"
#include "sink/record_calls.h"

namespace tracklake {
namespace {

constexpr std::string_view kGzipSuffix = ".gz";
constexpr uint64_t kMaxObjectBytes = 8ull << 30;  // above flush.max_bytes' bound: only a guard
// A template checked with this event type must give a valid stream name.
constexpr std::string_view kProbeEventType = "probe_event_type";

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

class FirehoseSink : public Sink {
 public:
  FirehoseSink(const FirehoseSinkOptions& options, std::unique_ptr<FirehoseClient> client)
      : options_(options), client_(std::move(client)) {}

  DeliveryResult Put(const LakeObject& object) override {
    const std::string event_type = object.key.substr(0, object.key.find('/'));
    const std::string stream = StreamName(options_.stream_template, event_type);
    if (!IsValidStreamName(stream)) {
      return {DeliveryOutcome::kRejected,
              fmt::format("Firehose {}: \"{}\" is not a valid stream name", object.key, stream),
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
    return ClassifyDescribeDeliveryStream(stream, client_->Send(DescribeDeliveryStreamBody(stream),
                                                                kDescribeDeliveryStreamTarget));
  }

 private:
  DeliveryResult SendAll(const std::string& stream, const std::vector<std::string_view>& records,
                         std::vector<bool>& accepted) const {
    const auto group = [&](const std::vector<size_t>& pending) { return GroupIntoCalls(records, pending); };
    const auto send = [&](const std::vector<size_t>& call) {
      std::vector<std::string_view> data;
      data.reserve(call.size());
      for (size_t index : call) data.push_back(records[index]);
      return ClassifyPutRecordBatch(stream, client_->Send(PutRecordBatchBody(stream, data)), call.size());
    };
    return SendRecordsWithRetries("Firehose " + stream, accepted, group, send,
                                  {options_.max_record_retries, options_.record_retry_initial_ms});
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
