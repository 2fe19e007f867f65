#include "sink/sink.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace tracklake {

std::string ObjectKey(std::string_view partition, std::string_view node_id, std::string_view log_id,
                      uint64_t first_seq, uint64_t last_seq, std::string_view extension) {
  if (log_id.empty())
    return fmt::format("{}/{}-{:020d}-{:020d}{}", partition, node_id, first_seq, last_seq, extension);
  return fmt::format("{}/{}-{}-{:020d}-{:020d}{}", partition, node_id, log_id, first_seq, last_seq, extension);
}

namespace {

bool AllOf(std::string_view s, bool (*pred)(char)) { return std::all_of(s.begin(), s.end(), pred); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsTypeChar(char c) { return (c >= 'a' && c <= 'z') || IsDigit(c) || c == '_'; }
bool IsNodeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_' || c == '.' || c == '-';
}

// "<digits of n>" exactly.
bool Digits(std::string_view s, size_t n) { return s.size() == n && AllOf(s, IsDigit); }

}  // namespace

bool IsLakeKey(std::string_view key) {
  constexpr size_t kSeqDigits = 20;
  constexpr size_t kLogIdDigits = 8;
  constexpr size_t kMaxTypeBytes = 64;
  constexpr size_t kMaxNodeBytes = 64;
  const size_t a = key.find('/');
  const size_t b = a == std::string_view::npos ? a : key.find('/', a + 1);
  const size_t c = b == std::string_view::npos ? b : key.find('/', b + 1);
  if (c == std::string_view::npos || key.find('/', c + 1) != std::string_view::npos) return false;
  const std::string_view type = key.substr(0, a);
  const std::string_view dt = key.substr(a + 1, b - a - 1);
  const std::string_view hr = key.substr(b + 1, c - b - 1);
  std::string_view name = key.substr(c + 1);
  if (type.empty() || type.size() > kMaxTypeBytes || !AllOf(type, IsTypeChar)) return false;
  // dt=YYYY-MM-DD, hr=HH
  if (dt.size() != 13 || !dt.starts_with("dt=") || !Digits(dt.substr(3, 4), 4) || dt[7] != '-' ||
      !Digits(dt.substr(8, 2), 2) || dt[10] != '-' || !Digits(dt.substr(11, 2), 2)) {
    return false;
  }
  if (hr.size() != 5 || !hr.starts_with("hr=") || !Digits(hr.substr(3), 2)) return false;
  constexpr std::array<std::string_view, 3> kExtensions = {".parquet", ".ndjson.gz", ".ndjson"};
  const auto ext = std::find_if(kExtensions.begin(), kExtensions.end(),
                                [&](std::string_view e) { return name.ends_with(e); });
  if (ext == kExtensions.end()) return false;
  name.remove_suffix(ext->size());
  // <node>[-<log id>]-<first>-<last>: the node may hold '-', so parse from the end.
  if (name.size() < 2 * (kSeqDigits + 1) + 1) return false;
  if (!Digits(name.substr(name.size() - kSeqDigits), kSeqDigits) || name[name.size() - kSeqDigits - 1] != '-')
    return false;
  name.remove_suffix(kSeqDigits + 1);
  if (!Digits(name.substr(name.size() - kSeqDigits), kSeqDigits) || name[name.size() - kSeqDigits - 1] != '-')
    return false;
  name.remove_suffix(kSeqDigits + 1);
  // Either "<node>-<8 hex>" or "<node>": the node's own characters cover both.
  if (name.empty() || name.size() > kMaxNodeBytes + 1 + kLogIdDigits || !AllOf(name, IsNodeChar)) return false;
  return name != "." && name != ".." && name.front() != '.';
}

bool IsSafeObjectKey(std::string_view key) {
  if (key.empty()) return false;
  size_t start = 0;
  for (;;) {
    const size_t slash = key.find('/', start);
    const std::string_view part = key.substr(start,
                                             slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    for (const char c : part) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                      c == '.' || c == '=' || c == '-';
      if (!ok) return false;
    }
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

std::optional<std::filesystem::path> PathUnder(const std::string& root, std::string_view key) {
  if (!IsSafeObjectKey(key)) return std::nullopt;
  const std::filesystem::path base = std::filesystem::path(root).lexically_normal();
  const std::filesystem::path path = (base / key).lexically_normal();
  // Belt and braces: a safe key cannot climb out, and this says so whatever the key rule becomes.
  const std::filesystem::path rel = path.lexically_relative(base);
  if (rel.empty() || *rel.begin() == "..") return std::nullopt;
  return path;
}

std::string NameFromTemplate(std::string_view name_template, std::string_view event_type) {
  std::string name;
  size_t pos = 0;
  for (;;) {
    const size_t at = name_template.find(kEventTypePlaceholder, pos);
    name.append(name_template.substr(pos, at == std::string_view::npos ? std::string_view::npos : at - pos));
    if (at == std::string_view::npos) return name;
    name.append(event_type);
    pos = at + kEventTypePlaceholder.size();
  }
}

}  // namespace tracklake
