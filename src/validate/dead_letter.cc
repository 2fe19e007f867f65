#include "validate/dead_letter.h"

#include <simdjson.h>

#include <charconv>

#include "event/event_record.h"
#include "event/names.h"

namespace tracklake {
namespace {

constexpr std::string_view kBase64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr size_t kBase64InGroup = 3;
constexpr size_t kBase64OutGroup = 4;
constexpr unsigned kSixBits = 0x3f;
constexpr size_t kMaxUint32Digits = 10;

}  // namespace

void AppendBase64(std::string& out, std::string_view in) {
  out.reserve(out.size() + (in.size() + kBase64InGroup - 1) / kBase64InGroup * kBase64OutGroup);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(in[k])); };
  for (; i + kBase64InGroup <= in.size(); i += kBase64InGroup) {
    const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out.push_back(kBase64Alphabet[(v >> 18) & kSixBits]);
    out.push_back(kBase64Alphabet[(v >> 12) & kSixBits]);
    out.push_back(kBase64Alphabet[(v >> 6) & kSixBits]);
    out.push_back(kBase64Alphabet[v & kSixBits]);
  }
  const size_t rest = in.size() - i;
  if (rest == 0) return;
  unsigned v = byte(i) << 16;
  if (rest == 2) v |= byte(i + 1) << 8;
  out.push_back(kBase64Alphabet[(v >> 18) & kSixBits]);
  out.push_back(kBase64Alphabet[(v >> 12) & kSixBits]);
  out.push_back(rest == 2 ? kBase64Alphabet[(v >> 6) & kSixBits] : '=');
  out.push_back('=');
}

void RejectEvent(ValidatedBody& out, const RequestInfo& info, uint32_t index, std::string_view field,
                 std::string_view error, std::string_view raw, std::string& scratch) {
  out.rejected.push_back(Rejection{index, std::string(field), std::string(error)});

  char digits[kMaxUint32Digits];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), index);
  (void)ec;  // a uint32_t always fits in kMaxUint32Digits

  const auto offset = static_cast<uint32_t>(out.records.size());
  EventRecordBuilder b(out.records);
  b.Begin(RecordKind::kRejected, info.received_at_ms, kNoEventTime);
  b.Add(kRejectedKeys[0], info.app_id);
  b.Add(kRejectedKeys[1], std::string_view(digits, static_cast<size_t>(end - digits)));
  b.Add(kRejectedKeys[2], field);
  b.Add(kRejectedKeys[3], error);
  if (simdjson::validate_utf8(raw.data(), raw.size())) {
    b.Add(kRawKey, raw);
  } else {
    scratch.clear();
    AppendBase64(scratch, raw);
    b.Add(kRawBase64Key, scratch);
  }
  const auto size = static_cast<uint32_t>(b.Finish());
  out.spans.push_back(RecordSpan{offset, size});
}

}  // namespace tracklake
