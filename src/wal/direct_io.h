// Direct I/O for log segments (wal.direct_io). Appending through the page cache costs a copy per
// byte and, on a machine whose free memory is not yet backed (a VM that touches guest memory
// lazily), the first touch of every page: measured here, 2 GB of 1 MiB appends with a sync each
// cost 4.4 s of kernel CPU through the page cache and 0.3 s with O_DIRECT. The log is written
// once and read back once per batch, so the cache buys little (Wal::ReadEvents still reads
// through it when a batch needs little of what it would read: other batches need the rest).
//
// O_DIRECT needs buffers, offsets and lengths aligned to the device's block: SegmentAppender
// keeps the segment's last partial block in memory and rewrites it, whole, with the next append.
// The bytes after the last record up to the block's end are zeros (ScanRecords treats trailing
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
  //
  // A small direct write that comes near the end of the file's written blocks also writes zeros
  // ahead of it (kZeroAheadBytes, up to zero_limit): appending into blocks that are written
  // already changes neither the file's size nor its extents, so the fdatasync after it flushes
  // data only. Measured here (8 KiB O_DIRECT appends, each synced, into a preallocated file):
  // 295 -> 190 us per append and sync, 84 -> 50 us of CPU; the metadata is written once a MiB.
  Status WriteDirect(int fd);
  Status Write(int fd);  // the same through the page cache (fd without O_DIRECT)
  void Discard() { staged_ = 0; }
  // A new segment whose file has written blocks up to written_end (a recycled one: its old
  // length; a new one: 0) and room reserved up to zero_limit (0: none, write no zeros).
  void Reset(uint64_t written_end = 0, uint64_t zero_limit = 0);

  static constexpr size_t kZeroAheadBytes = 1 << 20;
  // Bigger writes carry their own metadata cost well; zeros ahead of them would be overwritten
  // by the next one before they helped.
  static constexpr size_t kZeroAheadBelowWrite = 256 << 10;

 private:
  size_t head() const { return tail_end_ % kDirectAlign; }
  void Written();
  size_t ZerosAhead(uint64_t data_end) const;

  AlignedBuffer buf_;      // [0, head()): the last partial block's bytes; then the staged ones
  AlignedBuffer zeros_;    // kZeroAheadBytes of zeros, allocated when the first are needed
  uint64_t tail_end_ = 0;  // the segment's length
  size_t staged_ = 0;
  uint64_t written_end_ = 0;  // the file's blocks before this are written (data or zeros)
  uint64_t zero_limit_ = 0;
};

// Clears O_DIRECT on fd, for a filesystem that accepted it at open and refuses it at the first
// read or write. False (errno set) when fcntl fails.
bool DropDirect(int fd);

// Reads up to n bytes at offset (both aligned when fd is O_DIRECT) into buf; bytes read, or -1
// with errno. A read past the end of the file returns what there is. Where the filesystem
// refuses a direct read, fd drops O_DIRECT and the read goes through the page cache.
ssize_t ReadAt(int fd, char* buf, size_t n, uint64_t offset);

}  // namespace tracklake::wal
