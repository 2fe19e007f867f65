#include "sink/kinesis/kinesis_sink.h"

#include <fmt/format.h>

#include <functional>

#include "aws/json_api.h"
#include "encode/json_messages.h"
#include "sink/kinesis/kinesis_api.h"
#include "sink/kinesis/kinesis_records.h"
#include "sink/record_calls.h"

namespace tracklake {
namespace {

// A template checked with this event type must give a valid stream name.
constexpr std::string_view kProbeEventType = "probe_event_type";

class KinesisSink : public Sink {
 public:
  KinesisSink(const KinesisSinkOptions& options, std::unique_ptr<aws::JsonApiClient> client)
      : options_(options), client_(std::move(client)) {}

  DeliveryResult Put(const LakeObject& object) override {
    const std::string stream = NameFromTemplate(options_.stream_template, object.batch.event_type);
    if (!IsValidKinesisStreamName(stream)) {
      return {DeliveryOutcome::kRejected,
              fmt::format("Kinesis {}: \"{}\" is not a valid stream name", object.key, stream),
              /*destination_refuses=*/true};
    }
    Result<std::vector<MessageView>> messages = ReadMessages(object.bytes);
    if (!messages.ok()) {
      return {DeliveryOutcome::kRejected, fmt::format("Kinesis {}: {}", object.key, messages.status().ToString())};
    }
    const KinesisRecords packed = PackKinesisRecords(*messages, options_.aggregate);
    const size_t fingerprint = std::hash<std::string_view>{}(object.bytes);
    std::vector<bool> accepted = remembered_.Take(object.key, fingerprint, packed.records.size());

    const auto group = [&](const std::vector<size_t>& pending) {
      return GroupIntoCalls([&](size_t i) { return packed.records[i].size(); }, pending, kKinesisMaxRecordsPerCall,
                            kKinesisMaxBytesPerCall);
    };
    const auto send = [&](const std::vector<size_t>& call) {
      return ClassifyPutRecords(stream, client_->Send(kPutRecordsTarget, PutRecordsBody(stream, packed.records, call)),
                                call.size());
    };
    DeliveryResult result = SendRecordsWithRetries("Kinesis stream " + stream, accepted, group, send,
                                                   {options_.max_record_retries, options_.record_retry_initial_ms});
    // A whole call refused for good (no such stream, denied) refuses every batch of the stream.
    result.destination_refuses = result.outcome == DeliveryOutcome::kRejected;
    if (result.outcome != DeliveryOutcome::kDelivered) {
      if (result.outcome == DeliveryOutcome::kRetry) remembered_.Keep(object.key, fingerprint, std::move(accepted));
      return result;
    }
    if (!packed.oversized.empty()) {
      // Remembered so that, should keeping the dead letter fail and the object come back,
      // the delivered events are not sent twice.
      remembered_.Keep(object.key, fingerprint, std::move(accepted));
      return {DeliveryOutcome::kRejected,
              fmt::format("Kinesis stream {} {}: {} event(s) over the 1 MiB record limit can never be sent (events {} "
                          "of the batch); the other {} events were delivered, the whole batch is kept",
                          stream, object.key, packed.oversized.size(), LineList(packed.oversized), packed.events)};
    }
    return {DeliveryOutcome::kDelivered, ""};
  }

  std::string_view name() const override { return "kinesis"; }

  std::string Destination(std::string_view event_type) const override {
    return "kinesis stream " + NameFromTemplate(options_.stream_template, event_type);
  }

  // DescribeStreamSummary: without it a refused stream would count as accepting again at the
  // pipeline's next check, and /readyz would flap back to 200 until the next batch failed.
  DeliveryResult Check(std::string_view event_type) override {
    const std::string stream = NameFromTemplate(options_.stream_template, event_type);
    if (!IsValidKinesisStreamName(stream)) {
      return {DeliveryOutcome::kRejected, fmt::format("Kinesis: \"{}\" is not a valid stream name", stream), true};
    }
    return ClassifyDescribeStreamSummary(stream, client_->Send(kDescribeStreamSummaryTarget,
                                                               DescribeStreamSummaryBody(stream)));
  }

 private:
  const KinesisSinkOptions options_;
  const std::unique_ptr<aws::JsonApiClient> client_;
  AcceptedRecords remembered_;
};

}  // namespace

Result<std::unique_ptr<Sink>> MakeKinesisSink(const KinesisSinkOptions& options,
                                              std::shared_ptr<aws::CredentialsProvider> credentials) {
  if (!IsValidKinesisStreamName(NameFromTemplate(options.stream_template, kProbeEventType))) {
    return Status::InvalidArgument("kinesis.stream_template \"" + options.stream_template +
                                   "\" does not make valid stream names (1-128 of [a-zA-Z0-9_.-], "
                                   "{event_type} replaced by the event type)");
  }
  if (options.max_record_retries < 0) return Status::InvalidArgument("kinesis.max_record_retries must be >= 0");
  aws::JsonApiOptions o;
  o.service = "kinesis";
  o.region = options.region;
  o.endpoint = options.endpoint;
  o.option_prefix = "kinesis";
  o.request_timeout_ms = options.request_timeout_ms;
  Result<std::unique_ptr<aws::JsonApiClient>> client = aws::JsonApiClient::Create(o, std::move(credentials));
  if (!client.ok()) return client.status();
  return std::unique_ptr<Sink>(std::make_unique<KinesisSink>(options, std::move(client).value()));
}

}  // namespace tracklake
