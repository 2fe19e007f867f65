#include "common/time_util.h"

#include <array>
#include <chrono>
#include <cstring>

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

// "00".."99", so that two digits are one copy.
constexpr auto kTwoDigits = [] {
  std::array<char, 200> t{};
  for (int i = 0; i < 100; ++i) {
    t[2 * i] = static_cast<char>('0' + i / 10);
    t[2 * i + 1] = static_cast<char>('0' + i % 10);
  }
  return t;
}();

void Put2(char* p, unsigned v) { std::memcpy(p, &kTwoDigits[2 * v], 2); }

bool IsDigit(char c) { return static_cast<unsigned char>(c - '0') <= 9; }

// The n digits of s at pos (the caller has checked that they are inside s).
bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(s[i])) return false;
    v = v * 10 + (s[i] - '0');
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
  return {c.year, static_cast<int>(c.month), static_cast<int>(c.day), static_cast<int>(in_day / 3'600'000)};
}

void WriteRfc3339Millis(char* out, int64_t ms) {
  const int64_t days = FloorDiv(ms, kMsPerDay);
  const int64_t in_day = ms - days * kMsPerDay;
  // Times in one batch mostly fall on two days (the clients' and the server's, which stamps
  // corrected times): the text of each of the last two is written once per thread.
  struct DayText {
    int64_t days = 1;  // not 0: the text below is not yet 1970-01-02's
    char text[10] = {'1', '9', '7', '0', '-', '0', '1', '-', '0', '2'};
  };
  thread_local DayText recent[2];
  thread_local unsigned older = 0;  // the entry to replace next
  DayText* hit = recent[0].days == days ? &recent[0] : recent[1].days == days ? &recent[1] : nullptr;
  if (hit == nullptr) {
    DayText& day = *(hit = &recent[older]);
    older ^= 1;
    const Civil c = CivilFromDays(days);
    const auto year = static_cast<unsigned>(c.year);
    Put2(day.text, year / 100 % 100);
    Put2(day.text + 2, year % 100);
    day.text[4] = '-';
    Put2(day.text + 5, c.month);
    day.text[7] = '-';
    Put2(day.text + 8, c.day);
    day.days = days;
  } else {
    older = hit == &recent[0] ? 1 : 0;
  }
  std::memcpy(out, hit->text, 10);
  const auto seconds = static_cast<unsigned>(in_day / 1000);
  const auto milli = static_cast<unsigned>(in_day % 1000);
  out[10] = 'T';
  Put2(out + 11, seconds / 3600);
  out[13] = ':';
  Put2(out + 14, seconds / 60 % 60);
  out[16] = ':';
  Put2(out + 17, seconds % 60);
  out[19] = '.';
  out[20] = static_cast<char>('0' + milli / 100);
  Put2(out + 21, milli % 100);
  out[23] = 'Z';
}

void AppendRfc3339Millis(std::string& out, int64_t ms) {
  char buf[kRfc3339MillisBytes];
  WriteRfc3339Millis(buf, ms);
  out.append(buf, sizeof(buf));
}

std::string FormatRfc3339Millis(int64_t ms) {
  std::string s;
  AppendRfc3339Millis(s, ms);
  return s;
}

std::optional<int64_t> ParseRfc3339Millis(std::string_view s) {
  if (s.size() < 20) return std::nullopt;
  // The days of the last two dates read on this thread, by their ten characters: times in one
  // batch mostly fall on two dates (the clients' and the server's, which stamps corrected
  // times), and a date seen is neither checked nor converted again.
  struct DateDays {
    bool set = false;
    uint64_t head = 0;  // "YYYY-MM-"
    uint16_t tail = 0;  // "DD"
    int64_t days = 0;
  };
  thread_local DateDays recent[2];
  thread_local unsigned older = 0;  // the entry to replace next
  uint64_t head;
  uint16_t tail;
  std::memcpy(&head, s.data(), sizeof(head));
  std::memcpy(&tail, s.data() + 8, sizeof(tail));
  int64_t days;
  if (recent[0].set && head == recent[0].head && tail == recent[0].tail) {
    days = recent[0].days;
    older = 1;
  } else if (recent[1].set && head == recent[1].head && tail == recent[1].tail) {
    days = recent[1].days;
    older = 0;
  } else {
    int y, mo, d;
    if (!Digits(s, 0, 4, y) || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' || !Digits(s, 8, 2, d) || mo < 1 ||
        mo > 12 || d < 1 || d > DaysInMonth(y, mo)) {
      return std::nullopt;
    }
    days = DaysFromCivil(y, mo, d);
    recent[older] = DateDays{true, head, tail, days};
    older ^= 1;
  }
  int h, mi, se;
  if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !Digits(s, 11, 2, h) || s[13] != ':' ||
      !Digits(s, 14, 2, mi) || s[16] != ':' || !Digits(s, 17, 2, se) || h > 23 || mi > 59 || se > 60) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t millis = 0;
  if (s[pos] == '.') {
    ++pos;
    const size_t start = pos;
    // Milliseconds from the first three digits; further digits are read and dropped.
    for (int64_t scale : {100, 10, 1}) {
      if (pos == s.size() || !IsDigit(s[pos])) break;
      millis += (s[pos++] - '0') * scale;
    }
    while (pos < s.size() && IsDigit(s[pos])) ++pos;
    if (pos == start) return std::nullopt;
  }
  int64_t offset_min = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (pos + 6 > s.size() || !Digits(s, pos + 1, 2, oh) || s[pos + 3] != ':' || !Digits(s, pos + 4, 2, om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_min = (s[pos] == '-' ? -1 : 1) * (oh * 60 + om);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  const int64_t secs = days * 86400 + h * 3600 + mi * 60 + (se == 60 ? 59 : se) - offset_min * 60;
  return secs * kMsPerSecond + millis;
}

}  // namespace tracklake
