#include "event/event_record.h"

#include <algorithm>
#include <cstring>

#include "event/names.h"

namespace tracklake {
namespace {

constexpr size_t kHeaderSize = 1 + 1 + 8 + 8 + 2;
constexpr size_t kCountOffset = 18;

constexpr size_t kMaxVarintBytes = 10;

char* PutFixed64(char* p, int64_t v) {
  auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) {
    p[i] = static_cast<char>(u & 0xff);
    u >>= 8;
  }
  return p + 8;
}

int64_t GetFixed64(const char* p) {
  uint64_t u = 0;
  for (int i = 7; i >= 0; --i) u = (u << 8) | static_cast<unsigned char>(p[i]);
  return static_cast<int64_t>(u);
}

char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

bool GetVarint(std::string_view& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift <= 63 && !in.empty(); shift += 7) {
    const auto b = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

bool GetString(std::string_view& in, std::string_view& s) {
  uint64_t n;
  if (!GetVarint(in, n) || n > in.size()) return false;
  s = in.substr(0, n);
  in.remove_prefix(n);
  return true;
}

}  // namespace

std::optional<std::string_view> EventView::Get(std::string_view key) const {
  for (const Field& f : fields) {
    if (f.key == key) return f.value;
  }
  return std::nullopt;
}

void EventRecordBuilder::Begin(RecordKind kind, int64_t received_at_ms, int64_t event_time_ms, size_t expected_bytes) {
  start_ = end_ = out_.size();
  char* p = Room(std::max(kHeaderSize, expected_bytes));
  *p++ = static_cast<char>(kEventRecordVersion);
  *p++ = static_cast<char>(kind);
  p = PutFixed64(p, received_at_ms);
  p = PutFixed64(p, event_time_ms);
  count_pos_ = static_cast<size_t>(p - out_.data());
  end_ = count_pos_ + 2;
  count_ = 0;
}

char* EventRecordBuilder::Room(size_t n) {
  if (out_.size() - end_ < n) {
    // Doubling keeps a record built without a hint linear; resize() zero-fills, which is
    // cheap next to copying the fields in.
    out_.resize(std::max(end_ + n, end_ + (end_ - start_)));
  }
  return out_.data() + end_;
}

void EventRecordBuilder::Add(std::string_view key, std::string_view value) {
  char* const begin = Room(key.size() + value.size() + 2 * kMaxVarintBytes);
  char* p = PutVarint(begin, key.size());
  std::memcpy(p, key.data(), key.size());
  p = PutVarint(p + key.size(), value.size());
  std::memcpy(p, value.data(), value.size());
  end_ += static_cast<size_t>(p + value.size() - begin);
  ++count_;
}

size_t EventRecordBuilder::Finish() {
  out_.resize(end_);
  out_[count_pos_] = static_cast<char>(count_ & 0xff);
  out_[count_pos_ + 1] = static_cast<char>(count_ >> 8);
  return end_ - start_;
}

void EventRecordBuilder::Abort() {
  out_.resize(start_);
  end_ = start_;
}

Status DecodeEventRecord(std::string_view bytes, EventView& out) {
  out.fields.clear();
  if (bytes.size() < kHeaderSize) return Status::Corruption("event record shorter than its header");
  if (static_cast<uint8_t>(bytes[0]) != kEventRecordVersion) {
    return Status::Corruption("unknown event record version");
  }
  const auto kind = static_cast<uint8_t>(bytes[1]);
  if (kind != static_cast<uint8_t>(RecordKind::kEvent) && kind != static_cast<uint8_t>(RecordKind::kRejected)) {
    return Status::Corruption("unknown event record kind");
  }
  out.kind = static_cast<RecordKind>(kind);
  out.received_at_ms = GetFixed64(bytes.data() + 2);
  out.event_time_ms = GetFixed64(bytes.data() + 10);
  const unsigned count = static_cast<unsigned char>(bytes[kCountOffset]) |
                         (static_cast<unsigned>(static_cast<unsigned char>(bytes[kCountOffset + 1])) << 8);
  std::string_view in = bytes.substr(kHeaderSize);
  out.fields.reserve(count);
  for (unsigned i = 0; i < count; ++i) {
    Field f;
    if (!GetString(in, f.key) || !GetString(in, f.value)) {
      return Status::Corruption("event record field runs past its end");
    }
    out.fields.push_back(f);
  }
  if (!in.empty()) return Status::Corruption("trailing bytes after event record fields");
  return Status::Ok();
}

std::string EncodeEventRecord(const EventView& e) {
  std::string out;
  EventRecordBuilder b(out);
  b.Begin(e.kind, e.received_at_ms, e.event_time_ms);
  for (const Field& f : e.fields) b.Add(f.key, f.value);
  b.Finish();
  return out;
}

}  // namespace tracklake

namespace tracklake {

bool PeekRouting(std::string_view bytes, RecordRouting& out) {
  if (bytes.size() < kHeaderSize || static_cast<uint8_t>(bytes[0]) != kEventRecordVersion) return false;
  out.kind = static_cast<RecordKind>(bytes[1]);
  out.received_at_ms = GetFixed64(bytes.data() + 2);
  out.event_type = {};
  if (out.kind != RecordKind::kEvent) return out.kind == RecordKind::kRejected;
  std::string_view in = bytes.substr(kHeaderSize);
  std::string_view key;
  return GetString(in, key) && GetString(in, out.event_type);
}

bool PeekIdentity(std::string_view bytes, RecordIdentity& out) {
  if (bytes.size() < kHeaderSize || static_cast<uint8_t>(bytes[0]) != kEventRecordVersion ||
      static_cast<RecordKind>(bytes[1]) != RecordKind::kEvent) {
    return false;
  }
  out.received_at_ms = GetFixed64(bytes.data() + 2);
  std::string_view in = bytes.substr(kHeaderSize);
  std::string_view key, value;
  if (!GetString(in, key) || !GetString(in, value)) return false;  // event_type
  if (!GetString(in, key) || key != kEventIdKey || !GetString(in, out.event_id)) return false;
  return GetString(in, key) && key == kAppIdKey && GetString(in, out.app_id);
}

}  // namespace tracklake
