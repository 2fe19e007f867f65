// tracklake's configuration: a TOML file plus environment overrides TRACKLAKE_<SECTION>_<KEY>.
// Every option is declared once in a table (key, type, default, bounds, doc, secret flag) that
// drives parsing, error messages, `tracklake config describe` and docs/config.md.
// Unknown keys are errors: in the file, and as TRACKLAKE_<SECTION>_<KEY> variables of a section
// that exists (a typo never passes silently). Other TRACKLAKE_* variables (TRACKLAKE_BIN, which
// the Makefile and tests export, say) are not options: ignored, with a warning.
//
// Thread-safety: Config is a plain value; load it once at start-up and share it read-only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "event/names.h"  // kUserIdKey

namespace tracklake {

enum class Durability { kFsync, kWrite };
enum class LakeFormat { kNdjsonGzip, kParquet };
enum class ParquetCodec { kZstd, kSnappy, kGzip, kNone };
enum class AuthMode { kKeys, kNone };
enum class SinkType { kLocal, kS3, kFirehose, kKinesis, kKafka };
enum class TlsVersion { kTls12, kTls13 };

struct AppConfig {
  std::string app_id;
  // SHA-256 of the write key, raw 32 bytes. Config gives either `key` (plain) or `key_sha256`
  // (hex); only the digest is kept in memory.
  std::string key_sha256;
  std::vector<std::string> event_types;  // empty: any event type
  uint32_t rate_limit = 0;               // events per second, token bucket; 0: unlimited
  uint32_t rate_burst = 0;               // bucket size in events; 0: one second's worth
  // Browser-facing access (docs/security.md): public keys valid only from allowed_origins, and
  // keyless Snowplow traffic recognised by its aid from the same origins.
  std::vector<std::string> browser_keys = {};
  std::vector<std::string> allowed_origins = {};
  std::vector<std::string> browser_event_types = {};  // empty: as event_types
  std::vector<std::string> snowplow_app_ids = {};
};

struct Config {
  struct Node {
    std::string id;  // default: the host name
  } node;

  struct Server {
    std::string listen = "127.0.0.1:8080";  // host:port
    int threads = 0;                        // 0: one per core
    uint64_t max_body_bytes = 1 << 20;
    uint64_t max_decompressed_bytes = 8 << 20;  // gzip bodies
    uint32_t header_timeout_s = 10;
    uint32_t body_timeout_s = 30;
    uint32_t idle_timeout_s = 60;
    uint32_t shutdown_timeout_s = 10;  // SIGTERM: how long requests in flight are waited for
    uint32_t max_connections = 10'000;
    // TLS: both paths set (PEM) or neither; with them the listener speaks TLS only.
    std::string tls_cert;  // certificate chain, leaf first
    std::string tls_key;   // private key of the leaf
    TlsVersion tls_min_version = TlsVersion::kTls12;
  } server;

  struct Auth {
    AuthMode mode = AuthMode::kKeys;
    std::vector<AppConfig> apps;  // [apps.<app_id>] tables
  } auth;

  struct Validation {
    bool coerce_scalars = false;
    uint32_t max_fields = 256;
    uint32_t max_event_bytes = 32 * 1024;
    uint32_t max_events_per_request = 10'000;
  } validation;

  struct Wal {
    std::string dir = "./data/wal";
    Durability durability = Durability::kFsync;
    uint64_t segment_bytes = 64ull << 20;
    uint64_t max_bytes = 8ull << 30;     // disk budget: beyond it ingest answers 503
    uint64_t queue_bytes = 64ull << 20;  // appends waiting for the writer: beyond it 503
    uint32_t commit_delay_us = 500;      // fsync only, light traffic: a group gathers this long before its sync
    bool direct_io = true;               // segments written and read with O_DIRECT where the filesystem allows
  } wal;

  struct Flush {
    uint64_t max_bytes = 64ull << 20;          // per partition
    uint32_t max_age_s = 300;                  // 1..3600
    uint64_t max_buffered_bytes = 1ull << 30;  // all open partitions together
    uint32_t max_delivery_lag_s = 10;          // sealed batches wait this long at background priority; 0: none
  } flush;

  // [dedup]: idempotent retries (dedup/deduplicator.h).
  struct Dedup {
    uint32_t window_s = 600;       // 0: off
    uint64_t max_ids = 4'000'000;  // memory bound: the oldest ids go first beyond it
  } dedup;

  struct Lake {
    std::string dir = "./lake";
    LakeFormat format = LakeFormat::kParquet;
    ParquetCodec parquet_compression = ParquetCodec::kZstd;
    uint64_t parquet_dictionary_bytes = 8ull << 20;
  } lake;

