#include "encode/ndjson_encoder.h"

#include <gtest/gtest.h>

#include "common/gzip.h"

namespace tracklake {
namespace {

TEST(NdjsonEncoder, WritesOneGzippedLinePerEventServerFieldsFirst) {
  auto enc = MakeNdjsonGzipEncoder({});
  EventView e;
  e.received_at_ms = 0;
  e.fields = {{"event_type", "page_view"}, {"event_id", "id1"}, {"app_id", "web"}, {"url", "/a\"b"}};
  ASSERT_TRUE(enc->Add(e).ok());
  e.fields[1].value = "id2";
  ASSERT_TRUE(enc->Add(e).ok());
  auto file = enc->Finish();
  ASSERT_TRUE(file.ok());
  std::string text;
  ASSERT_TRUE(GunzipBounded(*file, 1 << 20, text).ok());
  const std::string line =
      R"({"event_type":"page_view","event_id":"id1","app_id":"web","received_at":"1970-01-01T00:00:00.000Z","url":"/a\"b"})";
  std::string second = line;
  second.replace(second.find("id1"), 3, "id2");
  EXPECT_EQ(text, line + "\n" + second + "\n");
}

TEST(NdjsonEncoder, DeadLetterRecordsLeadWithReceivedAt) {
  std::string out;
  EventView e;
  e.kind = RecordKind::kRejected;
  e.received_at_ms = 1;
  e.fields = {{"app_id", "web"}, {"error", "required"}};
  AppendEventJson(out, e);
  EXPECT_EQ(out, R"({"received_at":"1970-01-01T00:00:00.001Z","app_id":"web","error":"required"})");
}

TEST(NdjsonEncoder, EmptyBatchIsAValidEmptyGzip) {
  auto enc = MakeNdjsonGzipEncoder({});
  auto file = enc->Finish();
  ASSERT_TRUE(file.ok());
  std::string text;
  ASSERT_TRUE(GunzipBounded(*file, 10, text).ok());
  EXPECT_EQ(text, "");
}

// --- Plain NDJSON (Firehose sink)
TEST(NdjsonEncoder, PlainVariantWritesTheSameLinesUncompressed) {
  EventView e;
  e.received_at_ms = 0;
  e.fields = {{"event_type", "click"}, {"event_id", "id1"}, {"app_id", "web"}};
  auto plain = MakeEncoder(FileFormat::kNdjson, {});
  auto gzipped = MakeEncoder(FileFormat::kNdjsonGzip, {});
  ASSERT_TRUE(plain->Add(e).ok());
  ASSERT_TRUE(gzipped->Add(e).ok());
  auto plain_file = plain->Finish();
  auto gzip_file = gzipped->Finish();
  ASSERT_TRUE(plain_file.ok() && gzip_file.ok());
  std::string text;
  ASSERT_TRUE(GunzipBounded(*gzip_file, 1 << 20, text).ok());
  EXPECT_EQ(*plain_file, text);
  EXPECT_EQ(plain_file->back(), '\n');
  EXPECT_EQ(FileExtension(FileFormat::kNdjson), ".ndjson");
}
// --- end plain NDJSON

}  // namespace
}  // namespace tracklake
