// libFuzzer target: ScanRecords / ScanSegment (the write-ahead log's recovery reader) on
// arbitrary bytes, as a record stream from first_seq 1 and from a first_seq taken from the input,
// and as a whole segment file (header, then records). Invariants beyond "no crash":
//   - every byte of a resynchronising scan is either inside exactly one returned record or
//     counted as skipped;
//   - records come in file order, do not overlap, start at first_seq and follow one another: a
//     number skips ahead only over skipped bytes, by at most one per kHeaderSize of them;
//     re-framing a record with AppendRecord (the same salt) gives back exactly its bytes;
//   - valid_end is the end of the last record (0 when none) and never past the data;
//     last_seq is the last record's sequence number.
// Replay then decodes each payload (event records, seal/delivered payloads); the same decoders
// run on the raw input too, since a CRC that verifies does not make the payload well-formed
// (a bug in an older writer would still be replayed). A decoded event record re-encodes to
// the same fields, and PeekRouting (the batcher's shortcut) agrees with the full decode.
// Seeds (fuzz/make_seeds.py) are framed with kFuzzSalt.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "event/event_record.h"
#include "fuzz_check.h"
#include "pipeline/seal_record.h"
#include "wal/wal.h"
#include "wal/wal_record.h"

namespace tracklake::wal {
namespace {

constexpr uint64_t kFuzzSalt = 0x747261636b6c616b;  // any fixed value: fuzz/make_seeds.py frames seeds with it

void CheckPayload(std::string_view payload) {
  EventView view;
  RecordRouting routing;
  const bool peeked = PeekRouting(payload, routing);
  if (DecodeEventRecord(payload, view).ok()) {
    EventView again;
    const std::string encoded = EncodeEventRecord(view);
    FUZZ_CHECK(DecodeEventRecord(encoded, again).ok(), "re-encoded record does not decode");
    FUZZ_CHECK(again.kind == view.kind && again.received_at_ms == view.received_at_ms &&
                   again.event_time_ms == view.event_time_ms && again.fields.size() == view.fields.size(),
               "re-encoded record differs");
    for (size_t i = 0; i < view.fields.size(); ++i) {
      FUZZ_CHECK(again.fields[i].key == view.fields[i].key && again.fields[i].value == view.fields[i].value,
                 "re-encoded field differs");
    }
    if (peeked) {
      FUZZ_CHECK(routing.kind == view.kind && routing.received_at_ms == view.received_at_ms, "routing disagrees");
      if (view.kind == RecordKind::kEvent) {
        FUZZ_CHECK(!view.fields.empty() && routing.event_type == view.fields[0].value, "routed event type");
      }
    }
  }
  SealPayload seal;
  (void)DecodeSealPayload(payload, seal);
}

void CheckScan(std::string_view data, size_t start, const ScanOptions& o) {
  uint64_t records = 0;
  uint64_t covered = 0;
  uint64_t prev_end = start;
  uint64_t prev_seq = o.first_seq - 1;
  std::string reframed;
  const ScanResult r = ScanRecords(data, start, o, [&](const ParsedRecord& rec) {
    const uint64_t end = uint64_t{rec.offset} + kHeaderSize + rec.payload.size();
    FUZZ_CHECK(rec.offset >= prev_end, "records overlap or go backwards");
    FUZZ_CHECK(end <= data.size(), "record past the end of the data");
    FUZZ_CHECK(rec.payload.data() == data.data() + rec.offset + kHeaderSize, "payload is not in place");
    FUZZ_CHECK(rec.seq > prev_seq && rec.seq <= o.max_seq, "sequence number out of order or above max_seq");
    FUZZ_CHECK(rec.seq - prev_seq - 1 <= (rec.offset - prev_end) / kHeaderSize,
               "sequence number jumps further than the skipped bytes allow");
    FUZZ_CHECK(o.resync || rec.offset == prev_end, "a scan without resync skipped bytes");
    reframed.clear();
    AppendRecord(reframed, o.framing, rec.type, rec.seq, rec.payload);
    FUZZ_CHECK(reframed == data.substr(rec.offset, end - rec.offset), "record does not re-frame to its bytes");
    ParsedRecord again;
    FUZZ_CHECK(ParseRecordAt(data.substr(rec.offset), o.framing, again) && again.seq == rec.seq,
               "ParseRecordAt disagrees");
    prev_end = end;
    prev_seq = rec.seq;
    CheckPayload(rec.payload);
    covered += end - rec.offset;
    ++records;
  });
  FUZZ_CHECK(r.records == records, "record count differs from the callbacks");
  FUZZ_CHECK(r.valid_end <= data.size(), "valid_end past the data");
  FUZZ_CHECK(r.valid_end == (records == 0 ? 0 : prev_end), "valid_end is not the end of the last record");
  FUZZ_CHECK(r.last_seq == (records == 0 ? 0 : prev_seq), "last_seq is not the last record's");
  if (!o.resync || start > data.size()) return;
  // Zeros at the end are padding (direct I/O fills a segment's last block with them): the only
  // bytes a resynchronising scan may leave neither in a record nor skipped.
  uint64_t trailing_zeros = 0;
  while (trailing_zeros < data.size() - start && data[data.size() - 1 - trailing_zeros] == 0) ++trailing_zeros;
  const uint64_t scanned = data.size() - start;
  FUZZ_CHECK(covered + r.skipped_bytes <= scanned, "bytes counted twice");
  FUZZ_CHECK(scanned - covered - r.skipped_bytes <= trailing_zeros, "bytes neither in a record nor skipped");
}

// The whole input as a segment file named id.
void CheckFile(std::string_view data, uint64_t id, bool recycled) {
  uint64_t prev_seq = id - 1;
  const SegmentScan s = ScanSegment(data, id, recycled, UINT64_MAX, [&](const ParsedRecord& rec) {
    FUZZ_CHECK(rec.seq > prev_seq, "file records out of order");
    FUZZ_CHECK(rec.offset >= (data.starts_with(kSegmentMagic) ? kSegmentHeaderSize : 0), "a record inside the header");
    prev_seq = rec.seq;
  });
  FUZZ_CHECK(s.records == 0 || s.header == HeaderCheck::kValid || s.header == HeaderCheck::kAbsent,
             "records from a segment whose header does not verify");
  FUZZ_CHECK(s.records == 0 || s.framing.legacy == (s.header == HeaderCheck::kAbsent), "framing of the wrong format");
  FUZZ_CHECK(s.header != HeaderCheck::kAbsent || s.skipped_bytes == 0, "a format-1 scan resynchronised");
}

}  // namespace
}  // namespace tracklake::wal

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tracklake::wal;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ScanOptions o;
  o.framing = Framing::Salted(kFuzzSalt);
  CheckScan(bytes, 0, o);
  tracklake::wal::CheckPayload(bytes);
  if (size > 0) {
    o.first_seq = 1 + data[size - 1] % 8;
    o.max_seq = o.first_seq + data[0] % 16;
    o.resync = (data[size - 1] & 0x80) == 0;
    CheckScan(bytes, 0, o);
    o.framing = Framing::Legacy();
    CheckScan(bytes, 0, o);
    CheckFile(bytes, 1 + data[size - 1] % 8, (data[size - 1] & 0x40) != 0);
  }
  return 0;
}
