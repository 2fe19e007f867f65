#include <gtest/gtest.h>

#include <map>

#include "encode/parquet/compression.h"
#include "encode/parquet/parquet_encoder.h"
#include "encode/parquet/parquet_test_util.h"

namespace tracklake {
namespace {

using parquet::Encoding;
using parquet::FileMetaData;
using parquet_test::CellString;
using parquet_test::EncodeEvents;
using parquet_test::MakeEvent;
using parquet_test::ReadAll;
using parquet_test::TestEvent;

FileMetaData Footer(const std::string& file) {
  FileMetaData m;
  Status s = ReadParquetMetadata(file, m);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return m;
}

const parquet::ColumnMetaData& Chunk(const FileMetaData& m, size_t rg, std::string_view first_path) {
  for (const auto& c : m.row_groups.at(rg).columns) {
    if (c.meta_data.path_in_schema.at(0) == first_path) return c.meta_data;
  }
  ADD_FAILURE() << "no column " << first_path;
  return m.row_groups.at(rg).columns.at(0).meta_data;
}

const ParquetMap& MapAt(const ParquetTable& t, size_t r) {
  return std::get<ParquetMap>(t.rows.at(r).at(*t.ColumnIndex("properties")));
}

TEST(ParquetEncoderTest, RoundTripsFixedNamedAndPropertyFields) {
  TestEvent a = MakeEvent(
      "e1", {{"event_time", "2024-01-01T00:00:00Z"}, {"url", "/a"}, {"user_id", "u1"}, {"plan", "pro"}, {"ref", "x"}});
  a.event_time_ms = 1'704'067'200'000;
  TestEvent b = MakeEvent("e2", {{"session_id", "s2"}}, -5);
  EncodeOptions o;
  o.declared_columns = {"plan", "user_id", "event_id", "properties", "", "plan"};
  const ParquetTable t = ReadAll(EncodeEvents(o, {a, b}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.columns, (std::vector<std::string>{"event_id", "event_type", "app_id", "received_at", "event_time",
                                                 "user_id", "anonymous_id", "session_id", "plan", "properties"}));
  EXPECT_EQ(CellString(t, 0, "event_id"), "e1");
  EXPECT_EQ(CellString(t, 0, "event_type"), "page_view");
  EXPECT_EQ(CellString(t, 0, "app_id"), "app-1");
  EXPECT_EQ(std::get<int64_t>(t.rows[0][3]), 1'700'000'000'000);
  EXPECT_EQ(std::get<int64_t>(t.rows[0][4]), 1'704'067'200'000);
  EXPECT_EQ(CellString(t, 0, "user_id"), "u1");
  EXPECT_EQ(CellString(t, 0, "plan"), "pro");
  EXPECT_EQ(CellString(t, 0, "anonymous_id"), "<null>");
  EXPECT_EQ(MapAt(t, 0), (ParquetMap{{"url", "/a"}, {"ref", "x"}}));  // event order, no columns
  EXPECT_EQ(std::get<int64_t>(t.rows[1][3]), -5);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(t.rows[1][4]));
  EXPECT_EQ(CellString(t, 1, "session_id"), "s2");
  EXPECT_TRUE(MapAt(t, 1).empty());  // empty, not null
}

// Names that look like column names to the encoder's quick filter (same length, first and last
// byte as user_id, event_id, app_id) are still properties; the real ones are not.
TEST(ParquetEncoderTest, NamesResemblingColumnsAreProperties) {
  const ParquetTable t = ReadAll(EncodeEvents({}, {MakeEvent("e", {{"user_id", "u"},
                                                                   {"usxx_id", "1"},
                                                                   {"evxxx_id", "2"},
                                                                   {"apx_id", "3"},
                                                                   {"event_id", "dup"},
                                                                   {"uid", "4"}})}));
  EXPECT_EQ(CellString(t, 0, "user_id"), "u");
  EXPECT_EQ(CellString(t, 0, "event_id"), "e");
  EXPECT_EQ(MapAt(t, 0), (ParquetMap{{"usxx_id", "1"}, {"evxxx_id", "2"}, {"apx_id", "3"}, {"uid", "4"}}));
}

TEST(ParquetEncoderTest, FirstOccurrenceOfADuplicatedColumnFieldWins) {
  const ParquetTable t = ReadAll(EncodeEvents({}, {MakeEvent("e", {{"user_id", "first"}, {"user_id", "second"}})}));
  EXPECT_EQ(CellString(t, 0, "user_id"), "first");
  EXPECT_TRUE(MapAt(t, 0).empty());
}

TEST(ParquetEncoderTest, SchemaCarriesLogicalAndConvertedTypes) {
  const FileMetaData m = Footer(EncodeEvents({}, {MakeEvent("e")}));
  ASSERT_EQ(m.schema.size(), 13u);  // root, 8 fixed, properties, key_value, key, value
  EXPECT_EQ(m.schema[1].name, "event_id");
  EXPECT_EQ(m.schema[1].logical, parquet::LogicalKind::kString);
  EXPECT_EQ(m.schema[1].converted_type, parquet::ConvertedType::kUtf8);
  EXPECT_EQ(m.schema[4].logical, parquet::LogicalKind::kTimestamp);
  EXPECT_EQ(m.schema[4].converted_type, parquet::ConvertedType::kTimestampMillis);
  EXPECT_TRUE(m.schema[4].timestamp_utc);
  EXPECT_EQ(m.schema[5].repetition, parquet::Repetition::kOptional);
  EXPECT_EQ(m.schema[9].logical, parquet::LogicalKind::kMap);
  EXPECT_EQ(m.schema[10].repetition, parquet::Repetition::kRepeated);
  EXPECT_EQ(m.created_by, "tracklake version 0.1.0");
}

TEST(ParquetEncoderTest, FooterCarriesTracklakeKeyValueMetadata) {
  EncodeOptions o;
  o.node_id = "node-7";
  o.first_seq = 10;
  o.last_seq = 99;
  const FileMetaData m = Footer(EncodeEvents(o, {MakeEvent("e")}));
  std::map<std::string, std::string> kv;
  for (const auto& p : m.key_value_metadata) kv[p.key] = p.value;
  EXPECT_EQ(kv["tracklake.version"], "0.1.0");
  EXPECT_EQ(kv["tracklake.node_id"], "node-7");
  EXPECT_EQ(kv["tracklake.wal_first_seq"], "10");
  EXPECT_EQ(kv["tracklake.wal_last_seq"], "99");
}

// Page encodings of one column chunk, in file order (dictionary page excluded).
std::vector<Encoding> DataPageEncodings(const std::string& file, const parquet::ColumnMetaData& m) {
  std::string_view region(file);
  region = region.substr(static_cast<size_t>(m.dictionary_page_offset.value_or(m.data_page_offset)),
                         static_cast<size_t>(m.total_compressed_size));
  std::vector<Encoding> out;
  while (!region.empty()) {
    parquet::PageHeader h;
    size_t consumed;
    if (!parquet::ReadPageHeader(region, h, consumed).ok()) break;
    region.remove_prefix(consumed + static_cast<size_t>(h.compressed_page_size));
    if (h.type == parquet::PageType::kDataPage) out.push_back(h.encoding);
  }
  return out;
}

// Every stride-th event of events, each with one property key, reads back from file as the map
// {key: its value} (events[i].fields[3] is that property).
void ExpectOnePropertyMaps(const std::string& file, const std::vector<TestEvent>& events, const std::string& key,
                           size_t stride = 1) {
  const ParquetTable t = ReadAll(file);
  ASSERT_EQ(t.rows.size(), events.size());
  for (size_t i = 0; i < events.size(); i += stride) {
    ASSERT_EQ(MapAt(t, i), (ParquetMap{{key, events[i].fields[3].second}})) << i;
  }
}

TEST(ParquetEncoderTest, ManyDistinctLongValuesFallBackToPlainAndRoundTrip) {
  std::vector<TestEvent> events;
  for (int i = 0; i < 3000; ++i) {
    events.push_back(
        MakeEvent("e" + std::to_string(i), {{"blob", std::string(1000, 'a' + i % 26) + std::to_string(i)}}));
  }
  const std::string file = EncodeEvents({}, events);
  const FileMetaData m = Footer(file);
  ASSERT_EQ(m.row_groups.size(), 1u);
  const auto& values = m.row_groups[0].columns.back().meta_data;
  const std::vector<Encoding> pages = DataPageEncodings(file, values);
  ASSERT_GE(pages.size(), 2u);
  EXPECT_EQ(pages.front(), Encoding::kRleDictionary);
  EXPECT_EQ(pages.back(), Encoding::kPlain);
  ExpectOnePropertyMaps(file, events, "blob");
}

// The dictionary fills up in the middle of a run of values being encoded: the values before
// that point in the page (hits and inserts) and after it all come back, and the statistics
// cover both sides (the minimum is only seen before the switch, the maximum only after).
TEST(ParquetEncoderTest, DictionaryOverflowMidPageKeepsValuesAndStatistics) {
  std::vector<TestEvent> events;
  // Four in five values are new (the fifth repeats one four rows back) and about 50 bytes
  // long: the dictionary reaches its byte limit in the second page, with hits and inserts
  // around that point.
  const int n = 60000;
  const std::string pad(40, '.');
  for (int i = 0; i < n; ++i) {
    std::string v = i == 0 ? "a-min" : i == n - 1 ? "z-max" : "v" + std::to_string(i % 5 == 4 ? i - 4 : i) + pad;
    events.push_back(MakeEvent("e" + std::to_string(i), {{"k", std::move(v)}}));
  }
  EncodeOptions o;
  o.dictionary_bytes = 1u << 20;
  const std::string file = EncodeEvents(o, events);
  const FileMetaData m = Footer(file);
  ASSERT_EQ(m.row_groups.size(), 1u);
  const auto& values = m.row_groups[0].columns.back().meta_data;
  const std::vector<Encoding> pages = DataPageEncodings(file, values);
  EXPECT_EQ(pages.front(), Encoding::kRleDictionary);
  EXPECT_EQ(pages.back(), Encoding::kPlain);
  ASSERT_TRUE(values.statistics.has_value());
  EXPECT_EQ(values.statistics->min_value, "a-min");
  EXPECT_EQ(values.statistics->max_value, "z-max");
  ExpectOnePropertyMaps(file, events, "k");
}

// Unique values (an id column) make the dictionary as big as the values themselves: after the
// first page the column turns PLAIN, while a low-cardinality column of the same rows stays
// dictionary-encoded throughout.
TEST(ParquetEncoderTest, UniqueValuesTurnPlainAfterTheFirstPage) {
  std::vector<TestEvent> events;
  const int n = 100000;  // 36-byte ids: about 4 MB, several pages
  for (int i = 0; i < n; ++i) {
    std::string id = std::to_string(i);
    events.push_back(MakeEvent(std::string(36 - id.size(), '0') + id, {{"k", std::to_string(i % 7)}}));
  }
  const std::string file = EncodeEvents({}, events);
  const FileMetaData m = Footer(file);
  ASSERT_EQ(m.row_groups.size(), 1u);
  const std::vector<Encoding> ids = DataPageEncodings(file, m.row_groups[0].columns.front().meta_data);
  ASSERT_GE(ids.size(), 3u);
  EXPECT_EQ(ids.front(), Encoding::kRleDictionary);
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_EQ(ids[i], Encoding::kPlain) << "page " << i;
  for (Encoding e : DataPageEncodings(file, m.row_groups[0].columns.back().meta_data)) {
    EXPECT_EQ(e, Encoding::kRleDictionary);
  }
  const ParquetTable t = ReadAll(file);
  ASSERT_EQ(t.rows.size(), events.size());
  for (size_t i = 0; i < events.size(); i += 997) {
    EXPECT_EQ(CellString(t, i, "event_id"), events[i].fields[1].second) << i;
  }
  EXPECT_EQ(CellString(t, n - 1, "event_id"), events.back().fields[1].second);
}

// A dictionary that pays for itself grows past what a small limit would allow: 100,000
// distinct values, each seen five times in a row, stay dictionary-encoded (1.7 MB of entries,
// 100,000 of them: past the former 1 MiB / 65,536-entry limits).
TEST(ParquetEncoderTest, RepeatedValuesKeepALargeDictionary) {
  std::vector<TestEvent> events;
  const int distinct = 100000;
  for (int i = 0; i < 5 * distinct; ++i) {
    events.push_back(MakeEvent("e", {{"k", "value-" + std::to_string(1000000 + (i / 5 * 7919) % distinct)}}));
  }
  const std::string file = EncodeEvents({}, events);
  const FileMetaData m = Footer(file);
  ASSERT_EQ(m.row_groups.size(), 1u);
  const auto& values = m.row_groups[0].columns.back().meta_data;
  const std::vector<Encoding> pages = DataPageEncodings(file, values);
  ASSERT_GE(pages.size(), 2u);
  for (Encoding e : pages) EXPECT_EQ(e, Encoding::kRleDictionary);
  ExpectOnePropertyMaps(file, events, "k", 4999);
}

TEST(ParquetEncoderTest, FewDistinctValuesStayDictionaryEncoded) {
  std::vector<TestEvent> events;
  for (int i = 0; i < 5000; ++i) events.push_back(MakeEvent("e" + std::to_string(i), {{"k", std::to_string(i % 3)}}));
  const std::string file = EncodeEvents({}, events);
  const FileMetaData m = Footer(file);
  for (Encoding e : DataPageEncodings(file, m.row_groups[0].columns.back().meta_data)) {
    EXPECT_EQ(e, Encoding::kRleDictionary);
  }
  EXPECT_EQ(ReadAll(file).rows.size(), 5000u);
}

std::string Int64Bytes(int64_t v) {
  std::string s;
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>(static_cast<uint64_t>(v) >> (8 * i)));
  return s;
}

TEST(ParquetEncoderTest, StatisticsHoldMinMaxAndNullCount) {
  TestEvent a = MakeEvent("b", {{"user_id", "\xC3\xA9"}}, 100);  // é sorts after ASCII byte-wise
  a.event_time_ms = -7;
  TestEvent b = MakeEvent("a", {{"user_id", "z"}}, -100);
  TestEvent c = MakeEvent("c", {{"session_id", std::string(parquet::kMaxStatisticsValueBytes + 1, 'x')}}, 0);
  const FileMetaData m = Footer(EncodeEvents({}, {a, b, c}));
  const auto& id = *Chunk(m, 0, "event_id").statistics;
  EXPECT_EQ(id.min_value, "a");
  EXPECT_EQ(id.max_value, "c");
  EXPECT_EQ(id.null_count, 0);
  const auto& user = *Chunk(m, 0, "user_id").statistics;
  EXPECT_EQ(user.min_value, "z");
  EXPECT_EQ(user.max_value, "\xC3\xA9");
  EXPECT_EQ(user.null_count, 1);
  const auto& received = *Chunk(m, 0, "received_at").statistics;
  EXPECT_EQ(received.min_value, Int64Bytes(-100));  // signed comparison
  EXPECT_EQ(received.max_value, Int64Bytes(100));
  const auto& event_time = *Chunk(m, 0, "event_time").statistics;
  EXPECT_EQ(event_time.min_value, Int64Bytes(-7));
  EXPECT_EQ(event_time.null_count, 2);
  const auto& anon = *Chunk(m, 0, "anonymous_id").statistics;  // always null: no min/max
  EXPECT_FALSE(anon.min_value.has_value());
  EXPECT_EQ(anon.null_count, 3);
  const auto& session = *Chunk(m, 0, "session_id").statistics;  // too long for min/max
  EXPECT_FALSE(session.max_value.has_value());
  EXPECT_EQ(session.null_count, 2);
}

TEST(ParquetEncoderTest, SmallRowGroupBytesGiveManyRowGroupsInOrder) {
  EncodeOptions o;
  o.row_group_bytes = 4096;
  std::vector<TestEvent> events;
  for (int i = 0; i < 2000; ++i) {
    events.push_back(MakeEvent("e" + std::to_string(i), {{"n", std::to_string(i)}, {"m", "x"}}, i));
  }
  const std::string file = EncodeEvents(o, events);
  const FileMetaData m = Footer(file);
  EXPECT_GT(m.row_groups.size(), 5u);
  int64_t rows = 0;
  for (const auto& rg : m.row_groups) {
    EXPECT_LT(rg.total_byte_size, 3 * 4096);  // bounded by row_group_bytes (+ headers)
    rows += rg.num_rows;
  }
  EXPECT_EQ(rows, 2000);
  EXPECT_EQ(m.num_rows, 2000);
  const ParquetTable t = ReadAll(file);
  ASSERT_EQ(t.rows.size(), 2000u);
  for (int i = 0; i < 2000; ++i) {
    ASSERT_EQ(CellString(t, i, "event_id"), "e" + std::to_string(i));
    ASSERT_EQ(MapAt(t, i), (ParquetMap{{"n", std::to_string(i)}, {"m", "x"}}));
  }
}

class CodecTest : public testing::TestWithParam<ParquetCompression> {};

TEST_P(CodecTest, EveryCodecRoundTripsThroughTheReader) {
  EncodeOptions o;
  o.compression = GetParam();
  o.row_group_bytes = 64 << 10;
  std::vector<TestEvent> events;
  for (int i = 0; i < 3000; ++i) {
    events.push_back(MakeEvent("e" + std::to_string(i), {{"k" + std::to_string(i % 7), std::string(i % 50, 'v')}}));
  }
  const std::string file = EncodeEvents(o, events);
  const FileMetaData m = Footer(file);
  EXPECT_EQ(m.row_groups.at(0).columns.at(0).meta_data.codec, parquet::ToCodec(GetParam()));
  const ParquetTable t = ReadAll(file);
  ASSERT_EQ(t.rows.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_EQ(MapAt(t, i), (ParquetMap{{events[i].fields[3].first, events[i].fields[3].second}}));
  }
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecTest,
                         testing::Values(ParquetCompression::kNone, ParquetCompression::kSnappy,
                                         ParquetCompression::kGzip, ParquetCompression::kZstd));

TEST(ParquetEncoderTest, LargeMapsSpanningPagesKeepRowsWhole) {
  std::vector<TestEvent> events;
  for (int i = 0; i < 40; ++i) {
    parquet_test::Fields f;
    for (int k = 0; k < 200; ++k) f.emplace_back("key" + std::to_string(k), std::string(200, 'a' + (i + k) % 26));
    events.push_back(MakeEvent("e" + std::to_string(i), f));
  }
  const ParquetTable t = ReadAll(EncodeEvents({}, events));
  ASSERT_EQ(t.rows.size(), 40u);
  for (size_t i = 0; i < 40; ++i) {
    ParquetMap want;
    for (const auto& [k, v] : events[i].fields) {
      if (k.rfind("key", 0) == 0) want.push_back({k, v});
    }
    ASSERT_EQ(MapAt(t, i), want);
  }
}

TEST(ParquetEncoderTest, EmptyBatchIsAValidFileWithoutRows) {
  const std::string file = EncodeEvents({}, {});
  EXPECT_EQ(Footer(file).row_groups.size(), 0u);
  EXPECT_TRUE(ReadAll(file).rows.empty());
}

TEST(ParquetEncoderTest, RejectsRecordsThatAreNotEvents) {
  auto encoder = MakeParquetEncoder({});
  EventView v;
  v.fields = {{"event_type", "x"}, {"event_id", "y"}};
  EXPECT_EQ(encoder->Add(v).code(), Status::Code::kInvalidArgument);
  v.fields.push_back({"app_id", "z"});
  v.kind = RecordKind::kRejected;
  EXPECT_EQ(encoder->Add(v).code(), Status::Code::kInvalidArgument);
  v.kind = RecordKind::kEvent;
  EXPECT_TRUE(encoder->Add(v).ok());
  EXPECT_TRUE(encoder->Finish().ok());
  EXPECT_FALSE(encoder->Add(v).ok());
}

}  // namespace
}  // namespace tracklake
