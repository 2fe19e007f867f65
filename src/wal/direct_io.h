// Direct I/O for log segments (wal.direct_io). Appending through the page cache costs a copy per
// byte and, on a machine whose free memory is not yet backed (a VM that touches guest memory
// lazily), the first touch of every page: measured here, 2 GB of 1 MiB appends with a sync each
// cost 4.4 s of kernel CPU through the page cache and 0.3 s with O_DIRECT. The log is written
// once and read back once per batch, so the cache buys little (Wal::ReadEvents still reads
// through it when a batch needs little of what it would read: other batches need the rest).
//
// O_DIRECT needs buffers, offsets and lengths aligned to the device's block: SegmentAppender
// keeps the segment's last partial block in memory and rewrites it, whole, with the next append.
// The bytes after the last record up to the block's end are zeros (ScanSegment treats trailing
// zeros as padding, not as damage).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tracklake::wal {

// Enough for every Linux block device (logical blocks of 512 or 4096 bytes).
inline constexpr size_t kDirectAlign = 4096;

inline constexpr uint64_t AlignUp(uint64_t n, uint64_t align) { return (n + align - 1) / align * align; }

// Heap memory aligned to kDirectAlign, grown on demand (keeping its first keep bytes).
class AlignedBuffer {
 public:
  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
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

// Stages a group commit's records for one segment file and writes them. Records are encoded in
// place, right after the segment's last partial block, so that a direct write (whole aligned
// blocks, that block rewritten) needs no further copy.
class SegmentAppender {
 public:
  // Room for n more staged bytes; valid until the next call.
  char* Extend(size_t n);
  size_t staged() const { return staged_; }
  // Writes the staged bytes at the segment's end (its length so far), then unstages them.
  // On failure they stay staged (Discard them, or retry with Write). kInvalidArgument from a
  // direct write: the filesystem refused it (the caller falls back to the page cache).
  Status WriteDirect(int fd);
  Status Write(int fd);  // the same through the page cache (fd without O_DIRECT)
  void Discard() { staged_ = 0; }
  void Reset() { tail_end_ = staged_ = 0; }  // a new segment

 private:
  size_t head() const { return tail_end_ % kDirectAlign; }
  void Written();

  AlignedBuffer buf_;      // [0, head()): the last partial block's bytes; then the staged ones
  uint64_t tail_end_ = 0;  // the segment's length
  size_t staged_ = 0;
};

// Clears O_DIRECT on fd, for a filesystem that accepted it at open and refuses it at the first
// read or write. False (errno set) when fcntl fails.
bool DropDirect(int fd);

// Reads up to n bytes at offset (both aligned when fd is O_DIRECT) into buf; bytes read, or -1
// with errno. A read past the end of the file returns what there is. Where the filesystem
// refuses a direct read, fd drops O_DIRECT and the read goes through the page cache.
ssize_t ReadAt(int fd, char* buf, size_t n, uint64_t offset);

}  // namespace tracklake::wal
