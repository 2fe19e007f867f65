#include "common/open_file_limit.h"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <fstream>

namespace tracklake {
namespace {

constexpr uint64_t kReserve = 256;
// The kernel's default fs.nr_open, the most a process may ask for when /proc does not say.
constexpr uint64_t kDefaultNrOpen = 1 << 20;

uint64_t NrOpen() {
  std::ifstream in("/proc/sys/fs/nr_open");
  uint64_t n = 0;
  return in >> n && n > 0 ? n : kDefaultNrOpen;
}

}  // namespace

Result<OpenFileLimit> RaiseOpenFileLimit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return Status::FromErrno("getrlimit(RLIMIT_NOFILE)", errno);
  OpenFileLimit out;
  out.before = rl.rlim_cur;
  const uint64_t target = rl.rlim_max == RLIM_INFINITY ? NrOpen() : rl.rlim_max;
  if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= target) {
    out.soft = std::min<uint64_t>(rl.rlim_cur, target);
    return out;
  }
  rlimit raised = rl;
  raised.rlim_cur = target;
  if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) return Status::FromErrno("setrlimit(RLIMIT_NOFILE)", errno);
  out.soft = target;
  return out;
}

uint64_t ReservedDescriptors(uint64_t soft_limit) { return std::min(kReserve, soft_limit / 4); }

uint32_t ConnectionsWithin(uint64_t soft_limit, uint32_t max_connections) {
  const uint64_t room = soft_limit - ReservedDescriptors(soft_limit);
  return static_cast<uint32_t>(std::max<uint64_t>(1, std::min<uint64_t>(max_connections, room)));
}

}  // namespace tracklake
