#include "common/status.h"

#include <cerrno>
#include <cstring>

namespace tracklake {

Status Status::FromErrno(std::string_view what, int err) {
  std::string msg(what);
  msg += ": ";
  msg += std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return NoSpace(std::move(msg));
  return IoError(std::move(msg));
}

std::string Status::ToString() const {
  switch (code_) {
    case Code::kOk: return "OK";
    case Code::kInvalidArgument: return "invalid argument: " + message_;
    case Code::kNotFound: return "not found: " + message_;
    case Code::kCorruption: return "corruption: " + message_;
    case Code::kIoError: return "I/O error: " + message_;
    case Code::kNoSpace: return "no space: " + message_;
    case Code::kUnavailable: return "unavailable: " + message_;
  }
  return message_;
}

}  // namespace tracklake
