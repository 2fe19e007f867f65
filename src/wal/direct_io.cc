#include "wal/direct_io.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

namespace tracklake::wal {

void AlignedBuffer::Free::operator()(char* p) const { std::free(p); }

void AlignedBuffer::Reserve(size_t n, size_t keep) {
  if (n <= capacity_) return;
  const size_t cap = std::max(n, capacity_ * 2);
  void* p = nullptr;
  if (::posix_memalign(&p, kDirectAlign, cap) != 0) throw std::bad_alloc();
  if (keep > 0) std::memcpy(p, data_.get(), keep);
  data_.reset(static_cast<char*>(p));
  capacity_ = cap;
}

int OpenMaybeDirect(const std::string& path, int flags, mode_t mode, bool* direct) {
  if (*direct) {
    const int fd = ::open(path.c_str(), flags | O_DIRECT, mode);
    if (fd >= 0 || errno != EINVAL) return fd;
    *direct = false;
  }
  return ::open(path.c_str(), flags, mode);
}

char* SegmentAppender::Extend(size_t n) {
  const size_t used = head() + staged_;
  // Room for the padding of a direct write too.
  buf_.Reserve(AlignUp(used + n, kDirectAlign), used);
  staged_ += n;
  return buf_.data() + used;
}

Status SegmentAppender::WriteDirect(int fd) {
  const uint64_t start = tail_end_ - head();
  const size_t used = head() + staged_;
  const size_t padded = AlignUp(used, kDirectAlign);
  std::memset(buf_.data() + used, 0, padded - used);
  size_t zeros = padded < kZeroAheadBelowWrite ? ZerosAhead(start + padded) : 0;
  if (zeros > 0 && zeros_.data() == nullptr) {
    zeros_.Reserve(kZeroAheadBytes);
    std::memset(zeros_.data(), 0, kZeroAheadBytes);
  }
  ssize_t w;
  for (;;) {
    const iovec iov[2] = {{buf_.data(), padded}, {zeros_.data(), zeros}};
    w = ::pwritev(fd, iov, zeros > 0 ? 2 : 1, static_cast<off_t>(start));
    if (w < 0 && errno == EINTR) continue;
    // Zeros are an optimisation: whatever refused them, the data alone may still go.
    if (w < 0 && zeros > 0) {
      zero_limit_ = 0;
      zeros = 0;
      continue;
    }
    break;
  }
  if (w < 0 && errno == EINVAL) return Status::InvalidArgument("direct write refused");
  if (w < 0) return Status::FromErrno("write", errno);
  // A short direct write (a full disk) ends wherever the device stopped: not resumable.
  if (static_cast<size_t>(w) < padded) return Status::IoError("short write to the write-ahead log");
  written_end_ = std::max(written_end_, start + static_cast<uint64_t>(w));
  Written();
  return Status::Ok();
}

size_t SegmentAppender::ZerosAhead(uint64_t data_end) const {
  // Ahead again once less than a quarter of the zeros is left: one bigger write a MiB.
  if (data_end + kZeroAheadBytes / 4 <= written_end_) return 0;
  const uint64_t limit = zero_limit_ / kDirectAlign * kDirectAlign;
  if (data_end >= limit) return 0;
  return static_cast<size_t>(std::min<uint64_t>(kZeroAheadBytes, limit - data_end));
}

void SegmentAppender::Reset(uint64_t written_end, uint64_t zero_limit) {
  tail_end_ = staged_ = 0;
  written_end_ = written_end;
  zero_limit_ = zero_limit;
}

Status SegmentAppender::Write(int fd) {
  // At the segment's end, not the file offset: a failed write cut back leaves the offset behind.
  for (size_t done = 0; done < staged_;) {
    const ssize_t w = ::pwrite(fd, buf_.data() + head() + done, staged_ - done, static_cast<off_t>(tail_end_ + done));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return Status::FromErrno("write", errno);
    done += static_cast<size_t>(w);
  }
  Written();
  return Status::Ok();
}

void SegmentAppender::Written() {
  const uint64_t start = tail_end_ - head();
  tail_end_ += staged_;
  staged_ = 0;
  const size_t tail = head();
  std::memmove(buf_.data(), buf_.data() + (tail_end_ - tail - start), tail);
}

ssize_t ReadAt(int fd, char* buf, size_t n, uint64_t offset) {
  for (;;) {
    const ssize_t r = ::pread(fd, buf, n, static_cast<off_t>(offset));
    if (r >= 0) return r;
    if (errno == EINTR) continue;
    if (errno != EINVAL) return -1;
    // Opened direct, refused at the read: the same read through the page cache.
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || !(flags & O_DIRECT) || !DropDirect(fd)) {
      errno = EINVAL;
      return -1;
    }
  }
}

bool DropDirect(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags & ~O_DIRECT) == 0;
}

}  // namespace tracklake::wal
