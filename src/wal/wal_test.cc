#include "wal/wal.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "common/test_path.h"
#include "wal/wal_record.h"

namespace tracklake {
namespace {

namespace fs = std::filesystem;

// Every log test runs twice: segments written with O_DIRECT (the default) and through the page
// cache (wal.direct_io = false, or a filesystem that refuses O_DIRECT).
class WalTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    dir_ = TestPath("wal");
    fs::remove_all(dir_);
    options_.dir = dir_.string();
    options_.segment_bytes = 1 << 20;
    options_.direct_io = GetParam();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Wal> Open(std::vector<WalRecord>* replayed = nullptr) {
    std::vector<std::string>* store = &payloads_;
    store->clear();
    auto r = Wal::Open(options_, {}, [&](const WalRecord& rec) {
      store->emplace_back(rec.payload);
      if (replayed) replayed->push_back(WalRecord{rec.type, rec.seq, rec.position, {}});
    });
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return std::move(r).value();
  }

  // Appends payloads as one request and waits for the commit.
  std::pair<uint64_t, std::vector<WalPosition>> AppendSync(Wal& wal, const std::vector<std::string>& items) {
    std::string bytes;
    std::vector<Wal::Span> spans;
    for (const auto& s : items) {
      spans.push_back({static_cast<uint32_t>(bytes.size()), static_cast<uint32_t>(s.size())});
      bytes += s;
    }
    std::promise<std::pair<uint64_t, std::vector<WalPosition>>> done;
    Status s = wal.Append(std::move(bytes), std::move(spans),
                          [&](const Status& st, uint64_t first, std::span<const WalPosition> ps) {
                            EXPECT_TRUE(st.ok()) << st.ToString();
                            done.set_value({first, {ps.begin(), ps.end()}});
                          });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return done.get_future().get();
  }

  std::vector<bool> AckedWhenOneSyncFails(size_t items, int fail_at);

  fs::path dir_;
  WalOptions options_;
  std::vector<std::string> payloads_;
};

// A second log on the same directory would recover, trim and recycle the first one's segments
// under it (two collectors started on one wal.dir lost acknowledged events that way).
TEST_P(WalTest, ASecondLogOnTheSameDirectoryIsRefusedWhileTheFirstIsOpen) {
  {
    auto wal = Open();
    AppendSync(*wal, {"kept"});
    auto second = Wal::Open(options_, {}, [](const WalRecord&) { ADD_FAILURE() << "the second log replayed"; });
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), Status::Code::kUnavailable);
    EXPECT_NE(second.status().ToString().find("is in use by another process"), std::string::npos)
        << second.status().ToString();
    AppendSync(*wal, {"still written"});
  }
  auto reopened = Open();
  EXPECT_EQ(payloads_, (std::vector<std::string>{"kept", "still written"}));
}

TEST_P(WalTest, AppendedRecordsAreReplayedAfterReopen) {
  {
    auto wal = Open();
    auto [first, ps] = AppendSync(*wal, {"a", "bb", "ccc"});
    EXPECT_EQ(first, 1u);
    ASSERT_EQ(ps.size(), 3u);
    EXPECT_EQ(AppendSync(*wal, {"d"}).first, 4u);
  }
  std::vector<WalRecord> replayed;
  auto wal = Open(&replayed);
  EXPECT_EQ(payloads_, (std::vector<std::string>{"a", "bb", "ccc", "d"}));
  EXPECT_EQ(replayed.back().seq, 4u);
  EXPECT_EQ(AppendSync(*wal, {"e"}).first, 5u);
}

TEST_P(WalTest, AGroupBiggerThanOneWriteIsWrittenInPiecesAndReplaysWhole) {
  options_.segment_bytes = 64 << 20;
  std::vector<std::string> items;
  for (int i = 0; i < 10; ++i) items.push_back(std::string(700 << 10, static_cast<char>('a' + i)));
  {
    auto wal = Open();
    const auto [first, positions] = AppendSync(*wal, items);  // 7 MiB in one group
    std::vector<std::string> read(items.size());
    ASSERT_TRUE(wal->ReadEvents(positions, [&](size_t i, std::string_view p) { read[i] = p; }).ok());
    EXPECT_EQ(read, items);
  }
  Open();
  EXPECT_EQ(payloads_, items);
}

