// The option table's sections of where lake files go: [sink], [s3] and [event_types.<name>]
// (option_builder.h).
#include "config/option_builder.h"

#include "config/name_rules.h"
#include "config/option_binding.h"
#include "config/option_value.h"

namespace tracklake::config_internal {
namespace {

constexpr EnumName<SinkType> kSinkTypeNames[] = {
    {"local", SinkType::kLocal},     {"s3", SinkType::kS3},       {"firehose", SinkType::kFirehose},
    {"kinesis", SinkType::kKinesis}, {"kafka", SinkType::kKafka},
};

constexpr int64_t kMinS3PartBytes = 5 * kMiB;  // S3's minimum for every part but the last
constexpr int64_t kMaxS3PartBytes = 5 * kGiB;  // S3's maximum part, and PutObject's maximum
constexpr int64_t kMaxS3ParallelParts = 64;

}  // namespace

std::vector<OptionSpec> SinkSection() {
  return {
      Option("sink", "type")
          .Enum(NamesOf<kSinkTypeNames>())
          .Doc("Where lake files go: \"local\" (lake.dir), \"s3\" (the [s3] section; the same object "
               "keys as the local lake), \"firehose\" (the [firehose] section: one delivery stream per "
               "event type, batches sent as NDJSON records; lake.format does not apply) or \"kinesis\" (the "
               "[kinesis] section: one data stream per event type, one JSON record per event) or \"kafka\" "
               "(the [kafka] section: one topic per event type, one JSON message per event).")
          .Bind(BindEnum<&Config::sink, &Config::Sink::type, kSinkTypeNames>()),
      Option("sink", "shutdown_timeout")
          .Seconds(0, kMaxTimeoutSeconds)
          .Doc("On SIGTERM/SIGINT, after server.shutdown_timeout: how long the collector keeps sealing and "
               "delivering open batches before it exits. Whatever is not delivered by then stays in the "
               "write-ahead log and is delivered at the next start (exactly once, as after a crash).")
          .Bind(BindField<&Config::sink, &Config::Sink::shutdown_timeout_s>()),
      Option("sink", "check_interval")
          .Seconds(1, kMaxTimeoutSeconds)
          .Doc("At start the sink's destinations are checked (S3: HeadBucket and a small object written under "
               "<prefix>/_tracklake/; Firehose: DescribeDeliveryStream, Kinesis: DescribeStreamSummary of each "
               "[event_types.*] stream). A destination that refuses for good (credentials, missing, wrong region) "
               "makes /readyz answer 503 while its batches go to the dead-letter directory; it is checked again "
               "this often until it accepts. `tracklake redrive` then resends the dead letters (local, S3, "
               "Firehose; Kafka's and Kinesis's are NDJSON to replay with a client).")
          .Bind(BindField<&Config::sink, &Config::Sink::check_interval_s>()),
  };
}

std::vector<OptionSpec> S3Section() {
  return {
      Option("s3", "bucket")
          .String()
          .Doc("Bucket of the lake; required with sink.type = \"s3\". Credentials come from the "
               "standard AWS chain (environment, shared files, web identity, ECS, EC2 metadata).")
          .Bind(BindField<&Config::s3, &Config::S3::bucket>()),
      Option("s3", "prefix")
          .String()
          .Doc("Prepended to every object key (a '/' is added between); empty for the bucket root.")
          .Bind(BindField<&Config::s3, &Config::S3::prefix>()),
      Option("s3", "region")
          .String(CheckNonEmpty, kNonEmptyRule)
          .Doc("Region of the bucket, used in the signature and the default endpoint.")
          .Bind(BindField<&Config::s3, &Config::S3::region>()),
      Option("s3", "endpoint")
          .String(CheckEndpointUrl, kEndpointRule)
          .Doc("Endpoint override for S3-compatible stores (MinIO, moto); empty for AWS.")
          .Bind(BindField<&Config::s3, &Config::S3::endpoint>()),
      Option("s3", "path_style")
          .Bool()
          .Doc("Address objects as endpoint/bucket/key instead of bucket.endpoint/key (most "
               "S3-compatible stores need this, and so does an endpoint given as an IP address: false is refused "
               "there; a bucket name with dots over HTTPS needs it too, or the certificate does not match).")
          .Bind(BindField<&Config::s3, &Config::S3::path_style>()),
      Option("s3", "sse")
          .Enum({"", "AES256", "aws:kms"})
          .Doc("Server-side encryption requested per object; empty leaves the bucket's default.")
          .Bind(BindField<&Config::s3, &Config::S3::sse>()),
      Option("s3", "sse_kms_key_id")
          .String()
          .Doc("KMS key (id, ARN or alias) with sse = \"aws:kms\"; empty for the account's AWS "
               "managed key.")
          .Bind(BindField<&Config::s3, &Config::S3::sse_kms_key_id>()),
      Option("s3", "storage_class")
          .Enum({"", "STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER",
                 "DEEP_ARCHIVE", "REDUCED_REDUNDANCY"})
          .Doc("Storage class of new objects; empty for the bucket's default (STANDARD).")
          .Bind(BindField<&Config::s3, &Config::S3::storage_class>()),
      Option("s3", "multipart_threshold")
          .Bytes(kMinS3PartBytes, kMaxS3PartBytes)
          .Because("PutObject takes at most 5 GiB")
          .Doc("Files at least this big are sent as a multipart upload, smaller ones in one request.")
          .Bind(BindField<&Config::s3, &Config::S3::multipart_threshold>()),
      Option("s3", "part_size")
          .Bytes(kMinS3PartBytes, kMaxS3PartBytes)
          .Because("S3 parts are 5 MiB to 5 GiB")
          .Doc("Size of each part of a multipart upload (the last may be smaller).")
          .Bind(BindField<&Config::s3, &Config::S3::part_size>()),
      Option("s3", "max_parallel_parts")
          .Integer(1, kMaxS3ParallelParts)
          .Doc("Parts of one multipart upload sent at the same time.")
          .Bind(BindField<&Config::s3, &Config::S3::max_parallel_parts>()),
  };
}

std::vector<OptionSpec> EventTypesSection() {
  return {
      Option("event_types.<name>", "columns")
          .Scope(OptionScope::kPerEventType)
          .StringList(CheckColumn, kColumnRule)
          .Required()
          .DefaultText("none")
          .Doc("Extra typed columns for that event type; the name matches [a-z0-9_]{1,64}."),
  };
}

}  // namespace tracklake::config_internal
