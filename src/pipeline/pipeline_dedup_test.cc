// Idempotent retries through the pipeline: duplicates are dropped before the log, the window
// survives restarts even for ids whose segments were delivered and trimmed, a failed commit frees
// its ids, and a copy still committing refuses its duplicate.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "common/gzip.h"
#include "common/test_path.h"
#include "common/time_util.h"
#include "pipeline/pipeline.h"
#include "sink/local/local_dir_sink.h"

namespace tracklake {
namespace {

namespace fs = std::filesystem;

class PipelineDedupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = TestPath("pipe-dedup");
    fs::remove_all(root_);
    options_.node_id = "n1";
    options_.wal.dir = (root_ / "wal").string();
    options_.wal.segment_bytes = 1 << 20;
    options_.wal.sync_file = [this](int fd) {
      if (sync_delay_ms_ > 0) {
        in_slow_sync_ = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(sync_delay_ms_.load()));
      }
      if (fail_syncs_ > 0) {
        --fail_syncs_;
        errno = EIO;
        return -1;
      }
      return ::fdatasync(fd);
    };
    options_.dead_letter_dir = (root_ / "dead").string();
    options_.limits.max_age_ms = 3'600'000;
    options_.dedup = DedupOptions{(root_ / "wal" / "dedup").string(), 600, 1'000'000};
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<Pipeline> Start() {
    auto p = Pipeline::Start(options_, MakeLocalDirSink((root_ / "lake").string()), metrics_);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return std::move(p).value();
  }

  static std::string Event(const std::string& id, std::string filler = "") {
    EventView e;
    e.received_at_ms = NowMillis();
    e.fields = {{"event_type", "a"}, {"event_id", id}, {"app_id", "web"}};
    if (!filler.empty()) e.fields.push_back({"filler", filler});
    return EncodeEventRecord(e);
  }

  struct Outcome {
    Status refused;  // Ingest's own answer
    Status status;   // done's
    uint32_t duplicates = 0;
  };
  // Ingests records whose ids all came from the client; waits for done.
  Outcome Ingest(Pipeline& p, const std::vector<std::string>& records) {
    std::string bytes;
    std::vector<Wal::Span> spans;
    std::vector<uint32_t> client_ids;
    for (const auto& r : records) {
      client_ids.push_back(static_cast<uint32_t>(spans.size()));
      spans.push_back({static_cast<uint32_t>(bytes.size()), static_cast<uint32_t>(r.size())});
      bytes += r;
    }
    std::promise<Outcome> done;
    Outcome out;
    out.refused = p.Ingest(std::move(bytes), std::move(spans), client_ids, [&](const Status& s, uint32_t d) {
      done.set_value(Outcome{Status::Ok(), s, d});
    });
    if (!out.refused.ok()) return out;
    return done.get_future().get();
  }