TEST_P(WalTest, ReadEventsReturnsPayloadsByPosition) {
  auto wal = Open();
  auto [first, ps] = AppendSync(*wal, {"one", "two", "three"});
  std::vector<WalPosition> want = {ps[2], ps[0]};
  std::vector<std::string> got(2);
  ASSERT_TRUE(wal->ReadEvents(want, [&](size_t i, std::string_view p) { got[i] = p; }).ok());
  EXPECT_EQ(got, (std::vector<std::string>{"three", "one"}));
}

TEST_P(WalTest, ReadEventsAcrossSegmentsWindowsAndOrders) {
  // Records larger and smaller than the read window's remainders, over several segments, read
  // back in a scrambled order and with gaps (another partition's records in between).
  options_.segment_bytes = 2 << 20;
  auto wal = Open();
  std::vector<std::string> items;
  std::vector<WalPosition> all;
  for (int i = 0; i < 600; ++i) {
    const size_t size = i % 50 == 0 ? 300'000 : 900 + static_cast<size_t>(i) * 7 % 3000;
    items.push_back(std::string(size, static_cast<char>('a' + i % 26)) + std::to_string(i));
    auto [first, ps] = AppendSync(*wal, {items.back()});
    all.push_back(ps[0]);
  }
  ASSERT_GE(wal->stats().segments, 3u);
  std::vector<WalPosition> want;
  std::vector<size_t> index;
  for (size_t i = 0; i < all.size(); i += (i % 3) + 1) {
    want.push_back(all[i]);
    index.push_back(i);
  }
  std::reverse(want.begin(), want.end());
  std::reverse(index.begin(), index.end());
  std::vector<std::string> got(want.size());
  ASSERT_TRUE(wal->ReadEvents(want, [&](size_t i, std::string_view p) { got[i] = p; }).ok());
  for (size_t k = 0; k < want.size(); ++k) ASSERT_EQ(got[k], items[index[k]]) << k;
}

