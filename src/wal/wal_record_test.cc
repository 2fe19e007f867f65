#include "wal/wal_record.h"

#include <gtest/gtest.h>

#include <vector>

namespace tracklake::wal {
namespace {

std::string ThreeRecords() {
  std::string buf;
  AppendRecord(buf, RecordType::kEvent, 1, "first");
  AppendRecord(buf, RecordType::kSeal, 2, "second record");
  AppendRecord(buf, RecordType::kEvent, 3, std::string(1000, 'x'));
  return buf;
}

std::vector<uint64_t> Seqs(std::string_view data, ScanResult* result = nullptr) {
  std::vector<uint64_t> seqs;
  const ScanResult r = ScanSegment(data, 0, [&](const ParsedRecord& rec) { seqs.push_back(rec.seq); });
  if (result) *result = r;
  return seqs;
}

TEST(WalRecord, ScansEveryRecordInOrder) {
  ScanResult r;
  const std::string buf = ThreeRecords();
  EXPECT_EQ(Seqs(buf, &r), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(r.valid_end, buf.size());
  EXPECT_EQ(r.skipped_bytes, 0u);
}

TEST(WalRecord, TruncatedTrailingRecordIsSkippedAndCounted) {
  const std::string buf = ThreeRecords();
  for (size_t cut = 1; cut < 1000; cut += 97) {
    ScanResult r;
    const std::string_view torn(buf.data(), buf.size() - cut);
    EXPECT_EQ(Seqs(torn, &r), (std::vector<uint64_t>{1, 2})) << cut;
    EXPECT_EQ(r.skipped_bytes, torn.size() - r.valid_end);
  }
}

TEST(WalRecord, BitFlipLosesOnlyTheDamagedRecord) {
  std::string buf = ThreeRecords();
  buf[kHeaderSize + 2] ^= 0x10;  // inside the payload of record 1
  ScanResult r;
  EXPECT_EQ(Seqs(buf, &r), (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(r.skipped_bytes, kHeaderSize + 5);
}

TEST(WalRecord, ZeroFilledTailIsPaddingNotARecordNorDamage) {
  std::string buf = ThreeRecords();
  buf.append(4096, '\0');
  ScanResult r;
  EXPECT_EQ(Seqs(buf, &r).size(), 3u);
  EXPECT_EQ(r.skipped_bytes, 0u);
  EXPECT_EQ(r.valid_end, ThreeRecords().size());
}

TEST(WalRecord, ZerosBeforeDamageAreCountedWithIt) {
  std::string buf = ThreeRecords();
  buf.append(100, '\0');
  buf.append("torn!");
  ScanResult r;
  EXPECT_EQ(Seqs(buf, &r).size(), 3u);
  EXPECT_EQ(r.skipped_bytes, 105u);
}

TEST(WalRecord, StaleLowerSequenceNumbersAreIgnored) {
  std::string buf;
  AppendRecord(buf, RecordType::kEvent, 7, "a");
  AppendRecord(buf, RecordType::kEvent, 5, "stale");
  AppendRecord(buf, RecordType::kEvent, 8, "b");
  EXPECT_EQ(Seqs(buf), (std::vector<uint64_t>{7, 8}));
}

TEST(WalRecord, RecycledSegmentEndsAtTheFirstStaleOrBadRecord) {
  // A recycled segment: records 7 and 8 written over an older segment's records 1..3.
  std::string old = ThreeRecords();
  std::string fresh;
  AppendRecord(fresh, RecordType::kEvent, 7, "seven");
  AppendRecord(fresh, RecordType::kEvent, 8, "eight");
  std::string data = old;
  data.replace(0, fresh.size(), fresh);
  std::vector<uint64_t> seqs;
  const auto collect = [&](const ParsedRecord& rec) { seqs.push_back(rec.seq); };
  ScanResult r = ScanSegment(data, 6, collect, /*resync=*/false);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{7, 8}));
  EXPECT_EQ(r.valid_end, fresh.size());
  EXPECT_EQ(r.skipped_bytes, 0u);  // stale, not damage

  // The new records may end exactly where an old one starts: it verifies, but does not follow.
  seqs.clear();
  r = ScanSegment(fresh + old, 6, collect, /*resync=*/false);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{7, 8}));
  EXPECT_EQ(r.valid_end, fresh.size());

  // A torn eighth record: the scan stops before it and never searches the stale bytes after.
  seqs.clear();
  data[fresh.size() - 2] ^= 0x55;
  r = ScanSegment(data, 6, collect, /*resync=*/false);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{7}));
  EXPECT_EQ(r.skipped_bytes, 0u);

  // With resynchronisation a record above the last good one after the damage would be taken:
  // in a recycled segment that could be a record-shaped run of bytes inside a stale payload.
  std::string planted;
  AppendRecord(planted, RecordType::kEvent, 1000, "planted");
  std::string stale_payload = "prefix" + planted + "suffix";
  std::string recycled;
  AppendRecord(recycled, RecordType::kEvent, 7, "seven");
  const size_t torn_at = recycled.size();
  AppendRecord(recycled, RecordType::kEvent, 2, stale_payload);
  recycled[torn_at] ^= 0x55;  // the stale record's header no longer verifies
  seqs.clear();
  ScanSegment(recycled, 6, collect, /*resync=*/true);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{7, 1000}));
  seqs.clear();
  ScanSegment(recycled, 6, collect, /*resync=*/false);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{7}));
}

}  // namespace
}  // namespace tracklake::wal
