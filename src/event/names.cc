#include "event/names.h"

namespace tracklake {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool IsValidKey(std::string_view key, size_t max_bytes) {
  if (key.empty() || key.size() > max_bytes) return false;
  if (!IsAsciiLetter(key[0]) && key[0] != '_') return false;
  for (size_t i = 1; i < key.size(); ++i) {
    const char c = key[i];
    if (!IsAsciiLetter(c) && !IsDigit(c) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

bool IsValidEventType(std::string_view value, size_t max_bytes) {
  if (value.empty() || value.size() > max_bytes) return false;
  for (const char c : value) {
    if (!(c >= 'a' && c <= 'z') && !IsDigit(c) && c != '_') return false;
  }
  return true;
}

}  // namespace tracklake
