#include "config/option_table.h"

#include <algorithm>
#include <cctype>

#include "config/name_rules.h"
#include "event/names.h"
#include "config/option_binding.h"
#include "config/option_value.h"

namespace tracklake::config_internal {
namespace {

constexpr EnumName<AuthMode> kAuthModeNames[] = {
    {"keys", AuthMode::kKeys},
    {"none", AuthMode::kNone},
};
constexpr EnumName<Durability> kDurabilityNames[] = {
    {"fsync", Durability::kFsync},
    {"write", Durability::kWrite},
};
constexpr EnumName<LakeFormat> kLakeFormatNames[] = {
    {"ndjson.gz", LakeFormat::kNdjsonGzip},
    {"parquet", LakeFormat::kParquet},
};
constexpr EnumName<ParquetCodec> kParquetCodecNames[] = {
    {"zstd", ParquetCodec::kZstd},
    {"snappy", ParquetCodec::kSnappy},
    {"gzip", ParquetCodec::kGzip},
    {"none", ParquetCodec::kNone},
};
constexpr EnumName<SinkType> kSinkTypeNames[] = {
    {"local", SinkType::kLocal},
    {"s3", SinkType::kS3},
    {"firehose", SinkType::kFirehose},
    {"kinesis", SinkType::kKinesis},
    {"kafka", SinkType::kKafka},
};
constexpr EnumName<TlsVersion> kTlsVersionNames[] = {
    {"1.2", TlsVersion::kTls12},
    {"1.3", TlsVersion::kTls13},
};

// Bounds. They reject values that are surely mistakes (a 0-byte segment, a 10-day timeout)
// while leaving room for any deployment we can imagine.
constexpr int64_t kMaxThreads = 64;
constexpr int64_t kMinBodyBytes = kKiB;
constexpr int64_t kMaxBodyBytes = 64 * kMiB;
constexpr int64_t kMaxDecompressedBytes = kGiB;
constexpr int64_t kMaxCommitDelayUs = 10000;
// Parquet dictionaries: pyarrow's and parquet-mr's 1 MiB default is well inside; beyond 256 MiB
// a dictionary page nears the int32 page-size fields of the format.
constexpr int64_t kMinDictionaryBytes = 64 * kKiB;
constexpr int64_t kMaxDictionaryBytes = 256 * kMiB;
constexpr int64_t kMaxTimeoutSeconds = 3600;
constexpr int64_t kMaxConnections = 1'000'000;
constexpr int64_t kMaxRateLimit = 100'000'000;
constexpr int64_t kMaxFields = 10'000;
constexpr int64_t kMinEventBytes = 256;
constexpr int64_t kMaxEventBytes = 16 * kMiB;
constexpr int64_t kMaxEventsPerRequest = 1'000'000;
constexpr int64_t kMinSegmentBytes = kMiB;
constexpr int64_t kMaxSegmentBytes = kGiB;
constexpr int64_t kMinWalBytes = 16 * kMiB;
constexpr int64_t kMaxWalBytes = 64 * kTiB;
constexpr int64_t kMinQueueBytes = kMiB;
constexpr int64_t kMaxQueueBytes = 16 * kGiB;
constexpr int64_t kMinFlushBytes = kMiB;
constexpr int64_t kMaxFlushBytes = 4 * kGiB;
constexpr int64_t kMaxFlushAgeSeconds = 3600;
constexpr int64_t kMinBufferedBytes = 16 * kMiB;
constexpr int64_t kMaxBufferedBytes = kTiB;
constexpr int64_t kMinS3PartBytes = 5 * kMiB;  // S3's minimum for every part but the last
constexpr int64_t kMaxS3PartBytes = 5 * kGiB;  // S3's maximum part, and PutObject's maximum
constexpr int64_t kMaxS3ParallelParts = 64;
constexpr int64_t kMaxFirehoseRecordRetries = 20;
constexpr int64_t kMaxKinesisRecordRetries = 20;
constexpr int64_t kMaxDedupWindowSeconds = 7 * 86'400;
constexpr int64_t kMinDedupIds = 1'000;
constexpr int64_t kMaxDedupIds = 1'000'000'000;

// [s3] values checked against what S3 accepts, so a typo fails at start-up, not at upload.
std::optional<std::string> CheckEndpointUrl(std::string_view value) {
  if (value.empty() || value.rfind("http://", 0) == 0 || value.rfind("https://", 0) == 0) {
    if (value.empty() || value.find("://") + 3 < value.size()) return std::nullopt;
  }
  return "must be empty (AWS) or an http:// or https:// URL";
}
constexpr std::string_view kEndpointRule = "empty, or http(s)://host[:port]";

// The names a template makes ({event_type} replaced) must be 1 to max_length of [a-zA-Z0-9_.-].
std::optional<std::string> CheckNameTemplate(std::string_view value, size_t max_length, std::string_view what) {
  constexpr std::string_view kPlaceholder = "{event_type}";
  std::string name(value);
  for (size_t at = name.find(kPlaceholder); at != std::string::npos; at = name.find(kPlaceholder, at)) {
    name.replace(at, kPlaceholder.size(), "e");
  }
  const bool valid = !name.empty() && name.size() <= max_length &&
                     name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
                         std::string::npos;
  if (valid) return std::nullopt;
  return "must make valid " + std::string(what) + " names: [a-zA-Z0-9_.-] and {event_type}, at most " +
         std::to_string(max_length) + " characters";
}
constexpr std::string_view kStreamTemplateRule = "[a-zA-Z0-9_.-] and {event_type}";

// --- [firehose]: the stream names the template makes must be valid Firehose names.
std::optional<std::string> CheckStreamTemplate(std::string_view value) { return CheckNameTemplate(value, 64, "stream"); }
// --- end [firehose]

// --- [kinesis]: Kinesis stream names are longer.
std::optional<std::string> CheckKinesisStreamTemplate(std::string_view value) {
  return CheckNameTemplate(value, 128, "stream");
}
// --- end [kinesis]

// --- [kafka]: topic names are [a-zA-Z0-9._-], at most 249 characters.
std::optional<std::string> CheckTopicTemplate(std::string_view value) { return CheckNameTemplate(value, 249, "topic"); }
constexpr int64_t kMaxTransactionTimeoutSeconds = 900;  // the broker's default transaction.max.timeout.ms
// Brokers: host:port entries separated by commas.
std::optional<std::string> CheckBrokers(std::string_view value) {
  if (value.empty()) return std::nullopt;  // required with sink.type = "kafka" only (CheckWholeConfig)
  size_t start = 0;
  for (;;) {
    const size_t comma = value.find(',', start);
    const std::string_view entry = value.substr(start, comma == std::string_view::npos ? comma : comma - start);
    const size_t colon = entry.rfind(':');
    if (entry.empty() || colon == std::string_view::npos || colon == 0 || colon + 1 == entry.size() ||
        entry.substr(colon + 1).find_first_not_of("0123456789") != std::string_view::npos) {
      return "must be host:port entries separated by commas";
    }
    if (comma == std::string_view::npos) return std::nullopt;
    start = comma + 1;
  }
}
// --- end [kafka]

// The fields a message key or partition key may come from (event/names.h).
std::vector<std::string_view> MessageKeyNames() {
  return {std::begin(kMessageKeyFields), std::end(kMessageKeyFields)};
}

// Builds one table row; reads as a sentence: Option("flush", "max_age").Seconds(1, 3600)...
class Option {
 public:
  Option(std::string_view section, std::string_view key) {
    spec_.section = section;
    spec_.key = key;
  }
  Option& String(StringCheck check = nullptr, std::string_view rule = {}) {
    spec_.type = OptionType::kString;
    spec_.check = check;
    spec_.rule = rule;
    return *this;
  }
  Option& StringList(StringCheck check, std::string_view rule) {
    String(check, rule);
    spec_.type = OptionType::kStringList;
    return *this;
  }
  Option& Bool() { return Typed(OptionType::kBool); }
  Option& Integer(int64_t min, int64_t max) { return Typed(OptionType::kInteger, min, max); }
  Option& Bytes(int64_t min, int64_t max) { return Typed(OptionType::kBytes, min, max); }
  Option& Seconds(int64_t min, int64_t max) { return Typed(OptionType::kSeconds, min, max); }
  Option& Enum(std::vector<std::string_view> allowed) {
    spec_.type = OptionType::kEnum;
    spec_.allowed = std::move(allowed);
    return *this;
  }
  Option& Because(std::string_view reason) {
    spec_.bounds_reason = reason;
    return *this;
  }
  Option& Scope(OptionScope scope) {
    spec_.scope = scope;
    return *this;
  }
  Option& Secret() {
    spec_.secret = true;
    return *this;
  }
  Option& Required() {
    spec_.required = true;
    return *this;
  }
  Option& DefaultText(std::string_view text) {
    spec_.default_text = text;
    return *this;
  }
  Option& Doc(std::string_view doc) {
    spec_.doc = doc;
    return *this;
  }
  Option& Bind(OptionBinding binding) {
    spec_.bind = binding;
    return *this;
  }
  operator OptionSpec() const { return spec_; }  // NOLINT(google-explicit-constructor)

