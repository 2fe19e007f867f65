// Delivery threads: sealed batch → events read back from the log → encoded file → sink,
// retried with exponential backoff and jitter (common/backoff.h), then checkpointed with a
// delivered record.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <random>

#include "common/backoff.h"
#include "common/file_util.h"
#include "common/json_writer.h"
#include "common/thread_priority.h"
#include "common/time_util.h"
#include "encode/json_messages.h"
#include "event/partition.h"
#include "event/stored_record.h"
#include "pipeline/pipeline.h"
#include "pipeline/seal_record.h"

namespace tracklake {

// The lowest: CFS gives it about 1.5 % of a contended core (weights 1024 against 15). Delivery
// still advances during a long burst: a batch that waited flush.max_delivery_lag goes to the
// catch-up thread, at normal priority. Against nice 10 (docs/benchmarks.md): 10-second bursts
// +4-17 % acknowledged, and at sustained saturation acknowledgements slow to what delivery keeps
// up with (the lake caught up 10.1-10.2 s after the end, against 13.2 s and once over 15 s).
constexpr int kBackgroundNice = 19;
// A failed batch's retries wait up to retry_initial_ms << attempts, at most retry_max_ms.
constexpr int kMaxBackoffDoublings = 20;

void Pipeline::DeliveryLoop(Deliverer role) {
  if (role == Deliverer::kBackground && options_.max_delivery_lag_ms > 0) {
    if (Status s = LowerThreadPriority(kBackgroundNice); !s.ok()) {
      spdlog::warn("delivery runs at normal priority: {}", s.ToString());
    }
  }
  std::mt19937_64 rng(std::random_device{}());
  const Backoff backoff{std::chrono::milliseconds(options_.retry_initial_ms),
                        std::chrono::milliseconds(options_.retry_max_ms), kMaxBackoffDoublings};
  for (;;) {
    InFlight job;
    {
      UniqueLock lock(mu_);
      if (!WaitForJob(lock, role)) return;
      job = std::move(ready_.front());
      ready_.pop_front();
    }
    while (!Deliver(job)) {
      // Jittered, so many collectors recovering from one outage do not retry in lockstep.
      const std::chrono::milliseconds wait = backoff.EqualJitter(job.attempts, rng);
      UniqueLock lock(mu_);
      if (delivery_cv_.wait_for(lock, wait, [&]() REQUIRES(mu_) { return stopping_; })) return;
    }
    if (role == Deliverer::kCatchUp) catch_up_files_->Inc();
  }
}

bool Pipeline::WaitForJob(UniqueLock& lock, Deliverer role) {
  const auto lag = std::chrono::milliseconds(options_.max_delivery_lag_ms);
  for (;;) {
    if (stopping_) return false;
    if (ready_.empty()) {
      delivery_cv_.wait(lock);
      continue;
    }
    if (role == Deliverer::kBackground) return true;
    // The catch-up thread takes the oldest batch only once it has waited out the lag.
    const auto due = ready_.front().ready_at + lag;
    if (std::chrono::steady_clock::now() >= due) return true;
    delivery_cv_.wait_until(lock, due);
  }
}

Status Pipeline::EncodeBatch(const Batch& batch, LakeObject& object) {
  const std::string_view type = PartitionEventType(batch.partition);
  const bool dead_letter = type == kRejectedPartitionPrefix;
  // Dead letters keep their evidence in a format people read with zcat and jq. Message sinks
  // (Kafka, Kinesis) take them as messages too, to the "_rejected" event type's topic or stream.
  const FileFormat format = dead_letter && options_.format != FileFormat::kJsonMessages ? FileFormat::kNdjsonGzip
                                                                                        : options_.format;
  EncodeOptions eo;
  eo.event_type = std::string(type);
  if (auto it = options_.event_type_columns.find(eo.event_type); it != options_.event_type_columns.end()) {
    eo.declared_columns = it->second;
  }
  eo.first_seq = batch.first_seq;
  eo.last_seq = batch.last_seq;
  eo.node_id = options_.node_id;
  eo.log_id = wal_->log_id();
  eo.compression = options_.compression;
  eo.dictionary_bytes = options_.parquet_dictionary_bytes;
  eo.message_key = options_.message_key;
  object.key = ObjectKey(batch.partition, options_.node_id, wal_->log_id(), batch.first_seq, batch.last_seq,
                         FileExtension(format));
  // Partitions come from validated event types (or Replay's check): a bug, never a client, could
  // make this fail, and the batch then waits, visibly, instead of writing outside the lake.
  if (!IsSafeObjectKey(object.key)) return Status::InvalidArgument("unsafe lake object key " + object.key);
  std::unique_ptr<BatchEncoder> encoder = MakeEncoder(format, eo);
  EventView view;
  Status add_status;
  uint64_t invalid = 0;
  std::string_view first_problem;
  Status s = wal_->ReadEvents(batch.positions, [&](size_t, std::string_view payload) {
    if (!add_status.ok()) return;
    // The log verified these bytes as the ones written (its salted CRC, at the position the
    // writer gave), and every event was checked on its way in: by validation, or by Replay,
    // field names included. What names this file and what would break its readers is checked
    // again; the field names, most of the cost, are not (event/stored_record.h).
    std::optional<std::string_view> problem;
    if (!DecodeEventRecord(payload, view).ok()) {
      problem = "not an event record";
    } else if (!dead_letter) {
      problem = StoredRecordProblem(view, /*field_names=*/false);
      if (!problem && view.event_type() != type) problem = "event_type is not its batch's";
    }
    if (problem) {
      if (invalid++ == 0) first_problem = *problem;
      return;
    }
    add_status = encoder->Add(view);
  });
  if (!s.ok()) return s;
  if (!add_status.ok()) return add_status;
  if (invalid > 0) {
    wal_invalid_records_->Inc(invalid);
    spdlog::error("batch {} ({} events): {} read back from the write-ahead log broke a rule ({}); left out of {}",
                  batch.partition, batch.positions.size(), invalid, first_problem, object.key);
  }
  Result<std::string> bytes = encoder->Finish();
  if (!bytes.ok()) return bytes.status();
  object.bytes = std::move(bytes).value();
  object.events = batch.positions.size() - invalid;
  object.batch.node_id = options_.node_id;
  object.batch.log_id = wal_->log_id();
  object.batch.event_type = eo.event_type;
  object.batch.first_seq = batch.first_seq;
  object.batch.last_seq = batch.last_seq;
  {
    MutexLock lock(mu_);
    object.batch.delivered_below = DeliveredWatermark();
  }
  return Status::Ok();
}

bool Pipeline::Deliver(InFlight& job) {
  ++job.attempts;
  LakeObject object;
  if (Status s = EncodeBatch(job.batch, object); !s.ok()) {
    // The log verified these records when they were written; failing to read them back is a
    // disk problem worth retrying, never a reason to drop the batch.
    spdlog::error("cannot encode batch {} ({} events): {}", job.batch.partition, job.batch.positions.size(),
                  s.ToString());
    delivery_retries_->Inc();
    return false;
  }
  const DeliveryResult r = sink_->Put(object);
  NoteDestination(std::string(PartitionEventType(job.batch.partition)), r);
  if (r.outcome == DeliveryOutcome::kRetry) {
    delivery_retries_->Inc();
    spdlog::warn("{} sink could not take {} (attempt {}): {}; will retry", sink_->name(), object.key, job.attempts,
                 r.detail);
    return false;
  }
  if (r.outcome == DeliveryOutcome::kRejected) {
    delivery_rejected_->Inc();
    if (Status s = KeepDeadLetter(object, r); !s.ok()) {
      spdlog::error("cannot keep rejected file {} in the dead-letter directory: {}", object.key, s.ToString());
      return false;
    }
  }
  files_written_->Inc();
  events_delivered_->Inc(object.events);
  bytes_written_->Inc(object.bytes.size());
  const SealPayload done{job.batch.partition, job.batch.first_seq, job.batch.last_seq, object.events};
  const uint64_t first = job.batch.first_seq;
  // No fsync needed: if this record is lost, the replay rewrites the same file name.
  wal_->AppendControl(wal::RecordType::kDelivered, EncodeSealPayload(done), /*sync=*/false,
                      [this, first](const Status&, uint64_t, std::span<const WalPosition>) { OnDelivered(first); });
  return true;
}

Status Pipeline::KeepDeadLetter(const LakeObject& object, const DeliveryResult& result) {
  std::string key = object.key;
  std::string converted;
  std::string_view bytes = object.bytes;
  if (options_.format == FileFormat::kJsonMessages) {
    // People read dead letters with zcat and jq, not the message framing.
    Result<std::string> ndjson = MessageValuesAsNdjsonGzip(object.bytes);
    if (!ndjson.ok()) return ndjson.status();
    converted = std::move(ndjson).value();
    bytes = converted;
    key.replace(key.size() - FileExtension(FileFormat::kJsonMessages).size(), std::string::npos,
                FileExtension(FileFormat::kNdjsonGzip));
  }
  const std::optional<std::filesystem::path> path = PathUnder(options_.dead_letter_dir, key);
  if (!path) return Status::InvalidArgument("unsafe dead-letter key " + key);
  Status s = CreateDirs(path->parent_path().string());
  if (s.ok()) s = WriteFileAtomic(path->string(), bytes);
  // The sink's reason beside the file: the evidence must outlive the log line.
  std::string reason = "{\"sink\":";
  AppendJsonString(reason, sink_->name());
  reason += ",\"rejected_at\":\"";
  AppendRfc3339Millis(reason, NowMillis());
  reason += "\",\"reason\":";
  AppendJsonString(reason, result.detail);
  reason += "}\n";
  if (s.ok()) s = WriteFileAtomic(path->string() + std::string(kDeadLetterReasonSuffix), reason);
  if (!s.ok()) return s;
  spdlog::error("{} sink rejected {} for good: {}; kept it in {}", sink_->name(), object.key, result.detail,
                path->string());
  return Status::Ok();
}

}  // namespace tracklake
