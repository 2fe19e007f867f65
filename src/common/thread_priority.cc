#include "common/thread_priority.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

namespace tracklake {

// PRIO_PROCESS with a thread id addresses that one thread on Linux (not the whole process).
Status LowerThreadPriority(int nice) {
  if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice) != 0) {
    return Status::FromErrno(fmt::format("setpriority(nice {})", nice), errno);
  }
  return Status::Ok();
}

}  // namespace tracklake
