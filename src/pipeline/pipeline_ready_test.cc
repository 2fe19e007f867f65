// Readiness: the pipeline is not ready whenever ingest would answer 503 (the log's queue full),
// and while its sink refuses a destination for good (batches go to the dead-letter directory)
// until the destination passes its check again. Any sink: the refusal is the sink's verdict.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "common/test_path.h"
#include "common/time_util.h"
#include "pipeline/pipeline.h"

namespace tracklake {
namespace {

namespace fs = std::filesystem;

// Refuses every object (and its check) for good while refuse is set.
class RefusingSink : public Sink {
 public:
  DeliveryResult Put(const LakeObject&) override {
    ++puts;
    if (refuse) return {DeliveryOutcome::kRejected, "AccessDenied: no", true};
    return {};
  }
  DeliveryResult Check(std::string_view) override {
    ++checks;
    if (refuse) return {DeliveryOutcome::kRejected, "AccessDenied: still no", true};
    return {};
  }
  std::string_view name() const override { return "fake"; }
  std::atomic<bool> refuse{true};
  std::atomic<int> puts{0};
  std::atomic<int> checks{0};
};

class PipelineReadyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = TestPath("pipe-ready");
    fs::remove_all(root_);
    options_.node_id = "n1";
    options_.wal.dir = (root_ / "wal").string();
    options_.wal.segment_bytes = 1 << 20;
    options_.wal.sync_file = [this](int fd) {
      while (hold_syncs_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return ::fdatasync(fd);
    };
    options_.dead_letter_dir = (root_ / "dead").string();
    options_.limits.max_age_ms = 50;
    options_.sink_recheck_ms = 50;
  }
  void TearDown() override { fs::remove_all(root_); }

  static std::string Event(const std::string& id, size_t filler = 0) {
    EventView e;
    e.received_at_ms = NowMillis();
    e.fields = {{"event_type", "a"}, {"event_id", id}, {"app_id", "web"}};
    const std::string pad(filler, 'x');
    if (filler > 0) e.fields.push_back({"p", pad});
    return EncodeEventRecord(e);
  }
  static Status Ingest(Pipeline& p, const std::string& record, std::promise<Status>* done = nullptr) {
    return p.Ingest(record, {Wal::Span{0, static_cast<uint32_t>(record.size())}}, [done](const Status& s) {
      if (done) done->set_value(s);
    });
  }

  fs::path root_;
  PipelineOptions options_;
  MetricsRegistry metrics_;
  std::atomic<bool> hold_syncs_{false};
};

TEST_F(PipelineReadyTest, NotReadyWhileTheLogsQueueIsFull) {
  options_.wal.queue_bytes = 2 << 20;
  auto sink = std::make_unique<RefusingSink>();
  sink->refuse = false;
  auto p = Pipeline::Start(options_, std::move(sink), metrics_);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE((*p)->Ready());
  hold_syncs_ = true;  // the writer stalls in its sync: appends pile up in the queue
  int queued = 0;
  while (Ingest(**p, Event("e" + std::to_string(queued), 200'000)).ok()) ++queued;
  ASSERT_GT(queued, 1);
  const Status why = (*p)->Readiness();
  ASSERT_FALSE(why.ok());
  EXPECT_NE(why.message().find("wal.queue_bytes"), std::string::npos) << why.message();
  hold_syncs_ = false;
  for (int i = 0; i < 2'000 && !(*p)->Ready(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE((*p)->Ready());
  (*p)->Shutdown();
}

TEST_F(PipelineReadyTest, ARefusedDestinationDeadLettersAndIsNotReadyUntilItsCheckPasses) {
  auto owned = std::make_unique<RefusingSink>();
  RefusingSink* sink = owned.get();
  auto p = Pipeline::Start(options_, std::move(owned), metrics_);
  ASSERT_TRUE(p.ok());
  // The start-up check already refuses.
  for (int i = 0; i < 2'000 && (*p)->Ready(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const Status why = (*p)->Readiness();
  ASSERT_FALSE(why.ok());
  EXPECT_NE(why.message().find("the fake sink refuses fake"), std::string::npos) << why.message();
  EXPECT_NE(why.message().find("tracklake redrive"), std::string::npos) << why.message();
  std::promise<Status> done;
  ASSERT_TRUE(Ingest(**p, Event("kept"), &done).ok());
  ASSERT_TRUE(done.get_future().get().ok());  // acknowledged: safe in the log
  auto dead_letters = [&] {
    size_t files = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(options_.dead_letter_dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const std::string name = it->path().filename().string();
      files += it->is_regular_file() && !name.starts_with(".") && !name.ends_with(kDeadLetterReasonSuffix);
    }
    return files;
  };
  for (int i = 0; i < 2'000 && dead_letters() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(dead_letters(), 1u);
  EXPECT_NE(metrics_.Render().find("tracklake_sink_refused_destinations 1"), std::string::npos);
  EXPECT_FALSE((*p)->Ready());
  // Fixed: the periodic check notices, without any delivery.
  sink->refuse = false;
  for (int i = 0; i < 2'000 && !(*p)->Ready(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE((*p)->Ready());
  EXPECT_NE(metrics_.Render().find("tracklake_ready 1"), std::string::npos);
  (*p)->Shutdown();
}

}  // namespace
}  // namespace tracklake