  // How many times each event id is in the lake.
  std::map<std::string, int> LakeIds() {
    std::map<std::string, int> ids;
    if (!fs::exists(root_ / "lake")) return ids;
    for (const auto& e : fs::recursive_directory_iterator(root_ / "lake")) {
      if (!e.is_regular_file()) continue;
      std::ifstream f(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << f.rdbuf();
      std::string text;
      EXPECT_TRUE(GunzipBounded(ss.str(), 1 << 26, text).ok());
      std::istringstream lines(text);
      for (std::string line; std::getline(lines, line);) {
        const size_t at = line.find("\"event_id\":\"");
        if (at != std::string::npos) ++ids[line.substr(at + 12, line.find('"', at + 12) - at - 12)];
      }
    }
    return ids;
  }

  fs::path root_;
  PipelineOptions options_;
  MetricsRegistry metrics_;
  std::atomic<int> fail_syncs_{0};
  std::atomic<int> sync_delay_ms_{0};
  std::atomic<bool> in_slow_sync_{false};
};

TEST_F(PipelineDedupTest, ARetriedEventIsAnsweredAsAcceptedButWrittenOnce) {
  auto p = Start();
  EXPECT_EQ(Ingest(*p, {Event("e1"), Event("e2")}).duplicates, 0u);
  const Outcome retry = Ingest(*p, {Event("e1"), Event("e3")});
  EXPECT_TRUE(retry.status.ok());
  EXPECT_EQ(retry.duplicates, 1u);
  // Every event a duplicate: nothing to write, answered at once.
  const Outcome all = Ingest(*p, {Event("e2"), Event("e1")});
  EXPECT_TRUE(all.status.ok());
  EXPECT_EQ(all.duplicates, 2u);
  p->Shutdown();
  EXPECT_EQ(LakeIds(), (std::map<std::string, int>{{"e1", 1}, {"e2", 1}, {"e3", 1}}));
  EXPECT_NE(metrics_.Render().find("tracklake_events_duplicate_total 3"), std::string::npos);
}

TEST_F(PipelineDedupTest, IdsOfDeliveredAndTrimmedSegmentsStillCountAfterARestart) {
  options_.limits.max_age_ms = 50;  // delivered quickly, so its segments are released
  {
    auto p = Start();
    ASSERT_TRUE(Ingest(*p, {Event("early")}).status.ok());
    const std::string filler(20'000, 'x');
    // Filler rolls the 1 MiB segments until the first one, which holds "early", is released.
    const fs::path first_segment = fs::path(options_.wal.dir) / "00000000000000000001.wal";
    for (int i = 0; i < 2'000 && fs::exists(first_segment); ++i) {
      ASSERT_TRUE(Ingest(*p, {Event("filler-" + std::to_string(i), filler)}).status.ok());
      if (i > 100) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_FALSE(fs::exists(first_segment)) << "the first segment was never released";
    p->Shutdown();
  }
  auto p = Start();
  // Only the journal knows "early" now: the log's copy is gone.
  const Outcome retry = Ingest(*p, {Event("early")});
  EXPECT_TRUE(retry.status.ok());
  EXPECT_EQ(retry.duplicates, 1u);
  p->Shutdown();
  EXPECT_EQ(LakeIds()["early"], 1);
}

TEST_F(PipelineDedupTest, WithoutItsJournalARestartWouldForgetTrimmedIds) {
  // The control of the test above: the same retry after the journal was lost is written again,
  // so the journal (not the log) is what remembered it there.
  options_.limits.max_age_ms = 50;
  {
    auto p = Start();
    ASSERT_TRUE(Ingest(*p, {Event("early")}).status.ok());
    const fs::path first_segment = fs::path(options_.wal.dir) / "00000000000000000001.wal";
    for (int i = 0; i < 2'000 && fs::exists(first_segment); ++i) {
      ASSERT_TRUE(Ingest(*p, {Event("filler-" + std::to_string(i), std::string(20'000, 'x'))}).status.ok());
      if (i > 100) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    p->Shutdown();
  }
  for (const auto& e : fs::directory_iterator(options_.dedup.dir)) {
    if (e.path().filename().string().starts_with("ids-")) fs::remove(e.path());
  }
  auto p = Start();
  EXPECT_EQ(Ingest(*p, {Event("early")}).duplicates, 0u);
}

TEST_F(PipelineDedupTest, AFailedCommitFreesItsIdsAndTheRetryIsWrittenOnce) {
  auto p = Start();
  fail_syncs_ = 1;
  const Outcome failed = Ingest(*p, {Event("e1")});
  EXPECT_FALSE(failed.status.ok());  // the client gets 503 and retries
  const Outcome retry = Ingest(*p, {Event("e1")});
  EXPECT_TRUE(retry.status.ok());
  EXPECT_EQ(retry.duplicates, 0u);
  EXPECT_EQ(Ingest(*p, {Event("e1")}).duplicates, 1u);
  p->Shutdown();
  EXPECT_EQ(LakeIds()["e1"], 1);
}

TEST_F(PipelineDedupTest, ADuplicateOfACopyStillCommittingIsRefusedUntilThatCommitEnds) {
  auto p = Start();
  sync_delay_ms_ = 500;
  std::promise<Outcome> first;
  std::thread t([&] { first.set_value(Ingest(*p, {Event("slow")})); });
  while (!in_slow_sync_) std::this_thread::sleep_for(std::chrono::milliseconds(1));  // "slow" is committing
  const Outcome during = Ingest(*p, {Event("other"), Event("slow")});
  EXPECT_EQ(during.refused.code(), Status::Code::kUnavailable) << during.refused.ToString();
  sync_delay_ms_ = 0;
  t.join();
  EXPECT_TRUE(first.get_future().get().status.ok());
  const Outcome retry = Ingest(*p, {Event("other"), Event("slow")});
  EXPECT_TRUE(retry.status.ok());
  EXPECT_EQ(retry.duplicates, 1u);  // "other" was taken back with the refusal: new now
  p->Shutdown();
  EXPECT_EQ(LakeIds(), (std::map<std::string, int>{{"other", 1}, {"slow", 1}}));
}

}  // namespace
}  // namespace tracklake
