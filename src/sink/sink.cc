#include "sink/sink.h"

#include <fmt/format.h>

namespace tracklake {

std::string ObjectKey(std::string_view partition, std::string_view node_id, std::string_view log_id,
                      uint64_t first_seq, uint64_t last_seq, std::string_view extension) {
  if (log_id.empty()) return fmt::format("{}/{}-{:020d}-{:020d}{}", partition, node_id, first_seq, last_seq, extension);
  return fmt::format("{}/{}-{}-{:020d}-{:020d}{}", partition, node_id, log_id, first_seq, last_seq, extension);
}

bool IsSafeObjectKey(std::string_view key) {
  if (key.empty()) return false;
  size_t start = 0;
  for (;;) {
    const size_t slash = key.find('/', start);
    const std::string_view part = key.substr(start, slash == std::string_view::npos ? key.npos : slash - start);
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
