#include "collector/redrive.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include "collector/serve.h"
#include "common/backoff.h"
#include "common/file_util.h"
#include "common/gzip.h"
#include "encode/parquet/parquet_reader.h"
#include "pipeline/pipeline.h"

namespace tracklake {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kMaxInflatedBytes = 8ull << 30;
// Retry n of a file waits 500 ms << n: one operator's command, so no jitter.
constexpr Backoff kBackoff{std::chrono::milliseconds(500), std::chrono::milliseconds::max(), 30};

// Events in a lake file, for the object's metadata; 0 when it cannot be told.
uint64_t CountEvents(const std::string& key, const std::string& bytes) {
  if (key.ends_with(".parquet")) {
    parquet::FileMetaData meta;
    return ReadParquetMetadata(bytes, meta).ok() ? static_cast<uint64_t>(meta.num_rows) : 0;
  }
  std::string inflated;
  std::string_view text = bytes;
  if (key.ends_with(".gz")) {
    if (!GunzipBounded(bytes, kMaxInflatedBytes, inflated).ok()) return 0;
    text = inflated;
  }
  return static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n'));
}

// Removes the directories left empty under root by delivered files.
void PruneEmptyDirs(const fs::path& root) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_directory(ec)) dirs.push_back(it->path());
  }
  std::sort(dirs.rbegin(), dirs.rend());             // deepest first
  for (const fs::path& d : dirs) fs::remove(d, ec);  // fails (and is left) unless empty
}

}  // namespace

int Redrive(const Config& config, const RedriveFlags& flags) {
  const fs::path root = DeadLetterDir(config);
  std::vector<std::pair<std::string, fs::path>> files;  // key, path
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // Temporaries, and the reason written beside each file (it goes with its file).
    if (!it->is_regular_file(ec) || name.starts_with(".") || name.ends_with(kDeadLetterReasonSuffix)) continue;
    const std::string key = fs::relative(it->path(), root).generic_string();
    // A name read back from disk becomes an object key only if it is exactly one the pipeline makes.
    if (!IsLakeKey(key)) {
      std::cerr << fmt::format("skipped {}: not a lake file name\n", it->path().string());
      continue;
    }
    files.emplace_back(key, it->path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::cerr << fmt::format("nothing to redrive in {}\n", root.string());
    return 0;
  }
  if (config.sink.type == SinkType::kKafka || config.sink.type == SinkType::kKinesis) {
    // Their dead letters are kept as NDJSON for people; the sinks take the pipeline's message
    // framing and batch identity, which a file cannot give back.
    std::cerr << "redrive resends to the local, s3 and firehose sinks; the kafka and kinesis sinks' dead letters "
                 "are NDJSON in "
              << root.string() << " for replaying with a client (e.g. tracklake send)\n";
    return 2;
  }
  // Its own record of multipart uploads: a redrive that crashed has its leftovers aborted here,
  // and the collector's (which may be running) are not touched.
  MetricsRegistry metrics;  // the sinks' own counters, not published by a redrive
  Result<std::unique_ptr<Sink>> sink = MakeSink(config, metrics, "s3-uploads-redrive");
  if (!sink.ok()) {
    std::cerr << "cannot create the sink: " << sink.status().ToString() << "\n";
    return 2;
  }
  if (!flags.dry_run) (*sink)->Recover();
  uint64_t sent = 0;
  uint64_t events = 0;
  uint64_t failed = 0;
  for (const auto& [key, path] : files) {
    Result<std::string> bytes = ReadFile(path.string());
    if (!bytes.ok()) {
      std::cerr << fmt::format("cannot read {}: {}\n", path.string(), bytes.status().ToString());
      ++failed;
      continue;
    }
    LakeObject object;
    object.key = key;
    object.bytes = std::move(bytes).value();
    object.batch.event_type = key.substr(0, key.find('/'));
    const uint64_t n = CountEvents(key, object.bytes);
    if (flags.dry_run) {
      std::cout << fmt::format("would send {} ({} events) to {}\n", key, n,
                               (*sink)->Destination(key.substr(0, key.find('/'))));
      continue;
    }
    object.events = n;
    DeliveryResult r;
    for (int attempt = 1; attempt <= std::max(1, flags.attempts); ++attempt) {
      r = (*sink)->Put(object);
      if (r.outcome != DeliveryOutcome::kRetry) break;
      if (attempt < flags.attempts) std::this_thread::sleep_for(kBackoff.Bound(attempt - 1));
    }
    if (r.outcome != DeliveryOutcome::kDelivered) {
      std::cerr << fmt::format("{} stays in {}: {}\n", key, root.string(), r.detail);
      ++failed;
      continue;
    }
    // Delivered: the copy here is no longer needed (a crash before this unlink only means the
    // next redrive sends the same key again, which overwrites).
    if (::unlink(path.c_str()) != 0) {
      std::cerr << fmt::format("sent {} but cannot delete {}: it would be sent again\n", key, path.string());
    }
    ::unlink((path.string() + std::string(kDeadLetterReasonSuffix)).c_str());
    std::cout << fmt::format("sent {} ({} events)\n", key, n);
    ++sent;
    events += n;
  }
  if (!flags.dry_run) PruneEmptyDirs(root);
  std::cerr << fmt::format("redrive: {} files ({} events) sent to the {} sink, {} left in {}\n", sent, events,
                           (*sink)->name(), failed, root.string());
  return failed == 0 ? 0 : 1;
}

}  // namespace tracklake
