#include "sink/firehose/firehose_records.h"

#include <gtest/gtest.h>

#include <numeric>

namespace tracklake {
namespace {

std::string Lines(size_t count, size_t line_bytes) {
  std::string out;
  for (size_t i = 0; i < count; ++i) out += std::string(line_bytes - 1, static_cast<char>('a' + i % 26)) + "\n";
  return out;
}

std::string Joined(const std::vector<std::string_view>& records) {
  std::string out;
  for (std::string_view r : records) out += r;
  return out;
}

TEST(PackRecords, OneRecordPerLineEachEndingInANewline) {
  const FirehoseRecords packed = PackRecords("{\"a\":1}\n{\"b\":2}\n", /*aggregate=*/false);
  ASSERT_EQ(packed.records.size(), 2u);
  EXPECT_EQ(packed.records[0], "{\"a\":1}\n");
  EXPECT_EQ(packed.records[1], "{\"b\":2}\n");
  EXPECT_EQ(packed.events, 2u);
  EXPECT_TRUE(packed.oversized_lines.empty());
}

TEST(PackRecords, AggregationPacksLinesUpToTheRecordLimitAndKeepsEveryByte) {
  const std::string ndjson = Lines(10, 100);  // 1,000 bytes
  const FirehoseRecords packed = PackRecords(ndjson, /*aggregate=*/true, /*max_record_bytes=*/350);
  ASSERT_EQ(packed.records.size(), 4u);  // 3 + 3 + 3 + 1 lines
  for (std::string_view r : packed.records) {
    EXPECT_LE(r.size(), 350u);
    EXPECT_EQ(r.back(), '\n');
  }
  EXPECT_EQ(Joined(packed.records), ndjson);
  EXPECT_EQ(packed.events, 10u);
}

TEST(PackRecords, AggregatedRecordsNeverExceedOneThousandKiB) {
  const std::string ndjson = Lines(3000, 1000);  // ~2.9 MB of 1 KB events
  const FirehoseRecords packed = PackRecords(ndjson, /*aggregate=*/true);
  EXPECT_EQ(packed.records.size(), 3u);
  for (std::string_view r : packed.records) EXPECT_LE(r.size(), kFirehoseMaxRecordBytes);
  EXPECT_EQ(Joined(packed.records), ndjson);
}

TEST(PackRecords, AnOversizedEventIsLeftOutAndNamedByLineNumber) {
  const std::string big(kFirehoseMaxRecordBytes, 'x');  // with its newline: one byte too many
  const std::string ndjson = "{\"a\":1}\n" + big + "\n{\"c\":3}\n{\"d\":4}\n";
  for (bool aggregate : {false, true}) {
    const FirehoseRecords packed = PackRecords(ndjson, aggregate);
    EXPECT_EQ(packed.oversized_lines, std::vector<uint64_t>{2});
    EXPECT_EQ(packed.events, 3u);
    EXPECT_EQ(Joined(packed.records), "{\"a\":1}\n{\"c\":3}\n{\"d\":4}\n");
    EXPECT_EQ(packed.records.size(), aggregate ? 2u : 3u);  // records never span the gap
  }
}

TEST(PackRecords, AnEventOfExactlyTheLimitFits) {
  const std::string ndjson(kFirehoseMaxRecordBytes - 1, 'x');
  const FirehoseRecords packed = PackRecords(ndjson + "\n", false);
  EXPECT_TRUE(packed.oversized_lines.empty());
  ASSERT_EQ(packed.records.size(), 1u);
  EXPECT_EQ(packed.records[0].size(), kFirehoseMaxRecordBytes);
}

TEST(PackRecords, BlankLinesAreSkipped) {
  const FirehoseRecords packed = PackRecords("\n{\"a\":1}\n\n", true);
  ASSERT_EQ(packed.records.size(), 1u);
  EXPECT_EQ(packed.records[0], "{\"a\":1}\n");
  EXPECT_EQ(packed.events, 1u);
}

TEST(GroupIntoCalls, AtMostFiveHundredRecordsPerCall) {
  const std::string ndjson = Lines(1201, 10);
  const FirehoseRecords packed = PackRecords(ndjson, false);
  std::vector<size_t> all(packed.records.size());
  std::iota(all.begin(), all.end(), 0);
  const auto calls = GroupIntoCalls(packed.records, all);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].size(), 500u);
  EXPECT_EQ(calls[1].size(), 500u);
  EXPECT_EQ(calls[2].size(), 201u);
  EXPECT_EQ(calls[2].back(), 1200u);
}

TEST(GroupIntoCalls, AtMostFourMiBPerCall) {
  const std::string ndjson = Lines(10, kFirehoseMaxRecordBytes);  // ten full records, ~9.8 MiB
  const FirehoseRecords packed = PackRecords(ndjson, true);
  ASSERT_EQ(packed.records.size(), 10u);
  std::vector<size_t> all(packed.records.size());
  std::iota(all.begin(), all.end(), 0);
  const auto calls = GroupIntoCalls(packed.records, all);
  ASSERT_EQ(calls.size(), 3u);  // 4 records of 1,000 KiB fit in 4 MiB, a fifth does not
  for (const auto& call : calls) {
    size_t bytes = 0;
    for (size_t i : call) bytes += packed.records[i].size();
    EXPECT_LE(bytes, kFirehoseMaxBytesPerCall);
  }
}

TEST(GroupIntoCalls, OnlyTheGivenRecordsInTheirOrder) {
  const FirehoseRecords packed = PackRecords(Lines(6, 10), false);
  const auto calls = GroupIntoCalls(packed.records, {1, 4, 5});
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0], (std::vector<size_t>{1, 4, 5}));
}

TEST(BilledBytes, RoundsEachRecordUpToTheNextFiveKB) {
  EXPECT_EQ(BilledBytes(1), 5120u);
  EXPECT_EQ(BilledBytes(5120), 5120u);
  EXPECT_EQ(BilledBytes(5121), 10240u);
  EXPECT_EQ(BilledBytes(kFirehoseMaxRecordBytes), kFirehoseMaxRecordBytes);
}

TEST(StreamName, ReplacesEveryEventTypePlaceholder) {
  EXPECT_EQ(StreamName("tracking-{event_type}", "page_view"), "tracking-page_view");
  EXPECT_EQ(StreamName("{event_type}.{event_type}", "a"), "a.a");
  EXPECT_EQ(StreamName("all-events", "a"), "all-events");
}

TEST(StreamName, ValidNamesFollowFirehoseRules) {
  EXPECT_TRUE(IsValidStreamName("tracking-page_view.v2"));
  EXPECT_FALSE(IsValidStreamName(""));
  EXPECT_FALSE(IsValidStreamName("tracking/page_view"));
  EXPECT_FALSE(IsValidStreamName(std::string(65, 'a')));
}

}  // namespace
}  // namespace tracklake
