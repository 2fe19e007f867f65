#include "wal/wal_record.h"

#include <cstring>

#include "common/crc32c.h"

namespace tracklake::wal {
namespace {

void PutU32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
void PutU64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

bool KnownType(uint8_t t) {
  return t == static_cast<uint8_t>(RecordType::kEvent) || t == static_cast<uint8_t>(RecordType::kSeal) ||
         t == static_cast<uint8_t>(RecordType::kDelivered);
}

}  // namespace

void EncodeRecord(char* out, RecordType type, uint64_t seq, std::string_view payload) {
  PutU32(out + 4, static_cast<uint32_t>(payload.size()));
  out[8] = static_cast<char>(type);
  PutU64(out + 9, seq);
  uint32_t crc = crc32c::Value(out + 8, 9);
  crc = crc32c::Extend(crc, payload.data(), payload.size());
  PutU32(out, crc32c::Mask(crc));
  if (!payload.empty()) std::memcpy(out + kHeaderSize, payload.data(), payload.size());
}

void AppendRecord(std::string& buf, RecordType type, uint64_t seq, std::string_view payload) {
  const size_t start = buf.size();
  buf.resize(start + kHeaderSize + payload.size());
  EncodeRecord(buf.data() + start, type, seq, payload);
}

bool ParseRecordAt(std::string_view data, ParsedRecord& out) {
  if (data.size() < kHeaderSize) return false;
  const char* h = data.data();
  const uint32_t len = GetU32(h + 4);
  const auto type = static_cast<uint8_t>(h[8]);
  if (!KnownType(type) || len > kMaxPayload || len > data.size() - kHeaderSize) return false;
  uint32_t crc = crc32c::Value(h + 8, 9);
  crc = crc32c::Extend(crc, h + kHeaderSize, len);
  if (crc32c::Mask(crc) != GetU32(h)) return false;
  out.type = static_cast<RecordType>(type);
  out.seq = GetU64(h + 9);
  out.payload = data.substr(kHeaderSize, len);
  return true;
}

ScanResult ScanSegment(std::string_view data, uint64_t min_seq,
                       const std::function<void(const ParsedRecord&)>& fn, bool resync) {
  ScanResult r;
  uint64_t last_seq = min_seq;
  size_t pos = 0;
  // Zeros at the end are padding, not damage: direct I/O fills a segment's last block with them
  // (direct_io.h). No record starts inside them (its type byte would be 0).
  size_t zeros_from = data.size();
  while (zeros_from > 0 && data[zeros_from - 1] == 0) --zeros_from;
  while (pos < data.size()) {
    ParsedRecord rec;
    if (ParseRecordAt(data.substr(pos), rec) && rec.seq > last_seq) {
      rec.offset = static_cast<uint32_t>(pos);
      fn(rec);
      ++r.records;
      last_seq = rec.seq;
      r.last_seq = rec.seq;
      pos += kHeaderSize + rec.payload.size();
      r.valid_end = pos;
      continue;
    }
    if (pos >= zeros_from || !resync) break;
    // Resynchronise: find the next offset holding a verifiable record.
    size_t next = pos + 1;
    while (next < zeros_from) {
      ParsedRecord probe;
      if (ParseRecordAt(data.substr(next), probe) && probe.seq > last_seq) break;
      ++next;
    }
    r.skipped_bytes += next - pos;
    pos = next;
  }
  return r;
}

}  // namespace tracklake::wal
