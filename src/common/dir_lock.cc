#include "common/dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "common/file_util.h"

namespace tracklake {
namespace {

constexpr char kLockName[] = "LOCK";
constexpr size_t kPidBytes = 32;

std::string ReadHolder(int fd) {
  char buf[kPidBytes] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string pid(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "unknown" : pid;
}

}  // namespace

Result<DirectoryLock> DirectoryLock::Acquire(const std::string& dir, const std::string& what) {
  const std::string path = dir + "/" + kLockName;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno("open " + path, errno);
  DirectoryLock lock(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return Status::FromErrno("lock " + path, errno);
    return Status::Unavailable(what + " " + dir + " is in use by another process (pid " + ReadHolder(fd) +
                               "): two collectors must not share it");
  }
  // The pid is only for that message: the lock is the flock, not the file's content.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0) return Status::FromErrno("truncate " + path, errno);
  if (Status s = WriteAll(fd, pid.data(), pid.size()); !s.ok()) return s;
  return lock;
}

DirectoryLock& DirectoryLock::operator=(DirectoryLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

DirectoryLock::~DirectoryLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace tracklake
