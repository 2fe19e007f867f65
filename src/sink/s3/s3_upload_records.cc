#include "sink/s3/s3_upload_records.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "aws/sigv4.h"
#include "common/file_util.h"
#include "sink/sink.h"

namespace tracklake {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMagic = "tracklake-upload 1\n";
constexpr std::string_view kSuffix = ".upload";
constexpr size_t kMaxUploadIdBytes = 1024;
constexpr size_t kMaxRecordBytes = 4096;

bool IsUploadIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-' || c == '~' || c == '+' || c == '/' || c == '=';
}

}  // namespace

std::string UploadRecords::PathOf(const std::string& key, const std::string& upload_id) const {
  return (fs::path(dir_) / (aws::Sha256Hex(key + "\n" + upload_id) + std::string(kSuffix))).string();
}

Status UploadRecords::Add(const std::string& key, const std::string& upload_id) const {
  if (dir_.empty()) return Status::Ok();
  if (Status s = CreateDirs(dir_); !s.ok()) return s;
  return WriteFileAtomic(PathOf(key, upload_id), std::string(kMagic) + key + "\n" + upload_id + "\n");
}

void UploadRecords::Remove(const std::string& key, const std::string& upload_id) const {
  if (!dir_.empty()) ::unlink(PathOf(key, upload_id).c_str());
}

void UploadRecords::Forget(const Entry& entry) const { ::unlink(entry.path.c_str()); }

std::vector<UploadRecords::Entry> UploadRecords::List(std::string_view key_prefix) const {
  std::vector<Entry> out;
  if (dir_.empty()) return out;
  std::error_code ec;
  // increment(ec), not the range-for's ++, which throws when reading the directory fails: what
  // was listed by then is returned, the rest is found by a later listing.
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::directory_entry& f = *it;
    const std::string name = f.path().filename().string();
    if (!name.ends_with(kSuffix)) continue;  // temporaries of WriteFileAtomic start with '.'
    Result<std::string> data = ReadFile(f.path().string());
    Entry e{f.path().string(), "", ""};
    bool valid = data.ok() && data->size() <= kMaxRecordBytes && data->starts_with(kMagic);
    if (valid) {
      std::string_view rest = std::string_view(*data).substr(kMagic.size());
      const size_t nl = rest.find('\n');
      const size_t nl2 = nl == std::string_view::npos ? nl : rest.find('\n', nl + 1);
      valid = nl2 != std::string_view::npos && nl2 + 1 == rest.size();
      if (valid) {
        e.key = rest.substr(0, nl);
        e.upload_id = rest.substr(nl + 1, nl2 - nl - 1);
        // Read back from disk, so checked before it names anything at S3: a lake key of this
        // sink's prefix, an id of S3's characters, and the name the pair gives.
        valid = e.key.starts_with(key_prefix) && IsLakeKey(std::string_view(e.key).substr(key_prefix.size())) &&
                !e.upload_id.empty() && e.upload_id.size() <= kMaxUploadIdBytes &&
                std::all_of(e.upload_id.begin(), e.upload_id.end(), IsUploadIdChar) &&
                PathOf(e.key, e.upload_id) == e.path;
      }
    }
    if (!valid) {
      spdlog::warn("deleted {}: not a multipart upload record of this sink", f.path().string());
      ::unlink(f.path().c_str());
      continue;
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace tracklake
