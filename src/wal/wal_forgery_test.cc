// Records forged by a client: an event's value laid out as log records, left in a recycled
// segment's stale tail (the bytes after the new generation's last record), as a kill -9 in
// page-cache mode leaves them. Recovery must replay none of them and lose no genuine record
// after them, in both I/O modes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "common/crc32c.h"
#include "common/test_path.h"
#include "wal/wal.h"

namespace tracklake {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kForgedSeq = 1'000'000'000'000;

void PutLe(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

// The attacker's layout: a record header (masked CRC-32C, length, type, sequence number) and
// payload. checksum_from: where the checksummed bytes begin in the header (8: type and sequence,
// as format 1; 4: length, type and sequence, as format 2); salt: prepended to the checksummed
// bytes when given (the attacker's guess of a segment's salt: never on disk where they can see).
std::string Forge(uint64_t seq, std::string_view payload, int checksum_from, std::optional<uint64_t> salt) {
  std::string rec;
  PutLe(rec, 0, 4);
  PutLe(rec, payload.size(), 4);
  rec.push_back(static_cast<char>(wal::RecordType::kEvent));
  PutLe(rec, seq, 8);
  rec.append(payload);
  std::string salted;
  if (salt) PutLe(salted, *salt, 8);
  salted.append(rec.substr(checksum_from));
  const uint32_t masked = crc32c::Mask(crc32c::Value(salted.data(), salted.size()));
  for (int i = 0; i < 4; ++i) rec[i] = static_cast<char>(masked >> (8 * i));
  return rec;
}

// Runs of forged records back to back, rising sequence numbers, in every layout an attacker
// might try.
std::string ForgedRun() {
  std::string run;
  uint64_t seq = kForgedSeq;
  for (int i = 0; i < 8; ++i) {
    run += Forge(seq++, "forged-v1-" + std::to_string(i), 8, std::nullopt);
  }
  for (int i = 0; i < 8; ++i) run += Forge(seq++, "forged-v2-" + std::to_string(i), 4, uint64_t{0});
  return run;
}

class WalForgeryTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    dir_ = TestPath("wal_forgery");
    fs::remove_all(dir_);
    options_.dir = dir_.string();
    options_.segment_bytes = 1 << 20;
    options_.direct_io = GetParam();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Wal> Open(std::map<uint64_t, std::string>* replayed) {
    auto r = Wal::Open(options_, {}, [&](const WalRecord& rec) {
      if (replayed) (*replayed)[rec.seq] = std::string(rec.payload);
    });
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return std::move(r).value();
  }

  std::pair<uint64_t, WalPosition> AppendSync(Wal& wal, const std::string& payload) {
    std::promise<std::pair<uint64_t, WalPosition>> done;
    const Status s = wal.Append(payload, {{0, static_cast<uint32_t>(payload.size())}},
                                [&](const Status& st, uint64_t first, std::span<const WalPosition> ps) {
                                  EXPECT_TRUE(st.ok()) << st.ToString();
                                  done.set_value({first, ps[0]});
                                });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return done.get_future().get();
  }

  size_t Spares() const {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir_)) n += e.path().filename().string().ends_with(".spare");
    return n;
  }

  fs::path dir_;
  WalOptions options_;
};

TEST_P(WalForgeryTest, ForgedRecordsInARecycledSegmentsStaleTailAreNeverReplayed) {
  std::map<uint64_t, std::string> appended;
  std::map<uint64_t, uint64_t> segment_end;  // recycled segment -> end of its last record
  uint64_t last_genuine = 0;
  {
    auto wal = Open(nullptr);
    uint64_t last = 0;
    for (int i = 0; i < 30; ++i) {
      const std::string payload(100'000, 'o');
      last = AppendSync(*wal, payload).first;
      appended[last] = payload;
    }
    wal->Release(last + 1);
    for (int i = 0; i < 200 && Spares() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_GE(Spares(), 2u);
    // Shorter records than the stale ones: every recycled segment ends amid the older bytes.
    for (int i = 0; i < 40; ++i) {
      const std::string payload = "new-" + std::to_string(i) + std::string(70'000, 'n');
      const auto [seq, pos] = AppendSync(*wal, payload);
      appended[seq] = payload;
      last_genuine = seq;
      segment_end[pos.segment] = pos.offset + wal::kHeaderSize + pos.size;
    }
    wal->Close();
  }
  // Forged records right where each recycled segment's own records end, except in the last
  // segment: the ones before it are followed by segments of genuine, acknowledged records.
  const uint64_t newest = segment_end.rbegin()->first;
  size_t planted = 0;
  for (const auto& [id, end] : segment_end) {
    const fs::path path = dir_ / fmt::format("{:020d}.r.wal", id);
    if (id == newest || !fs::exists(path)) continue;
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(end));
    const std::string run = ForgedRun();
    f.write(run.data(), static_cast<std::streamsize>(run.size()));
    ++planted;
  }
  ASSERT_GE(planted, 1u) << "no recycled segment was followed by another: the test tests nothing";

  std::map<uint64_t, std::string> replayed;
  auto wal = Open(&replayed);
  size_t forged = 0;
  for (const auto& [seq, payload] : replayed) {
    auto it = appended.find(seq);
    if (it == appended.end() || payload != it->second) ++forged;
  }
  EXPECT_EQ(forged, 0u) << "forged records replayed";
  // Every record of the second generation (acknowledged, in segments after the forged runs).
  size_t lost = 0;
  for (auto it = appended.upper_bound(last_genuine - 40); it != appended.end(); ++it)
    lost += replayed.count(it->first) == 0;
  EXPECT_EQ(lost, 0u) << "acknowledged records lost, of 40";
  EXPECT_EQ(AppendSync(*wal, "after").first, last_genuine + 1) << "the sequence jumped forward";
}

const auto kIoName = [](const ::testing::TestParamInfo<bool>& info) { return info.param ? "Direct" : "Buffered"; };
INSTANTIATE_TEST_SUITE_P(Io, WalForgeryTest, ::testing::Bool(), kIoName);

}  // namespace
}  // namespace tracklake
