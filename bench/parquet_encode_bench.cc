// parquet_encode_bench: times tracklake's Parquet encoder alone, for bench/parquet_encode (not a
// test, not installed). Reads NDJSON events (the format in src/encode/parquet/ndjson_event_line.h)
// from a file, turns every line into an event record and decodes every record into an
// EventView BEFORE any clock starts, then times MakeParquetEncoder -> Add (every event) -> Finish.
// Prints JSON lines on stdout: first {"events", "input_bytes"} once the input is loaded, then
// {"seconds", "file_bytes"} per encode: --repeat N encodes in a row, or with --on-demand 1 one
// encode per line read from stdin until EOF (so a caller can interleave other work between them,
// and load drift on a shared machine hits both sides alike). --output writes the last file (so
// the caller can check it with another reader).
//
//   parquet_encode_bench --input FILE [--repeat N | --on-demand 1] [--output FILE]
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "encode/parquet/ndjson_event_line.h"
#include "encode/parquet/parquet_encoder.h"

namespace tracklake {
namespace {

constexpr int kExitUsage = 2;
constexpr int kDefaultRepeat = 3;

int Fail(const std::string& msg, int code = 1) {
  std::cerr << "parquet_encode_bench: " << msg << "\n";
  return code;
}

struct Args {
  std::string input;
  std::string output;
  int repeat = kDefaultRepeat;
  bool on_demand = false;
};

bool ParseArgs(int argc, char** argv, Args& a) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string v = argv[i + 1];
    if (flag == "--input") a.input = v;
    else if (flag == "--output") a.output = v;
    else if (flag == "--repeat") a.repeat = std::max(1, std::atoi(v.c_str()));
    else if (flag == "--on-demand") a.on_demand = v == "1";
    else return false;
  }
  return argc % 2 == 1 && !a.input.empty();
}

int Run(int argc, char** argv) {
  Args a;
  if (!ParseArgs(argc, argv, a)) {
    return Fail("usage: --input FILE [--repeat N | --on-demand 1] [--output FILE]", kExitUsage);
  }
  std::ifstream in(a.input, std::ios::binary);
  if (!in) return Fail("cannot open " + a.input);
  const std::string ndjson((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  // Records are appended to one buffer first (it reallocates), then decoded into views, whose
  // string_views point into that buffer once it no longer moves.
  std::string records;
  std::vector<size_t> ends;
  simdjson::ondemand::parser parser;
  size_t start = 0;
  for (size_t n = 1; start < ndjson.size(); ++n) {
    const size_t nl = std::min(ndjson.find('\n', start), ndjson.size());
    const std::string_view line(ndjson.data() + start, nl - start);
    start = nl + 1;
    if (line.empty()) continue;
    const std::string error = AppendNdjsonEventRecord(parser, line, records);
    if (!error.empty()) return Fail("line " + std::to_string(n) + ": " + error);
    ends.push_back(records.size());
  }
  std::vector<EventView> views(ends.size());
  for (size_t i = 0, begin = 0; i < ends.size(); begin = ends[i], ++i) {
    Status s = DecodeEventRecord(std::string_view(records).substr(begin, ends[i] - begin), views[i]);
    if (!s.ok()) return Fail("record " + std::to_string(i) + ": " + s.ToString());
  }

  // Announces the input, then times one encode per repetition (or per stdin line when on demand).
  std::cout << "{\"events\": " << views.size() << ", \"input_bytes\": " << ndjson.size() << "}" << std::endl;
  std::string file, command;
  for (int r = 0; a.on_demand ? static_cast<bool>(std::getline(std::cin, command)) : r < a.repeat; ++r) {
    EncodeOptions options;  // ZSTD and dictionary encoding are the defaults
    const auto t0 = std::chrono::steady_clock::now();
    std::unique_ptr<BatchEncoder> encoder = MakeParquetEncoder(options);
    for (const EventView& v : views) {
      Status s = encoder->Add(v);
      if (!s.ok()) return Fail(s.ToString());
    }
    Result<std::string> out = encoder->Finish();
    const auto t1 = std::chrono::steady_clock::now();
    if (!out.ok()) return Fail(out.status().ToString());
    file = std::move(*out);
    std::cout << "{\"seconds\": " << std::chrono::duration<double>(t1 - t0).count()
              << ", \"file_bytes\": " << file.size() << "}" << std::endl;
  }
  if (!a.output.empty()) {
    std::ofstream f(a.output, std::ios::binary | std::ios::trunc);
    f.write(file.data(), static_cast<std::streamsize>(file.size()));
    if (!f) return Fail("cannot write " + a.output);
  }
  return 0;
}

}  // namespace
}  // namespace tracklake

int main(int argc, char** argv) { return tracklake::Run(argc, argv); }
