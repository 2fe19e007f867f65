// The option table's sections of what the collector keeps on disk: [wal], [flush], [dedup] and
// [lake] (option_builder.h).
#include "config/option_builder.h"

#include "config/name_rules.h"
#include "config/option_binding.h"
#include "config/option_value.h"

namespace tracklake::config_internal {
namespace {

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

constexpr int64_t kMaxCommitDelayUs = 10000;
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
constexpr int64_t kMaxDedupWindowSeconds = 7 * 86'400;
constexpr int64_t kMinDedupIds = 1'000;
constexpr int64_t kMaxDedupIds = 1'000'000'000;
// Parquet dictionaries: pyarrow's and parquet-mr's 1 MiB default is well inside; beyond 256 MiB
// a dictionary page nears the int32 page-size fields of the format.
constexpr int64_t kMinDictionaryBytes = 64 * kKiB;
constexpr int64_t kMaxDictionaryBytes = 256 * kMiB;

}  // namespace

std::vector<OptionSpec> WalSection() {
  return {
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
  };
}

std::vector<OptionSpec> FlushSection() {
  return {
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
  };
}

std::vector<OptionSpec> DedupSection() {
  return {
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
  };
}

std::vector<OptionSpec> LakeSection() {
  return {
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
  };
}

}  // namespace tracklake::config_internal
