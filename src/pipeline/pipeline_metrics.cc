// The pipeline's metrics: counters its threads update and gauges read at scrape time.
#include <algorithm>
#include <filesystem>
#include <optional>

#include "common/time_util.h"
#include "pipeline/pipeline.h"

namespace tracklake {

void Pipeline::RegisterMetrics() {
  files_written_ = &metrics_.GetCounter("tracklake_lake_files_written_total", "Files delivered to the lake.");
  events_delivered_ = &metrics_.GetCounter("tracklake_lake_events_written_total",
                                           "Events delivered to the lake (dead letters included).");
  bytes_written_ = &metrics_.GetCounter("tracklake_lake_bytes_written_total", "Bytes of files delivered to the lake.");
  delivery_retries_ = &metrics_.GetCounter("tracklake_sink_retries_total",
                                           "Deliveries that failed transiently and were retried.");
  delivery_rejected_ = &metrics_.GetCounter("tracklake_sink_rejected_total",
                                            "Files the sink refused for good, kept in the dead-letter directory.");
  catch_up_files_ = &metrics_.GetCounter("tracklake_lake_catch_up_files_total",
                                         "Files delivered at normal priority because their batch waited longer than "
                                         "flush.max_delivery_lag (the collector's CPU was saturated).");
  wal_write_seconds_ = &metrics_.GetHistogram("tracklake_wal_append_seconds", "Time to write one group commit.",
                                              LatencyBuckets());
  wal_fsync_seconds_ = &metrics_.GetHistogram("tracklake_wal_fsync_seconds",
                                              "Time of one fdatasync of the write-ahead log.", LatencyBuckets());
  wal_corrupt_bytes_ = &metrics_.GetCounter("tracklake_wal_corrupt_bytes_skipped_total",
                                            "Damaged or torn write-ahead log bytes skipped during recovery.");
  duplicates_ = &metrics_.GetCounter("tracklake_events_duplicate_total",
                                     "Events dropped because their app_id and event_id were accepted within "
                                     "dedup.window (answered as accepted: a client's retry).");
  dedup_refused_ = &metrics_.GetCounter("tracklake_dedup_in_flight_refused_total",
                                        "Requests answered 503 because an event_id's first copy was still being "
                                        "written (the client retries and meets it committed).");
  dedup_journal_errors_ = &metrics_.GetCounter("tracklake_dedup_journal_errors_total",
                                               "Failed writes of the deduplication journal (log segments are kept "
                                               "until it is written).");
  metrics_.AddGauge("tracklake_ready", "1 when /readyz answers 200, 0 when it answers 503 (see its reason).",
                    [this] { return Ready() ? 1.0 : 0.0; });
  metrics_.AddGauge("tracklake_sink_refused_destinations",
                    "Destinations (bucket, stream) the sink refuses for good (credentials, missing, region): "
                    "their batches go to the dead-letter directory and /readyz answers 503.",
                    [this] {
                      MutexLock lock(mu_);
                      return static_cast<double>(refused_.size());
                    });
  metrics_.AddGauge("tracklake_dead_letter_files",
                    "Files in the dead-letter directory, waiting for `tracklake redrive` (the sink refused them).",
                    [this] {
                      std::error_code ec;
                      double files = 0;
                      for (auto it = std::filesystem::recursive_directory_iterator(options_.dead_letter_dir, ec);
                           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
                        const std::string name = it->path().filename().string();
                        if (it->is_regular_file(ec) && !name.starts_with(".") &&
                            !name.ends_with(kDeadLetterReasonSuffix)) {
                          ++files;
                        }
                      }
                      return files;
                    });
  metrics_.AddGauge("tracklake_dedup_ids", "Event ids remembered for deduplication (the window's).",
                    [this] { return dedup_ ? static_cast<double>(dedup_->stats().ids) : 0.0; });
  metrics_.AddGauge("tracklake_dedup_memory_bytes", "Memory of the deduplication window.",
                    [this] { return dedup_ ? static_cast<double>(dedup_->stats().memory_bytes) : 0.0; });
  metrics_.AddGauge("tracklake_dedup_evicted_early_ids",
                    "Ids forgotten before dedup.window ended because dedup.max_ids were held (since start).",
                    [this] { return dedup_ ? static_cast<double>(dedup_->stats().evicted_early) : 0.0; });
  metrics_.AddGauge("tracklake_dedup_journal_bytes", "Bytes of the deduplication journal on disk.",
                    [this] { return dedup_ ? static_cast<double>(dedup_->stats().journal_bytes) : 0.0; });
  wal_invalid_records_ = &metrics_.GetCounter(
      "tracklake_wal_invalid_records_total",
      "Records read back from the write-ahead log that break a rule validation enforces: events kept in the "
      "dead-letter area, others skipped (logged).");
  metrics_.AddGauge("tracklake_wal_disk_bytes", "Bytes of write-ahead log segments on disk.",
                    [this] { return wal_ ? static_cast<double>(wal_->stats().disk_bytes) : 0.0; });
  metrics_.AddGauge("tracklake_wal_max_bytes",
                    "Disk budget of the write-ahead log (wal.max_bytes): beyond it ingest answers 503.",
                    [this] { return static_cast<double>(options_.wal.max_bytes); });
  metrics_.AddGauge("tracklake_wal_segments", "Write-ahead log segment files.",
                    [this] { return wal_ ? static_cast<double>(wal_->stats().segments) : 0.0; });
  metrics_.AddGauge("tracklake_wal_spare_segments",
                    "Released log segment files kept to be overwritten by new segments.",
                    [this] { return wal_ ? static_cast<double>(wal_->stats().spare_segments) : 0.0; });
  metrics_.AddGauge("tracklake_buffered_bytes", "Bytes of events accepted but not yet in the lake.", [this] {
    MutexLock lock(mu_);
    uint64_t bytes = batcher_.buffered_bytes();
    for (const auto& [first, b] : sealed_) bytes += b.bytes;
    return static_cast<double>(bytes);
  });
  metrics_.AddGauge("tracklake_oldest_unwritten_event_age_seconds",
                    "Age of the oldest accepted event not yet in the lake (0 when none).", [this] {
                      MutexLock lock(mu_);
                      std::optional<int64_t> oldest = batcher_.OldestOpenMillis();
                      for (const auto& [first, b] : sealed_)
                        oldest = std::min(oldest.value_or(b.oldest_ms), b.oldest_ms);
                      return oldest ? std::max<double>(0, static_cast<double>(NowMillis() - *oldest) / 1000.0) : 0.0;
                    });
}

}  // namespace tracklake
