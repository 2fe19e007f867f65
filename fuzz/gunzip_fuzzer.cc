// libFuzzer target: GunzipBounded (request bodies with Content-Encoding: gzip) on arbitrary
// bytes, and a round trip through GzipWriter. Invariants: the output never exceeds the bound
// (a gzip bomb costs at most max_out); a failure says why; whatever the writer compresses
// comes back byte for byte, and refusing it under a smaller bound says "exceeds".
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/gzip.h"
#include "fuzz_check.h"

namespace tracklake {
namespace {

constexpr uint64_t kSmallBound = 1024;
constexpr uint64_t kLargeBound = 1 << 20;

void CheckBounded(std::string_view in, uint64_t max_out) {
  std::string out;
  const Status s = GunzipBounded(in, max_out, out);
  if (s.ok()) {
    FUZZ_CHECK(out.size() <= max_out, "decompressed past the bound");
  } else {
    FUZZ_CHECK(!s.message().empty(), "failure without a message");
  }
}

void CheckRoundTrip(std::string_view plain) {
  std::string packed;
  {
    GzipWriter w(packed);
    FUZZ_CHECK(w.Write(plain).ok() && w.Finish().ok(), "compression failed");
  }
  std::string out;
  FUZZ_CHECK(GunzipBounded(packed, plain.size(), out).ok() && out == plain, "round trip changed the data");
  if (!plain.empty()) {
    const Status s = GunzipBounded(packed, plain.size() - 1, out);
    FUZZ_CHECK(!s.ok() && s.message().find("exceeds") != std::string::npos, "bound not enforced");
  }
}

}  // namespace
}  // namespace tracklake

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  tracklake::CheckBounded(in, tracklake::kSmallBound);
  tracklake::CheckBounded(in, tracklake::kLargeBound);
  tracklake::CheckRoundTrip(in);
  return 0;
}
