#include "common/gzip.h"

#include <zlib.h>

#include <fmt/format.h>

namespace tracklake {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // 15-bit window, gzip framing
constexpr int kAutoWindowBits = 15 + 32;  // accept gzip or zlib framing
constexpr size_t kChunk = 64 * 1024;

}  // namespace

struct GzipWriter::State {
  z_stream zs{};
  bool finished = false;
};

GzipWriter::GzipWriter(std::string& out, int level) : state_(std::make_unique<State>()), out_(out) {
  deflateInit2(&state_->zs, level, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY);
}

GzipWriter::~GzipWriter() { deflateEnd(&state_->zs); }

Status GzipWriter::Write(std::string_view data) {
  z_stream& zs = state_->zs;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  while (zs.avail_in > 0) {
    const size_t before = out_.size();
    out_.resize(before + kChunk);
    zs.next_out = reinterpret_cast<Bytef*>(out_.data() + before);
    zs.avail_out = kChunk;
    if (deflate(&zs, Z_NO_FLUSH) == Z_STREAM_ERROR) return Status::IoError("gzip deflate failed");
    out_.resize(before + kChunk - zs.avail_out);
  }
  return Status::Ok();
}

Status GzipWriter::Finish() {
  z_stream& zs = state_->zs;
  zs.avail_in = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    const size_t before = out_.size();
    out_.resize(before + kChunk);
    zs.next_out = reinterpret_cast<Bytef*>(out_.data() + before);
    zs.avail_out = kChunk;
    rc = deflate(&zs, Z_FINISH);
    if (rc == Z_STREAM_ERROR) return Status::IoError("gzip deflate failed");
    out_.resize(before + kChunk - zs.avail_out);
  }
  return Status::Ok();
}

Status GunzipBounded(std::string_view in, uint64_t max_out, std::string& out) {
  out.clear();
  z_stream zs{};
  if (inflateInit2(&zs, kAutoWindowBits) != Z_OK) return Status::IoError("inflateInit failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  Status status;
  for (;;) {
    const size_t before = out.size();
    const size_t room = std::min<uint64_t>(kChunk, max_out + 1 - before);
    out.resize(before + room);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + before);
    zs.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    out.resize(before + room - zs.avail_out);
    if (out.size() > max_out) {
      status = Status::TooLarge(fmt::format("decompressed body exceeds {} bytes", max_out));
      break;
    }
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      inflateReset(&zs);  // another gzip member follows
      continue;
    }
    if (rc != Z_OK) {
      status = Status::InvalidArgument("body is not valid gzip");
      break;
    }
    if (zs.avail_in == 0 && zs.avail_out != 0) {
      status = Status::InvalidArgument("gzip body is truncated");
      break;
    }
  }
  inflateEnd(&zs);
  return status;
}

}  // namespace tracklake
