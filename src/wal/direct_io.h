// Direct I/O for log segments (wal.direct_io). Appending through the page cache costs a copy per
// byte and, on a machine whose free memory is not yet backed (a VM that touches guest memory
// lazily), the first touch of every page: measured here, 2 GB of 1 MiB appends with a sync each
// cost 4.4 s of kernel CPU through the page cache and 0.3 s with O_DIRECT. The log is written
// once and read once or a few times by delivery, so the cache buys little.
//
// O_DIRECT needs buffers, offsets and lengths aligned to the device's block: DirectAppender keeps
// the segment's last partial block in memory and rewrites it, whole, with the next append. The
// bytes after the last record up to the block's end are zeros (ScanSegment treats trailing
// zeros as the end, not as damage).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tracklake::wal {

// Enough for every Linux block device (logical blocks of 512 or 4096 bytes).
inline constexpr size_t kDirectAlign = 4096;

// Heap memory aligned to kDirectAlign, grown on demand (keeping its first keep bytes).
class AlignedBuffer {
 public:
  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  size_t capacity() const { return capacity_; }
  void Reserve(size_t n, size_t keep = 0);

 private:
  struct Free {
    void operator()(char* p) const;
  };
  std::unique_ptr<char, Free> data_;
  size_t capacity_ = 0;
};

// Opens path with flags plus O_DIRECT when *direct; where the filesystem refuses O_DIRECT
// (EINVAL), opens it without and sets *direct to false. -1 with errno on other failures.
int OpenMaybeDirect(const std::string& path, int flags, mode_t mode, bool* direct);

// Appends to one segment file opened with O_DIRECT, in whole aligned blocks.
class DirectAppender {
 public:
  // Writes data at byte offset end of fd, where end is the segment's length so far (0 for a new
  // segment; Reset() first). On failure nothing is kept: the next Append may retry at end.
  // kInvalidArgument: the filesystem refused the direct write (the caller falls back).
  Status Append(int fd, uint64_t end, std::string_view data);
  void Reset() { tail_end_ = 0; }

 private:
  AlignedBuffer buf_;     // buf_[0, tail_end_ % kDirectAlign): the last partial block's bytes
  uint64_t tail_end_ = 0;  // the segment length those bytes belong to
};

// Reads up to n bytes at offset (both aligned when fd is O_DIRECT) into buf; bytes read, or -1
// with errno. A read past the end of the file returns what there is.
ssize_t ReadAt(int fd, char* buf, size_t n, uint64_t offset);

}  // namespace tracklake::wal
