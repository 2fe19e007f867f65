#include "encode/parquet/compression.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <limits>
#include <memory>

namespace tracklake::parquet {
namespace {

// windowBits: 15 = 32 KiB window; +16 selects gzip framing; +32 auto-detects zlib or gzip.
constexpr int kDeflateWindowBits = 15 + 16;
constexpr int kInflateWindowBits = 15 + 32;
constexpr int kDeflateMemLevel = 8;

Status GzipCompress(std::string_view in, std::string& out) {
  z_stream zs{};
  if (deflateInit2(&zs, kGzipLevel, Z_DEFLATED, kDeflateWindowBits, kDeflateMemLevel, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::InvalidArgument("deflateInit2 failed");
  }
  out.resize(deflateBound(&zs, in.size()));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return Status::InvalidArgument("gzip compression failed");
  return Status::Ok();
}

Status GzipDecompress(std::string_view in, size_t size, std::string& out) {
  z_stream zs{};
  if (inflateInit2(&zs, kInflateWindowBits) != Z_OK) return Status::Corruption("inflateInit2 failed");
  out.resize(size);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&zs, Z_FINISH);
  // A zero-length page still has a complete (empty) gzip stream.
  const bool done = rc == Z_STREAM_END && zs.total_out == size;
  inflateEnd(&zs);
  if (!done) return Status::Corruption("gzip page is malformed or has the wrong size");
  return Status::Ok();
}

}  // namespace

Codec ToCodec(ParquetCompression compression) {
  switch (compression) {
    case ParquetCompression::kNone: return Codec::kUncompressed;
    case ParquetCompression::kSnappy: return Codec::kSnappy;
    case ParquetCompression::kGzip: return Codec::kGzip;
    case ParquetCompression::kZstd: return Codec::kZstd;
  }
  return Codec::kUncompressed;
}

std::string_view CodecName(Codec codec) {
  switch (codec) {
    case Codec::kUncompressed: return "UNCOMPRESSED";
    case Codec::kSnappy: return "SNAPPY";
    case Codec::kGzip: return "GZIP";
    case Codec::kZstd: return "ZSTD";
  }
  return "UNKNOWN";
}

Status Compress(Codec codec, std::string_view in, std::string& out) {
  if (in.size() > std::numeric_limits<uInt>::max()) return Status::InvalidArgument("page too large");
  switch (codec) {
    case Codec::kUncompressed: out.assign(in); return Status::Ok();
    case Codec::kSnappy:
      out.clear();
      snappy::Compress(in.data(), in.size(), &out);
      return Status::Ok();
    case Codec::kGzip: return GzipCompress(in, out);
    case Codec::kZstd: {
      out.resize(ZSTD_compressBound(in.size()));
      // One context per thread, reused: ZSTD_compress would allocate and initialise a fresh
      // one (its tables are about 1 MiB for a 1 MiB page) on every page.
      struct FreeCCtx {
        void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
      };
      thread_local const std::unique_ptr<ZSTD_CCtx, FreeCCtx> cctx(ZSTD_createCCtx());
      if (!cctx) return Status::InvalidArgument("zstd: cannot allocate a compression context");
      const size_t n = ZSTD_compressCCtx(cctx.get(), out.data(), out.size(), in.data(), in.size(), kZstdLevel);
      if (ZSTD_isError(n)) return Status::InvalidArgument(std::string("zstd: ") + ZSTD_getErrorName(n));
      out.resize(n);
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("unsupported codec");
}

Status Decompress(Codec codec, std::string_view in, size_t uncompressed_size, std::string& out) {
  if (in.size() > std::numeric_limits<uInt>::max()) return Status::Corruption("page too large");
  switch (codec) {
    case Codec::kUncompressed:
      if (in.size() != uncompressed_size) return Status::Corruption("uncompressed page size mismatch");
      out.assign(in);
      return Status::Ok();
    case Codec::kSnappy: {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(in.data(), in.size(), &n) || n != uncompressed_size ||
          !snappy::IsValidCompressedBuffer(in.data(), in.size())) {
        return Status::Corruption("snappy page is malformed or has the wrong size");
      }
      out.resize(n);
      if (!snappy::RawUncompress(in.data(), in.size(), out.data())) {
        return Status::Corruption("snappy page is malformed");
      }
      return Status::Ok();
    }
    case Codec::kGzip: return GzipDecompress(in, uncompressed_size, out);
    case Codec::kZstd: {
      out.resize(uncompressed_size);
      const size_t n = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
      if (ZSTD_isError(n) || n != uncompressed_size) {
        return Status::Corruption("zstd page is malformed or has the wrong size");
      }
      return Status::Ok();
    }
  }
  return Status::Corruption("unsupported compression codec " + std::to_string(static_cast<int>(codec)));
}

}  // namespace tracklake::parquet
