// Wal::Recover: opening an existing log. Finds its segments, replays their records in order,
// cuts a torn tail and counts what could not be verified. Runs once, before the writer starts.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <limits>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/file_util.h"
#include "common/parse_number.h"
#include "wal/wal.h"
#include "wal/wal_record.h"

namespace tracklake {

namespace fs = std::filesystem;

namespace {

constexpr size_t kSeqDigits = 20;

// The first sequence number a file name gives with suffix: 20 digits, then the suffix.
// Sequence numbers start at 1 and fit 64 bits: other digits are no name of ours.
std::optional<uint64_t> SeqOfName(std::string_view name, std::string_view suffix) {
  if (name.size() != kSeqDigits + suffix.size() || !name.ends_with(suffix)) return std::nullopt;
  const std::optional<uint64_t> n = ParseDecimal<uint64_t>(name.substr(0, kSeqDigits));
  if (!n || *n == 0) return std::nullopt;
  return n;
}

}  // namespace

Status Wal::Recover(const std::function<void(const WalRecord&)>& replay) {
  Result<std::vector<std::pair<uint64_t, bool>>> listed = ListSegments();
  if (!listed.ok()) return listed.status();
  const std::vector<std::pair<uint64_t, bool>>& ids = *listed;
  uint64_t last_seq = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    const bool newest = i + 1 == ids.size();
    // A segment's records are numbered from its name up to the next segment's name: no record,
    // forged or damaged, can make the numbering jump past what the segments themselves say.
    const uint64_t max_seq = newest ? std::numeric_limits<uint64_t>::max() : ids[i + 1].first - 1;
    if (Status s = RecoverSegment(ids[i].first, ids[i].second, newest, max_seq, replay, last_seq); !s.ok()) return s;
  }
  next_seq_ = std::max<uint64_t>(last_seq + 1, ids.empty() ? 1 : ids.back().first);
  next_seq_public_ = next_seq_;
  return Status::Ok();
}

Result<std::vector<std::pair<uint64_t, bool>>> Wal::ListSegments() {
  std::vector<std::pair<uint64_t, bool>> ids;  // first_seq, recycled
  std::error_code ec;
  for (fs::directory_iterator it(options_.dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (auto n = SeqOfName(name, wal::kSegmentSuffix)) ids.emplace_back(*n, false);
    if (auto n = SeqOfName(name, wal::kRecycledSuffix)) ids.emplace_back(*n, true);
    // Spares from a previous run are dropped, not reused: their records' sequence numbers are
    // only known to be below this run's once a segment names them.
    if (SeqOfName(name, wal::kSpareSuffix)) ::unlink(it->path().c_str());
  }
  if (ec) return Status::IoError(fmt::format("list the write-ahead log directory {}: {}", options_.dir, ec.message()));
  // Empty files hold nothing (a segment made just before a crash): gone before the others'
  // bounds are taken from the names, so that a later recovery, without them, reads the same.
  std::erase_if(ids, [&](const std::pair<uint64_t, bool>& id) {
    const std::string path = SegmentPath(id.first, id.second);
    std::error_code size_ec;
    if (fs::file_size(path, size_ec) != 0 || size_ec) return false;
    ::unlink(path.c_str());
    return true;
  });
  std::sort(ids.begin(), ids.end());
  for (size_t i = 1; i < ids.size(); ++i) {
    // The writer never leaves both: which one holds the log's records is not for recovery to guess.
    if (ids[i].first == ids[i - 1].first) {
      return Status::Corruption(
          fmt::format("{} and {} both claim the write-ahead log's records from {}: move the "
                      "one that is not the log's aside",
                      SegmentPath(ids[i].first, false), SegmentPath(ids[i].first, true), ids[i].first));
    }
  }
  return ids;
}

Status Wal::RecoverSegment(uint64_t id, bool recycled, bool newest, uint64_t max_seq,
                           const std::function<void(const WalRecord&)>& replay, uint64_t& last_seq) {
  const std::string path = SegmentPath(id, recycled);
  Result<std::string> data = ReadFile(path);
  if (!data.ok()) return data.status();
  const wal::SegmentScan r = wal::ScanSegment(*data, id, recycled, max_seq, [&](const wal::ParsedRecord& rec) {
    replay(WalRecord{rec.type, rec.seq, WalPosition{id, rec.offset, static_cast<uint32_t>(rec.payload.size())},
                     rec.payload});
  });
  if (r.header == wal::HeaderCheck::kNewerFormat) {
    return Status::InvalidArgument(fmt::format(
        "write-ahead log segment {} has format {}; this build reads formats up to {}: run the tracklake that "
        "wrote it until its log is delivered, or a newer one",
        path, r.version, wal::kFormatVersion));
  }
  if (r.header == wal::HeaderCheck::kDamaged) {
    spdlog::error("write-ahead log segment {} has a damaged header: none of its {} bytes can be verified", path,
                  data->size());
  }
  if (r.skipped_bytes > 0) {
    corrupt_skipped_ += r.skipped_bytes;
    if (observer_.on_corrupt_skipped) observer_.on_corrupt_skipped(r.skipped_bytes);
    spdlog::warn("write-ahead log segment {} has {} damaged or torn bytes; skipped them and kept {} records", path,
                 r.skipped_bytes, r.records);
  }
  if (r.records > 0) last_seq = r.last_seq;
  uint64_t size = data->size();
  // Cut a torn tail so that the bytes after the last good record never confuse a later scan;
  // the newest segment without a record goes, so the next one can take its name.
  if (newest && r.valid_end < size) {
    if (::truncate(path.c_str(), static_cast<off_t>(r.valid_end)) != 0) {
      return Status::FromErrno("truncate " + path, errno);
    }
    size = r.valid_end;
  }
  if (r.records == 0 && size == 0) {
    ::unlink(path.c_str());
    return Status::Ok();
  }
  MutexLock lock(mu_);  // no other thread yet: taken for the members' contract, uncontended
  segments_[id] = Segment{id, r.records > 0 ? r.last_seq : id - 1, size, recycled, r.framing};
  disk_bytes_ += size;
  return Status::Ok();
}

}  // namespace tracklake
