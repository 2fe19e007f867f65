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

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "batch/batcher.h"
#include "encode/encoder.h"
#include "metrics/metrics.h"
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
  int64_t shutdown_deadline_ms = 60'000;  // after that, undelivered batches stay in the log
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
  Status Ingest(std::string records, std::vector<Wal::Span> spans, std::function<void(const Status&)> done);

  // Ok, or why /readyz answers 503: the log over its budget, or the sink not ready (e.g. no
  // Kafka broker reached since start).
  Status Readiness() const;

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
  // Decodes a seal or delivered record and checks it against the log (valid partition, a range
  // before the record itself); false, counted and logged, when it does not hold.
  bool ValidSeal(const WalRecord& r, SealPayload& seal);  // REQUIRES: mu_ held
  // Counts and logs a record read back from the log that breaks a rule (kept: as a dead letter).
  void SkipInvalid(const WalRecord& r, std::string_view problem, bool kept = false);
  void BatcherLoop();
  void Seal(Batch batch);     // REQUIRES: mu_ held
  void SendSeal(uint64_t first);  // REQUIRES: mu_ held
  void MakeReady(const Batch& batch);  // REQUIRES: mu_ held
  void DeliveryLoop(Deliverer role);
  bool WaitForJob(std::unique_lock<std::mutex>& lock, Deliverer role);  // REQUIRES: mu_ held
  bool Deliver(InFlight& job);
  Status EncodeBatch(const Batch& batch, LakeObject& object);
  void OnDelivered(uint64_t first_seq);
  void ReleaseLog();  // REQUIRES: mu_ held
  uint64_t DeliveredWatermark() const;  // REQUIRES: mu_ held. Batches below it are delivered.
  Status KeepDeadLetter(const LakeObject& object, const DeliveryResult& result);
  void RegisterMetrics();

  const PipelineOptions options_;
  std::unique_ptr<Sink> sink_;
  MetricsRegistry& metrics_;
  std::unique_ptr<Wal> wal_;

  mutable std::mutex mu_;
  std::condition_variable batcher_cv_;
  std::condition_variable delivery_cv_;
  std::condition_variable idle_cv_;
  Batcher batcher_;                          // guarded by mu_
  std::deque<Committed> committed_;          // guarded by mu_
  size_t committed_events_ = 0;              // guarded by mu_: events in committed_, for waking the batcher
  std::map<uint64_t, Batch> sealed_;         // by first_seq: sealing or delivering; guarded by mu_
  std::vector<uint64_t> reseal_;             // seals that failed to append; guarded by mu_
  std::deque<InFlight> ready_;               // sealed durably, waiting for a delivery thread; guarded by mu_
  uint64_t highest_event_seq_ = 0;           // guarded by mu_
  bool draining_ = false;                    // guarded by mu_: shutdown began, seal everything
  bool stopping_ = false;                    // guarded by mu_: threads exit
  bool replaying_ = true;
  EventView replay_scratch_;                 // guarded by mu_: Replay's decoded record

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
  Counter* wal_invalid_records_ = nullptr;
};

}  // namespace tracklake