 private:
  Option& Typed(OptionType type, int64_t min = 0, int64_t max = 0) {
    spec_.type = type;
    spec_.min = min;
    spec_.max = max;
    return *this;
  }
  OptionSpec spec_;
};

std::vector<OptionSpec> BuildTable() {
  return {
      Option("node", "id")
          .String(CheckId, kIdRule)
          .DefaultText("the host name")
          .Doc("Names this collector in every file and object it writes (with its log's id), so "
               "the files of collectors sharing a bucket are told apart.")
          .Bind(BindField<&Config::node, &Config::Node::id>()),

      Option("server", "listen")
          .String(CheckListen, kListenRule)
          .Doc("Address the HTTP server listens on; IPv6 as [::1]:8080; port 0 picks a free port.")
          .Bind(BindField<&Config::server, &Config::Server::listen>()),
      Option("server", "threads")
          .Integer(0, kMaxThreads)
          .Doc("HTTP worker threads; 0 means one per CPU this process may run on (its affinity mask).")
          .Bind(BindField<&Config::server, &Config::Server::threads>()),
      Option("server", "max_body_bytes")
          .Bytes(kMinBodyBytes, kMaxBodyBytes)
          .Doc("Largest request body accepted as sent (413 beyond).")
          .Bind(BindField<&Config::server, &Config::Server::max_body_bytes>()),
      Option("server", "max_decompressed_bytes")
          .Bytes(kMinBodyBytes, kMaxDecompressedBytes)
          .Doc("Largest body after gzip decompression (413 beyond): a guard against gzip bombs.")
          .Bind(BindField<&Config::server, &Config::Server::max_decompressed_bytes>()),
      Option("server", "header_timeout")
          .Seconds(1, kMaxTimeoutSeconds)
          .Doc("Time allowed from connecting (TLS handshake included) to the end of the first request's "
               "headers; a request cut at it is answered 408, then the connection closes.")
          .Bind(BindField<&Config::server, &Config::Server::header_timeout_s>()),
      Option("server", "body_timeout")
          .Seconds(1, kMaxTimeoutSeconds)
          .Doc("Time allowed to receive the request body; a request cut at it is answered 408.")
          .Bind(BindField<&Config::server, &Config::Server::body_timeout_s>()),
      Option("server", "idle_timeout")
          .Seconds(1, kMaxTimeoutSeconds)
          .Doc("A keep-alive connection idle this long is closed; a next request begun and not finished by "
               "then is answered 408.")
          .Bind(BindField<&Config::server, &Config::Server::idle_timeout_s>()),
      Option("server", "shutdown_timeout")
          .Seconds(0, kMaxTimeoutSeconds)
          .Doc("On SIGTERM/SIGINT the listener closes at once and requests in flight are waited for this long: "
               "each gets its answer (requests that complete during the wait get 503 with Retry-After and "
               "Connection: close); then every connection closes and sink.shutdown_timeout begins. The default "
               "and sink.shutdown_timeout's add up to 25 s, inside the 30 s that Kubernetes "
               "(terminationGracePeriodSeconds) and ECS (stopTimeout) allow before SIGKILL.")
          .Bind(BindField<&Config::server, &Config::Server::shutdown_timeout_s>()),
      Option("server", "max_connections")
          .Integer(1, kMaxConnections)
          .Doc("Open connections beyond this are refused (the client sees its connection closed). At start "
               "the collector raises its open-files limit to the hard limit; if even that cannot hold this many "
               "connections and 256 more descriptors for the log, the lake and the sinks (a quarter of a limit "
               "under 1024), it lowers this value and logs a warning.")
          .Bind(BindField<&Config::server, &Config::Server::max_connections>()),
      Option("server", "tls_cert")
          .String()
          .Doc("PEM file of the TLS certificate chain (leaf first). With server.tls_key the listener "
               "speaks HTTPS only; give both or neither (empty: plain HTTP). Read at start-up.")
          .Bind(BindField<&Config::server, &Config::Server::tls_cert>()),
      Option("server", "tls_key")
          .String()
          .Doc("PEM file of the private key of the certificate in server.tls_cert (unencrypted; "
               "readable by the collector only). Read at start-up.")
          .Bind(BindField<&Config::server, &Config::Server::tls_key>()),
      Option("server", "tls_min_version")
          .Enum(NamesOf<kTlsVersionNames>())
          .Doc("Oldest TLS version accepted; older clients fail the handshake.")
          .Bind(BindEnum<&Config::server, &Config::Server::tls_min_version, kTlsVersionNames>()),

      Option("auth", "mode")
          .Enum(NamesOf<kAuthModeNames>())
          .Doc("\"keys\": every request needs the write key of an app of the [apps] tables; "
               "\"none\": no authentication (local development only).")
          .Bind(BindEnum<&Config::auth, &Config::Auth::mode, kAuthModeNames>()),

      Option("apps.<app_id>", "key")
          .Scope(OptionScope::kPerApp)
          .String(CheckNonEmpty, kNonEmptyRule)
          .Secret()
          .Doc("The app's write key, sent by clients. Only its SHA-256 is kept in memory. "
               "Give exactly one of key and key_sha256."),
      Option("apps.<app_id>", "key_sha256")
          .Scope(OptionScope::kPerApp)
          .String(CheckSha256Hex, kSha256HexRule)
          .Secret()
          .Doc("SHA-256 of the write key in hex, so the file need not hold the key itself."),
      Option("apps.<app_id>", "event_types")
          .Scope(OptionScope::kPerApp)
          .StringList(CheckEventType, kEventTypeRule)
          .DefaultText("any")
          .Doc("Event types the app may send; others are rejected. Omit to allow any."),
      Option("apps.<app_id>", "rate_limit")
          .Scope(OptionScope::kPerApp)
          .Integer(0, kMaxRateLimit)
          .Doc("Events per second the app may send (token bucket); beyond it requests get 429 with "
               "Retry-After. 0: unlimited."),
      Option("apps.<app_id>", "rate_burst")
          .Scope(OptionScope::kPerApp)
          .Integer(0, kMaxRateLimit)
          .Doc("Events the app may send at once above its rate (bucket size). 0: one second's worth."),
      Option("apps.<app_id>", "browser_keys")
          .Scope(OptionScope::kPerApp)
          .StringList(CheckBrowserKey, kBrowserKeyRule)
          .Secret()
          .DefaultText("none")
          .Doc("Write keys for web pages, which cannot keep a secret: accepted in the Authorization header, "
               "the query string (?writeKey=) or the body (Segment's writeKey), only from an Origin (or, for "
               "image requests, a Referer) listed in allowed_origins, only for browser_event_types when set, "
               "under the app's rate limit. See docs/security.md."),
      Option("apps.<app_id>", "allowed_origins")
          .Scope(OptionScope::kPerApp)
          .StringList(CheckOrigin, kOriginRule)
          .DefaultText("none")
          .Doc("Web origins whose pages may send with the app's browser keys or snowplow_app_ids; browsers get "
               "CORS headers (preflight included) for these origins only. Exact matches, as browsers send them."),
      Option("apps.<app_id>", "browser_event_types")
          .Scope(OptionScope::kPerApp)
          .StringList(CheckEventType, kEventTypeRule)
          .DefaultText("event_types")
          .Doc("Event types pages may send with a browser key or by Snowplow app id; others are rejected. "
               "Omit to allow what event_types allows."),
      Option("apps.<app_id>", "snowplow_app_ids")
          .Scope(OptionScope::kPerApp)
          .StringList(CheckNonEmpty, kNonEmptyRule)
          .DefaultText("none")
          .Doc("Snowplow JavaScript trackers send no key: their events are accepted for this app when their "
               "aid (the tracker's appId) is listed here and the page's origin is in allowed_origins. Each id "
               "belongs to one app."),

      Option("validation", "coerce_scalars")
          .Bool()
          .Doc("Turn numbers and booleans into strings instead of rejecting the event.")
          .Bind(BindField<&Config::validation, &Config::Validation::coerce_scalars>()),
      Option("validation", "max_fields")
          .Integer(1, kMaxFields)
          .Doc("Most fields one event may have, event_type included.")
          .Bind(BindField<&Config::validation, &Config::Validation::max_fields>()),
      Option("validation", "max_event_bytes")
          .Bytes(kMinEventBytes, kMaxEventBytes)
          .Doc("Largest JSON text of one event.")
          .Bind(BindField<&Config::validation, &Config::Validation::max_event_bytes>()),
      Option("validation", "max_events_per_request")
          .Integer(1, kMaxEventsPerRequest)
          .Doc("Most events in one request body.")
          .Bind(BindField<&Config::validation, &Config::Validation::max_events_per_request>()),

      Option("wal", "dir")
          .String(CheckNonEmpty, kNonEmptyRule)
          .Doc("Directory of the write-ahead log. One collector at a time: it holds a lock on the "
               "directory's LOCK file while it runs, and a second one started on it refuses to start "
               "(it would trim the first one's log under it).")
          .Bind(BindField<&Config::wal, &Config::Wal::dir>()),
      Option("wal", "durability")
          .Enum(NamesOf<kDurabilityNames>())
          .Doc("\"fsync\": a request is acknowledged once its events are on disk (survives power "
               "loss); \"write\": once handed to the OS (survives a crash of the process only).")
          .Bind(BindEnum<&Config::wal, &Config::Wal::durability, kDurabilityNames>()),
      Option("wal", "segment_bytes")
          .Bytes(kMinSegmentBytes, kMaxSegmentBytes)
          .Doc("Size at which the log starts a new segment file.")
          .Bind(BindField<&Config::wal, &Config::Wal::segment_bytes>()),
      Option("wal", "max_bytes")
          .Bytes(kMinWalBytes, kMaxWalBytes)
          .Doc("Disk budget of the log: beyond it ingest answers 503 until the lake catches up.")
          .Bind(BindField<&Config::wal, &Config::Wal::max_bytes>()),
      Option("wal", "queue_bytes")
          .Bytes(kMinQueueBytes, kMaxQueueBytes)
          .Doc("Appends waiting for the log writer: beyond it ingest answers 503.")
          .Bind(BindField<&Config::wal, &Config::Wal::queue_bytes>()),
      Option("wal", "commit_delay_us")
          .Integer(0, kMaxCommitDelayUs)
          .Because("every acknowledgement waits for it")
          .Doc("With durability = \"fsync\": microseconds the log writer lets requests gather after the "
               "first one arrives before writing and syncing them together (a request that waited behind the "
               "previous sync waits only the rest), in light traffic only (once small "
               "groups follow each other; heavy traffic already makes big groups and is never delayed), and "
               "only while requests come often enough to expect one more within the delay (from about "
               "2,000 requests/s at 500 us; rarer ones are synced at once). Fewer fdatasyncs, less CPU and "
               "fewer exposures to disk stalls at moderate rates, for up to this much added latency; 0 syncs "
               "as soon as a request arrives.")
          .Bind(BindField<&Config::wal, &Config::Wal::commit_delay_us>()),
      Option("wal", "direct_io")
          .Bool()
          .Doc("Write and read the log's segments with O_DIRECT, bypassing the page cache: no copy of "
               "every byte into it, and no page cache growing with the log (several times less kernel "
               "CPU for large requests). Delivery reads a batch back directly where the batch's records are "
               "at least a quarter of the bytes read, and through the page cache where other event types' "
               "records fill the rest (so that many types do not read the log once each). Falls back to the "
               "page cache where the filesystem refuses O_DIRECT (a warning says so).")
          .Bind(BindField<&Config::wal, &Config::Wal::direct_io>()),

      Option("flush", "max_bytes")
          .Bytes(kMinFlushBytes, kMaxFlushBytes)
          .Doc("A partition's batch is written to the lake at this size.")
          .Bind(BindField<&Config::flush, &Config::Flush::max_bytes>()),
      Option("flush", "max_age")
          .Seconds(1, kMaxFlushAgeSeconds)
          .Because("the freshness promise is one hour")
          .Doc("A partition's batch is written to the lake at this age at the latest.")
          .Bind(BindField<&Config::flush, &Config::Flush::max_age_s>()),
      Option("flush", "max_buffered_bytes")
          .Bytes(kMinBufferedBytes, kMaxBufferedBytes)
          .Doc("All open batches together: beyond it the largest is written early.")
          .Bind(BindField<&Config::flush, &Config::Flush::max_buffered_bytes>()),
      Option("flush", "max_delivery_lag")
          .Seconds(0, kMaxFlushAgeSeconds)
          .Doc("Lake files are encoded and delivered at a lowered CPU priority, so that a burst is "
               "acknowledged at full speed and the lake catches up after it; once a batch ready for "
               "the lake has waited this long (the CPU is saturated), delivery also runs at normal "
               "priority until it catches up. 0: delivery always at normal priority.")
          .Bind(BindField<&Config::flush, &Config::Flush::max_delivery_lag_s>()),

      Option("dedup", "window")
          .Seconds(0, kMaxDedupWindowSeconds)
          .Doc("Idempotent retries: an event whose app_id and event_id were accepted within this window is "
               "dropped and answered as accepted, so a client that resends after a timeout, a lost answer or a "
               "restart of the collector does not duplicate it. Only ids the client sets before its first attempt "
               "count (tracklake send sets them); generated ids are never looked up. Survives restarts and kill -9 "
               "(a journal in wal.dir/dedup and the log). 0 turns it off.")
          .Bind(BindField<&Config::dedup, &Config::Dedup::window_s>()),
      Option("dedup", "max_ids")
          .Integer(kMinDedupIds, kMaxDedupIds)
          .Doc("Most ids remembered (19-31 bytes of memory each as the table fills, 22 measured at 2.4 M ids: "
               "4,000 events/s over 600 s take 53 MB; the default holds that rate for 16 minutes in at most "
               "96 MiB). Beyond it the oldest are forgotten early (tracklake_dedup_evicted_early_ids) rather "
               "than memory growing.")
          .Bind(BindField<&Config::dedup, &Config::Dedup::max_ids>()),

      Option("lake", "dir")
          .String(CheckNonEmpty, kNonEmptyRule)
          .Doc("Directory of the local lake (the files readers query).")
          .Bind(BindField<&Config::lake, &Config::Lake::dir>()),
      Option("lake", "format")
          .Enum(NamesOf<kLakeFormatNames>())
          .Doc("File format of the lake.")
          .Bind(BindEnum<&Config::lake, &Config::Lake::format, kLakeFormatNames>()),
      Option("lake", "parquet_compression")
          .Enum(NamesOf<kParquetCodecNames>())
          .Doc("Codec of Parquet pages: zstd (level 1: smallest files at nearly snappy's speed), snappy, "
               "gzip or none. Every engine reads all four.")
          .Bind(BindEnum<&Config::lake, &Config::Lake::parquet_compression, kParquetCodecNames>()),
      Option("lake", "parquet_dictionary_bytes")
          .Bytes(kMinDictionaryBytes, kMaxDictionaryBytes)
          .Doc("Largest dictionary of a Parquet column chunk; past it the chunk's remaining pages are "
               "PLAIN. Bigger keeps high-cardinality columns dictionary-encoded (smaller files) at the "
               "cost of encoder memory: this plus up to 12 MiB of hash slots per column (docs/parquet.md).")
          .Bind(BindField<&Config::lake, &Config::Lake::parquet_dictionary_bytes>()),

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
          .Enum({"", "STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR",
                 "GLACIER", "DEEP_ARCHIVE", "REDUCED_REDUNDANCY"})
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

      // --- [firehose]
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
      // --- end [firehose]

      // --- [kinesis]
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
      // --- end [kinesis]

      // --- [kafka]
      Option("kafka", "brokers")
          .String(CheckBrokers, "host:port[,host:port...]")
          .Doc("Bootstrap servers of the Kafka cluster (librdkafka's bootstrap.servers); required with "
               "sink.type = \"kafka\". The collector starts even when none is reachable: /readyz says why.")
          .Bind(BindField<&Config::kafka, &Config::Kafka::brokers>()),
      Option("kafka", "topic_template")
          .String(CheckTopicTemplate, "[a-zA-Z0-9._-] and {event_type}")
          .Doc("Topic of each event type; {event_type} is replaced by the event type. Without "
               "{event_type} every event goes to one topic and the event_type header tells them apart.")
          .Bind(BindField<&Config::kafka, &Config::Kafka::topic_template>()),
      Option("kafka", "message_key")
          .Enum(MessageKeyNames())
          .Doc("Field whose value is each message's key (one key, one partition, in order); an event "
               "without it, or \"none\", has no key.")
          .Bind(BindField<&Config::kafka, &Config::Kafka::message_key>()),
      Option("kafka", "exactly_once")
          .Bool()
          .Doc("One transaction per batch, with the log position committed in it (consumer group "
               "\"tracklake.<node.id>.<log id>\"): a replay after a crash never publishes a batch twice "
               "for consumers with isolation.level = read_committed. false: an idempotent producer, "
               "at-least-once across restarts (docs/kafka.md).")
          .Bind(BindField<&Config::kafka, &Config::Kafka::exactly_once>()),
      Option("kafka", "transaction_timeout")
          .Seconds(1, kMaxTransactionTimeoutSeconds)
          .Because("brokers refuse more than transaction.max.timeout.ms (15 minutes by default)")
          .Doc("A batch's transaction is aborted by the broker when not committed within this time "
               "(librdkafka's transaction.timeout.ms).")
          .Bind(BindField<&Config::kafka, &Config::Kafka::transaction_timeout_s>()),
      Option("kafka.properties", "<librdkafka property>")
          .Scope(OptionScope::kPassThrough)
          .String()
          .DefaultText("none")
          .Doc("Any librdkafka producer property, passed through (security.protocol, sasl.mechanism, "
               "sasl.username, sasl.password, ssl.ca.location, client.id, linger.ms, compression.type, ...). "
               "Values whose name holds password, secret or key.pem are masked by `config check`. "
               "Refused: the ones tracklake sets for safety (bootstrap.servers, acks, enable.idempotence, "
               "transactional.id, transaction.timeout.ms, max.in.flight.requests.per.connection)."),
      // --- end [kafka]

      Option("event_types.<name>", "columns")
          .Scope(OptionScope::kPerEventType)
          .StringList(CheckColumn, kColumnRule)
          .Required()
          .DefaultText("none")
          .Doc("Extra typed columns for that event type; the name matches [a-z0-9_]{1,64}."),
  };
}

}  // namespace

const std::vector<OptionSpec>& AllOptions() {
  static const std::vector<OptionSpec> kTable = BuildTable();
  return kTable;
}

const std::vector<std::string_view>& AllSections() {
  static const std::vector<std::string_view> kSections = [] {
    std::vector<std::string_view> sections;
    for (const OptionSpec& spec : AllOptions()) {
      std::string_view name = spec.section.substr(0, spec.section.find('.'));
      if (std::find(sections.begin(), sections.end(), name) == sections.end()) {
        sections.push_back(name);
      }
    }
    return sections;
  }();
  return kSections;
}

const OptionSpec* FindFixedOption(std::string_view section, std::string_view key) {
  for (const OptionSpec& spec : AllOptions()) {
    if (spec.scope == OptionScope::kFixed && spec.section == section && spec.key == key) {
      return &spec;
    }
  }
  return nullptr;
}

const OptionSpec* FindScopedOption(OptionScope scope, std::string_view key) {
  for (const OptionSpec& spec : AllOptions()) {
    if (spec.scope == scope && spec.key == key) return &spec;
  }
  return nullptr;
}

std::string FullKey(const OptionSpec& spec) {
  return std::string(spec.section) + "." + std::string(spec.key);
}

std::string EnvName(const OptionSpec& spec) {
  if (spec.scope != OptionScope::kFixed) return "";
  std::string name =
      std::string(kEnvPrefix) + std::string(spec.section) + "_" + std::string(spec.key);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return name;
}

std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates) {
  // A typo is a couple of edits; further than that the suggestion would only confuse.
  constexpr size_t kMaxTypoDistance = 2;
  std::optional<std::string> best;
  size_t best_distance = kMaxTypoDistance + 1;
  for (const std::string& candidate : candidates) {
    // Levenshtein distance, one row at a time.
    std::vector<size_t> row(candidate.size() + 1);
    for (size_t j = 0; j < row.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= word.size(); ++i) {
      size_t diagonal = row[0];
      row[0] = i;
      for (size_t j = 1; j <= candidate.size(); ++j) {
        const size_t above = row[j];
        const size_t substitution = diagonal + (word[i - 1] == candidate[j - 1] ? 0 : 1);
        row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
        diagonal = above;
      }
    }
    if (row.back() < best_distance) {
      best_distance = row.back();
      best = candidate;
    }
  }
  return best;
}

}  // namespace tracklake::config_internal
