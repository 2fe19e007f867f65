#include "common/time_util.h"

#include <chrono>

namespace tracklake {
namespace {

constexpr int64_t kMsPerSecond = 1000;
constexpr int64_t kMsPerDay = 86'400'000;

struct Civil {
  int year;
  unsigned month;
  unsigned day;
};

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), m, d};
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

void Put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

}  // namespace

int64_t NowMillis() {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  return duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int64_t DaysFromCivil(int year, int month, int day) {
  const int y = year - (month <= 2);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const auto m = static_cast<unsigned>(month);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + static_cast<unsigned>(day) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468;
}

UtcDateHour ToUtcDateHour(int64_t ms) {
  const int64_t days = FloorDiv(ms, kMsPerDay);
  const int64_t in_day = ms - days * kMsPerDay;
  const Civil c = CivilFromDays(days);
  return {c.year, static_cast<int>(c.month), static_cast<int>(c.day),
          static_cast<int>(in_day / 3'600'000)};
}

void AppendRfc3339Millis(std::string& out, int64_t ms) {
  const int64_t days = FloorDiv(ms, kMsPerDay);
  const int64_t in_day = ms - days * kMsPerDay;
  const Civil c = CivilFromDays(days);
  char buf[24];
  const auto year = static_cast<unsigned>(c.year);
  buf[0] = static_cast<char>('0' + year / 1000 % 10);
  buf[1] = static_cast<char>('0' + year / 100 % 10);
  Put2(buf + 2, year % 100);
  buf[4] = '-';
  Put2(buf + 5, c.month);
  buf[7] = '-';
  Put2(buf + 8, c.day);
  buf[10] = 'T';
  Put2(buf + 11, static_cast<unsigned>(in_day / 3'600'000));
  buf[13] = ':';
  Put2(buf + 14, static_cast<unsigned>(in_day / 60'000 % 60));
  buf[16] = ':';
  Put2(buf + 17, static_cast<unsigned>(in_day / 1000 % 60));
  buf[19] = '.';
  const auto milli = static_cast<unsigned>(in_day % 1000);
  buf[20] = static_cast<char>('0' + milli / 100);
  Put2(buf + 21, milli % 100);
  buf[23] = 'Z';
  out.append(buf, sizeof(buf));
}

std::string FormatRfc3339Millis(int64_t ms) {
  std::string s;
  AppendRfc3339Millis(s, ms);
  return s;
}

std::optional<int64_t> ParseRfc3339Millis(std::string_view s) {
  int y, mo, d, h, mi, se;
  if (!Digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' ||
      !Digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !Digits(s, 11, 2, h) ||
      s[13] != ':' || !Digits(s, 14, 2, mi) || s[16] != ':' || !Digits(s, 17, 2, se)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo) || h > 23 || mi > 59 || se > 60) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const size_t start = pos;
    int scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int64_t offset_min = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!Digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_min = (s[pos] == '-' ? -1 : 1) * (oh * 60 + om);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  const int64_t secs = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + (se == 60 ? 59 : se) -
                       offset_min * 60;
  return secs * kMsPerSecond + millis;
}

}  // namespace tracklake
