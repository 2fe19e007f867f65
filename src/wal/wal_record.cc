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

// The record's CRC (unmasked) given its header h (length, type and sequence number filled in).
uint32_t RecordCrc(const Framing& f, const char* h, const char* payload, size_t n) {
  const uint32_t crc = f.legacy ? crc32c::Value(h + 8, 9) : crc32c::Extend(f.seed, h + 4, 13);
  return crc32c::Extend(crc, payload, n);
}

// Header layout: magic [0, 8), version [8, 12), masked CRC [12, 16), first_seq [16, 24), salt [24, 32).
constexpr size_t kVersionAt = 8;
constexpr size_t kHeaderCrcAt = 12;
constexpr size_t kFirstSeqAt = 16;
constexpr size_t kSaltAt = 24;

uint32_t HeaderCrc(const char* h) {
  const uint32_t crc = crc32c::Value(h, kHeaderCrcAt);
  return crc32c::Extend(crc, h + kFirstSeqAt, kSegmentHeaderSize - kFirstSeqAt);
}

}  // namespace

Framing Framing::Salted(uint64_t salt) {
  char bytes[8];
  PutU64(bytes, salt);
  Framing f;
  f.legacy = false;
  f.salt = salt;
  f.seed = crc32c::Value(bytes, sizeof bytes);
  return f;
}

void EncodeRecord(char* out, const Framing& framing, RecordType type, uint64_t seq, std::string_view payload) {
  PutU32(out + 4, static_cast<uint32_t>(payload.size()));
  out[8] = static_cast<char>(type);
  PutU64(out + 9, seq);
  PutU32(out, crc32c::Mask(RecordCrc(framing, out, payload.data(), payload.size())));
  if (!payload.empty()) std::memcpy(out + kHeaderSize, payload.data(), payload.size());
}

void AppendRecord(std::string& buf, const Framing& framing, RecordType type, uint64_t seq, std::string_view payload) {
  const size_t start = buf.size();
  buf.resize(start + kHeaderSize + payload.size());
  EncodeRecord(buf.data() + start, framing, type, seq, payload);
}

bool ParseRecordAt(std::string_view data, const Framing& framing, ParsedRecord& out) {
  if (data.size() < kHeaderSize) return false;
  const char* h = data.data();
  const uint32_t len = GetU32(h + 4);
  const auto type = static_cast<uint8_t>(h[8]);
  if (!KnownType(type) || len > kMaxPayload || len > data.size() - kHeaderSize) return false;
  if (crc32c::Mask(RecordCrc(framing, h, h + kHeaderSize, len)) != GetU32(h)) return false;
  out.type = static_cast<RecordType>(type);
  out.seq = GetU64(h + 9);
  out.payload = data.substr(kHeaderSize, len);
  return true;
}

void EncodeSegmentHeader(char* out, const SegmentHeader& header) {
  std::memcpy(out, kSegmentMagic.data(), kSegmentMagic.size());
  PutU32(out + kVersionAt, kFormatVersion);
  PutU64(out + kFirstSeqAt, header.first_seq);
  PutU64(out + kSaltAt, header.salt);
  PutU32(out + kHeaderCrcAt, crc32c::Mask(HeaderCrc(out)));
}

void AppendSegmentHeader(std::string& buf, const SegmentHeader& header) {
  const size_t start = buf.size();
  buf.resize(start + kSegmentHeaderSize);
  EncodeSegmentHeader(buf.data() + start, header);
}

HeaderCheck ReadSegmentHeader(std::string_view file, SegmentHeader& out, uint32_t* version) {
  if (!file.starts_with(kSegmentMagic)) return HeaderCheck::kAbsent;
  if (file.size() < kSegmentHeaderSize) return HeaderCheck::kDamaged;
  const char* h = file.data();
  if (crc32c::Mask(HeaderCrc(h)) != GetU32(h + kHeaderCrcAt)) return HeaderCheck::kDamaged;
  const uint32_t v = GetU32(h + kVersionAt);
  if (version) *version = v;
  out.first_seq = GetU64(h + kFirstSeqAt);
  out.salt = GetU64(h + kSaltAt);
  if (v == kFormatVersion) return HeaderCheck::kValid;
  return v > kFormatVersion ? HeaderCheck::kNewerFormat : HeaderCheck::kDamaged;
}

ScanResult ScanRecords(std::string_view data, size_t start, const ScanOptions& options,
                       const std::function<void(const ParsedRecord&)>& fn) {
  ScanResult r;
  if (options.first_seq == 0 || options.first_seq > options.max_seq) return r;
  uint64_t last_seq = options.first_seq - 1;
  size_t pos = start;
  // Zeros at the end are padding, not damage: direct I/O fills a segment's last block with them
  // (direct_io.h). No record starts inside them (its type byte would be 0).
  size_t zeros_from = data.size();
  while (zeros_from > start && data[zeros_from - 1] == 0) --zeros_from;
  size_t gap_from = pos;  // where the bytes after the last good record begin
  // A record at `at` that may follow the last good one: the bytes skipped since it could have
  // held at most one lost record per kHeaderSize.
  const auto follows = [&](size_t at, ParsedRecord& rec) {
    if (!ParseRecordAt(data.substr(at), options.framing, rec) || rec.seq <= last_seq) return false;
    return rec.seq - last_seq - 1 <= (at - gap_from) / kHeaderSize && rec.seq <= options.max_seq;
  };
  while (pos < data.size()) {
    ParsedRecord rec;
    if (follows(pos, rec)) {
      rec.offset = static_cast<uint32_t>(pos);
      fn(rec);
      ++r.records;
      last_seq = rec.seq;
      r.last_seq = rec.seq;
      pos += kHeaderSize + rec.payload.size();
      r.valid_end = pos;
      gap_from = pos;
      continue;
    }
    if (pos >= zeros_from || !options.resync) break;
    // Resynchronise: find the next offset holding a record that may follow.
    size_t next = pos + 1;
    while (next < zeros_from) {
      ParsedRecord probe;
      if (follows(next, probe)) break;
      ++next;
    }
    r.skipped_bytes += next - pos;
    pos = next;
  }
  return r;
}

SegmentScan ScanSegment(std::string_view file, uint64_t id, bool recycled, uint64_t max_seq,
                        const std::function<void(const ParsedRecord&)>& fn) {
  SegmentScan s;
  SegmentHeader header;
  s.header = ReadSegmentHeader(file, header, &s.version);
  ScanOptions o;
  o.first_seq = id;
  o.max_seq = max_seq;
  switch (s.header) {
    case HeaderCheck::kValid:
      if (header.first_seq != id) {
        // Another generation's header: a recycled file renamed into place, its own header never
        // written. Its bytes are stale, not damage; in a file that was never recycled they are.
        if (!recycled) s.skipped_bytes = file.size();
        return s;
      }
      o.framing = Framing::Salted(header.salt);
      o.resync = !recycled;
      static_cast<ScanResult&>(s) = ScanRecords(file, kSegmentHeaderSize, o, fn);
      s.framing = o.framing;
      return s;
    case HeaderCheck::kAbsent:
      // Format 1 has no salt: after damage, a resynchronising scan could take a record-shaped
      // run of bytes inside an event's value for a record. It ends at the first bad record.
      o.framing = Framing::Legacy();
      o.resync = false;
      static_cast<ScanResult&>(s) = ScanRecords(file, 0, o, fn);
      s.framing = o.framing;
      return s;
    case HeaderCheck::kDamaged: s.skipped_bytes = file.size(); return s;
    case HeaderCheck::kNewerFormat: return s;
  }
  return s;
}

}  // namespace tracklake::wal
