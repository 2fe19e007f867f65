// Hexadecimal: bytes as hex digits (digests, signatures, ids, JSON's \u00XX, URL escapes) and
// hex digits back to values. One definition for the whole tree. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace tracklake {

inline constexpr char kHexLower[] = "0123456789abcdef";
inline constexpr char kHexUpper[] = "0123456789ABCDEF";

// Appends byte c as two hex digits, lower case unless upper (URL escapes in SigV4 are upper).
inline void AppendHexByte(std::string& out, unsigned char c, bool upper = false) {
  const char* digits = upper ? kHexUpper : kHexLower;
  out.push_back(digits[c >> 4]);
  out.push_back(digits[c & 0xf]);
}

// bytes as lower-case hex: two digits a byte.
std::string HexEncode(std::string_view bytes);

// The value of hex digit c, in either case; -1 when c is not one.
constexpr int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends text with its %XX escapes (either case) decoded; a malformed escape is kept as it is.
// plus_is_space: '+' is a space, as in a query string or a form body.
void AppendPercentDecoded(std::string& out, std::string_view text, bool plus_is_space);

}  // namespace tracklake
