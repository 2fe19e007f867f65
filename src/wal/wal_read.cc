// Wal::ReadEvents: delivery reading a sealed batch's events back from the log's segments.
#include "wal/wal.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <tuple>

#include <fmt/format.h>

#include "wal/wal_record.h"

namespace tracklake {

namespace {

// ReadEvents reads segments through a window of this size...
constexpr uint64_t kReadWindowBytes = 1 << 20;
// ...directly when the batch needs at least 1/kDenseReadRatio of the bytes the window spans.
constexpr uint64_t kDenseReadRatio = 4;

}  // namespace

Status Wal::ReadEvents(std::span<const WalPosition> positions,
                       const std::function<void(size_t, std::string_view)>& fn) const {
  std::vector<size_t> order(positions.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  // File order, so that the read window only moves forward.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::tie(positions[a].segment, positions[a].offset) < std::tie(positions[b].segment, positions[b].offset);
  });
  // A batch's records sit close together in a segment, interleaved with other partitions', so
  // they are read through a window of kReadWindowBytes: one pread per window instead of one per
  // event. A window is read directly (the log is not in the page cache when written directly;
  // block-aligned) when this batch needs much of it; otherwise through the page cache, where the
  // batches of the other event types sealed with it find the same bytes: with 20 types, direct
  // reads would read the log 20 times.
  int fds[2] = {-1, -1};  // the open segment's: [0] through the page cache, [1] direct; on first use
  const auto close_fds = [&] {
    for (int& f : fds) {
      if (f >= 0) ::close(f);
      f = -1;
    }
  };
  uint64_t open_segment = 0;
  std::string path;
  wal::Framing framing;
  wal::AlignedBuffer window;
  uint64_t window_start = 0;
  size_t window_size = 0;
  Status status;
  for (size_t k = 0; k < order.size(); ++k) {
    const WalPosition& p = positions[order[k]];
    if (k == 0 || open_segment != p.segment) {
      close_fds();
      if (!SegmentFile(p.segment, path, framing)) {
        status = Status::NotFound(fmt::format("write-ahead log segment {} is gone", p.segment));
        break;
      }
      open_segment = p.segment;
      window_size = 0;
    }
    const uint64_t need = wal::kHeaderSize + p.size;
    if (p.offset < window_start || p.offset + need > window_start + window_size) {
      const bool direct = options_.direct_io && !direct_refused_.load() && DenseRead(positions, order, k);
      int& fd = fds[direct ? 1 : 0];
      if (fd < 0) {
        bool opened_direct = direct;
        fd = wal::OpenMaybeDirect(path, O_RDONLY | O_CLOEXEC, 0, &opened_direct);
        if (fd < 0) {
          status = Status::FromErrno("open " + path, errno);
          break;
        }
      }
      const uint64_t align = direct ? wal::kDirectAlign : 1;
      window_start = p.offset - p.offset % align;
      const uint64_t len = wal::AlignUp(std::max<uint64_t>(kReadWindowBytes, p.offset + need - window_start), align);
      window.Reserve(len);
      const ssize_t n = wal::ReadAt(fd, window.data(), len, window_start);
      // The segment may end inside the window; what matters is that this record is whole.
      window_size = n > 0 ? static_cast<size_t>(n) : 0;
    }
    const bool whole = p.offset + need <= window_start + window_size;
    const std::string_view buf = whole ? std::string_view(window.data() + (p.offset - window_start), need)
                                       : std::string_view();
    wal::ParsedRecord rec;
    if (!whole || !wal::ParseRecordAt(buf, framing, rec)) {
      status = Status::Corruption(
          fmt::format("write-ahead log record at segment {} offset {} does not verify", p.segment, p.offset));
      break;
    }
    fn(order[k], rec.payload);
  }
  close_fds();
  return status;
}

bool Wal::DenseRead(std::span<const WalPosition> positions, const std::vector<size_t>& order, size_t k) {
  const WalPosition& first = positions[order[k]];
  const uint64_t window_end = first.offset + kReadWindowBytes;
  uint64_t needed = 0;
  uint64_t end = first.offset;
  for (size_t j = k; j < order.size(); ++j) {
    const WalPosition& p = positions[order[j]];
    const uint64_t record_end = p.offset + wal::kHeaderSize + p.size;
    if (p.segment != first.segment || (j > k && record_end > window_end)) break;
    needed += wal::kHeaderSize + p.size;
    end = record_end;
  }
  return needed * kDenseReadRatio >= end - first.offset;
}

}  // namespace tracklake
