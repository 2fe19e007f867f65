#include "pipeline/pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "common/thread_name.h"
#include "common/time_util.h"
#include "event/partition.h"
#include "event/stored_record.h"

namespace tracklake {
namespace {

constexpr auto kBatcherTick = std::chrono::milliseconds(100);
// Committed events are durable already and wait in the batcher for seconds anyway, so the
// batcher takes them on its tick; it is woken early only when this many have piled up. Waking
// it per group commit cost a futex and a context switch per request on a busy single core.
constexpr size_t kWakeBatcherEvents = 16384;

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
  auto wal = Wal::Open(p->options_.wal, observer, [&](const WalRecord& r) { p->Replay(r); });
  if (!wal.ok()) return wal.status();
  p->wal_ = std::move(wal).value();
  p->sink_->OnLogOpened(p->options_.node_id, p->wal_->log_id());
  {
    std::lock_guard lock(p->mu_);
    p->replaying_ = false;
    size_t resumed = 0;
    for (auto& [first, batch] : p->sealed_) {
      p->MakeReady(batch);
      ++resumed;
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    spdlog::info("recovered the write-ahead log in {:.3f} s: {} sealed batches to deliver, {} bytes of events in {} "
                 "open partitions", secs, resumed, p->batcher_.buffered_bytes(), p->batcher_.open_partitions());
  }
  p->threads_.emplace_back([raw = p.get()] {
    SetThreadName("tl-batcher");
    raw->BatcherLoop();
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

void Pipeline::RegisterMetrics() {
  files_written_ = &metrics_.GetCounter("tracklake_lake_files_written_total", "Files delivered to the lake.");
  events_delivered_ = &metrics_.GetCounter("tracklake_lake_events_written_total", "Events delivered to the lake (dead letters included).");
  bytes_written_ = &metrics_.GetCounter("tracklake_lake_bytes_written_total", "Bytes of files delivered to the lake.");
  delivery_retries_ = &metrics_.GetCounter("tracklake_sink_retries_total", "Deliveries that failed transiently and were retried.");
  delivery_rejected_ = &metrics_.GetCounter("tracklake_sink_rejected_total", "Files the sink refused for good, kept in the dead-letter directory.");
  catch_up_files_ = &metrics_.GetCounter("tracklake_lake_catch_up_files_total", "Files delivered at normal priority because their batch waited longer than flush.max_delivery_lag (the collector's CPU was saturated).");
  wal_write_seconds_ = &metrics_.GetHistogram("tracklake_wal_append_seconds", "Time to write one group commit.", LatencyBuckets());
  wal_fsync_seconds_ = &metrics_.GetHistogram("tracklake_wal_fsync_seconds", "Time of one fdatasync of the write-ahead log.", LatencyBuckets());
  wal_corrupt_bytes_ = &metrics_.GetCounter("tracklake_wal_corrupt_bytes_skipped_total", "Damaged or torn write-ahead log bytes skipped during recovery.");
  wal_invalid_records_ = &metrics_.GetCounter(
      "tracklake_wal_invalid_records_total",
      "Records read back from the write-ahead log that break a rule validation enforces: events kept in the "
      "dead-letter area, others skipped (logged).");
  metrics_.AddGauge("tracklake_wal_disk_bytes", "Bytes of write-ahead log segments on disk.",
                    [this] { return wal_ ? static_cast<double>(wal_->stats().disk_bytes) : 0.0; });
  metrics_.AddGauge("tracklake_wal_max_bytes", "Disk budget of the write-ahead log (wal.max_bytes): beyond it ingest answers 503.",
                    [this] { return static_cast<double>(options_.wal.max_bytes); });
  metrics_.AddGauge("tracklake_wal_segments", "Write-ahead log segment files.",
                    [this] { return wal_ ? static_cast<double>(wal_->stats().segments) : 0.0; });
  metrics_.AddGauge("tracklake_wal_spare_segments", "Released log segment files kept to be overwritten by new segments.",
                    [this] { return wal_ ? static_cast<double>(wal_->stats().spare_segments) : 0.0; });
  metrics_.AddGauge("tracklake_buffered_bytes", "Bytes of events accepted but not yet in the lake.", [this] {
    std::lock_guard lock(mu_);
    uint64_t bytes = batcher_.buffered_bytes();
    for (const auto& [first, b] : sealed_) bytes += b.bytes;
    return static_cast<double>(bytes);
  });
  metrics_.AddGauge("tracklake_oldest_unwritten_event_age_seconds",
                    "Age of the oldest accepted event not yet in the lake (0 when none).", [this] {
                      std::lock_guard lock(mu_);
                      std::optional<int64_t> oldest = batcher_.OldestOpenMillis();
                      for (const auto& [first, b] : sealed_) oldest = std::min(oldest.value_or(b.oldest_ms), b.oldest_ms);
                      return oldest ? std::max<double>(0, static_cast<double>(NowMillis() - *oldest) / 1000.0) : 0.0;
                    });
}

void Pipeline::Replay(const WalRecord& r) {
  // Called from Wal::Open before any thread runs; the lock keeps the guarded-by contract simple.
  std::lock_guard lock(mu_);
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

Status Pipeline::Ingest(std::string records, std::vector<Wal::Span> spans, std::function<void(const Status&)> done) {
  Committed c;
  c.partition_of.reserve(spans.size());
  // Requests are stamped once, so their records share very few partitions: remember the
  // previous one instead of formatting a path per event.
  std::string_view last_type;
  RecordKind last_kind = RecordKind::kEvent;
  for (const Wal::Span& s : spans) {
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
  return wal_->Append(std::move(records), std::move(spans),
                      [this, c = std::move(c), done = std::move(done)](const Status& s, uint64_t first,
                                                                      std::span<const WalPosition> ps) mutable {
                        if (s.ok()) {
                          c.first_seq = first;
                          c.positions.assign(ps.begin(), ps.end());
                          bool wake = false;
                          {
                            std::lock_guard lock(mu_);
                            const size_t before = committed_events_;
                            committed_events_ += c.positions.size();
                            committed_.push_back(std::move(c));
                            wake = before < kWakeBatcherEvents && committed_events_ >= kWakeBatcherEvents;
                          }
                          if (wake) batcher_cv_.notify_one();
                        }
                        done(s);
                      });
}

Status Pipeline::Readiness() const {
  if (!wal_) return Status::Unavailable("starting");
  if (wal_->OverBudget()) return Status::NoSpace("write-ahead log is over its disk budget");
  return sink_->Readiness();
}

void Pipeline::BatcherLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    batcher_cv_.wait_for(lock, kBatcherTick,
                         [&] {
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
                        std::lock_guard lock(mu_);
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

void Pipeline::ReleaseLog() { wal_->Release(DeliveredWatermark()); }

void Pipeline::OnDelivered(uint64_t first_seq) {
  std::lock_guard lock(mu_);
  sealed_.erase(first_seq);
  ReleaseLog();
  idle_cv_.notify_all();
}

void Pipeline::Shutdown() {
  {
    std::unique_lock lock(mu_);
    if (threads_.empty()) return;
    draining_ = true;
    batcher_cv_.notify_all();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.shutdown_deadline_ms);
    const bool drained = idle_cv_.wait_until(lock, deadline, [&] {
      return committed_.empty() && batcher_.open_partitions() == 0 && sealed_.empty();
    });
    if (!drained) {
      spdlog::warn("shutting down with {} batches not yet delivered; they stay in the write-ahead log and are "
                   "delivered at the next start", sealed_.size());
    }
    stopping_ = true;
  }
  batcher_cv_.notify_all();
  delivery_cv_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  wal_->Close();
}

}  // namespace tracklake
