// gzip (RFC 1952) through zlib: a streaming compressor for NDJSON files and a bounded
// decompressor for request bodies. Thread-compatible: one instance per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tracklake {

// Compresses everything passed to Write into out (appending), as one gzip member.
class GzipWriter {
 public:
  explicit GzipWriter(std::string& out, int level = 6);
  ~GzipWriter();
  GzipWriter(const GzipWriter&) = delete;
  GzipWriter& operator=(const GzipWriter&) = delete;
  Status Write(std::string_view data);
  Status Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::string& out_;
};

// Decompresses a gzip body. Stops with kInvalidArgument, reason kTooLarge, "decompressed body
// exceeds N bytes" as soon as the output would pass max_out (a gzip bomb costs at most max_out
// of memory); a body that is not gzip, or is cut short, is kInvalidArgument without a reason.
// Concatenated gzip members are accepted.
Status GunzipBounded(std::string_view in, uint64_t max_out, std::string& out);

}  // namespace tracklake
