#include "dedup/deduplicator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/file_util.h"
#include "common/test_path.h"

namespace tracklake {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kNow = 1'800'000'000'000;  // ms
constexpr int64_t kWindowS = 600;

class DeduplicatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TestPath("dedup");
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Deduplicator> Open(int64_t now_ms = kNow, size_t max_ids = 1'000'000) {
    auto d = Deduplicator::Open(DedupOptions{dir_.string(), kWindowS, max_ids}, now_ms);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_TRUE((*d)->Start(now_ms).ok());
    return std::move(d).value();
  }
  // Claims ids (of app "web"); returns the duplicates' flags, or nullopt when refused.
  static std::optional<std::vector<bool>> Claim(Deduplicator& d, std::vector<std::string> ids, DedupClaim& claim,
                                                int64_t at_ms = kNow) {
    std::vector<uint64_t> hashes;
    for (const std::string& id : ids) hashes.push_back(d.Hash("web", id));
    std::vector<bool> dup;
    if (!d.Claim(hashes, at_ms, dup, claim).ok()) return std::nullopt;
    return dup;
  }
  static std::vector<bool> Flags(std::initializer_list<bool> l) { return std::vector<bool>(l); }

  fs::path dir_;
};

TEST_F(DeduplicatorTest, ACommittedIdIsADuplicateAndTheSameIdTwiceInOneRequestToo) {
  auto d = Open();
  DedupClaim a;
  EXPECT_EQ(Claim(*d, {"e1", "e2", "e1"}, a), Flags({false, false, true}));
  d->Resolve(a, /*committed=*/true);
  DedupClaim b;
  EXPECT_EQ(Claim(*d, {"e1", "e3"}, b), Flags({true, false}));
  // Ids are per application: another app's e1 is a different event.
  std::vector<bool> dup;
  DedupClaim c;
  ASSERT_TRUE(d->Claim(std::vector<uint64_t>{d->Hash("ios", "e1")}, kNow, dup, c).ok());
  EXPECT_EQ(dup, Flags({false}));
  EXPECT_NE(d->Hash("ab", "c"), d->Hash("a", "bc"));
}

TEST_F(DeduplicatorTest, AnIdWhoseFirstCopyIsStillCommittingIsRefusedAndClaimsNothing) {
  auto d = Open();
  DedupClaim first;
  ASSERT_TRUE(Claim(*d, {"e1"}, first));
  DedupClaim retry;
  EXPECT_EQ(Claim(*d, {"e9", "e1"}, retry), std::nullopt);  // e1 is in the first's group commit
  EXPECT_TRUE(retry.hashes.empty());
  d->Resolve(first, /*committed=*/true);
  DedupClaim again;
  // Once the first copy is durable the retry is a duplicate, and e9 (taken back before) is new.
  EXPECT_EQ(Claim(*d, {"e9", "e1"}, again), Flags({false, true}));
}

TEST_F(DeduplicatorTest, AFailedCommitFreesItsIdsForTheRetry) {
  auto d = Open();
  DedupClaim first;
  ASSERT_TRUE(Claim(*d, {"e1", "e2"}, first));
  d->Resolve(first, /*committed=*/false);  // the log refused or failed to sync: 503 to the client
  DedupClaim retry;
  EXPECT_EQ(Claim(*d, {"e1", "e2"}, retry), Flags({false, false}));
  d->Resolve(retry, true);
  DedupClaim third;
  EXPECT_EQ(Claim(*d, {"e1"}, third), Flags({true}));
}

