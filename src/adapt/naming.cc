#include "adapt/naming.h"

namespace tracklake {
namespace {

bool IsAsciiAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; }

}  // namespace

bool NormalizeEventName(std::string_view name, size_t max_bytes, std::string& out) {
  const size_t start = out.size();
  bool pending_separator = false;
  for (const char c : name) {
    if (!IsAsciiAlnum(c)) {
      pending_separator = out.size() > start;
      continue;
    }
    if (pending_separator) out.push_back('_');
    pending_separator = false;
    out.push_back(Lower(c));
  }
  if (out.size() - start > max_bytes) out.resize(start + max_bytes);
  while (out.size() > start && out.back() == '_') out.pop_back();
  return out.size() > start;
}

void AppendKeySegment(std::string_view name, std::string& out) {
  if (name.empty()) {
    out.push_back('_');
    return;
  }
  // Most names are already keys: one scan, one append.
  size_t valid = 0;
  while (valid < name.size() && (IsAsciiAlnum(name[valid]) || name[valid] == '_' || name[valid] == '-')) ++valid;
  out.append(name.substr(0, valid));
  if (valid == name.size()) return;
  const size_t start = out.size() - valid;
  for (const char c : name.substr(valid)) {
    if (IsAsciiAlnum(c) || c == '_' || c == '-') {
      out.push_back(c);
    } else if (!IsUtf8Continuation(c)) {
      out.push_back('_');
    }
  }
  if (out.size() == start) out.push_back('_');
}

}  // namespace tracklake
