// parquet_encode_tool: test fixture (not installed). Reads NDJSON events from stdin, one flat
// JSON object of string values per line, and writes one Parquet file with tracklake's encoder.
//
// The line format is in ndjson_event_line.h.
//
//   parquet_encode_tool [--compression none|snappy|gzip|zstd] [--columns a,b] [--row-group-bytes N]
//                       [--node-id ID] [--first-seq N] [--last-seq N] [--output FILE]
//   parquet_encode_tool --inspect FILE [--rows N]
#include <simdjson.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "encode/parquet/ndjson_event_line.h"
#include "encode/parquet/parquet_encoder.h"
#include "encode/parquet/parquet_inspect.h"

namespace tracklake {
namespace {

constexpr size_t kDefaultInspectRows = 10;
constexpr int kExitUsage = 2;

struct Args {
  EncodeOptions options;
  std::string output;
  std::string inspect;
  size_t rows = kDefaultInspectRows;
};

int Fail(const std::string& msg, int code = 1) {
  std::cerr << "parquet_encode_tool: " << msg << "\n";
  return code;
}

bool ParseArgs(int argc, char** argv, Args& a, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      error = "missing value for " + flag;
      return false;
    }
    const std::string v = argv[++i];
    try {
      if (flag == "--compression") {
        if (v == "none") a.options.compression = ParquetCompression::kNone;
        else if (v == "snappy") a.options.compression = ParquetCompression::kSnappy;
        else if (v == "gzip") a.options.compression = ParquetCompression::kGzip;
        else if (v == "zstd") a.options.compression = ParquetCompression::kZstd;
        else throw std::invalid_argument(v);
      } else if (flag == "--columns") {
        size_t start = 0;
        while (start <= v.size() && !v.empty()) {
          const size_t comma = std::min(v.find(',', start), v.size());
          a.options.declared_columns.push_back(v.substr(start, comma - start));
          start = comma + 1;
        }
      } else if (flag == "--row-group-bytes") {
        a.options.row_group_bytes = std::stoull(v);
      } else if (flag == "--node-id") {
        a.options.node_id = v;
      } else if (flag == "--first-seq") {
        a.options.first_seq = std::stoull(v);
      } else if (flag == "--last-seq") {
        a.options.last_seq = std::stoull(v);
      } else if (flag == "--output") {
        a.output = v;
      } else if (flag == "--inspect") {
        a.inspect = v;
      } else if (flag == "--rows") {
        a.rows = std::stoull(v);
      } else {
        error = "unknown flag " + flag;
        return false;
      }
    } catch (const std::exception&) {
      error.assign("bad value for ").append(flag).append(": ").append(v);
      return false;
    }
  }
  return true;
}

int Inspect(const Args& a) {
  std::ifstream in(a.inspect, std::ios::binary);
  if (!in) return Fail("cannot open " + a.inspect);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string report;
  Status s = InspectParquet(bytes, a.rows, report);
  std::cout << report;
  return s.ok() ? 0 : Fail(s.ToString());
}

int Run(int argc, char** argv) {
  std::ios::sync_with_stdio(false);  // getline on a synced cin is several times slower
  Args a;
  std::string error;
  if (!ParseArgs(argc, argv, a, error)) return Fail(error, kExitUsage);
  if (!a.inspect.empty()) return Inspect(a);
  std::unique_ptr<BatchEncoder> encoder = MakeParquetEncoder(a.options);
  simdjson::ondemand::parser parser;
  std::string line, record;
  EventView view;
  for (size_t n = 1; std::getline(std::cin, line); ++n) {
    if (line.empty()) continue;
    record.clear();
    error = AppendNdjsonEventRecord(parser, line, record);
    if (!error.empty()) return Fail("line " + std::to_string(n) + ": " + error);
    Status s = DecodeEventRecord(record, view);
    if (s.ok()) s = encoder->Add(view);
    if (!s.ok()) return Fail("line " + std::to_string(n) + ": " + s.ToString());
  }
  Result<std::string> file = encoder->Finish();
  if (!file.ok()) return Fail(file.status().ToString());
  if (a.output.empty()) {
    std::cout.write(file->data(), static_cast<std::streamsize>(file->size()));
    return std::cout.good() ? 0 : Fail("write failed");
  }
  std::ofstream out(a.output, std::ios::binary | std::ios::trunc);
  out.write(file->data(), static_cast<std::streamsize>(file->size()));
  out.close();
  return out ? 0 : Fail("cannot write " + a.output);
}

}  // namespace
}  // namespace tracklake

int main(int argc, char** argv) { return tracklake::Run(argc, argv); }
