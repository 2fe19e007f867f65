// Micro-benchmarks of the per-event hot paths (issue 6): the validator (single events and
// 100-event batches), the write-ahead log's append path, event record decoding and the Parquet
// encoder. Events come from the load generator's EventGenerator (realistic fields, fixed seed),
// so every run sees the same bytes. Run: build/release/bin/tracklake_micro
// [--benchmark_filter=Validate] [--benchmark_min_time=0.5]. Results are per item (one event).
#include <benchmark/benchmark.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "cli/loadgen_events.h"
#include "dedup/deduplicator.h"
#include "encode/encoder.h"
#include "event/event_record.h"
#include "event/stored_record.h"
#include "http/auth.h"
#include "validate/validate.h"
#include "wal/wal.h"

namespace tracklake {
namespace {

constexpr size_t kReferenceEventBytes = 1024;  // the reference event of ../shared/bench
constexpr int kBatchEvents = 100;
constexpr int kEncodeEvents = 10'000;

std::vector<std::string> MakeEvents(int n, size_t event_bytes) {
  EventGeneratorOptions o;
  o.event_bytes = event_bytes;
  EventGenerator gen(o);
  std::vector<std::string> events;
  events.reserve(n);
  for (int i = 0; i < n; ++i) events.push_back(gen.Next());
  return events;
}

std::string JsonArray(const std::vector<std::string>& events) {
  std::string body = "[";
  for (const std::string& e : events) {
    if (body.size() > 1) body += ',';
    body += e;
  }
  body += ']';
  return body;
}

// Validated records of n events, as the HTTP handler hands them to the log.
ValidatedBody ValidatedEvents(int n, size_t event_bytes) {
  const Validator validator{ValidationRules{}};
  ValidatedBody out;
  const RequestInfo info{.app_id = "bench-app", .received_at_ms = 1'764'000'000'000};
  const Status s = validator.Parse(JsonArray(MakeEvents(n, event_bytes)), BodyFormat::kJson, info, out);
  if (!s.ok() || out.accepted != static_cast<uint32_t>(n)) std::abort();
  return out;
}

void Validate(benchmark::State& state, int events_per_body, size_t event_bytes) {
  const std::vector<std::string> events = MakeEvents(events_per_body == 1 ? 64 : events_per_body, event_bytes);
  std::vector<std::string> bodies;
  if (events_per_body == 1) {
    bodies = events;
  } else {
    bodies.push_back(JsonArray(events));
  }
  const Validator validator{ValidationRules{}};
  const RequestInfo info{.app_id = "bench-app", .received_at_ms = 1'764'000'000'000};
  ValidatedBody out;
  size_t i = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& body = bodies[i++ % bodies.size()];
    const Status s = validator.Parse(body, BodyFormat::kJson, info, out);
    if (!s.ok() || out.accepted != static_cast<uint32_t>(events_per_body)) {
      state.SkipWithError("an event was refused");
      break;
    }
    bytes += static_cast<int64_t>(body.size());
    benchmark::DoNotOptimize(out.records.data());
  }
  state.SetItemsProcessed(state.iterations() * events_per_body);
  state.SetBytesProcessed(bytes);
}

void BM_ValidateSingle(benchmark::State& state) { Validate(state, 1, kReferenceEventBytes); }
void BM_ValidateBatch100(benchmark::State& state) { Validate(state, kBatchEvents, kReferenceEventBytes); }
void BM_ValidateBatch100Mixed(benchmark::State& state) { Validate(state, kBatchEvents, 0); }
BENCHMARK(BM_ValidateSingle);
BENCHMARK(BM_ValidateBatch100);
BENCHMARK(BM_ValidateBatch100Mixed);

void BM_DecodeEventRecord(benchmark::State& state) {
  const ValidatedBody body = ValidatedEvents(kBatchEvents, kReferenceEventBytes);
  EventView view;
  for (auto _ : state) {
    for (const RecordSpan& sp : body.spans) {
      if (!DecodeEventRecord(std::string_view(body.records).substr(sp.offset, sp.size), view).ok()) std::abort();
      benchmark::DoNotOptimize(view.fields.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatchEvents);
}
BENCHMARK(BM_DecodeEventRecord);

// The re-validation of each event read back from the log (event/stored_record.h), on top of the
// decode above: in full (Replay), and without the field names (delivery).
void CheckStoredRecord(benchmark::State& state, bool field_names) {
  const ValidatedBody body = ValidatedEvents(kBatchEvents, kReferenceEventBytes);
  EventView view;
  for (auto _ : state) {
    for (const RecordSpan& sp : body.spans) {
      if (!DecodeEventRecord(std::string_view(body.records).substr(sp.offset, sp.size), view).ok() ||
          StoredRecordProblem(view, field_names)) {
        std::abort();
      }
      benchmark::DoNotOptimize(view.fields.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatchEvents);
}
void BM_CheckStoredRecord(benchmark::State& state) { CheckStoredRecord(state, true); }
void BM_CheckStoredRecordForDelivery(benchmark::State& state) { CheckStoredRecord(state, false); }
BENCHMARK(BM_CheckStoredRecord);
BENCHMARK(BM_CheckStoredRecordForDelivery);

// A request's write key checked against 20 applications (SHA-256, constant-time compares).
void BM_Authenticate(benchmark::State& state) {
  std::vector<Authenticator::App> apps;
  for (int i = 0; i < 20; ++i) {
    Authenticator::App a;
    a.identity.app_id = "app-" + std::to_string(i);
    a.key_sha256 = std::string(32, static_cast<char>(i));
    apps.push_back(a);
  }
  const Authenticator auth(true, apps);
  const AppIdentity* app = nullptr;
  for (auto _ : state) {
    benchmark::DoNotOptimize(auth.Authenticate("Bearer bench-write-key-0123456789", &app));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Authenticate);

// The log's append path without the disk's sync: Append (copying the batch as the handler does)
// until the writer has written it to the page cache. Segments are released as they fill so the
// run does not grow the disk.
void BM_WalAppendBatch100(benchmark::State& state) {
  const ValidatedBody body = ValidatedEvents(kBatchEvents, kReferenceEventBytes);
  const auto dir = std::filesystem::temp_directory_path() / ("tracklake-micro-wal-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  WalOptions o;
  o.dir = dir.string();
  o.fsync = false;
  auto wal = Wal::Open(o, {}, [](const WalRecord&) {});
  if (!wal.ok()) {
    state.SkipWithError("cannot open the log");
    return;
  }
  std::mutex mu;
  std::condition_variable cv;
  uint64_t done = 0;
  uint64_t sent = 0;
  uint64_t last_seq = 0;
  std::vector<Wal::Span> spans;
  for (const auto& sp : body.spans) spans.push_back({sp.offset, sp.size});
  auto wait_for_all = [&] {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return done == sent; });
  };
  for (auto _ : state) {
    // A refused append (the writer's queue is full) is tried again once the writer caught up.
    while (!(*wal)
                ->Append(body.records, spans,
                         [&](const Status&, uint64_t first, std::span<const WalPosition>) {
                           std::lock_guard lock(mu);
                           ++done;
                           last_seq = first;
                           cv.notify_one();
                         })
                .ok()) {
      wait_for_all();
    }
    if (++sent % 64 == 0) {
      wait_for_all();
      (*wal)->Release(last_seq);
    }
  }
  wait_for_all();
  (*wal)->Close();
  std::filesystem::remove_all(dir);
  state.SetItemsProcessed(state.iterations() * kBatchEvents);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.records.size()));
}
BENCHMARK(BM_WalAppendBatch100)->UseRealTime();

// Deduplication of one request's client ids (what Pipeline::Deduplicate and the commit's
// completion do): hash (app_id, event_id), claim, resolve as committed. Every id is new, as on
// the path of a retry-free client; the window holds range(0) ids already and as many at most, so
// each new id also pushes the oldest out, as expiry does in the steady state. range(0) =
// 2,400,000 is 4,000 events/s over the default 600 s window. Reports bytes of memory per id.
struct DedupBench {
  explicit DedupBench(size_t held) {
    dir = std::filesystem::temp_directory_path() / ("tracklake-micro-dedup-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    auto d = Deduplicator::Open(DedupOptions{dir.string(), 600, std::max<size_t>(held, 1'000)}, kNowMs);
    if (!d.ok() || !(*d)->Start(kNowMs).ok()) std::abort();
    dedup = std::move(d).value();
    std::vector<uint64_t> hashes;
    std::vector<bool> dup;
    for (size_t i = 0; i < held; i += hashes.size()) {
      hashes.clear();
      for (size_t k = 0; k < 1'000 && i + k < held; ++k) hashes.push_back(NextHash());
      DedupClaim claim;
      if (!dedup->Claim(hashes, kNowMs, dup, claim).ok()) std::abort();
      dedup->Resolve(claim, true);
      if (!dedup->SyncJournal(kNowMs).ok()) std::abort();
    }
  }
  ~DedupBench() { std::filesystem::remove_all(dir); }
  // A fresh client id: a UUIDv7's text with a counter in its last 16 digits.
  std::string_view NextId() {
    static constexpr char kHex[] = "0123456789abcdef";
    uint64_t n = counter++;
    for (int i = 35; i >= 20; --i, n >>= 4) id[i] = kHex[n & 0xf];
    return id;
  }
  uint64_t NextHash() { return dedup->Hash("bench-app", NextId()); }

  static constexpr int64_t kNowMs = 1'764'000'000'000;
  std::filesystem::path dir;
  std::unique_ptr<Deduplicator> dedup;
  std::string id = "0190a4c2-7b1e-7000-8000-000000000000";
  uint64_t counter = 0;
};

[[gnu::noinline]] void DedupRequest(DedupBench& b, int events, std::vector<uint64_t>& hashes, std::vector<bool>& dup,
                                    DedupClaim& claim) {
  hashes.clear();
  for (int i = 0; i < events; ++i) hashes.push_back(b.NextHash());
  if (!b.dedup->Claim(hashes, DedupBench::kNowMs, dup, claim).ok()) std::abort();
  b.dedup->Resolve(claim, true);
}

void Dedup(benchmark::State& state, int events) {
  DedupBench b(static_cast<size_t>(state.range(0)));
  std::vector<uint64_t> hashes;
  std::vector<bool> dup;
  DedupClaim claim;
  uint64_t requests = 0;
  for (auto _ : state) {
    DedupRequest(b, events, hashes, dup, claim);
    // The journal is written about once a second: every 4,000 events here.
    if (++requests % static_cast<uint64_t>(4'000 / events) == 0) (void)b.dedup->SyncJournal(DedupBench::kNowMs);
  }
  const DedupStats stats = b.dedup->stats();
  state.counters["bytes_per_id"] = stats.ids > 0 ? static_cast<double>(stats.memory_bytes) / stats.ids : 0;
  state.counters["ids"] = static_cast<double>(stats.ids);
  state.SetItemsProcessed(state.iterations() * events);
}
void BM_DedupSingle(benchmark::State& state) { Dedup(state, 1); }
void BM_DedupBatch100(benchmark::State& state) { Dedup(state, kBatchEvents); }
BENCHMARK(BM_DedupSingle)->Arg(0)->Arg(2'400'000);
BENCHMARK(BM_DedupBatch100)->Arg(0)->Arg(2'400'000);

// Decode + Parquet (zstd) of kEncodeEvents events, as delivery does for a batch.
void ParquetEncode(benchmark::State& state, size_t event_bytes) {
  const ValidatedBody body = ValidatedEvents(kEncodeEvents, event_bytes);
  EventView view;
  int64_t out_bytes = 0;
  for (auto _ : state) {
    EncodeOptions eo;
    eo.event_type = "page_view";
    auto encoder = MakeEncoder(FileFormat::kParquet, eo);
    for (const RecordSpan& sp : body.spans) {
      if (!DecodeEventRecord(std::string_view(body.records).substr(sp.offset, sp.size), view).ok() ||
          !encoder->Add(view).ok()) {
        std::abort();
      }
    }
    auto file = encoder->Finish();
    if (!file.ok()) std::abort();
    out_bytes += static_cast<int64_t>(file->size());
  }
  state.SetItemsProcessed(state.iterations() * kEncodeEvents);
  state.counters["file_bytes_per_event"] = static_cast<double>(out_bytes) /
                                           static_cast<double>(state.iterations() * kEncodeEvents);
}
void BM_ParquetEncode(benchmark::State& state) { ParquetEncode(state, kReferenceEventBytes); }
void BM_ParquetEncodeMixed(benchmark::State& state) { ParquetEncode(state, 0); }
BENCHMARK(BM_ParquetEncode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParquetEncodeMixed)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tracklake

BENCHMARK_MAIN();
