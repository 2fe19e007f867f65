#include <gtest/gtest.h>

#include "encode/parquet/file_metadata.h"
#include "encode/parquet/thrift_compact.h"

namespace tracklake::parquet {
namespace {

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

TEST(CompactWriterTest, ShortFieldHeaderAndZigZagInts) {
  std::string out;
  CompactWriter w(out);
  w.FieldI32(1, 1);
  w.FieldI32(2, -1);
  w.FieldI16(3, -64);
  w.EndStruct();
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0x15, 0x02, 0x15, 0x01, 0x14, 0x7F, 0x00}));
}

TEST(CompactWriterTest, FieldDeltaAbove15UsesLongHeader) {
  std::string out;
  CompactWriter w(out);
  w.FieldI32(1, 0);
  w.FieldI32(20, 3);  // delta 19: type byte, then zigzag(20) = 40
  w.FieldI32(21, 0);  // back to a short delta
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0x15, 0x00, 0x05, 0x28, 0x06, 0x15, 0x00}));
}

TEST(CompactWriterTest, I64FieldsUseTypeSix) {
  std::string out;
  CompactWriter w(out);
  w.FieldI64(1, 300);  // zigzag 600 = 0x258
  w.FieldI64(2, -3);
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0x16, 0xD8, 0x04, 0x16, 0x05}));
}

TEST(CompactWriterTest, BoolsLiveInTheTypeNibble) {
  std::string out;
  CompactWriter w(out);
  w.FieldBool(1, true);
  w.FieldBool(2, false);
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0x11, 0x12}));
}

TEST(CompactWriterTest, ListsShortAndLongForm) {
  std::string out;
  CompactWriter w(out);
  w.BeginListField(1, CompactType::kI32, 3);
  for (int i = 0; i < 3; ++i) w.ElementI32(i);
  w.BeginListField(2, CompactType::kBinary, 15);
  for (int i = 0; i < 15; ++i) w.ElementBinary("");
  std::vector<uint8_t> want = {0x19, 0x35, 0x00, 0x02, 0x04, 0x19, 0xF8, 0x0F};
  want.insert(want.end(), 15, 0x00);
  EXPECT_EQ(Bytes(out), want);
}

TEST(CompactWriterTest, EmptyStructIsHeaderThenStop) {
  std::string out;
  CompactWriter w(out);
  w.EmptyStructField(1);
  w.FieldI32(2, 1);  // the outer delta continues from field 1
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0x1C, 0x00, 0x15, 0x02}));
}

TEST(CompactWriterTest, NestedStructRestoresOuterFieldIds) {
  std::string out;
  CompactWriter w(out);
  w.FieldI32(4, 0);
  w.BeginStructField(5);
  w.FieldI32(7, 1);
  w.EndStruct();
  w.FieldI32(6, 2);
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0x45, 0x00, 0x1C, 0x75, 0x02, 0x00, 0x15, 0x04}));
}

TEST(CompactReaderTest, ReadsBackEverythingTheWriterWrites) {
  std::string out;
  CompactWriter w(out);
  w.FieldI32(1, -123456);
  w.FieldI64(30, INT64_MIN);
  w.FieldBool(31, true);
  w.FieldBinary(32, "hello");
  w.BeginListField(33, CompactType::kBinary, 20);
  for (int i = 0; i < 20; ++i) w.ElementBinary(std::to_string(i));
  w.BeginStructField(34);
  w.EmptyStructField(1);
  w.EndStruct();
  w.EndStruct();

  CompactReader r(out);
  int16_t id;
  CompactType t;
  ASSERT_TRUE(r.NextField(id, t));
  EXPECT_EQ(id, 1);
  EXPECT_EQ(r.ReadInt(t), -123456);
  ASSERT_TRUE(r.NextField(id, t));
  EXPECT_EQ(id, 30);
  EXPECT_EQ(t, CompactType::kI64);
  EXPECT_EQ(r.ReadInt(t), INT64_MIN);
  ASSERT_TRUE(r.NextField(id, t));
  EXPECT_TRUE(r.ReadBool(t));
  ASSERT_TRUE(r.NextField(id, t));
  EXPECT_EQ(r.ReadBinary(), "hello");
  ASSERT_TRUE(r.NextField(id, t));
  CompactType elem;
  ASSERT_EQ(r.ReadListHeader(elem), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(r.ReadBinary(), std::to_string(i));
  ASSERT_TRUE(r.NextField(id, t));
  EXPECT_EQ(id, 34);
  r.Skip(t);
  EXPECT_FALSE(r.NextField(id, t));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.consumed(), out.size());
}

