#include <gtest/gtest.h>

#include <random>

#include "encode/parquet/parquet_inspect.h"
#include "encode/parquet/parquet_test_util.h"

namespace tracklake {
namespace {

using parquet_test::EncodeEvents;
using parquet_test::MakeEvent;

std::string SampleFile(ParquetCompression codec = ParquetCompression::kZstd) {
  EncodeOptions o;
  o.compression = codec;
  o.row_group_bytes = 2048;
  o.node_id = "n1";
  std::vector<parquet_test::TestEvent> events;
  for (int i = 0; i < 60; ++i) {
    events.push_back(
        MakeEvent("e" + std::to_string(i), {{"user_id", "u" + std::to_string(i % 4)}, {"p", "v\n\"q\""}}));
  }
  events[0].event_time_ms = 0;
  return EncodeEvents(o, events);
}

TEST(ParquetReaderTest, RejectsFilesWithoutMagic) {
  EXPECT_EQ(ReadParquetRows("").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(ReadParquetRows("PAR1PAR1PAR1").status().code(), Status::Code::kCorruption);
  std::string f = SampleFile();
  f[0] = 'X';
  EXPECT_EQ(ReadParquetRows(f).status().code(), Status::Code::kCorruption);
}

TEST(ParquetReaderTest, FooterLengthPastTheFileIsCorruption) {
  std::string f = SampleFile();
  f[f.size() - 8] = '\xff';
  f[f.size() - 7] = '\xff';
  EXPECT_EQ(ReadParquetRows(f).status().code(), Status::Code::kCorruption);
}

TEST(ParquetReaderTest, MaxRowsLimitsDecodedRows) {
  const std::string f = SampleFile();
  Result<ParquetTable> t = ReadParquetRows(f, 3);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->rows.size(), 3u);
  EXPECT_EQ(ReadParquetRows(f)->rows.size(), 60u);
}

TEST(ParquetReaderTest, TruncatedFilesFailCleanly) {
  const std::string f = SampleFile();
  for (size_t n = 0; n < f.size(); n += 7) {
    Result<ParquetTable> t = ReadParquetRows(std::string_view(f).substr(0, n));
    EXPECT_FALSE(t.ok()) << n;
  }
}

// A cheap in-test fuzzer: random byte mutations of valid files of every codec must never
// crash the reader or the inspector (run under ASan/UBSan in CI's sanitizer preset).
TEST(ParquetReaderTest, MutatedFilesNeverCrash) {
  std::mt19937 rng(7);
  for (ParquetCompression codec : {ParquetCompression::kNone, ParquetCompression::kSnappy, ParquetCompression::kGzip,
                                   ParquetCompression::kZstd}) {
    const std::string f = SampleFile(codec);
    size_t failures = 0;
    for (int iter = 0; iter < 400; ++iter) {
      std::string m = f;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < flips; ++k) m[rng() % m.size()] = static_cast<char>(rng());
      Result<ParquetTable> t = ReadParquetRows(m);
      failures += !t.ok();
      std::string report;
      (void)InspectParquet(m, 5, report);
    }
    EXPECT_GT(failures, 0u);  // mutations are detected at least sometimes
  }
}

TEST(ParquetInspectTest, ReportsSchemaRowGroupsStatisticsAndRows) {
  const std::string f = SampleFile();
  std::string out;
  ASSERT_TRUE(InspectParquet(f, 2, out).ok());
  EXPECT_NE(out.find("created_by tracklake version 0.1.0"), std::string::npos) << out;
  EXPECT_NE(out.find("tracklake.node_id = n1"), std::string::npos);
  EXPECT_NE(out.find("received_at required INT64 (TIMESTAMP unit=ms utc=true)"), std::string::npos);
  EXPECT_NE(out.find("properties optional group (MAP)"), std::string::npos);
  EXPECT_NE(out.find("row group 1:"), std::string::npos);
  EXPECT_NE(out.find("encodings=PLAIN,RLE_DICTIONARY,RLE"), std::string::npos);
  EXPECT_NE(out.find("null_count=0 min=\"u0\" max=\"u3\""), std::string::npos);
  EXPECT_NE(out.find("first 2 rows:"), std::string::npos);
  EXPECT_NE(out.find("\"event_time\": \"1970-01-01T00:00:00.000Z\""), std::string::npos);
  EXPECT_NE(out.find("\"properties\": {\"p\": \"v\\n\\\"q\\\"\"}"), std::string::npos);
  EXPECT_EQ(out.find("\"e2\""), std::string::npos);  // only two rows
}

TEST(ParquetInspectTest, GarbageIsAnErrorNotACrash) {
  std::string out;
  EXPECT_FALSE(InspectParquet("not parquet at all", 10, out).ok());
}

}  // namespace
}  // namespace tracklake
