#include "validate/field_rules.h"

#include <string>

namespace tracklake {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; }

// Consumes [0-9]+ from text at pos; false when there is no digit.
bool ConsumeDigits(std::string_view text, size_t& pos) {
  const size_t start = pos;
  while (pos < text.size() && IsDigit(text[pos])) ++pos;
  return pos > start;
}

}  // namespace

ValidationMessages MakeValidationMessages(const ValidationRules& rules) {
  ValidationMessages m;
  m.event_too_large = "event is larger than " + std::to_string(rules.max_event_bytes) + " bytes";
  m.too_many_fields = "too many fields (at most " + std::to_string(rules.max_fields) + ")";
  const size_t key_tail = rules.max_key_bytes == 0 ? 0 : rules.max_key_bytes - 1;
  m.bad_key = "key must match [A-Za-z_][A-Za-z0-9_.-]{0," + std::to_string(key_tail) + "}";
  m.bad_event_type = "must match [a-z0-9_]{1," + std::to_string(rules.max_event_type_bytes) + "}";
  m.too_many_events = "request body has more than " + std::to_string(rules.max_events_per_request) + " events";
  return m;
}

bool IsJsonNumber(std::string_view text) {
  size_t pos = 0;
  if (pos < text.size() && text[pos] == '-') ++pos;
  if (pos < text.size() && text[pos] == '0') {
    ++pos;
  } else if (pos >= text.size() || !ConsumeDigits(text, pos)) {
    return false;
  }
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    if (!ConsumeDigits(text, pos)) return false;
  }
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    ++pos;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) ++pos;
    if (!ConsumeDigits(text, pos)) return false;
  }
  return pos == text.size();
}

std::string_view TruncateUtf8(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t n = max_bytes;
  // Back off to the lead byte of a sequence the cut would split.
  while (n > 0 && IsUtf8Continuation(s[n])) --n;
  return s.substr(0, n);
}

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view TrimJsonWhitespace(std::string_view s) {
  while (!s.empty() && IsJsonWhitespace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsJsonWhitespace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace tracklake