TEST(CompactReaderTest, HostileInputFailsWithoutCrashing) {
  const std::string cases[] = {
      std::string("\x19\xF8\xFF\xFF\xFF\x7F", 6),  // list claiming 2^31 elements
      std::string("\x18\x7F", 2),                  // binary longer than the input
      std::string(200, '\x1C'),                    // structs nested 200 deep
      std::string("\x15", 1),                      // truncated varint
      std::string("\x05\xFF\xFF\xFF\xFF\x0F", 6),  // field id out of i16 range
  };
  for (const std::string& c : cases) {
    CompactReader r(c);
    int16_t id;
    CompactType t;
    while (r.NextField(id, t)) r.Skip(t);
    EXPECT_FALSE(r.ok());
  }
}

TEST(FileMetaDataTest, RoundTripsThroughWriterAndReader) {
  FileMetaData m;
  m.num_rows = 7;
  m.created_by = "tracklake version 0.1.0";
  SchemaElement root;
  root.name = "schema";
  root.num_children = 1;
  SchemaElement ts;
  ts.name = "received_at";
  ts.type = PhysicalType::kInt64;
  ts.repetition = Repetition::kRequired;
  ts.converted_type = ConvertedType::kTimestampMillis;
  ts.logical = LogicalKind::kTimestamp;
  ts.timestamp_utc = true;
  ts.timestamp_unit = TimeUnit::kMillis;
  m.schema = {root, ts};
  RowGroup& rg = m.row_groups.emplace_back();
  rg.num_rows = 7;
  rg.ordinal = 0;
  ColumnChunk& c = rg.columns.emplace_back();
  c.file_offset = 4;
  c.meta_data.type = PhysicalType::kInt64;
  c.meta_data.encodings = {Encoding::kPlain};
  c.meta_data.path_in_schema = {"received_at"};
  c.meta_data.codec = Codec::kZstd;
  c.meta_data.num_values = 7;
  c.meta_data.data_page_offset = 4;
  c.meta_data.dictionary_page_offset = 4;
  c.meta_data.statistics.emplace().null_count = 0;
  c.meta_data.statistics->min_value = std::string(8, '\x01');
  m.key_value_metadata = {{"k", "v"}};
  std::string out;
  WriteFileMetaData(m, out);

  FileMetaData back;
  ASSERT_TRUE(ReadFileMetaData(out, back).ok());
  EXPECT_EQ(back.num_rows, 7);
  EXPECT_EQ(back.created_by, m.created_by);
  ASSERT_EQ(back.schema.size(), 2u);
  EXPECT_EQ(back.schema[1].logical, LogicalKind::kTimestamp);
  EXPECT_TRUE(back.schema[1].timestamp_utc);
  EXPECT_EQ(back.schema[1].timestamp_unit, TimeUnit::kMillis);
  EXPECT_EQ(back.schema[1].converted_type, ConvertedType::kTimestampMillis);
  ASSERT_EQ(back.row_groups.size(), 1u);
  const ColumnMetaData& cm = back.row_groups[0].columns.at(0).meta_data;
  EXPECT_EQ(cm.codec, Codec::kZstd);
  EXPECT_EQ(cm.path_in_schema, std::vector<std::string>{"received_at"});
  EXPECT_EQ(cm.dictionary_page_offset, 4);
  EXPECT_EQ(cm.statistics->min_value, std::string(8, '\x01'));
  EXPECT_FALSE(cm.statistics->max_value.has_value());
  EXPECT_EQ(back.key_value_metadata.at(0).value, "v");
  EXPECT_EQ(back.num_column_orders, 1u);
  // Every strict prefix is truncated, and must be reported as such.
  for (size_t n = 0; n < out.size(); ++n) EXPECT_FALSE(ReadFileMetaData(out.substr(0, n), back).ok()) << n;
}

TEST(PageHeaderTest, RoundTripsAndReportsItsLength) {
  PageHeader h;
  h.type = PageType::kDictionaryPage;
  h.uncompressed_page_size = 1000;
  h.compressed_page_size = 300;
  h.num_values = 17;
  std::string out;
  WritePageHeader(h, out);
  out += "payload";
  PageHeader back;
  size_t consumed = 0;
  ASSERT_TRUE(ReadPageHeader(out, back, consumed).ok());
  EXPECT_EQ(consumed, out.size() - 7);
  EXPECT_EQ(back.type, PageType::kDictionaryPage);
  EXPECT_EQ(back.compressed_page_size, 300);
  EXPECT_EQ(back.num_values, 17);
}

}  // namespace
}  // namespace tracklake::parquet
