#include "sink/local/local_dir_sink.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace tracklake {
namespace {

namespace fs = std::filesystem;

TEST(ObjectKey, IsDeterministicAndSortsByLogPosition) {
  EXPECT_EQ(ObjectKey("t/dt=2026-11-26/hr=06", "node1", "0a1b2c3d", 7, 42, ".ndjson.gz"),
            "t/dt=2026-11-26/hr=06/node1-0a1b2c3d-00000000000000000007-00000000000000000042.ndjson.gz");
  EXPECT_LT(ObjectKey("p", "n", "0a1b2c3d", 9, 10, ""), ObjectKey("p", "n", "0a1b2c3d", 10, 11, ""));
}

TEST(ObjectKey, ALogFromBeforeLogIdsKeepsItsNames) {
  EXPECT_EQ(ObjectKey("t/dt=2026-11-26/hr=06", "node1", "", 7, 42, ".ndjson.gz"),
            "t/dt=2026-11-26/hr=06/node1-00000000000000000007-00000000000000000042.ndjson.gz");
}

TEST(ObjectKey, TwoLogsNeverShareAName) {
  EXPECT_NE(ObjectKey("p", "n", "0a1b2c3d", 1, 1, ".parquet"), ObjectKey("p", "n", "9f8e7d6c", 1, 1, ".parquet"));
}

TEST(ObjectKey, OnlyKeysMadeOfValidatedNamesAreSafe) {
  EXPECT_TRUE(IsSafeObjectKey(ObjectKey("page_view/dt=2026-11-26/hr=06", "node-1.a", "0a1b2c3d", 7, 42, ".parquet")));
  for (std::string_view bad : {"", "/etc/passwd", "a//b", "a/./b", "../../escape_pwned/dt=2022-03-12/hr=18/f", "a/..",
                               "a/b c", "a/b\\c", "a/\x01", "pwn/dt=2022/hr=18/", ".."}) {
    EXPECT_FALSE(IsSafeObjectKey(bad)) << bad;
  }
  EXPECT_EQ(PathUnder("/lake/", "t/f.parquet"), fs::path("/lake/t/f.parquet"));
  EXPECT_EQ(PathUnder("lake", "../x"), std::nullopt);
  EXPECT_EQ(PathUnder("/lake", "a/../../x"), std::nullopt);
}

TEST(LocalDirSink, RefusesAKeyThatWouldLeaveTheLake) {
  const fs::path base = fs::temp_directory_path() / ("lake-escape-" + std::to_string(::getpid()));
  fs::remove_all(base);
  auto sink = MakeLocalDirSink((base / "box" / "lake").string());
  LakeObject escape;
  escape.key = "../../escape_pwned/dt=2022-03-12/hr=18/f.parquet";
  escape.bytes = "x";
  const DeliveryResult r = sink->Put(escape);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRejected);
  EXPECT_FALSE(fs::exists(base / "escape_pwned"));
  fs::remove_all(base);
}

TEST(LocalDirSink, WritesFileAndOverwritesOnReplay) {
  const fs::path root = fs::temp_directory_path() / ("lake-" + std::to_string(::getpid()));
  fs::remove_all(root);
  auto sink = MakeLocalDirSink(root.string());
  LakeObject o{"t/dt=2026-11-26/hr=06/f.ndjson.gz", "first", 1, {}};
  ASSERT_EQ(sink->Put(o).outcome, DeliveryOutcome::kDelivered);
  o.bytes = "second";
  ASSERT_EQ(sink->Put(o).outcome, DeliveryOutcome::kDelivered);
  std::ifstream f(root / o.key);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str(), "second");
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) files += e.is_regular_file();
  EXPECT_EQ(files, 1u) << "no temporary file may be left behind";
  fs::remove_all(root);
}

TEST(LocalDirSink, UnwritableRootAsksForRetry) {
  auto sink = MakeLocalDirSink("/proc/tracklake-cannot-write-here");
  EXPECT_EQ(sink->Put(LakeObject{"a/b", "x", 1, {}}).outcome, DeliveryOutcome::kRetry);
}

}  // namespace
}  // namespace tracklake
