// parquet_encode_tool: test fixture (not installed). Reads NDJSON events from stdin, one flat
// JSON object of string values per line, and writes one Parquet file with tracklake's encoder.
//
// Each object must have string fields event_type, event_id and app_id; they lead the record,
// the other fields follow in input order. "received_at" (integer epoch ms) sets the record's
// receive time and is not a field; "event_time" (RFC 3339 string) stays a field and also sets
// the event time, as the HTTP stage does.
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

#include "common/time_util.h"
#include "encode/parquet/parquet_encoder.h"
#include "encode/parquet/parquet_inspect.h"

namespace tracklake {
namespace {

constexpr size_t kDefaultInspectRows = 10;
constexpr int kExitUsage = 2;
constexpr std::string_view kLeading[] = {"event_type", "event_id", "app_id"};

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
      error = "bad value for " + flag + ": " + v;
      return false;
    }
  }
  return true;
}

// Builds one event record from a JSON object line; returns an error message or "".
std::string LineToRecord(simdjson::ondemand::parser& parser, const std::string& line, std::string& record) {
  simdjson::padded_string padded(line);
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc)) return "invalid JSON";
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return "line is not a JSON object";
  std::vector<std::pair<std::string, std::string>> fields;
  int64_t received_at = 0;
  for (auto f : obj) {
    std::string_view key;
    if (f.unescaped_key().get(key)) return "bad key";
    if (key == "received_at") {
      if (f.value().get_int64().get(received_at)) return "received_at must be an integer";
      continue;
    }
    std::string_view value;
    if (f.value().get_string().get(value)) return "value of " + std::string(key) + " is not a string";
    fields.emplace_back(std::string(key), std::string(value));
  }
  EventRecordBuilder b(record);
  int64_t event_time = kNoEventTime;
  for (const auto& [k, v] : fields) {
    if (k != "event_time") continue;
    if (auto t = ParseRfc3339Millis(v)) event_time = *t;
    else return "event_time is not RFC 3339";
  }
  b.Begin(RecordKind::kEvent, received_at, event_time);
  for (std::string_view lead : kLeading) {
    auto it = std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.first == lead; });
    if (it == fields.end()) {
      b.Abort();
      return "missing " + std::string(lead);
    }
    b.Add(it->first, it->second);
  }
  for (const auto& [k, v] : fields) {
    if (std::find(std::begin(kLeading), std::end(kLeading), k) == std::end(kLeading)) b.Add(k, v);
  }
  b.Finish();
  return "";
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
    error = LineToRecord(parser, line, record);
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
