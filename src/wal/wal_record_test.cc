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

TEST(WalRecord, ZeroFilledTailIsNotARecord) {
  std::string buf = ThreeRecords();
  buf.append(4096, '\0');
  ScanResult r;
  EXPECT_EQ(Seqs(buf, &r).size(), 3u);
  EXPECT_EQ(r.skipped_bytes, 4096u);
}

TEST(WalRecord, StaleLowerSequenceNumbersAreIgnored) {
  std::string buf;
  AppendRecord(buf, RecordType::kEvent, 7, "a");
  AppendRecord(buf, RecordType::kEvent, 5, "stale");
  AppendRecord(buf, RecordType::kEvent, 8, "b");
  EXPECT_EQ(Seqs(buf), (std::vector<uint64_t>{7, 8}));
}

}  // namespace
}  // namespace tracklake::wal