TEST_F(DeduplicatorTest, CommittedIdsSurviveAReopenThroughTheJournalUntilTheWindowEnds) {
  {
    auto d = Open();
    DedupClaim a;
    ASSERT_TRUE(Claim(*d, {"e1", "e2"}, a));
    d->Resolve(a, true);
    DedupClaim uncommitted;
    ASSERT_TRUE(Claim(*d, {"e3"}, uncommitted));  // never resolved: not journaled
    ASSERT_TRUE(d->SyncJournal(kNow).ok());
  }
  {
    auto d = Open(kNow + 300'000);
    EXPECT_EQ(d->stats().ids, 2u);
    DedupClaim b;
    EXPECT_EQ(Claim(*d, {"e1", "e2", "e3"}, b, kNow + 300'000), Flags({true, true, false}));
  }
  auto later = Open(kNow + kWindowS * 1000 + 1'000);
  EXPECT_EQ(later->stats().ids, 0u);
}

TEST_F(DeduplicatorTest, IdsFoundInTheLogAreJournaledAtStart) {
  {
    auto d = Deduplicator::Open(DedupOptions{dir_.string(), kWindowS, 1'000'000}, kNow);
    ASSERT_TRUE(d.ok());
    (*d)->Recovered((*d)->Hash("web", "from-log"), kNow - 1'000);
    (*d)->Recovered((*d)->Hash("web", "too-old"), kNow - kWindowS * 1000 - 1'000);
    ASSERT_TRUE((*d)->Start(kNow).ok());
  }
  auto d = Open();  // no log this time: the journal alone remembers
  DedupClaim c;
  EXPECT_EQ(Claim(*d, {"from-log"}, c), Flags({true}));
}

TEST_F(DeduplicatorTest, DamageIsSkippedAndFilesOfAnotherKeyOrForgedOnesAreIgnored) {
  {
    auto d = Open();
    for (int i = 0; i < 3; ++i) {
      DedupClaim c;
      ASSERT_TRUE(Claim(*d, {"e" + std::to_string(i)}, c));
      d->Resolve(c, true);
      ASSERT_TRUE(d->SyncJournal(kNow).ok());  // one block each
    }
  }
  std::vector<fs::path> journals;
  for (const auto& e : fs::directory_iterator(dir_)) {
    if (e.path().filename().string().starts_with("ids-")) journals.push_back(e.path());
  }
  ASSERT_EQ(journals.size(), 1u);
  std::sort(journals.begin(), journals.end());
  // A flipped bit in the last block: that block goes, the two before stay.
  {
    std::fstream f(journals[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-3, std::ios::end);
    f.put('\x55');
  }
  // A file of the right name that anyone could have written, with entries but no valid header.
  {
    std::ofstream forged(dir_ / "ids-00000000000000000099.log", std::ios::binary);
    forged << std::string(40, '\0') << std::string(1000, '\x7f');
  }
  {
    auto d = Open();
    DedupClaim c;
    EXPECT_EQ(Claim(*d, {"e0", "e1", "e2"}, c), Flags({true, true, false}));
    EXPECT_GT(d->loaded().skipped_bytes, 1000u);
  }
  EXPECT_FALSE(fs::exists(dir_ / "ids-00000000000000000099.log"));  // deleted at start
  // A damaged key: a new key, and every journal of the old one is ignored (and deleted).
  {
    std::fstream f(dir_ / "KEY", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(10);
    f.put('\x01');
  }
  auto d = Open();
  EXPECT_TRUE(d->loaded().new_key);
  DedupClaim c;
  EXPECT_EQ(Claim(*d, {"e0"}, c), Flags({false}));
}

TEST_F(DeduplicatorTest, AJournalNamedPast64BitsIsNoneOfOursAndIsLeftAlone) {
  { auto d = Open(); }
  const fs::path stranger = dir_ / "ids-99999999999999999999.log";
  std::ofstream(stranger, std::ios::binary) << std::string(64, '\x01');
  auto d = Open();  // opened, not thrown out of by the name's number
  EXPECT_TRUE(fs::exists(stranger));
}

TEST_F(DeduplicatorTest, NothingIsWrittenBeforeStart) {
  auto d = Deduplicator::Open(DedupOptions{dir_.string(), kWindowS, 1'000'000}, kNow);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(fs::exists(dir_));  // a second collector failing on the log's lock leaves no trace
}

}  // namespace
}  // namespace tracklake
