// The pipeline wires the stages after validation: write-ahead log → batcher → encoder → sink
// → checkpoint. It owns three kinds of thread:
//   - the WAL writer (group commit; see wal/wal.h),
//   - the batcher thread: routes committed events to partitions, cuts due batches, seals them
//     (a durable seal record BEFORE any file exists, so a replay cuts the same batch and
//     overwrites the same file name: exactly-once files), and releases log segments,
//   - delivery threads: read a sealed batch's events back from the log, encode, put to the
//     sink with retries, then append a delivered record. They run at a lowered CPU priority
//     (kBackgroundNice), so a burst is acknowledged at the rate of the HTTP and log threads
//     and the lake catches up after it; one catch-up thread at normal priority joins them once
//     a sealed batch has waited max_delivery_lag_ms, so under sustained saturation delivery
//     competes with ingestion as an equal and the lake falls no further behind.
// Sinks never see the log: delivery outcomes come back here and move the release watermark.
//
// Thread-safety: Ingest, Ready and metrics are safe from any thread. Start/Shutdown once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "batch/batcher.h"
#include "common/mutex.h"
#include "dedup/deduplicator.h"
#include "encode/encoder.h"
#include "event/record_span.h"
#include "metrics/metrics.h"
#include "pipeline/seal_record.h"
#include "sink/sink.h"
#include "wal/wal.h"

namespace tracklake {

// Beside each dead-lettered file, "<file>.reason.json": the sink, the time and the sink's reason.
inline constexpr std::string_view kDeadLetterReasonSuffix = ".reason.json";

struct PipelineOptions {
  std::string node_id;
  WalOptions wal;
  BatchLimits limits;
  FileFormat format = FileFormat::kNdjsonGzip;
  ParquetCompression compression = ParquetCompression::kZstd;
  uint64_t parquet_dictionary_bytes = EncodeOptions{}.dictionary_bytes;
  std::map<std::string, std::vector<std::string>> event_type_columns;
  std::string dead_letter_dir;  // objects a sink rejects for good are kept here
  int delivery_threads = 1;
  int64_t max_delivery_lag_ms = 10'000;  // 0: delivery at normal priority, no catch-up thread
  int64_t retry_initial_ms = 200;
  int64_t retry_max_ms = 30'000;
  int64_t shutdown_deadline_ms = 15'000;  // after that, undelivered batches stay in the log
  // How often a destination the sink refused is checked again (Sink::Check) until it accepts.
  int64_t sink_recheck_ms = 30'000;
  // Idempotent retries (dedup/deduplicator.h): window_s = 0 turns deduplication off.
  DedupOptions dedup{.dir = "", .window_s = 0};
  std::string message_key = "none";  // FileFormat::kJsonMessages: the field that keys each message
};

class Pipeline {
 public:
  // Opens the log, replays it (re-sealing nothing: sealed batches are delivered as sealed,
  // the unsealed tail is re-batched), and starts the threads.
  static Result<std::unique_ptr<Pipeline>> Start(PipelineOptions options, std::unique_ptr<Sink> sink,
                                                 MetricsRegistry& metrics);
  ~Pipeline();

  // Appends the records of one request (see validate/validate.h ValidatedBody). done runs once,
  // on the log's writer thread, when they are durable (ok) or failed. Returns an error at once,
  // without calling done, when the log refuses (queue full, disk budget): answer 503.
  Status Ingest(std::string records, std::vector<RecordSpan> spans, std::function<void(const Status&)> done);

  // The same for a request some of whose events carry ids their client chose (client_ids:
  // indices into spans, ascending; ValidatedBody::client_ids). With deduplication on, an event
  // whose (app_id, event_id) was accepted within the window is dropped, not written, and done
  // learns how many were (they count as accepted: the client's earlier attempt succeeded).
  // done may run at once, on the calling thread, when every event was a duplicate. Returns
  // Unavailable at once when an id's first copy is still being committed (dedup/deduplicator.h).
  using IngestDone = std::function<void(const Status&, uint32_t duplicates)>;
  Status Ingest(std::string records, std::vector<RecordSpan> spans, std::span<const uint32_t> client_ids,
                IngestDone done);

  // Ok, or why the collector should get no traffic now (/readyz answers 503 with it): whenever
  // ingest would answer 503 (the log over its disk budget, its queue full, no disk space for its
  // next segment, stopping), while the sink refuses a destination for good (its batches go to the
  // dead-letter directory), and while the sink says it cannot deliver (Sink::Readiness, e.g. no
  // Kafka broker reached since start).
  Status Readiness() const;
  bool Ready() const { return Readiness().ok(); }

  // Seals every open batch and waits (up to the deadline) until all are delivered; then stops
  // the threads and closes the log. Idempotent. REQUIRES: no Ingest calls after it starts.
  void Shutdown();

 private:
  struct Committed {
    uint64_t first_seq = 0;
    std::vector<WalPosition> positions;
    std::vector<std::string> partitions;  // distinct partitions of this request
    std::vector<uint16_t> partition_of;   // per record: index into partitions
    std::vector<int64_t> received_at;     // per distinct partition
  };
  struct InFlight {
    Batch batch;
    int attempts = 0;
    std::chrono::steady_clock::time_point ready_at = std::chrono::steady_clock::now();
  };
  enum class Deliverer { kBackground, kCatchUp };

