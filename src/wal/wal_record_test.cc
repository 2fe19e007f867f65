#include "wal/wal_record.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/crc32c.h"

namespace tracklake::wal {
namespace {

const Framing kSalted = Framing::Salted(0x5eed'1234'abcd'0001);
const Framing kOtherGeneration = Framing::Salted(0x5eed'1234'abcd'0002);

std::string ThreeRecords(const Framing& f = kSalted, uint64_t first = 1) {
  std::string buf;
  AppendRecord(buf, f, RecordType::kEvent, first, "first");
  AppendRecord(buf, f, RecordType::kSeal, first + 1, "second record");
  AppendRecord(buf, f, RecordType::kEvent, first + 2, std::string(1000, 'x'));
  return buf;
}

std::vector<uint64_t> Seqs(std::string_view data, ScanResult* result = nullptr, ScanOptions o = {}) {
  if (o.framing.legacy) o.framing = kSalted;
  std::vector<uint64_t> seqs;
  const ScanResult r = ScanRecords(data, 0, o, [&](const ParsedRecord& rec) { seqs.push_back(rec.seq); });
  if (result) *result = r;
  return seqs;
}

ScanOptions From(uint64_t first_seq, bool resync = true) {
  ScanOptions o;
  o.framing = kSalted;
  o.first_seq = first_seq;
  o.resync = resync;
  return o;
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
  AppendRecord(buf, kSalted, RecordType::kEvent, 7, "a");
  AppendRecord(buf, kSalted, RecordType::kEvent, 5, "stale");
  AppendRecord(buf, kSalted, RecordType::kEvent, 8, "b");
  EXPECT_EQ(Seqs(buf, nullptr, From(7)), (std::vector<uint64_t>{7, 8}));
}

TEST(WalRecord, TheFirstRecordCarriesTheSegmentsNameAndEachNextOneMore) {
  std::string buf;
  AppendRecord(buf, kSalted, RecordType::kEvent, 7, "a");
  AppendRecord(buf, kSalted, RecordType::kEvent, 8, "b");
  EXPECT_TRUE(Seqs(buf, nullptr, From(6, false)).empty()) << "a segment named 6 starts at 6";
  EXPECT_TRUE(Seqs(buf, nullptr, From(8, false)).empty());
  EXPECT_EQ(Seqs(buf, nullptr, From(7, false)), (std::vector<uint64_t>{7, 8}));
  ScanOptions capped = From(7, false);
  capped.max_seq = 7;  // the next segment starts at 8
  EXPECT_EQ(Seqs(buf, nullptr, capped), (std::vector<uint64_t>{7}));
}

// A record that verifies but jumps ahead (a bug, or a forgery that guessed the salt) cannot
// carry the numbering with it: everything after it would look stale.
TEST(WalRecord, ASequenceNumberNeverJumpsFurtherThanTheSkippedBytesAllow) {
  std::string buf;
  AppendRecord(buf, kSalted, RecordType::kEvent, 1, "a");
  AppendRecord(buf, kSalted, RecordType::kEvent, 1'000'000, "far ahead");
  AppendRecord(buf, kSalted, RecordType::kEvent, 2, "b");
  ScanResult r;
  // The jump is refused; 2 is taken after 26 skipped bytes (room for one lost record).
  EXPECT_EQ(Seqs(buf, &r), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(r.skipped_bytes, kHeaderSize + 9);
  // Damage that could have held two records lets the numbering skip two, not three.
  std::string gap;
  AppendRecord(gap, kSalted, RecordType::kEvent, 1, "a");
  gap.append(2 * kHeaderSize + 3, '\x7f');
  std::string after = gap;
  AppendRecord(gap, kSalted, RecordType::kEvent, 4, "d");
  AppendRecord(after, kSalted, RecordType::kEvent, 5, "e");
  EXPECT_EQ(Seqs(gap), (std::vector<uint64_t>{1, 4}));
  EXPECT_EQ(Seqs(after), (std::vector<uint64_t>{1}));
}

TEST(WalRecord, ARecordOfAnotherGenerationNeverVerifies) {
  std::string buf = ThreeRecords();
  AppendRecord(buf, kOtherGeneration, RecordType::kEvent, 4, "other generation, right number");
  AppendRecord(buf, kSalted, RecordType::kEvent, 4, "this generation");
  ScanResult r;
  EXPECT_EQ(Seqs(buf, &r), (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_GT(r.skipped_bytes, 0u);
  ParsedRecord rec;
  std::string one;
  AppendRecord(one, kSalted, RecordType::kEvent, 9, "x");
  EXPECT_TRUE(ParseRecordAt(one, kSalted, rec));
  EXPECT_FALSE(ParseRecordAt(one, kOtherGeneration, rec));
  EXPECT_FALSE(ParseRecordAt(one, Framing::Legacy(), rec));
}

TEST(WalRecord, RecycledSegmentEndsAtTheFirstStaleOrBadRecord) {
  // A recycled segment: records 7 and 8 written over an older generation's records 1..3.
  std::string old = ThreeRecords(kOtherGeneration);
  std::string fresh;
  AppendRecord(fresh, kSalted, RecordType::kEvent, 7, "seven");
  AppendRecord(fresh, kSalted, RecordType::kEvent, 8, "eight");
  std::string data = old;
  data.replace(0, fresh.size(), fresh);
  ScanResult r;
  EXPECT_EQ(Seqs(data, &r, From(7, false)), (std::vector<uint64_t>{7, 8}));
  EXPECT_EQ(r.valid_end, fresh.size());
  EXPECT_EQ(r.skipped_bytes, 0u);  // stale, not damage

  // The new records may end exactly where an old one starts: it does not verify.
  EXPECT_EQ(Seqs(fresh + old, &r, From(7, false)), (std::vector<uint64_t>{7, 8}));
  EXPECT_EQ(r.valid_end, fresh.size());

  // A torn eighth record: the scan stops before it and never searches the stale bytes after.
  data[fresh.size() - 2] ^= 0x55;
  EXPECT_EQ(Seqs(data, &r, From(7, false)), (std::vector<uint64_t>{7}));
  EXPECT_EQ(r.skipped_bytes, 0u);
}

// A client's event value laid out as records, in the payload of a record torn by a crash: a
// resynchronising scan looks inside it, and must not take what it finds there.
TEST(WalRecord, RecordsForgedInsideATornPayloadAreNotTaken) {
  std::string planted;
  for (uint64_t seq = 2; seq < 6; ++seq) {
    AppendRecord(planted, Framing::Legacy(), RecordType::kEvent, seq, "planted");
    AppendRecord(planted, Framing::Salted(0), RecordType::kEvent, seq, "planted");
  }
  std::string buf;
  AppendRecord(buf, kSalted, RecordType::kEvent, 1, "one");
  const size_t torn_at = buf.size();
  AppendRecord(buf, kSalted, RecordType::kEvent, 2, "prefix" + planted + "suffix");
  buf[torn_at] ^= 0x55;
  ScanResult r;
  EXPECT_EQ(Seqs(buf, &r), (std::vector<uint64_t>{1}));
  EXPECT_EQ(r.skipped_bytes, buf.size() - torn_at);
}

TEST(WalRecord, SegmentHeaderRoundTripsAndRefusesDamageAndNewerFormats) {
  std::string file;
  AppendSegmentHeader(file, {42, 0xfeedface});
  ASSERT_EQ(file.size(), kSegmentHeaderSize);
  SegmentHeader h;
  uint32_t version = 0;
  EXPECT_EQ(ReadSegmentHeader(file, h, &version), HeaderCheck::kValid);
  EXPECT_EQ(h.first_seq, 42u);
  EXPECT_EQ(h.salt, 0xfeedfaceu);
  EXPECT_EQ(version, kFormatVersion);
  std::string damaged = file;
  damaged[20] ^= 1;
  EXPECT_EQ(ReadSegmentHeader(damaged, h), HeaderCheck::kDamaged);
  EXPECT_EQ(ReadSegmentHeader(file.substr(0, 20), h), HeaderCheck::kDamaged);
  EXPECT_EQ(ReadSegmentHeader(ThreeRecords(Framing::Legacy()), h), HeaderCheck::kAbsent);
  // A later format's header, checksummed as its writer would: not ours to read.
  std::string newer = file;
  newer[8] = static_cast<char>(kFormatVersion + 1);
  EXPECT_EQ(ReadSegmentHeader(newer, h), HeaderCheck::kDamaged) << "the CRC covers the version";
  const uint32_t masked = crc32c::Mask(crc32c::Extend(crc32c::Value(newer.data(), 12), newer.data() + 16, 16));
  for (int i = 0; i < 4; ++i) newer[12 + i] = static_cast<char>(masked >> (8 * i));
  EXPECT_EQ(ReadSegmentHeader(newer, h, &version), HeaderCheck::kNewerFormat);
  EXPECT_EQ(version, kFormatVersion + 1);
}

std::vector<uint64_t> ScanFile(std::string_view file, uint64_t id, bool recycled, SegmentScan* out = nullptr) {
  std::vector<uint64_t> seqs;
  SegmentScan s = ScanSegment(file, id, recycled, UINT64_MAX, [&](const ParsedRecord& r) { seqs.push_back(r.seq); });
  if (out) *out = s;
  return seqs;
}

TEST(WalRecord, ASegmentFileIsReadWithItsOwnGenerationsSalt) {
  std::string file;
  AppendSegmentHeader(file, {10, kSalted.salt});
  file += ThreeRecords(kSalted, 10);
  SegmentScan s;
  EXPECT_EQ(ScanFile(file, 10, false, &s), (std::vector<uint64_t>{10, 11, 12}));
  EXPECT_EQ(s.header, HeaderCheck::kValid);
  EXPECT_EQ(s.framing.salt, kSalted.salt);
  EXPECT_EQ(s.valid_end, file.size());
  // Renamed into place as segment 20 and never written: the header names segment 10.
  EXPECT_TRUE(ScanFile(file, 20, true, &s).empty());
  EXPECT_EQ(s.skipped_bytes, 0u) << "stale, not damage";
  EXPECT_EQ(s.valid_end, 0u);
  EXPECT_TRUE(ScanFile(file, 20, false, &s).empty());
  EXPECT_EQ(s.skipped_bytes, file.size()) << "a segment never recycled with another's header is damaged";
}

// Logs written before format 2 still recover: records from the segment's name on, to the
// first one that does not verify (no resynchronisation: their CRCs have no salt).
TEST(WalRecord, AFormatOneSegmentStillRecovers) {
  std::string file = ThreeRecords(Framing::Legacy(), 5);
  SegmentScan s;
  EXPECT_EQ(ScanFile(file, 5, false, &s), (std::vector<uint64_t>{5, 6, 7}));
  EXPECT_EQ(s.header, HeaderCheck::kAbsent);
  EXPECT_TRUE(s.framing.legacy);
  file[kHeaderSize + 2] ^= 0x10;  // damage in the first record
  EXPECT_TRUE(ScanFile(file, 5, false).empty());
}

TEST(WalRecord, AFormatTwoFileWithADamagedMagicIsNotReadAsFormatOne) {
  std::string file;
  AppendSegmentHeader(file, {1, kSalted.salt});
  std::string planted;
  AppendRecord(planted, Framing::Legacy(), RecordType::kEvent, 1, "planted");
  AppendRecord(file, kSalted, RecordType::kEvent, 1, "value: " + planted);
  file[0] ^= 0x20;
  SegmentScan s;
  EXPECT_TRUE(ScanFile(file, 1, false, &s).empty());
  EXPECT_EQ(s.header, HeaderCheck::kAbsent);
}

}  // namespace
}  // namespace tracklake::wal
