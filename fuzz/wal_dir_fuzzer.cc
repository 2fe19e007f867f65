// libFuzzer target: recovery of a whole write-ahead log directory (Wal::Open over segment, recycled
// segment and spare files), not one record stream. The input describes up to 8 files:
//   per file: u8 kind (low bits: 0 or 3 ".wal", 1 ".r.wal", 2 ".spare"; +4: format-2 records with a
//             header and a salt taken from the input, +8: as format-1 records), u8 name step (the
//             file's number is the previous one's plus this, so names mostly rise), u16 length,
//             then length bytes: raw file contents, or for framed files records of
//             u8 type, u8 sequence step, u8 payload length, payload
// Invariants beyond "no crash":
//   - replayed sequence numbers rise, each record lies in a segment named at or below it and
//     below the next (non-empty) segment's name;
//   - Wal::ReadEvents gives back every replayed payload at its position;
//   - the next append's sequence number is above every replayed one;
//   - recovery is stable: reopening replays exactly the same records plus the one appended
//     (truncating torn tails and dropping spares never changes what a later recovery sees).
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "fuzz_check.h"
#include "wal/wal.h"
#include "wal/wal_record.h"

namespace tracklake {
namespace {

namespace fs = std::filesystem;

struct Replayed {
  wal::RecordType type;
  uint64_t seq;
  WalPosition position;
  std::string payload;
  bool operator==(const Replayed& o) const {
    return type == o.type && seq == o.seq && position.segment == o.position.segment &&
           position.offset == o.position.offset && payload == o.payload;
  }
};

class Input {
 public:
  explicit Input(std::string_view data) : data_(data) {}
  bool empty() const { return data_.empty(); }
  uint8_t U8() {
    if (data_.empty()) return 0;
    const auto v = static_cast<uint8_t>(data_[0]);
    data_.remove_prefix(1);
    return v;
  }
  std::string_view Bytes(size_t n) {
    n = std::min(n, data_.size());
    const std::string_view v = data_.substr(0, n);
    data_.remove_prefix(n);
    return v;
  }

 private:
  std::string_view data_;
};

// Records described by the input, framed for a segment starting at first_seq.
std::string Framed(std::string_view spec, uint64_t first_seq, const wal::Framing& framing) {
  Input in(spec);
  std::string out;
  uint64_t seq = first_seq;
  while (!in.empty()) {
    const auto type = static_cast<wal::RecordType>(1 + in.U8() % 3);
    seq += in.U8() % 4 == 0 ? 1 : 0;  // mostly the same step: every record one more
    const std::string_view payload = in.Bytes(in.U8());
    wal::AppendRecord(out, framing, type, seq++, payload);
  }
  return out;
}

fs::path MakeDirectory(std::string_view data) {
  static const fs::path base = [] {
    const fs::path shm = "/dev/shm";
    return fs::path(fs::exists(shm) ? shm : fs::temp_directory_path()) / fmt::format("wal_dir_fuzzer-{}", ::getpid());
  }();
  fs::remove_all(base);
  fs::create_directories(base);
  Input in(data);
  uint64_t id = 0;
  for (int files = 0; files < 8 && !in.empty(); ++files) {
    const uint8_t kind = in.U8();
    id += in.U8();
    const size_t length = in.U8() | (size_t{in.U8()} << 8);
    const std::string_view body = in.Bytes(length);
    std::string contents;
    if (kind & 4) {
      const uint64_t salt = 0x5a17'0000'0000'0000 | length;
      wal::AppendSegmentHeader(contents, wal::SegmentHeader{id, salt});
      contents += Framed(body, id, wal::Framing::Salted(salt));
    } else if (kind & 8) {
      contents = Framed(body, id, wal::Framing::Legacy());
    } else {
      contents = std::string(body);
    }
    const int name_kind = (kind & 3) % 3;
    const char* suffix = name_kind == 0   ? wal::kSegmentSuffix
                         : name_kind == 1 ? wal::kRecycledSuffix
                                          : wal::kSpareSuffix;
    std::ofstream(base / fmt::format("{:020d}{}", id, suffix), std::ios::binary) << contents;
  }
  return base;
}

std::vector<uint64_t> SegmentNames(const fs::path& dir) {
  std::vector<uint64_t> ids;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    // Empty files hold nothing and bound nothing (recovery removes them first).
    if (name.ends_with(wal::kSegmentSuffix) && fs::file_size(e.path()) > 0)
      ids.push_back(std::stoull(name.substr(0, 20)));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<std::unique_ptr<Wal>> Open(const fs::path& dir, std::vector<Replayed>& out) {
  WalOptions o;
  o.dir = dir.string();
  o.segment_bytes = 64 << 10;
  o.max_bytes = 64 << 20;
  o.fsync = false;
  o.direct_io = false;
  return Wal::Open(o, {}, [&](const WalRecord& r) {
    out.push_back(Replayed{r.type, r.seq, r.position, std::string(r.payload)});
  });
}

void Check(std::string_view data) {
  const fs::path dir = MakeDirectory(data);
  const std::vector<uint64_t> names = SegmentNames(dir);
  std::vector<Replayed> first;
  Result<std::unique_ptr<Wal>> wal = Open(dir, first);
  if (!wal.ok()) return;  // refused whole (two files of one name, a newer format): nothing replayed
  uint64_t prev = 0;
  std::vector<WalPosition> positions;
  for (const Replayed& r : first) {
    FUZZ_CHECK(r.seq > prev, "replayed sequence numbers do not rise");
    prev = r.seq;
    const auto it = std::upper_bound(names.begin(), names.end(), r.position.segment);
    FUZZ_CHECK(it != names.begin() && *(it - 1) == r.position.segment, "a record in no segment file");
    FUZZ_CHECK(r.seq >= r.position.segment, "a record numbered below its segment's name");
    FUZZ_CHECK(it == names.end() || r.seq < *it, "a record numbered at or above the next segment's name");
    positions.push_back(r.position);
  }
  size_t read = 0;
  const Status s = (*wal)->ReadEvents(positions, [&](size_t i, std::string_view payload) {
    FUZZ_CHECK(payload == first[i].payload, "ReadEvents gives back another payload");
    ++read;
  });
  FUZZ_CHECK(s.ok() && read == first.size(), "ReadEvents cannot read a replayed record");

  std::promise<uint64_t> appended;
  FUZZ_CHECK((*wal)
                 ->Append("next", {{0, 4}},
                          [&](const Status& st, uint64_t seq, std::span<const WalPosition>) {
                            appended.set_value(st.ok() ? seq : 0);
                          })
                 .ok(),
             "append refused");
  const uint64_t next = appended.get_future().get();
  FUZZ_CHECK(next > prev, "the next append reuses a replayed sequence number");
  wal->reset();  // closes the log

  std::vector<Replayed> second;
  Result<std::unique_ptr<Wal>> again = Open(dir, second);
  FUZZ_CHECK(again.ok(), "a log recovered once does not open again");
  FUZZ_CHECK(second.size() == first.size() + 1, "a second recovery replays another number of records");
  for (size_t i = 0; i < first.size(); ++i) FUZZ_CHECK(second[i] == first[i], "a second recovery differs");
  FUZZ_CHECK(second.back().seq == next && second.back().payload == "next", "the appended record is not replayed");
}

}  // namespace
}  // namespace tracklake

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // recovery warns about every damaged byte
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tracklake::Check(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
