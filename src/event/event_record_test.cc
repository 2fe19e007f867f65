#include "event/event_record.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tracklake {
namespace {

TEST(EventRecord, RoundTripsFieldsAndTimes) {
  EventView e;
  e.received_at_ms = 1764139635123;
  e.event_time_ms = 1764139600000;
  e.fields = {{"event_type", "page_view"}, {"event_id", "x"}, {"app_id", "web"}, {"url", "/h\xc3\xa9"}, {"empty", ""}};
  const std::string bytes = EncodeEventRecord(e);
  EventView d;
  ASSERT_TRUE(DecodeEventRecord(bytes, d).ok());
  EXPECT_EQ(d.kind, RecordKind::kEvent);
  EXPECT_EQ(d.received_at_ms, e.received_at_ms);
  EXPECT_EQ(d.event_time_ms, e.event_time_ms);
  ASSERT_EQ(d.fields.size(), 5u);
  EXPECT_EQ(d.event_type(), "page_view");
  EXPECT_EQ(d.Get("url"), "/h\xc3\xa9");
  EXPECT_EQ(d.Get("empty"), "");
  EXPECT_FALSE(d.Get("missing"));
}

TEST(EventRecord, LongValuesUseMultiByteLengths) {
  const std::string big(70000, 'v');
  EventView e;
  e.fields = {{"event_type", "t"}, {"big", big}};
  EventView d;
  const std::string bytes = EncodeEventRecord(e);
  ASSERT_TRUE(DecodeEventRecord(bytes, d).ok());
  EXPECT_EQ(d.Get("big")->size(), big.size());
}

TEST(EventRecord, TruncatedRecordIsCorruption) {
  EventView e;
  e.fields = {{"event_type", "t"}, {"k", "value"}};
  const std::string bytes = EncodeEventRecord(e);
  EventView d;
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(DecodeEventRecord(std::string_view(bytes).substr(0, n), d).ok()) << n;
  }
}

TEST(EventRecord, AbortDropsPartialRecord) {
  std::string out = "prefix";
  EventRecordBuilder b(out);
  b.Begin(RecordKind::kEvent, 1, kNoEventTime);
  b.Add("a", "b");
  b.Abort();
  EXPECT_EQ(out, "prefix");
}

// The builder writes into room it makes ahead; whatever the size hint, the finished buffer is
// exactly the records, back to back, each as EncodeEventRecord would write it.
TEST(EventRecord, BuilderOutputDoesNotDependOnTheSizeHint) {
  for (size_t hint : {size_t{0}, size_t{1}, size_t{30}, size_t{5000}, size_t{1} << 20}) {
    std::string out = "prefix";
    std::string expected = "prefix";
    for (int r = 0; r < 3; ++r) {
      EventView e;
      e.received_at_ms = r;
      std::vector<std::string> values;
      for (int i = 0; i < 40 * (r + 1); ++i) values.push_back(std::string(static_cast<size_t>(i * 7), 'v'));
      for (size_t i = 0; i < values.size(); ++i) e.fields.push_back({"key", values[i]});
      expected += EncodeEventRecord(e);
      EventRecordBuilder b(out);
      b.Begin(e.kind, e.received_at_ms, e.event_time_ms, hint);
      for (const Field& f : e.fields) b.Add(f.key, f.value);
      const size_t size = b.Finish();
      EXPECT_EQ(out.size(), expected.size()) << hint;
      EXPECT_EQ(size, EncodeEventRecord(e).size());
    }
    EXPECT_EQ(out, expected) << hint;
  }
}

}  // namespace
}  // namespace tracklake

namespace tracklake {
namespace {

TEST(EventRecord, PeekRoutingReadsKindTimeAndType) {
  EventView e;
  e.received_at_ms = 77;
  e.fields = {{"event_type", "click"}, {"event_id", "1"}};
  RecordRouting r;
  const std::string record = EncodeEventRecord(e);  // r's views point into it
  ASSERT_TRUE(PeekRouting(record, r));
  EXPECT_EQ(r.kind, RecordKind::kEvent);
  EXPECT_EQ(r.received_at_ms, 77);
  EXPECT_EQ(r.event_type, "click");
  EXPECT_FALSE(PeekRouting("short", r));
}

TEST(EventRecord, PeekIdentityReadsTheIdsOfAnEventRecordOnly) {
  EventView e;
  e.received_at_ms = 91;
  e.fields = {{"event_type", "click"}, {"event_id", "id-1"}, {"app_id", "web"}, {"url", "/"}};
  const std::string record = EncodeEventRecord(e);
  RecordIdentity id;
  ASSERT_TRUE(PeekIdentity(record, id));
  EXPECT_EQ(id.event_id, "id-1");
  EXPECT_EQ(id.app_id, "web");
  EXPECT_EQ(id.received_at_ms, 91);
  e.kind = RecordKind::kRejected;
  EXPECT_FALSE(PeekIdentity(EncodeEventRecord(e), id));
  e.kind = RecordKind::kEvent;
  e.fields = {{"event_type", "click"}, {"url", "id-1"}, {"app_id", "web"}};  // not the canonical order
  EXPECT_FALSE(PeekIdentity(EncodeEventRecord(e), id));
  EXPECT_FALSE(PeekIdentity(record.substr(0, record.size() - 8), id));
}

}  // namespace
}  // namespace tracklake
