#include "wal/log_id.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>

#include <fmt/format.h>

#include "common/file_util.h"

namespace tracklake {

bool IsValidLogId(std::string_view id) {
  if (id.size() != 8) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<std::string> LoadOrCreateLogId(const std::string& dir, bool log_is_new) {
  const std::string path = (std::filesystem::path(dir) / kLogIdFile).string();
  Result<std::string> text = ReadFile(path);
  if (text.ok()) {
    std::string id = std::move(text).value();
    while (!id.empty() && (id.back() == '\n' || id.back() == '\r' || id.back() == ' ')) id.pop_back();
    if (!IsValidLogId(id)) {
      return Status::InvalidArgument(
          fmt::format("{} does not hold a log id (8 hex digits): the write-ahead log's identity is damaged; "
                      "restore the file, or move the log aside if its records are delivered",
                      path));
    }
    return id;
  }
  if (text.status().code() != Status::Code::kNotFound) return text.status();
  if (!log_is_new) return std::string();
  uint32_t random = 0;
  if (::getrandom(&random, sizeof random, 0) != static_cast<ssize_t>(sizeof random)) {
    return Status::FromErrno("getrandom for the log id", errno);
  }
  std::string id = fmt::format("{:08x}", random);
  if (Status s = WriteFileAtomic(path, id + "\n"); !s.ok()) return s;
  return id;
}

}  // namespace tracklake
