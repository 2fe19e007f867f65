#include "collector/serve.h"

#include <csignal>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <filesystem>
#include <fstream>
#include <thread>

#include "aws/credential_providers.h"
#include "collector/collector_handler.h"
#include "collector/service_notify.h"
#include "common/cpu_count.h"
#include "common/open_file_limit.h"
#include "common/sha256.h"
#include "common/version.h"
#include "http/server.h"
#include "metrics/process_metrics.h"
#include "sink/firehose/firehose_sink.h"
#include "sink/kafka/kafka_sink.h"
#include "sink/kinesis/kinesis_sink.h"
#include "sink/local/local_dir_sink.h"
#include "sink/s3/s3_sink.h"

namespace tracklake {
namespace {

PipelineOptions PipelineOptionsFrom(const Config& c) {
  PipelineOptions o;
  o.node_id = c.node.id;
  o.wal.dir = c.wal.dir;
  o.wal.fsync = c.wal.durability == Durability::kFsync;
  o.wal.segment_bytes = c.wal.segment_bytes;
  o.wal.max_bytes = c.wal.max_bytes;
  o.wal.queue_bytes = c.wal.queue_bytes;
  o.wal.commit_delay = std::chrono::microseconds(c.wal.commit_delay_us);
  o.wal.direct_io = c.wal.direct_io;
  o.limits.max_bytes = c.flush.max_bytes;
  o.limits.max_age_ms = static_cast<int64_t>(c.flush.max_age_s) * 1000;
  o.limits.max_buffered_bytes = c.flush.max_buffered_bytes;
  o.max_delivery_lag_ms = static_cast<int64_t>(c.flush.max_delivery_lag_s) * 1000;
  o.format = c.lake.format == LakeFormat::kParquet ? FileFormat::kParquet : FileFormat::kNdjsonGzip;
  switch (c.lake.parquet_compression) {
    case ParquetCodec::kZstd: o.compression = ParquetCompression::kZstd; break;
    case ParquetCodec::kSnappy: o.compression = ParquetCompression::kSnappy; break;
    case ParquetCodec::kGzip: o.compression = ParquetCompression::kGzip; break;
    case ParquetCodec::kNone: o.compression = ParquetCompression::kNone; break;
  }
  o.parquet_dictionary_bytes = c.lake.parquet_dictionary_bytes;
  // Firehose takes records, not files: plain NDJSON, which the sink splits into lines.
  if (c.sink.type == SinkType::kFirehose) o.format = FileFormat::kNdjson;
  // Kinesis takes one JSON message per event, keyed by the chosen field.
  if (c.sink.type == SinkType::kKinesis) {
    o.format = FileFormat::kJsonMessages;
    o.message_key = c.kinesis.partition_key;
  }
  if (c.sink.type == SinkType::kKafka) {
    o.format = FileFormat::kJsonMessages;
    o.message_key = c.kafka.message_key;
  }
  o.event_type_columns = c.event_type_columns;
  o.dead_letter_dir = DeadLetterDir(c);
  o.sink_recheck_ms = static_cast<int64_t>(c.sink.check_interval_s) * 1000;
  o.shutdown_deadline_ms = static_cast<int64_t>(c.sink.shutdown_timeout_s) * 1000;
  o.dedup.dir = (std::filesystem::path(c.wal.dir) / "dedup").string();
  o.dedup.window_s = c.dedup.window_s;
  o.dedup.max_ids = c.dedup.max_ids;
  return o;
}

// --- Firehose sink: one delivery stream per event type.
Result<std::unique_ptr<Sink>> FirehoseSinkFrom(const Config& c) {
  FirehoseSinkOptions o;
  o.stream_template = c.firehose.stream_template;
  o.region = c.firehose.region;
  o.endpoint = c.firehose.endpoint;
  o.aggregate = c.firehose.aggregate;
  o.max_record_retries = static_cast<int>(c.firehose.max_record_retries);
  return MakeFirehoseSink(o, aws::MakeDefaultCredentialsChain(aws::ProcessAwsEnvironment()));
}
// --- end Firehose sink

// --- Kinesis sink: one data stream per event type.
Result<std::unique_ptr<Sink>> KinesisSinkFrom(const Config& c) {
  KinesisSinkOptions o;
  o.stream_template = c.kinesis.stream_template;
  o.region = c.kinesis.region;
  o.endpoint = c.kinesis.endpoint;
  o.aggregate = c.kinesis.aggregate;
  o.max_record_retries = static_cast<int>(c.kinesis.max_record_retries);
  return MakeKinesisSink(o, aws::MakeDefaultCredentialsChain(aws::ProcessAwsEnvironment()));
}
// --- end Kinesis sink

// --- Kafka sink: one topic per event type, one transaction per batch.
Result<std::unique_ptr<Sink>> KafkaSinkFrom(const Config& c, MetricsRegistry& metrics) {
  KafkaSinkOptions o;
  o.brokers = c.kafka.brokers;
  o.topic_template = c.kafka.topic_template;
  o.exactly_once = c.kafka.exactly_once;
  o.transaction_timeout_ms = static_cast<int64_t>(c.kafka.transaction_timeout_s) * 1000;
  o.properties = c.kafka.properties;
  return MakeKafkaSink(o, metrics);
}
// --- end Kafka sink

std::string_view SinkTypeName(SinkType type) {
  switch (type) {
    case SinkType::kLocal: return "local";
    case SinkType::kS3: return "s3";
    case SinkType::kFirehose: return "firehose";
    case SinkType::kKinesis: return "kinesis";
    case SinkType::kKafka: return "kafka";
  }
  return "local";
}

std::string SinkTarget(const Config& c) {
  switch (c.sink.type) {
    case SinkType::kLocal: return c.lake.dir;
    case SinkType::kS3: return "s3://" + c.s3.bucket + "/" + c.s3.prefix;
    case SinkType::kFirehose: return "firehose streams " + c.firehose.stream_template;
    case SinkType::kKinesis: return "kinesis streams " + c.kinesis.stream_template;
    case SinkType::kKafka: return "kafka topics " + c.kafka.topic_template + " at " + c.kafka.brokers;
  }
  return c.lake.dir;
}

}  // namespace

std::string DeadLetterDir(const Config& c) {
  return (std::filesystem::path(c.wal.dir).parent_path() / "dead-letter").string();
}

Result<std::unique_ptr<Sink>> MakeSink(const Config& c, MetricsRegistry& metrics, std::string_view uploads_subdir) {
  if (c.sink.type == SinkType::kLocal) return MakeLocalDirSink(c.lake.dir);
  if (c.sink.type == SinkType::kFirehose) return FirehoseSinkFrom(c);
  if (c.sink.type == SinkType::kKinesis) return KinesisSinkFrom(c);
  if (c.sink.type == SinkType::kKafka) return KafkaSinkFrom(c, metrics);
  S3SinkOptions o;
  o.bucket = c.s3.bucket;
  o.prefix = c.s3.prefix;
  o.region = c.s3.region;
  o.endpoint = c.s3.endpoint;
  o.path_style = c.s3.path_style;
  o.sse = c.s3.sse;
  o.sse_kms_key_id = c.s3.sse_kms_key_id;
  o.storage_class = c.s3.storage_class;
  o.multipart_threshold = c.s3.multipart_threshold;
  o.part_size = c.s3.part_size;
  o.max_parallel_parts = static_cast<int>(c.s3.max_parallel_parts);
  o.uploads_dir = (std::filesystem::path(c.wal.dir) / uploads_subdir).string();
  return MakeS3Sink(o, aws::MakeDefaultCredentialsChain(aws::ProcessAwsEnvironment()));
}

namespace {

Authenticator AuthenticatorFrom(const Config& c) {
  std::vector<Authenticator::App> apps;
  for (const AppConfig& a : c.auth.apps) {
    std::vector<std::string> browser_digests;
    for (const std::string& key : a.browser_keys) browser_digests.push_back(Sha256Bytes(key));
    apps.push_back({{a.app_id, a.event_types, a.rate_limit, a.rate_burst, a.allowed_origins, a.browser_event_types,
                     a.snowplow_app_ids},
                    a.key_sha256,
                    std::move(browser_digests)});
  }
  return Authenticator(c.auth.mode == AuthMode::kKeys, std::move(apps));
}

ValidationRules RulesFrom(const Config& c) {
  ValidationRules r;
  r.coerce_scalars = c.validation.coerce_scalars;
  r.max_fields = c.validation.max_fields;
  r.max_event_bytes = c.validation.max_event_bytes;
  r.max_events_per_request = c.validation.max_events_per_request;
  return r;
}

// server.max_connections, lowered when the open-files limit (raised as far as allowed) cannot
// hold that many connections and the log's, the lake's and the sinks' descriptors too.
uint32_t ConnectionsFitting(uint32_t max_connections) {
  Result<OpenFileLimit> files = RaiseOpenFileLimit();
  if (!files.ok()) {
    spdlog::warn("cannot raise the open-files limit: {}", files.status().ToString());
    return max_connections;
  }
  if (files->soft > files->before) spdlog::info("open-files limit raised from {} to {}", files->before, files->soft);
  const uint32_t fitting = ConnectionsWithin(files->soft, max_connections);
  if (fitting < max_connections) {
    spdlog::warn(
        "server.max_connections = {} lowered to {}: the open-files limit is {} (its hard limit; raise it "
        "with ulimit -n or LimitNOFILE=), and {} descriptors stay for the log, the lake and the sinks",
        max_connections, fitting, files->soft, ReservedDescriptors(files->soft));
  }
  return fitting;
}

}  // namespace

int Serve(const Config& config, const ServeFlags& flags) {
  // Block the signals before any thread starts so only sigwait below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);  // not a reload (see the loop below), and never a stop without draining
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  if (config.auth.mode == AuthMode::kNone) {
    spdlog::warn(
        "authentication is disabled (auth.mode = \"none\"): any client may write, and events name "
        "their own app_id; use write keys anywhere but a local machine");
  }
  MetricsRegistry metrics;
  AddProcessMetrics(metrics);
  metrics.AddGauge(
      "tracklake_build_info", "Always 1: the collector's version and sink type as labels.", [] { return 1.0; },
      fmt::format("version=\"{}\",sink=\"{}\"", kTracklakeVersion, SinkTypeName(config.sink.type)));
  Result<std::unique_ptr<Sink>> sink = MakeSink(config, metrics);
  if (!sink.ok()) {
    spdlog::error("cannot create the {} sink: {}", SinkTypeName(config.sink.type), sink.status().ToString());
    return 1;
  }
  NotifyServiceManager("STATUS=recovering the write-ahead log");
  auto pipeline = Pipeline::Start(PipelineOptionsFrom(config), std::move(sink).value(), metrics);
  if (!pipeline.ok()) {
    spdlog::error("cannot start the pipeline: {}", pipeline.status().ToString());
    return 1;
  }
  const Authenticator auth = AuthenticatorFrom(config);
  const Validator validator(RulesFrom(config));
  CollectorHandler handler(validator, auth, **pipeline, metrics,
                           CollectorLimits{config.server.max_decompressed_bytes});
  HttpServerOptions ho;
  ho.listen = config.server.listen;
  ho.threads = config.server.threads > 0 ? config.server.threads : UsableCpuCount();
  ho.max_body_bytes = config.server.max_body_bytes;
  ho.header_timeout_s = config.server.header_timeout_s;
  ho.body_timeout_s = config.server.body_timeout_s;
  ho.idle_timeout_s = config.server.idle_timeout_s;
  ho.max_connections = ConnectionsFitting(config.server.max_connections);
  if (!config.server.tls_cert.empty()) {
    ho.tls = TlsOptions{config.server.tls_cert, config.server.tls_key,
                        config.server.tls_min_version == TlsVersion::kTls13 ? TlsMinVersion::kTls13
                                                                            : TlsMinVersion::kTls12};
  }
  HttpServer server(ho, handler);
  Result<uint16_t> port = server.Start();
  if (!port.ok()) {
    spdlog::error("{}", port.status().ToString());
    (*pipeline)->Shutdown();
    return 1;
  }
  spdlog::info(
      "tracklake collector {} listening on {} (port {}, {}), lake {} ({}), write-ahead log {} (durability {})",
      config.node.id, config.server.listen, *port,
      ho.tls ? "HTTPS only, certificate " + ho.tls->cert_file : std::string("plain HTTP"), SinkTarget(config),
      config.sink.type == SinkType::kFirehose                                          ? "ndjson records"
      : config.sink.type == SinkType::kKinesis || config.sink.type == SinkType::kKafka ? "json messages"
      : config.lake.format == LakeFormat::kParquet                                     ? "parquet"
                                                                                       : "ndjson.gz",
      config.wal.dir, config.wal.durability == Durability::kFsync ? "fsync" : "write");
  if (flags.port_file) {
    const std::string tmp = *flags.port_file + ".tmp";
    std::ofstream(tmp) << *port << "\n";
    std::filesystem::rename(tmp, *flags.port_file);
  }
  NotifyServiceManager(fmt::format("READY=1\nSTATUS=accepting events on {} (port {})", config.server.listen, *port));
  int sig = 0;
  while (sigwait(&signals, &sig) == 0 && sig == SIGHUP) {
    spdlog::warn(
        "received SIGHUP: reloading the configuration is not supported; restart the collector to apply "
        "changes (a stop drains first: nothing accepted is lost)");
  }
  NotifyServiceManager("STOPPING=1\nSTATUS=draining: finishing requests in flight, delivering open batches");
  spdlog::info(
      "received {}: answering requests in flight (up to {} s), then delivering every open batch (up to "
      "{} s)",
      strsignal(sig), config.server.shutdown_timeout_s, config.sink.shutdown_timeout_s);
  server.Stop(static_cast<int64_t>(config.server.shutdown_timeout_s) * 1000);
  (*pipeline)->Shutdown();
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace tracklake
