#include "sink/kinesis/kinesis_records.h"

#include <gtest/gtest.h>

#include "sink/record_calls.h"

namespace tracklake {
namespace {

MessageView Message(std::optional<std::string_view> key, std::string_view id, std::string_view value) {
  MessageView m;
  m.key = key;
  m.headers = {{"event_type", "t"}, {"app_id", "a"}, {"event_id", id}};
  m.value = value;
  return m;
}

TEST(KinesisPartitionKey, KeyThenEventIdThenADigest) {
  EXPECT_EQ(KinesisPartitionKey(Message("u1", "e1", "{}")), "u1");
  EXPECT_EQ(KinesisPartitionKey(Message(std::nullopt, "e1", "{}")), "e1");
  EXPECT_EQ(KinesisPartitionKey(Message("", "e1", "{}")), "e1");  // Kinesis refuses empty keys
  MessageView dead;
  dead.value = "{\"app_id\":\"a\"}";
  EXPECT_EQ(KinesisPartitionKey(dead).size(), 64u);
  const std::string long_key(300, 'k');
  const std::string bounded = KinesisPartitionKey(Message(long_key, "e1", "{}"));
  EXPECT_EQ(bounded.size(), 64u);
  EXPECT_EQ(bounded, KinesisPartitionKey(Message(long_key, "e2", "{}")));  // same key, same shard
}

TEST(PackKinesisRecords, OneLinePerRecordWithoutAggregation) {
  const auto packed = PackKinesisRecords({Message("u1", "e1", "{\"a\":1}"), Message("u2", "e2", "{\"b\":2}")}, false);
  ASSERT_EQ(packed.records.size(), 2u);
  EXPECT_EQ(packed.records[0].data, "{\"a\":1}\n");
  EXPECT_EQ(packed.records[0].partition_key, "u1");
  EXPECT_EQ(packed.records[1].partition_key, "u2");
  EXPECT_EQ(packed.events, 2u);
}

TEST(PackKinesisRecords, AggregationPacksLinesWithinTheLimitKeyIncluded) {
  const std::string v(40, 'x');
  std::vector<MessageView> messages;
  for (int i = 0; i < 5; ++i) messages.push_back(Message("k", "e", v));
  // 41 bytes per line plus a 1-byte key: two lines fit in 100, the third does not.
  const auto packed = PackKinesisRecords(messages, true, 100);
  ASSERT_EQ(packed.records.size(), 3u);
  EXPECT_EQ(packed.records[0].data, v + "\n" + v + "\n");
  EXPECT_EQ(packed.records[2].data, v + "\n");
  for (const KinesisRecord& r : packed.records) EXPECT_LE(r.size(), 100u);
  EXPECT_EQ(packed.events, 5u);
}

TEST(PackKinesisRecords, AMessageOverTheLimitIsInNoRecord) {
  const std::string big(200, 'x');
  const auto packed = PackKinesisRecords({Message("k", "e1", "{}"), Message("k", "e2", big), Message("k", "e3", "{}")},
                                         true, 100);
  EXPECT_EQ(packed.oversized, (std::vector<uint64_t>{2}));
  EXPECT_EQ(packed.events, 2u);
  ASSERT_EQ(packed.records.size(), 1u);
  EXPECT_EQ(packed.records[0].data, "{}\n{}\n");
}

TEST(KinesisLimits, CallsHoldAtMost500RecordsAnd5MiB) {
  std::vector<KinesisRecord> records(1200, KinesisRecord{std::string(10, 'x'), "k"});
  std::vector<size_t> all(records.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  auto size_of = [&](size_t i) { return records[i].size(); };
  auto calls = GroupIntoCalls(size_of, all, kKinesisMaxRecordsPerCall, kKinesisMaxBytesPerCall);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].size(), 500u);
  EXPECT_EQ(calls[2].size(), 200u);
  std::vector<KinesisRecord> big(12, KinesisRecord{std::string(kKinesisMaxRecordBytes - 1, 'x'), "k"});
  std::vector<size_t> twelve(12);
  for (size_t i = 0; i < 12; ++i) twelve[i] = i;
  calls = GroupIntoCalls([&](size_t i) { return big[i].size(); }, twelve, kKinesisMaxRecordsPerCall,
                         kKinesisMaxBytesPerCall);
  ASSERT_EQ(calls.size(), 3u);  // 5 full records per 5 MiB call
  EXPECT_EQ(calls[0].size(), 5u);
}

TEST(KinesisStreamNames, FollowTheServiceRules) {
  EXPECT_TRUE(IsValidKinesisStreamName("tracking-page_view.v1"));
  EXPECT_TRUE(IsValidKinesisStreamName(std::string(128, 'a')));
  EXPECT_FALSE(IsValidKinesisStreamName(std::string(129, 'a')));
  EXPECT_FALSE(IsValidKinesisStreamName(""));
  EXPECT_FALSE(IsValidKinesisStreamName("a/b"));
}

TEST(KinesisPayloadUnits, RoundUpTo25KB) {
  EXPECT_EQ(KinesisPayloadUnits(1), 1u);
  EXPECT_EQ(KinesisPayloadUnits(25 * 1024), 1u);
  EXPECT_EQ(KinesisPayloadUnits(25 * 1024 + 1), 2u);
}

}  // namespace
}  // namespace tracklake
