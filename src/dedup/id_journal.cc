#include "dedup/id_journal.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <sys/stat.h>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <optional>

#include "common/crc32c.h"
#include "common/file_util.h"
#include "common/little_endian.h"
#include "common/parse_number.h"

namespace tracklake {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kKeyMagic = "TLDKEY01";
constexpr std::string_view kFileMagic = "TLDJRNL1";
constexpr uint32_t kVersion = 1;
constexpr size_t kKeyFileBytes = 8 + 8 + 8 + 4;
constexpr size_t kHeaderBytes = 8 + 4 + 4 + 8 + 8 + 4 + 4;
constexpr size_t kEntryBytes = 8 + 4;
constexpr size_t kBlockHeaderBytes = 4 + 4;
constexpr uint32_t kMaxBlockEntries = 1u << 20;
constexpr std::string_view kFilePrefix = "ids-";
constexpr std::string_view kFileSuffix = ".log";
constexpr size_t kNumberDigits = 20;
// A clock set back by up to this much still trusts entries "from the future".
constexpr int64_t kClockSlackS = 86'400;
constexpr uint64_t kMaxFileBytes = 256ull << 20;
constexpr std::string_view kFingerprintLabel = "tracklake dedup journal";

uint32_t MaskedCrc(std::string_view bytes) { return crc32c::Mask(crc32c::Value(bytes.data(), bytes.size())); }

std::optional<uint64_t> FileNumber(std::string_view name) {
  if (name.size() != kFilePrefix.size() + kNumberDigits + kFileSuffix.size() || !name.starts_with(kFilePrefix) ||
      !name.ends_with(kFileSuffix)) {
    return std::nullopt;
  }
  // Digits past 64 bits are no name of ours either (and must not throw, as std::stoull would).
  return ParseDecimal<uint64_t>(name.substr(kFilePrefix.size(), kNumberDigits));
}

std::optional<SipKey> ParseKeyFile(std::string_view data) {
  if (data.size() != kKeyFileBytes || data.substr(0, kKeyMagic.size()) != kKeyMagic) return std::nullopt;
  if (le::Load32(data.data() + 24) != MaskedCrc(data.substr(0, 24))) return std::nullopt;
  return SipKey{le::Load64(data.data() + 8), le::Load64(data.data() + 16)};
}

std::string KeyFileBytes(const SipKey& key) {
  std::string out(kKeyMagic);
  le::Append64(out, key.k0);
  le::Append64(out, key.k1);
  le::Append32(out, MaskedCrc(out));
  return out;
}

std::string HeaderBytes(const SipKey& key, uint64_t number) {
  std::string out(kFileMagic);
  le::Append32(out, kVersion);
  le::Append32(out, 0);
  le::Append64(out, KeyFingerprint(key));
  le::Append64(out, number);
  le::Append32(out, MaskedCrc(out));  // at byte 32: of the 32 bytes before it
  le::Append32(out, 0);
  return out;
}

// Reads one journal file's entries into out; returns the bytes that could not be used.
uint64_t ReadJournalFile(std::string_view data, const SipKey& key, uint64_t number, int64_t now_s, int64_t window_s,
                         std::vector<JournalEntry>& out, int64_t& newest) {
  if (data.size() < kHeaderBytes || data.substr(0, kHeaderBytes) != HeaderBytes(key, number)) return data.size();
  size_t pos = kHeaderBytes;
  while (data.size() - pos >= kBlockHeaderBytes) {
    const uint32_t crc = le::Load32(data.data() + pos);
    const uint32_t count = le::Load32(data.data() + pos + 4);
    const size_t bytes = static_cast<size_t>(count) * kEntryBytes;
    if (count == 0 || count > kMaxBlockEntries || data.size() - pos - kBlockHeaderBytes < bytes) break;
    if (crc != MaskedCrc(data.substr(pos + 4, 4 + bytes))) break;
    const char* p = data.data() + pos + kBlockHeaderBytes;
    for (uint32_t i = 0; i < count; ++i, p += kEntryBytes) {
      const JournalEntry e{le::Load64(p), static_cast<int64_t>(le::Load32(p + 8))};
      newest = std::max(newest, e.second);
      if (e.hash == 0 || e.second <= now_s - window_s || e.second > now_s + kClockSlackS) continue;
      out.push_back(e);
    }
    pos += kBlockHeaderBytes + bytes;
  }
  return data.size() - pos;
}

}  // namespace

uint64_t KeyFingerprint(const SipKey& key) { return SipHash24(key, kFingerprintLabel); }

