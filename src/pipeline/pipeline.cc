#include "pipeline/pipeline.h"

#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>

#include "common/thread_name.h"
#include "common/time_util.h"
#include "event/partition.h"
#include "event/stored_record.h"
#include "pipeline/seal_record.h"

namespace tracklake {
namespace {

constexpr auto kBatcherTick = std::chrono::milliseconds(100);
// Committed events are durable already and wait in the batcher for seconds anyway, so the
// batcher takes them on its tick; it is woken early only when this many have piled up. Waking
// it per group commit cost a futex and a context switch per request on a busy single core.
constexpr size_t kWakeBatcherEvents = 16384;
// Readiness is lost once a request of this size could no longer be queued for the log (a
// full-size request by default, as the log's own budget check).
constexpr uint64_t kReadyQueueHeadroomBytes = 1 << 20;

// How often the deduplication journal is made durable so that released log segments can go: a
// segment is deleted at most this much later than without deduplication.
constexpr auto kJournalSyncInterval = std::chrono::seconds(1);

std::string PartitionOfRouting(const RecordRouting& r) {
  return PartitionPath(r.kind == RecordKind::kRejected ? kRejectedPartitionPrefix : r.event_type, r.received_at_ms);
}

}  // namespace

Pipeline::Pipeline(PipelineOptions options, std::unique_ptr<Sink> sink, MetricsRegistry& metrics)
    : options_(std::move(options)), sink_(std::move(sink)), metrics_(metrics), batcher_(options_.limits) {}

Pipeline::~Pipeline() { Shutdown(); }

Result<std::unique_ptr<Pipeline>> Pipeline::Start(PipelineOptions options, std::unique_ptr<Sink> sink,
                                                  MetricsRegistry& metrics) {
  std::unique_ptr<Pipeline> p(new Pipeline(std::move(options), std::move(sink), metrics));
  p->RegisterMetrics();
  WalObserver observer;
  observer.on_write = [h = p->wal_write_seconds_](double s) { h->Observe(s); };
  observer.on_fsync = [h = p->wal_fsync_seconds_](double s) { h->Observe(s); };
  observer.on_corrupt_skipped = [c = p->wal_corrupt_bytes_](uint64_t n) { c->Inc(n); };
  const auto t0 = std::chrono::steady_clock::now();
  if (p->options_.dedup.window_s > 0) {
    // Read before the log is replayed (whose event records add their ids); written only once the
    // log's directory lock is held, in Start below.
    auto dedup = Deduplicator::Open(p->options_.dedup, NowMillis());
    if (!dedup.ok()) return dedup.status();
    p->dedup_ = std::move(dedup).value();
  }
  auto wal = Wal::Open(p->options_.wal, observer, [&](const WalRecord& r) { p->Replay(r); });
  if (!wal.ok()) return wal.status();
  p->wal_ = std::move(wal).value();
  if (p->dedup_) {
    if (Status s = p->dedup_->Start(NowMillis()); !s.ok()) return s;
    const JournalLoad& loaded = p->dedup_->loaded();
    const DedupStats stats = p->dedup_->stats();
    spdlog::info("deduplication window {} s: {} ids remembered from {} journal files and the log ({} MiB){}",
                 p->options_.dedup.window_s, stats.ids, loaded.files, stats.memory_bytes >> 20,
                 loaded.new_key ? " (new key)" : "");
    MutexLock lock(p->mu_);
    p->journal_synced_below_ = p->wal_->stats().next_seq;  // every id in the log is journaled now
  }
  p->sink_->OnLogOpened(p->options_.node_id, p->wal_->log_id());
  {
    MutexLock lock(p->mu_);
    p->replaying_ = false;
    size_t resumed = 0;
    for (auto& [first, batch] : p->sealed_) {
      p->MakeReady(batch);
      ++resumed;
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    spdlog::info(
        "recovered the write-ahead log in {:.3f} s: {} sealed batches to deliver, {} bytes of events in {} "
        "open partitions",
        secs, resumed, p->batcher_.buffered_bytes(), p->batcher_.open_partitions());
  }
  // Before any delivery: what a previous run left unfinished at the destination goes first.
  p->sink_->Recover();
  p->threads_.emplace_back([raw = p.get()] {
    SetThreadName("tl-batcher");
    raw->BatcherLoop();
  });
  p->threads_.emplace_back([raw = p.get()] {
    SetThreadName("tl-sink-check");
    raw->SinkCheckLoop();
  });
  for (int i = 0; i < std::max(1, p->options_.delivery_threads); ++i) {
    p->threads_.emplace_back([raw = p.get()] {
      SetThreadName("tl-deliver");
      raw->DeliveryLoop(Deliverer::kBackground);
    });
  }
  if (p->options_.max_delivery_lag_ms > 0) {
    p->threads_.emplace_back([raw = p.get()] {
      SetThreadName("tl-catch-up");
      raw->DeliveryLoop(Deliverer::kCatchUp);
    });
  }
  return p;
}

void Pipeline::Replay(const WalRecord& r) {
  // Called from Wal::Open before any thread runs; the lock keeps the guarded-by contract simple.
  MutexLock lock(mu_);
  switch (r.type) {
    case wal::RecordType::kEvent: {
      // Validated again before it names a partition: the log proves a record is the one written,
      // not that the rules it was written under are today's (an older version's, a bug).
      EventView& e = replay_scratch_;
      if (!DecodeEventRecord(r.payload, e).ok()) return SkipInvalid(r, "not an event record");
      if (auto problem = StoredRecordProblem(e)) {
        // Acknowledged once, so kept: as a dead letter, whose path names nothing it says.
        const int64_t at = InLakeTimeRange(e.received_at_ms) ? e.received_at_ms : NowMillis();
        SkipInvalid(r, *problem, /*kept=*/true);
        batcher_.Add(PartitionPath(kRejectedPartitionPrefix, at), r.seq, r.position, at);
      } else {
        batcher_.Add(PartitionPathOf(e), r.seq, r.position, e.received_at_ms);
      }
      highest_event_seq_ = r.seq;
      // Every accepted event's id, whoever chose it: the log does not say, and a generated id
      // only costs its memory until the window passes.
      if (RecordIdentity id; dedup_ && PeekIdentity(r.payload, id)) {
        dedup_->Recovered(dedup_->Hash(id.app_id, id.event_id), id.received_at_ms);
      }
      return;
    }
    case wal::RecordType::kSeal: {
      SealPayload seal;
      if (!ValidSeal(r, seal)) return;
      std::optional<Batch> b = batcher_.Cut(seal.partition, seal.last_seq);
      if (!b) return;  // every event of it was in segments already released: it was delivered
      // Name the file by the seal, exactly as the first attempt did.
      b->first_seq = seal.first_seq;
      b->last_seq = seal.last_seq;
      sealed_[seal.first_seq] = std::move(*b);
      return;
    }
    case wal::RecordType::kDelivered: {
      SealPayload seal;
      if (ValidSeal(r, seal)) sealed_.erase(seal.first_seq);
      return;
    }
  }
}

bool Pipeline::ValidSeal(const WalRecord& r, SealPayload& seal) {
  // A batch is sealed after its last event is in the log, and delivered after it is sealed.
  if (!DecodeSealPayload(r.payload, seal).ok()) return SkipInvalid(r, "not a seal payload"), false;
  if (!IsPartitionPath(seal.partition)) return SkipInvalid(r, "names no partition the pipeline makes"), false;
  if (seal.first_seq == 0 || seal.first_seq > seal.last_seq || seal.last_seq >= r.seq || seal.events == 0 ||
      seal.events > seal.last_seq - seal.first_seq + 1) {
    return SkipInvalid(r, "names a range of events that is not before it"), false;
  }
  return true;
}

void Pipeline::SkipInvalid(const WalRecord& r, std::string_view problem, bool kept) {
  wal_invalid_records_->Inc();
  spdlog::error("write-ahead log record {} (segment {} offset {}): {}; {}", r.seq, r.position.segment,
                r.position.offset, problem, kept ? "kept in the dead-letter area" : "skipped");
}

Status Pipeline::Ingest(std::string records, std::vector<RecordSpan> spans, std::function<void(const Status&)> done) {
  return Ingest(std::move(records), std::move(spans), {},
                [done = std::move(done)](const Status& s, uint32_t) { done(s); });
}

Result<uint32_t> Pipeline::Deduplicate(std::string_view records, std::vector<RecordSpan>& spans,
                                       std::span<const uint32_t> client_ids, DedupClaim& claim) {
  thread_local std::vector<uint64_t> hashes;
  thread_local std::vector<bool> duplicate;
  hashes.clear();
  int64_t received_at_ms = 0;
  for (const uint32_t i : client_ids) {
    RecordIdentity id;
    if (i >= spans.size() || !PeekIdentity(records.substr(spans[i].offset, spans[i].size), id)) {
      return Status::InvalidArgument("internal: a client id names no event record");
    }
    hashes.push_back(dedup_->Hash(id.app_id, id.event_id));
    received_at_ms = id.received_at_ms;  // one stamp per request
  }
  if (Status s = dedup_->Claim(hashes, received_at_ms, duplicate, claim); !s.ok()) {
    dedup_refused_->Inc();
    return s;
  }
  const auto dropped = static_cast<uint32_t>(std::count(duplicate.begin(), duplicate.end(), true));
  if (dropped == 0) return dropped;
  size_t kept = 0;
  size_t k = 0;
  for (size_t i = 0; i < spans.size(); ++i) {
    bool drop = false;
    if (k < client_ids.size() && client_ids[k] == i) drop = duplicate[k++];
    if (!drop) spans[kept++] = spans[i];
  }
  spans.resize(kept);
  duplicates_->Inc(dropped);
  return dropped;
}

Status Pipeline::Ingest(std::string records, std::vector<RecordSpan> spans, std::span<const uint32_t> client_ids,
                        IngestDone done) {
  // Shared: a refused append destroys the completion, and the claim must then be taken back here.
  std::shared_ptr<DedupClaim> claim;
  uint32_t duplicates = 0;
  if (dedup_ && !client_ids.empty()) {
    claim = std::make_shared<DedupClaim>();
    Result<uint32_t> dropped = Deduplicate(records, spans, client_ids, *claim);
    if (!dropped.ok()) return dropped.status();
    duplicates = *dropped;
    if (spans.empty()) {  // every event was accepted before: nothing to write
      done(Status::Ok(), duplicates);
      return Status::Ok();
    }
  }
  Committed c;
  c.partition_of.reserve(spans.size());
  // Requests are stamped once, so their records share very few partitions: remember the
  // previous one instead of formatting a path per event.
  std::string_view last_type;
  RecordKind last_kind = RecordKind::kEvent;
  for (const RecordSpan& s : spans) {
    RecordRouting routing;
    if (!PeekRouting(std::string_view(records).substr(s.offset, s.size), routing)) {
      return Status::InvalidArgument("internal: not an event record");
    }
    if (c.partitions.empty() || routing.event_type != last_type || routing.kind != last_kind) {
      std::string path = PartitionOfRouting(routing);
      auto it = std::find(c.partitions.begin(), c.partitions.end(), path);
      if (it == c.partitions.end()) {
        c.partitions.push_back(std::move(path));
        c.received_at.push_back(routing.received_at_ms);
        it = c.partitions.end() - 1;
      }
      last_type = routing.event_type;
      last_kind = routing.kind;
      c.partition_of.push_back(static_cast<uint16_t>(it - c.partitions.begin()));
    } else {
      c.partition_of.push_back(c.partition_of.back());
    }
  }
  // The routing views point into records, which moves into the log: copy what we kept first.
  if (claim && claim->hashes.empty()) claim.reset();
  Status appended = wal_->Append(std::move(records), std::move(spans),
                                 [this, c = std::move(c), done = std::move(done), claim,
                                  duplicates](const Status& s, uint64_t first,
                                              std::span<const WalPosition> ps) mutable {
                                   // Before the records reach the batcher: their ids are then in the journal's
                                   // buffer by the time their segment can be released.
                                   if (claim) dedup_->Resolve(*claim, s.ok());
                                   // Disk full shows at a segment's creation; readiness watches for space.
                                   if (s.ok() || s.code() == Status::Code::kNoSpace) {
                                     no_space_.store(!s.ok(), std::memory_order_relaxed);
                                   }
                                   if (s.ok()) {
                                     c.first_seq = first;
                                     c.positions.assign(ps.begin(), ps.end());
                                     bool wake = false;
                                     {
                                       MutexLock lock(mu_);
                                       const size_t before = committed_events_;
                                       committed_events_ += c.positions.size();
                                       committed_.push_back(std::move(c));
                                       wake = before < kWakeBatcherEvents && committed_events_ >= kWakeBatcherEvents;
                                     }
                                     if (wake) batcher_cv_.notify_one();
                                   }
                                   done(s, duplicates);
                                 });
  // Refused at once: the completion never runs, so the ids are taken back here.
  if (!appended.ok() && claim) dedup_->Resolve(*claim, false);
  return appended;
}

Status Pipeline::Readiness() const {
  if (!wal_) return Status::Unavailable("starting");
  if (wal_->OverBudget()) return Status::NoSpace("the write-ahead log is over its disk budget (wal.max_bytes)");
  const uint64_t headroom = std::min<uint64_t>(kReadyQueueHeadroomBytes, options_.wal.queue_bytes / 2);
  if (wal_->stats().queued_bytes + headroom > options_.wal.queue_bytes) {
    return Status::Unavailable("the write-ahead log's queue is full (wal.queue_bytes)");
  }
  if (no_space_.load(std::memory_order_relaxed)) {
    // Appends fail once a new segment cannot be made: ready again as soon as one fits, so that
    // traffic (the only thing that clears the flag) comes back.
    struct statvfs fs {};
    if (::statvfs(options_.wal.dir.c_str(), &fs) != 0 ||
        static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize < options_.wal.segment_bytes) {
      return Status::NoSpace("no disk space for the write-ahead log's next segment in " + options_.wal.dir);
    }
  }
  {
    MutexLock lock(mu_);
    if (draining_) return Status::Unavailable("stopping");
    if (!refused_.empty()) {
      const auto& [destination, why] = *refused_.begin();
      return Status::Unavailable("the " + std::string(sink_->name()) + " sink refuses " + destination + " (" +
                                 why.detail + ")" +
                                 (refused_.size() > 1 ? " and " + std::to_string(refused_.size() - 1) + " more" : "") +
                                 ": its batches go to the dead-letter directory " + options_.dead_letter_dir +
                                 "; resend them with `tracklake redrive` once fixed");
    }
  }
  return sink_->Readiness();
}

void Pipeline::NoteDestination(const std::string& event_type, const DeliveryResult& r) {
  const bool refused = r.outcome == DeliveryOutcome::kRejected && r.destination_refuses;
  if (!refused && r.outcome != DeliveryOutcome::kDelivered) return;
  const std::string destination = sink_->Destination(event_type);
  MutexLock lock(mu_);
  if (refused) {
    if (refused_.count(destination) == 0) {
      spdlog::error(
          "the {} sink refuses {}: {}; /readyz answers 503 and its batches go to the dead-letter "
          "directory {} until it accepts again (checked every {} s); then resend them with "
          "`tracklake redrive`",
          sink_->name(), destination, r.detail, options_.dead_letter_dir,
          static_cast<double>(options_.sink_recheck_ms) / 1000);
    }
    refused_[destination] = Refusal{event_type, r.detail};
  } else if (refused_.erase(destination) > 0) {
    spdlog::info(
        "the {} sink accepts {} again; files refused before wait in {}: resend them with "
        "`tracklake redrive`",
        sink_->name(), destination, options_.dead_letter_dir);
  }
}

void Pipeline::SinkCheckLoop() {
  // At start: every destination the configured event types use (one, for a sink with a single
  // destination), so that a wrong bucket, stream, region or credential shows before the first
  // batch is due.
  std::map<std::string, std::string> destinations;  // destination -> an event type of it
  for (const auto& [type, columns] : options_.event_type_columns)
    destinations.try_emplace(sink_->Destination(type), type);
  if (sink_->Destination("") == sink_->Destination("probe_event_type")) destinations = {{sink_->Destination(""), ""}};
  for (const auto& [destination, type] : destinations) {
    const DeliveryResult r = sink_->Check(type);
    if (r.outcome == DeliveryOutcome::kDelivered) {
      spdlog::info("{} sink check passed: {} accepts objects", sink_->name(), destination);
    } else if (r.outcome == DeliveryOutcome::kRetry) {
      spdlog::warn("{} sink check could not tell whether {} accepts objects: {}; deliveries retry until it does",
                   sink_->name(), destination, r.detail);
    } else {
      spdlog::error("{} sink check failed for {}: {}", sink_->name(), destination, r.detail);
    }
    NoteDestination(type, r);
  }
  UniqueLock lock(mu_);
  for (;;) {
    if (check_cv_.wait_for(lock, std::chrono::milliseconds(options_.sink_recheck_ms),
                           [&]() REQUIRES(mu_) { return stopping_; })) {
      return;
    }
    std::vector<std::string> types;
    for (const auto& [destination, why] : refused_) types.push_back(why.event_type);
    lock.unlock();
    for (const std::string& type : types) NoteDestination(type, sink_->Check(type));
    lock.lock();
  }
}

void Pipeline::BatcherLoop() {
  UniqueLock lock(mu_);
  for (;;) {
    batcher_cv_.wait_for(lock, kBatcherTick, [&]() REQUIRES(mu_) {
      return stopping_ || committed_events_ >= kWakeBatcherEvents ||
             (draining_ && (!committed_.empty() || batcher_.open_partitions() > 0));
    });
    if (stopping_) return;
    committed_events_ = 0;
    while (!committed_.empty()) {
      Committed c = std::move(committed_.front());
      committed_.pop_front();
      for (size_t i = 0; i < c.positions.size(); ++i) {
        const uint16_t p = c.partition_of[i];
        batcher_.Add(c.partitions[p], c.first_seq + i, c.positions[i], c.received_at[p]);
      }
      highest_event_seq_ = c.first_seq + c.positions.size() - 1;
    }
    std::vector<Batch> due = draining_ ? batcher_.TakeAll() : batcher_.TakeDue(NowMillis());
    for (Batch& b : due) Seal(std::move(b));
    std::vector<uint64_t> reseal;
    reseal.swap(reseal_);
    for (uint64_t first : reseal) SendSeal(first);
    ReleaseLog();
    if (dedup_) SyncDedupJournal();
    idle_cv_.notify_all();
  }
}

void Pipeline::Seal(Batch batch) {
  const uint64_t first = batch.first_seq;
  sealed_[first] = std::move(batch);
  SendSeal(first);
}

void Pipeline::SendSeal(uint64_t first) {
  const Batch& batch = sealed_.at(first);
  const SealPayload seal{batch.partition, batch.first_seq, batch.last_seq, batch.positions.size()};
  // The seal must be durable before the file exists: a replay then re-executes this exact cut.
  wal_->AppendControl(wal::RecordType::kSeal, EncodeSealPayload(seal), /*sync=*/true,
                      [this, first](const Status& s, uint64_t, std::span<const WalPosition>) {
                        MutexLock lock(mu_);
                        auto it = sealed_.find(first);
                        if (it == sealed_.end()) return;
                        if (!s.ok()) {
                          spdlog::error("cannot seal the batch starting at log position {}: {}; retrying", first,
                                        s.ToString());
                          reseal_.push_back(first);
                          return;
                        }
                        MakeReady(it->second);
                      });
}

void Pipeline::MakeReady(const Batch& batch) {
  ready_.push_back(InFlight{batch});
  // All: the catch-up thread only recomputes its deadline, and must not swallow the wake-up
  // meant for a background thread.
  delivery_cv_.notify_all();
}

uint64_t Pipeline::DeliveredWatermark() const {
  // Every batch to come is cut from open batches or from events not yet batched, so its first
  // seq is at least the smallest of these.
  uint64_t watermark = highest_event_seq_ + 1;
  if (auto open = batcher_.MinOpenSeq()) watermark = std::min(watermark, *open);
  if (!sealed_.empty()) watermark = std::min(watermark, sealed_.begin()->first);
  for (const Committed& c : committed_) watermark = std::min(watermark, c.first_seq);
  return watermark;
}

void Pipeline::ReleaseLog() {
  // With deduplication, a segment goes only once the ids of its records are in the journal: the
  // window must outlive the log's copy of an id.
  wal_->Release(std::min(DeliveredWatermark(), journal_synced_below_));
}

void Pipeline::SyncDedupJournal() {
  // Every record below the watermark was taken from committed_, so its completion, which put its
  // ids in the journal's buffer first, has run: the write below covers them.
  const uint64_t watermark = DeliveredWatermark();
  const auto now = std::chrono::steady_clock::now();
  // Every interval, not only when segments wait: ids waiting for the journal hold memory.
  if (now < next_journal_sync_) return;
  next_journal_sync_ = now + kJournalSyncInterval;
  Status s;
  {
    MutexUnlock unlocked(mu_);  // the write and its fdatasync must not hold up the log writer's completions
    s = dedup_->SyncJournal(NowMillis());
  }
  if (!s.ok()) {
    dedup_journal_errors_->Inc();
    spdlog::error("cannot write the deduplication journal: {}; the log keeps its segments until it can", s.ToString());
    return;
  }
  journal_synced_below_ = std::max(journal_synced_below_, watermark);
  ReleaseLog();
}

void Pipeline::OnDelivered(uint64_t first_seq) {
  MutexLock lock(mu_);
  sealed_.erase(first_seq);
  ReleaseLog();
  idle_cv_.notify_all();
}

void Pipeline::Shutdown() {
  {
    UniqueLock lock(mu_);
    if (threads_.empty()) return;
    draining_ = true;
    batcher_cv_.notify_all();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.shutdown_deadline_ms);
    const bool drained = idle_cv_.wait_until(lock, deadline, [&]() REQUIRES(mu_) {
      return committed_.empty() && batcher_.open_partitions() == 0 && sealed_.empty();
    });
    if (!drained) {
      spdlog::warn(
          "shutting down with {} batches not yet delivered; they stay in the write-ahead log and are "
          "delivered at the next start",
          sealed_.size());
    }
    stopping_ = true;
  }
  batcher_cv_.notify_all();
  delivery_cv_.notify_all();
  check_cv_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  wal_->Close();
  if (dedup_) {
    if (Status s = dedup_->SyncJournal(NowMillis()); !s.ok()) {
      spdlog::warn("cannot write the deduplication journal at stop: {}; the log still holds the ids", s.ToString());
    }
    dedup_->Close();
  }
}

}  // namespace tracklake