  Pipeline(PipelineOptions options, std::unique_ptr<Sink> sink, MetricsRegistry& metrics);
  void Replay(const WalRecord& record);
  // Claims the client ids of a request and drops its duplicates from spans; returns how many.
  Result<uint32_t> Deduplicate(std::string_view records, std::vector<RecordSpan>& spans,
                               std::span<const uint32_t> client_ids, DedupClaim& claim);
  // Makes the deduplication journal durable up to the release watermark (once per
  // kJournalSyncInterval), so that the log segments holding those ids may go. mu_ is released
  // during the write.
  void SyncDedupJournal() REQUIRES(mu_);
  // Decodes a seal or delivered record and checks it against the log (valid partition, a range
  // before the record itself); false, counted and logged, when it does not hold.
  bool ValidSeal(const WalRecord& r, SealPayload& seal) REQUIRES(mu_);
  // Counts and logs a record read back from the log that breaks a rule (kept: as a dead letter).
  void SkipInvalid(const WalRecord& r, std::string_view problem, bool kept = false);
  void BatcherLoop();
  void Seal(Batch batch) REQUIRES(mu_);
  void SendSeal(uint64_t first) REQUIRES(mu_);
  void MakeReady(const Batch& batch) REQUIRES(mu_);
  void DeliveryLoop(Deliverer role);
  // Checks the sink's destinations at start, then every sink_recheck_ms those it refused.
  void SinkCheckLoop();
  // A delivery or check outcome for destination (of event_type): a refusal marks it, a success
  // clears it.
  void NoteDestination(const std::string& event_type, const DeliveryResult& r);
  bool WaitForJob(UniqueLock& lock, Deliverer role) REQUIRES(mu_);
  bool Deliver(InFlight& job);
  Status EncodeBatch(const Batch& batch, LakeObject& object);
  void OnDelivered(uint64_t first_seq);
  void ReleaseLog() REQUIRES(mu_);
  uint64_t DeliveredWatermark() const REQUIRES(mu_);  // batches below it are delivered
  Status KeepDeadLetter(const LakeObject& object, const DeliveryResult& result);
  void RegisterMetrics();

  const PipelineOptions options_;
  std::unique_ptr<Sink> sink_;
  MetricsRegistry& metrics_;
  std::unique_ptr<Deduplicator> dedup_;  // null when deduplication is off
  std::unique_ptr<Wal> wal_;

  mutable Mutex mu_;
  std::condition_variable batcher_cv_;
  std::condition_variable delivery_cv_;
  std::condition_variable idle_cv_;
  Batcher batcher_ GUARDED_BY(mu_);
  std::deque<Committed> committed_ GUARDED_BY(mu_);
  size_t committed_events_ GUARDED_BY(mu_) = 0;       // events in committed_, for waking the batcher
  std::map<uint64_t, Batch> sealed_ GUARDED_BY(mu_);  // by first_seq: sealing or delivering
  std::vector<uint64_t> reseal_ GUARDED_BY(mu_);      // seals that failed to append
  std::deque<InFlight> ready_ GUARDED_BY(mu_);        // sealed durably, waiting for a delivery thread
  uint64_t highest_event_seq_ GUARDED_BY(mu_) = 0;
  bool draining_ GUARDED_BY(mu_) = false;  // shutdown began, seal everything
  bool stopping_ GUARDED_BY(mu_) = false;  // threads exit
  bool replaying_ = true;
  // Every id of a log record below this is durable in the dedup journal, so segments below it
  // may be released (unbounded without deduplication).
  uint64_t journal_synced_below_ GUARDED_BY(mu_) = UINT64_MAX;
  std::chrono::steady_clock::time_point next_journal_sync_{};  // batcher thread

  // Destinations the sink refuses for good, with the event type to check them by and why.
  struct Refusal {
    std::string event_type;
    std::string detail;
  };
  std::map<std::string, Refusal> refused_ GUARDED_BY(mu_);  // by Sink::Destination
  std::condition_variable check_cv_;                        // the sink check thread: stopping_
  std::atomic<bool> no_space_{false};                       // the last event append failed for lack of disk space
  EventView replay_scratch_ GUARDED_BY(mu_);                // Replay's decoded record

  std::vector<std::thread> threads_;

  Counter* files_written_ = nullptr;
  Counter* events_delivered_ = nullptr;
  Counter* bytes_written_ = nullptr;
  Counter* delivery_retries_ = nullptr;
  Counter* delivery_rejected_ = nullptr;
  Counter* catch_up_files_ = nullptr;
  Histogram* wal_write_seconds_ = nullptr;
  Histogram* wal_fsync_seconds_ = nullptr;
  Counter* wal_corrupt_bytes_ = nullptr;
  Counter* duplicates_ = nullptr;
  Counter* dedup_refused_ = nullptr;
  Counter* dedup_journal_errors_ = nullptr;
  Counter* wal_invalid_records_ = nullptr;
};

}  // namespace tracklake