Result<std::unique_ptr<IdJournal>> IdJournal::Load(const std::string& dir, int64_t now_s, int64_t window_s,
                                                   JournalLoad& out) {
  std::unique_ptr<IdJournal> j(new IdJournal(dir, window_s));
  Result<std::string> key_file = ReadFile((fs::path(dir) / "KEY").string());
  std::optional<SipKey> key;
  if (key_file.ok()) {
    key = ParseKeyFile(*key_file);
    if (!key)
      spdlog::warn(
          "deduplication key {}/KEY is damaged; starting a new key (ids journaled before are "
          "forgotten, ids still in the log are not)",
          dir);
  } else if (key_file.status().code() != Status::Code::kNotFound) {
    return key_file.status();
  }
  if (!key) {
    unsigned char random[16];
    if (RAND_bytes(random, sizeof random) != 1) return Status::IoError("no random bytes for the deduplication key");
    key = SipKey{le::Load64(reinterpret_cast<const char*>(random)),
                 le::Load64(reinterpret_cast<const char*>(random) + 8)};
    j->write_key_ = out.new_key = true;
  }
  j->key_ = *key;
  std::error_code ec;
  // increment(ec), not the range-for's ++, which throws when reading the directory fails.
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    const std::optional<uint64_t> number = FileNumber(entry.path().filename().string());
    if (!number) continue;
    Result<std::string> data = ReadFile(entry.path().string());
    if (!data.ok()) return data.status();
    File f;
    f.bytes = data->size();
    const uint64_t skipped = ReadJournalFile(*data, j->key_, *number, now_s, window_s, out.entries, f.newest_second);
    if (skipped == data->size()) {
      f.usable = false;
      if (!out.new_key)
        spdlog::warn("deduplication journal {} is not one of this key's; ignored", entry.path().string());
    } else if (skipped > 0) {
      spdlog::warn("deduplication journal {} has {} damaged or torn bytes at its end; skipped them",
                   entry.path().string(), skipped);
    }
    out.skipped_bytes += skipped;
    ++out.files;
    j->files_[*number] = f;
  }
  if (ec && ec != std::errc::no_such_file_or_directory) return Status::IoError("list " + dir + ": " + ec.message());
  std::stable_sort(out.entries.begin(), out.entries.end(),
                   [](const JournalEntry& a, const JournalEntry& b) { return a.second < b.second; });
  return j;
}

std::string IdJournal::PathOf(uint64_t number) const {
  std::string name(kFilePrefix);
  const std::string digits = std::to_string(number);
  name.append(kNumberDigits - digits.size(), '0');
  name += digits;
  name += kFileSuffix;
  return (fs::path(dir_) / name).string();
}

Status IdJournal::Start(int64_t now_s) {
  if (Status s = CreateDirs(dir_); !s.ok()) return s;
  if (write_key_) {
    const std::string path = (fs::path(dir_) / "KEY").string();
    if (Status s = WriteFileAtomic(path, KeyFileBytes(key_)); !s.ok()) return s;
    ::chmod(path.c_str(), 0600);
    write_key_ = false;
  }
  for (auto it = files_.begin(); it != files_.end();) {
    if (!it->second.usable) {
      ::unlink(PathOf(it->first).c_str());
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  DeleteExpired(now_s);
  return OpenNewFile(now_s);
}

Status IdJournal::OpenNewFile(int64_t now_s) {
  Close();
  const uint64_t number = files_.empty() ? 1 : files_.rbegin()->first + 1;
  const std::string path = PathOf(number);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno("create " + path, errno);
  const std::string header = HeaderBytes(key_, number);
  Status s = WriteAll(fd, header.data(), header.size());
  if (s.ok() && ::fdatasync(fd) != 0) s = Status::FromErrno("fdatasync " + path, errno);
  if (s.ok()) s = SyncDir(dir_);
  if (!s.ok()) {
    ::close(fd);
    ::unlink(path.c_str());
    return s;
  }
  fd_ = fd;
  active_ = number;
  active_since_s_ = now_s;
  files_[number] = File{header.size(), 0, true};
  return Status::Ok();
}

Status IdJournal::Append(std::span<const JournalEntry> entries, int64_t now_s) {
  const bool rotate = fd_ < 0 || now_s - active_since_s_ >= std::max<int64_t>(1, window_s_ / 4) ||
                      files_[active_].bytes >= kMaxFileBytes;
  if (rotate) {
    if (Status s = OpenNewFile(now_s); !s.ok()) return s;
  }
  DeleteExpired(now_s);
  if (entries.empty()) return Status::Ok();
  File& f = files_[active_];
  const size_t blocks = (entries.size() + kMaxBlockEntries - 1) / kMaxBlockEntries;
  std::string block(blocks * kBlockHeaderBytes + entries.size() * kEntryBytes, '\0');
  char* out = block.data();
  for (size_t from = 0; from < entries.size(); from += kMaxBlockEntries) {
    const size_t n = std::min<size_t>(kMaxBlockEntries, entries.size() - from);
    char* const start = out;
    le::Store32(start + 4, static_cast<uint32_t>(n));
    out += kBlockHeaderBytes;
    for (size_t i = from; i < from + n; ++i, out += kEntryBytes) {
      le::Store64(out, entries[i].hash);
      le::Store32(out + 8, static_cast<uint32_t>(std::clamp<int64_t>(entries[i].second, 0, UINT32_MAX)));
      f.newest_second = std::max(f.newest_second, entries[i].second);
    }
    le::Store32(start, MaskedCrc(std::string_view(start + 4, static_cast<size_t>(out - start - 4))));
  }
  Status s = WriteAll(fd_, block.data(), block.size());
  if (s.ok() && ::fdatasync(fd_) != 0) s = Status::FromErrno("fdatasync " + PathOf(active_), errno);
  if (!s.ok()) {
    // What reached the file may be a torn block; nothing may follow it, so the next append
    // starts a new file (the reader stops at the torn block).
    Close();
    return s;
  }
  f.bytes += block.size();
  return Status::Ok();
}

void IdJournal::DeleteExpired(int64_t now_s) {
  for (auto it = files_.begin(); it != files_.end();) {
    if (it->first != active_ && it->second.newest_second <= now_s - window_s_) {
      ::unlink(PathOf(it->first).c_str());
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
}

void IdJournal::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

uint64_t IdJournal::disk_bytes() const {
  uint64_t bytes = 0;
  for (const auto& [number, f] : files_) bytes += f.bytes;
  return bytes;
}

}  // namespace tracklake
