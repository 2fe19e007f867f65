// The option table's sections of the AWS stream sinks: [firehose] and [kinesis] (option_builder.h).
#include "config/option_builder.h"

#include "config/name_rules.h"
#include "config/option_binding.h"

namespace tracklake::config_internal {
namespace {

// Stream names the template makes must be valid: Firehose's up to 64 characters, Kinesis's 128.
std::optional<std::string> CheckStreamTemplate(std::string_view value) {
  return CheckNameTemplate(value, 64, "stream");
}
std::optional<std::string> CheckKinesisStreamTemplate(std::string_view value) {
  return CheckNameTemplate(value, 128, "stream");
}
constexpr std::string_view kStreamTemplateRule = "[a-zA-Z0-9_.-] and {event_type}";

constexpr int64_t kMaxFirehoseRecordRetries = 20;
constexpr int64_t kMaxKinesisRecordRetries = 20;

}  // namespace

std::vector<OptionSpec> FirehoseSection() {
  return {
      Option("firehose", "stream_template")
          .String(CheckStreamTemplate, kStreamTemplateRule)
          .Doc("Delivery stream of each event type; {event_type} is replaced by the event type.")
          .Bind(BindField<&Config::firehose, &Config::Firehose::stream_template>()),
      Option("firehose", "region")
          .String(CheckNonEmpty, kNonEmptyRule)
          .Doc("Region of the delivery streams, used in the signature and the default endpoint.")
          .Bind(BindField<&Config::firehose, &Config::Firehose::region>()),
      Option("firehose", "endpoint")
          .String(CheckEndpointUrl, kEndpointRule)
          .Doc("Endpoint override (moto, a VPC endpoint URL); empty for AWS.")
          .Bind(BindField<&Config::firehose, &Config::Firehose::endpoint>()),
      Option("firehose", "aggregate")
          .Bool()
          .Doc("Pack many events (newline-separated) into each record of up to 1,000 KiB instead of one "
               "event per record: Firehose bills each record rounded up to 5 KB.")
          .Bind(BindField<&Config::firehose, &Config::Firehose::aggregate>()),
      Option("firehose", "max_record_retries")
          .Integer(0, kMaxFirehoseRecordRetries)
          .Doc("Rounds of resending the records a PutRecordBatch reported failed, with backoff, "
               "before the batch is retried later.")
          .Bind(BindField<&Config::firehose, &Config::Firehose::max_record_retries>()),
  };
}

std::vector<OptionSpec> KinesisSection() {
  return {
      Option("kinesis", "stream_template")
          .String(CheckKinesisStreamTemplate, kStreamTemplateRule)
          .Doc("Kinesis data stream of each event type; {event_type} is replaced by the event type.")
          .Bind(BindField<&Config::kinesis, &Config::Kinesis::stream_template>()),
      Option("kinesis", "region")
          .String(CheckNonEmpty, kNonEmptyRule)
          .Doc("Region of the streams, used in the signature and the default endpoint.")
          .Bind(BindField<&Config::kinesis, &Config::Kinesis::region>()),
      Option("kinesis", "endpoint")
          .String(CheckEndpointUrl, kEndpointRule)
          .Doc("Endpoint override (moto, a VPC endpoint URL); empty for AWS.")
          .Bind(BindField<&Config::kinesis, &Config::Kinesis::endpoint>()),
      Option("kinesis", "partition_key")
          .Enum(MessageKeyNames())
          .Doc("Field whose value is each record's partition key (events of one key go to one shard, in "
               "order). An event without it, or \"none\", uses its event_id (spread evenly).")
          .Bind(BindField<&Config::kinesis, &Config::Kinesis::partition_key>()),
      Option("kinesis", "aggregate")
          .Bool()
          .Doc("Pack consecutive events (newline-separated) into records of up to 1 MiB under the first "
               "one's partition key, instead of one event per record: Kinesis bills each record in 25 KB "
               "PUT payload units.")
          .Bind(BindField<&Config::kinesis, &Config::Kinesis::aggregate>()),
      Option("kinesis", "max_record_retries")
          .Integer(0, kMaxKinesisRecordRetries)
          .Doc("Rounds of resending the records a PutRecords reported failed (FailedRecordCount > 0), "
               "with backoff, before the batch is retried later.")
          .Bind(BindField<&Config::kinesis, &Config::Kinesis::max_record_retries>()),
  };
}

}  // namespace tracklake::config_internal