TEST_P(WalTest, SegmentsRollAndReleasedOnesAreDeleted) {
  auto wal = Open();
  const std::string big(100'000, 'x');
  uint64_t last = 0;
  for (int i = 0; i < 30; ++i) last = AppendSync(*wal, {big}).first;
  EXPECT_GE(wal->stats().segments, 3u);
  const uint64_t disk_before = wal->stats().disk_bytes;
  wal->Release(last + 1);  // no append follows: the reclaimer deletes on its own
  for (int i = 0; i < 100 && wal->stats().segments > 1; ++i) usleep(10'000);
  EXPECT_EQ(wal->stats().segments, 1u);
  EXPECT_LT(wal->stats().disk_bytes, disk_before);
}

size_t FilesEndingWith(const fs::path& dir, std::string_view suffix) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename().string().ends_with(suffix);
  return n;
}

TEST_P(WalTest, ReleasedSegmentsAreRecycledAndOnlyTheirNewRecordsReplay) {
  std::map<uint64_t, std::string> appended;  // every record, by seq
  std::vector<uint64_t> kept;                // appended after the release: must all replay
  {
    auto wal = Open();
    uint64_t last = 0;
    for (int i = 0; i < 30; ++i) {
      last = AppendSync(*wal, {std::string(100'000, 'o')}).first;
      appended[last] = std::string(100'000, 'o');
    }
    wal->Release(last + 1);
    for (int i = 0; i < 100 && FilesEndingWith(dir_, ".spare") < 2; ++i) usleep(10'000);
    ASSERT_GE(FilesEndingWith(dir_, ".spare"), 2u);
    // Shorter records than the stale ones, so every recycled segment ends amid stale bytes.
    for (int i = 0; i < 30; ++i) {
      const std::string payload = "new-" + std::to_string(i) + std::string(70'000, 'n');
      auto [seq, positions] = AppendSync(*wal, {payload});
      appended[seq] = payload;
      kept.push_back(seq);
      std::string got;
      ASSERT_TRUE(wal->ReadEvents({&positions[0], 1}, [&](size_t, std::string_view p) { got = p; }).ok());
      EXPECT_EQ(got, payload);
    }
    EXPECT_GE(FilesEndingWith(dir_, ".r.wal"), 2u);
    wal->Close();
  }
  std::vector<WalRecord> replayed;
  auto wal = Open(&replayed);
  ASSERT_EQ(replayed.size(), payloads_.size());
  std::set<uint64_t> seqs;
  for (size_t i = 0; i < replayed.size(); ++i) {
    // A stale record would repeat an older seq (out of order) or carry another payload.
    if (i > 0) {
      EXPECT_GT(replayed[i].seq, replayed[i - 1].seq);
    }
    EXPECT_EQ(payloads_[i], appended[replayed[i].seq]) << replayed[i].seq;
    seqs.insert(replayed[i].seq);
  }
  for (uint64_t k : kept) EXPECT_EQ(seqs.count(k), 1u) << k;
  EXPECT_EQ(wal->stats().corrupt_bytes_skipped, 0u);
}

TEST_P(WalTest, RecycledSegmentWithOnlyOlderRecordsReplaysNothing) {
  // A crash right after a spare became segment 50: it holds only its old life's records 1..3.
  fs::create_directories(dir_);
  std::string stale;
  for (uint64_t seq = 1; seq <= 3; ++seq)
    wal::AppendRecord(stale, wal::Framing::Legacy(), wal::RecordType::kEvent, seq, "old");
  std::ofstream(dir_ / "00000000000000000050.r.wal", std::ios::binary) << stale;
  std::ofstream(dir_ / "00000000000000000007.spare", std::ios::binary) << stale;
  std::vector<WalRecord> replayed;
  auto wal = Open(&replayed);
  EXPECT_TRUE(replayed.empty());
  EXPECT_EQ(wal->stats().spare_segments, 0u);
  EXPECT_FALSE(fs::exists(dir_ / "00000000000000000007.spare"));
  EXPECT_EQ(AppendSync(*wal, {"next"}).first, 50u);
}

// Names recovery cannot take as the log's: a number above 64 bits (it threw at start), an empty
// segment among others (removed before the others' bounds are taken), and two files of one name.
TEST_P(WalTest, RecoveryIsRobustToOddSegmentNames) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "99999999999999999999.wal", std::ios::binary) << "not ours";
  std::ofstream(dir_ / "00000000000000000000.wal", std::ios::binary) << "not ours";
  std::ofstream(dir_ / "00000000000000000007.wal", std::ios::binary);  // empty
  {
    auto wal = Open();
    EXPECT_EQ(AppendSync(*wal, {"one"}).first, 1u);
  }
  EXPECT_FALSE(fs::exists(dir_ / "00000000000000000007.wal"));
  EXPECT_TRUE(fs::exists(dir_ / "99999999999999999999.wal"));
  fs::remove(dir_ / "99999999999999999999.wal");
  fs::remove(dir_ / "00000000000000000000.wal");
  fs::copy_file(dir_ / "00000000000000000001.wal", dir_ / "00000000000000000001.r.wal");
  auto refused = Wal::Open(options_, {}, [](const WalRecord&) {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().ToString().find("both claim the write-ahead log's records from 1"), std::string::npos)
      << refused.status().ToString();
}

TEST_P(WalTest, TornTailIsCutAndCountedOnReopen) {
  std::string segment;
  {
    auto wal = Open();
    AppendSync(*wal, {"keep1", "keep2"});
  }
  for (const auto& e : fs::directory_iterator(dir_)) segment = e.path();
  {
    // Where the next append would have gone: a direct segment's file runs on to its block's end.
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(wal::kSegmentHeaderSize + 2 * (wal::kHeaderSize + 5));
    f << std::string("\x11\x22\x33garbage-that-is-no-record", 28);
  }
  auto wal = Open();
  EXPECT_EQ(payloads_, (std::vector<std::string>{"keep1", "keep2"}));
  EXPECT_EQ(wal->stats().corrupt_bytes_skipped, 28u);
  EXPECT_EQ(AppendSync(*wal, {"next"}).first, 3u);
}

// A file's pages in the page cache, from cachestat(2) (Linux 6.5; Debian 12's headers predate it).
struct PageCache {
  uint64_t cached = 0;
  uint64_t dirty = 0;
};
std::optional<PageCache> PageCacheOf(const fs::path& path) {
  struct Range {
    uint64_t off, len;
  } range{0, 0};  // len 0: to the end of the file
  struct Stat {
    uint64_t cache, dirty, writeback, evicted, recently_evicted;
  } st{};
  constexpr long kCachestat = 451;  // the same number on every architecture
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  const long rc = ::syscall(kCachestat, fd, &range, &st, 0);
  ::close(fd);
  if (rc != 0) return std::nullopt;
  return PageCache{st.cache, st.dirty};
}

TEST_P(WalTest, ASparseBatchReadsThroughThePageCacheAndADenseOneDirectly) {
  if (!GetParam()) GTEST_SKIP() << "through the page cache, every read is";
  options_.segment_bytes = 8 << 20;
  auto wal = Open();
  // Two partitions interleaved 1:9, as event types are in the log.
  std::vector<WalPosition> sparse, dense;
  std::vector<std::string> sparse_items, dense_items;
  for (int r = 0; r < 300; ++r) {
    std::vector<std::string> items;
    for (int i = 0; i < 10; ++i) items.push_back(std::to_string(r * 10 + i) + std::string(1000, 'a' + i));
    const auto positions = AppendSync(*wal, items).second;
    sparse.push_back(positions[0]);
    sparse_items.push_back(items[0]);
    dense.insert(dense.end(), positions.begin() + 1, positions.end());
    dense_items.insert(dense_items.end(), items.begin() + 1, items.end());
  }
  fs::path segment;
  for (const auto& e : fs::directory_iterator(dir_)) segment = e.path();
  const auto cache = [&] { return PageCacheOf(segment); };
  if (!cache()) GTEST_SKIP() << "cachestat(2) is not available on this kernel";
  ASSERT_EQ(cache()->cached, 0u) << "written directly";
  const auto read = [&](const std::vector<WalPosition>& ps) {
    std::vector<std::string> got(ps.size());
    EXPECT_TRUE(wal->ReadEvents(ps, [&](size_t i, std::string_view p) { got[i] = p; }).ok());
    return got;
  };
  EXPECT_EQ(read(dense), dense_items);
  EXPECT_EQ(cache()->cached, 0u) << "the dense batch went through the page cache";
  EXPECT_EQ(read(sparse), sparse_items);
  EXPECT_GT(cache()->cached, 0u) << "the sparse batch was read directly";
}

TEST_P(WalTest, WriteDurabilityStartsWritebackAsTheSegmentGrows) {
  // Otherwise the fdatasync that a seal record forces flushes everything written since the
  // segment began, and every append waits behind it (measured: p99 28-62 ms at 4,000 events/s).
  options_.fsync = false;
  options_.segment_bytes = 64 << 20;
  auto wal = Open();
  const std::string chunk(64 << 10, 'w');
  for (int i = 0; i < 128; ++i) AppendSync(*wal, {chunk});  // 8 MiB
  fs::path segment;
  for (const auto& e : fs::directory_iterator(dir_)) segment = e.path();
  const std::optional<PageCache> cache = PageCacheOf(segment);
  if (!cache) GTEST_SKIP() << "cachestat(2) is not available on this kernel";
  struct statfs sfs {};
  constexpr long kTmpfsMagic = 0x01021994;  // memory only: there is no writeback to start
  if (::statfs(segment.c_str(), &sfs) == 0 && sfs.f_type == kTmpfsMagic) GTEST_SKIP() << "tmpfs";
  const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  EXPECT_LT(cache->dirty * page, 2u << 20) << cache->dirty << " dirty pages of 8 MiB written";
}

TEST_P(WalTest, RefusesAtOnceWhenDiskBudgetIsUsed) {
  options_.max_bytes = 4096;
  auto wal = Open();
  AppendSync(*wal, {std::string(3000, 'a')});
  Status s = wal->Append(std::string(3000, 'b'), {{0, 3000}},
                         [](const Status&, uint64_t, auto) { ADD_FAILURE() << "refused append must not complete"; });
  EXPECT_EQ(s.code(), Status::Code::kNoSpace);
}

// One group of items appends of 200 KiB (1 MiB segments hold four behind the first append, so
// the group rolls every fourth), with the fail_at-th sync of the group failing (0: the first
// roll's). Returns which appends were acknowledged; the log keeps every record either way.
std::vector<bool> WalTest::AckedWhenOneSyncFails(size_t items, int fail_at) {
  std::atomic<int> countdown{-1};
  options_.sync_file = [&](int fd) {
    const int n = countdown.load();
    if (n >= 0) countdown = n - 1;
    if (n == 0) {
      errno = EIO;
      return -1;
    }
    return ::fdatasync(fd);
  };
  std::vector<bool> acked(items);
  {
    auto wal = Open();
    // The writer waits in this append's completion, so the appends below queue up as one group.
    std::promise<void> held;
    std::promise<void> release;
    EXPECT_TRUE(wal->Append("x", {{0, 1}},
                            [&](const Status& st, uint64_t, auto) {
                              EXPECT_TRUE(st.ok()) << st.ToString();
                              held.set_value();
                              release.get_future().wait();
                            })
                    .ok());
    held.get_future().wait();
    std::vector<std::promise<void>> done(items);
    for (size_t i = 0; i < items; ++i) {
      const Status s = wal->Append(std::string(200 << 10, static_cast<char>('a' + i)), {{0, 200 << 10}},
                                   [&, i](const Status& st, uint64_t, auto) {
                                     acked[i] = st.ok();
                                     done[i].set_value();
                                   });
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    countdown = fail_at;
    release.set_value();
    for (auto& d : done) d.get_future().wait();
  }
  Open();
  EXPECT_EQ(payloads_.size(), 1 + items);
  options_.sync_file = nullptr;
  fs::remove_all(dir_);
  return acked;
}

// A disk that fails the flush of the segment a group rolls away from: the appends written there
// are refused, those written to segments synced fine are acknowledged.
TEST_P(WalTest, AGroupThatRollsIsAcknowledgedOnlyWhereItsSyncsSucceeded) {
  const std::vector<bool> f(4, false);
  const std::vector<bool> t(4, true);
  auto cat = [](std::initializer_list<std::vector<bool>> parts) {
    std::vector<bool> all;
    for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
    return all;
  };
  EXPECT_EQ(AckedWhenOneSyncFails(8, 0), cat({f, t}));
  EXPECT_EQ(AckedWhenOneSyncFails(12, 1), cat({t, f, t}));
  EXPECT_EQ(AckedWhenOneSyncFails(12, 2), cat({t, t, f})) << "the group's last sync";
}

// The commit delay is for light traffic: it starts once two small groups followed each other, so
// that then two appends 100 ms apart share one fdatasync under a 1 s delay (without the delay
// each has its own); a delayed group as big as heavy traffic makes ends it.
class CommitDelayTest : public WalTest {
 protected:
  void OpenWithDelay(std::chrono::milliseconds delay) {
    options_.commit_delay = delay;
    WalObserver observer;
    observer.on_fsync = [this](double) { ++syncs_; };
    auto r = Wal::Open(options_, observer, [](const WalRecord&) {});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    wal_ = std::move(r).value();
  }

  // Appends one record per gap (the first at once, each next after its gap), waits for all of
  // them, and returns how many fdatasyncs that took.
  int AppendSpaced(const std::vector<std::chrono::milliseconds>& gaps) {
    const int before = syncs_.load();
    std::vector<std::promise<void>> done(gaps.size());
    for (size_t i = 0; i < gaps.size(); ++i) {
      std::this_thread::sleep_for(gaps[i]);
      const Status s = wal_->Append("record", {{0, 6}}, [&done, i](const Status& st, uint64_t, auto) {
        EXPECT_TRUE(st.ok()) << st.ToString();
        done[i].set_value();
      });
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    for (auto& d : done) d.get_future().wait();
    return syncs_.load() - before;
  }

  std::atomic<int> syncs_{0};
  std::unique_ptr<Wal> wal_;
};

using std::chrono::milliseconds;

TEST_P(CommitDelayTest, TwoSmallGroupsInARowStartTheDelay) {
  for (const int delay_ms : {0, 1000}) {
    OpenWithDelay(milliseconds(delay_ms));
    // Nothing delayed yet: two appends 100 ms apart are two groups, two syncs.
    EXPECT_EQ(AppendSpaced({milliseconds(0), milliseconds(100)}), 2);
    // Light traffic now: the next two share a sync when there is a delay.
    EXPECT_EQ(AppendSpaced({milliseconds(0), milliseconds(100)}), delay_ms == 0 ? 2 : 1) << delay_ms;
    wal_.reset();
  }
}

TEST_P(CommitDelayTest, AnAppendAfterALongerIdleThanTheDelayIsNotHeldBack) {
  OpenWithDelay(milliseconds(300));
  EXPECT_EQ(AppendSpaced({milliseconds(0), milliseconds(50)}), 2);  // light traffic from here
  // The writer idles 600 ms, twice the delay: the next append is synced at once, so one 50 ms
  // later is not in its group.
  EXPECT_EQ(AppendSpaced({milliseconds(600), milliseconds(50)}), 2);
  // Appends close together again are gathered.
  EXPECT_EQ(AppendSpaced({milliseconds(0), milliseconds(50)}), 1);
}

TEST_P(CommitDelayTest, ABigDelayedGroupEndsTheDelay) {
  OpenWithDelay(milliseconds(1000));
  AppendSpaced({milliseconds(0)});
  AppendSpaced({milliseconds(0)});
  // Delayed: the first waits 1 s, and the 19 that follow within it join its group (20 appends).
  std::vector<milliseconds> burst(20, milliseconds(1));
  EXPECT_EQ(AppendSpaced(burst), 1);
  // Heavy traffic: the next append is synced at once and alone, so one 100 ms later needs a
  // sync of its own.
  EXPECT_EQ(AppendSpaced({milliseconds(0), milliseconds(100)}), 2);
}

// Appends 150 ms apart against a 100 ms delay gather nobody on average; on a disk whose syncs
// take 80 ms the writer is never idle for the delay (the idle rule does not see it), so the
// measured append rate must: each append is synced on its own, none waits the delay.
TEST_P(CommitDelayTest, AppendsFurtherApartThanTheDelayAreNotHeldBack) {
  options_.sync_file = [](int fd) {
    std::this_thread::sleep_for(milliseconds(80));
    return ::fdatasync(fd);
  };
  OpenWithDelay(milliseconds(100));
  std::vector<milliseconds> gaps(10, milliseconds(150));
  EXPECT_EQ(AppendSpaced(gaps), 10);
}

const auto kIoName = [](const ::testing::TestParamInfo<bool>& info) { return info.param ? "Direct" : "Buffered"; };
INSTANTIATE_TEST_SUITE_P(Io, WalTest, ::testing::Bool(), kIoName);
INSTANTIATE_TEST_SUITE_P(Io, CommitDelayTest, ::testing::Bool(), kIoName);

}  // namespace
}  // namespace tracklake
