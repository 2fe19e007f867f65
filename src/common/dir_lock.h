// DirectoryLock: one process at a time in a directory (a "LOCK" file in it, flock(2)-ed
// exclusively for as long as the object lives). Two collectors started on the same write-ahead
// log directory each recover, trim and recycle segments the other is still appending to: the
// second one deletes acknowledged events under the first. The lock is the operating system's,
// so it goes with the process, kill -9 included; the file itself stays (removing it on exit would
// let a third process lock a new file while a second still holds the old one).
// Thread-compatible.
#pragma once

#include <string>

#include "common/status.h"

namespace tracklake {

class DirectoryLock {
 public:
  // Locks dir (which must exist). Unavailable, naming the holder's pid, when another process
  // holds it; `what` names the directory's role in that message.
  static Result<DirectoryLock> Acquire(const std::string& dir, const std::string& what);

  DirectoryLock(DirectoryLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DirectoryLock& operator=(DirectoryLock&& other) noexcept;
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  ~DirectoryLock();

 private:
  explicit DirectoryLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace tracklake