  struct Sink {
    SinkType type = SinkType::kLocal;  // where lake files go: lake.dir, the [s3] bucket, or [firehose]
    uint32_t shutdown_timeout_s = 15;  // SIGTERM: how long open batches are waited for; the rest stays in the log
    uint32_t check_interval_s = 30;    // a refused destination is checked again this often
  } sink;

  // [s3]: the S3 sink (sink.type = "s3"). Credentials come from the standard AWS chain.
  struct S3 {
    std::string bucket;
    std::string prefix;
    std::string region = "us-east-1";
    std::string endpoint;  // "" = AWS; else an S3-compatible store (MinIO, moto)
    bool path_style = false;
    std::string sse;  // "", "AES256" or "aws:kms"
    std::string sse_kms_key_id;
    std::string storage_class;  // "" = the bucket's default (STANDARD)
    uint64_t multipart_threshold = 64ull << 20;
    uint64_t part_size = 16ull << 20;
    uint32_t max_parallel_parts = 4;
  } s3;

  // --- [firehose]: the Firehose sink (sink.type = "firehose"), one delivery stream per event
  // type. Credentials come from the standard AWS chain.
  struct Firehose {
    std::string stream_template = "tracking-{event_type}";
    std::string region = "us-east-1";
    std::string endpoint;  // "" = AWS
    bool aggregate = false;
    uint32_t max_record_retries = 3;
  } firehose;
  // --- end [firehose]

  // --- [kinesis]: the Kinesis Data Streams sink (sink.type = "kinesis"), one stream per event
  // type. Credentials come from the standard AWS chain.
  struct Kinesis {
    std::string stream_template = "tracking-{event_type}";
    std::string region = "us-east-1";
    std::string endpoint;                                 // "" = AWS
    std::string partition_key = std::string(kUserIdKey);  // user_id, anonymous_id, session_id, event_id or none
    bool aggregate = false;
    uint32_t max_record_retries = 3;
  } kinesis;
  // --- end [kinesis]

  // --- [kafka]: the Kafka sink (sink.type = "kafka"), one topic per event type (docs/kafka.md).
  struct Kafka {
    std::string brokers;  // bootstrap servers, "host:port[,host:port...]"
    std::string topic_template = "tracking.{event_type}";
    std::string message_key = std::string(kUserIdKey);  // user_id, anonymous_id, session_id, event_id or none
    bool exactly_once = true;                           // transactions + the log position committed with them
    uint32_t transaction_timeout_s = 60;
    // [kafka.properties]: librdkafka properties passed through (TLS, SASL, client.id, ...).
    std::map<std::string, std::string> properties;
  } kafka;
  // --- end [kafka]

  // [event_types.<name>] columns = [...]: extra typed columns for that event type.
  std::map<std::string, std::vector<std::string>> event_type_columns;

  // What LoadConfig let pass but the operator should hear about (TRACKLAKE_* variables that name
  // no section, ignored): the command line shows each as a warning.
  std::vector<std::string> warnings;
};

// Loads path (when given) and applies overrides from env (name=value pairs, typically the
// process environment), which win over the file. Without a file every option keeps its default
// (node.id: the host name). Errors: NotFound / IoError when the file cannot be read;
// InvalidArgument for everything else, naming the file and line, the key, the value and the
// rule ("config.toml:12: flush.max_age = 7200: must be between 1 and 3600 seconds (...)").
// All mistakes found are reported at once, one per line.
Result<Config> LoadConfig(const std::optional<std::string>& path, const std::map<std::string, std::string>& env);

// Settings that load but probably will not work as meant (a dotted bucket name addressed
// virtual-hosted over HTTPS, ...), one sentence each naming the option and the fix. `config
// check` prints them, `serve` logs them.
std::vector<std::string> ConfigWarnings(const Config& config);

// The process environment as a map (only TRACKLAKE_* variables are looked at by LoadConfig).
std::map<std::string, std::string> ProcessEnvironment();

// How RenderConfig shows app keys. kMasked ("***") is for people and logs: even a digest of a
// short key can be brute-forced. kDigests writes key_sha256 in hex so that the output loads back
// into an equal Config (tests, generating a config file); never print or log that form.
enum class SecretRendering { kMasked, kDigests };

// The effective configuration as TOML that LoadConfig accepts. With the default kMasked, each
// app's key_sha256 is "***", which LoadConfig rejects with a message saying it was masked.
std::string RenderConfig(const Config& config, SecretRendering secrets = SecretRendering::kMasked);

// The option table as text (key, type, default, bounds, doc): `tracklake config describe`;
// with markdown=true the same as a markdown table (docs/config.md).
std::string DescribeOptions(bool markdown);

}  // namespace tracklake
