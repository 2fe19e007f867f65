// libFuzzer target: ScanSegment (the write-ahead log's recovery reader) on arbitrary bytes, with
// min_seq 0 and with a min_seq taken from the input. Invariants beyond "no crash":
//   - every byte is either inside exactly one returned record or counted as skipped;
//   - records come in file order, do not overlap, have rising sequence numbers above min_seq,
//     and re-framing a record with AppendRecord gives back exactly its bytes;
//   - valid_end is the end of the last record (0 when none) and never past the data;
//     last_seq is the last record's sequence number.
// Replay then decodes each payload (event records, seal/delivered payloads); the same decoders
// run on the raw input too, since a CRC that verifies does not make the payload well-formed
// (a bug in an older writer would still be replayed). A decoded event record re-encodes to
// the same fields, and PeekRouting (the batcher's shortcut) agrees with the full decode.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "event/event_record.h"
#include "fuzz_check.h"
#include "wal/wal.h"
#include "wal/wal_record.h"

namespace tracklake::wal {
namespace {


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

void CheckScan(std::string_view data, uint64_t min_seq) {
  uint64_t records = 0;
  uint64_t covered = 0;
  uint64_t prev_end = 0;
  uint64_t prev_seq = min_seq;
  std::string reframed;
  const ScanResult r = ScanSegment(data, min_seq, [&](const ParsedRecord& rec) {
    const uint64_t end = uint64_t{rec.offset} + kHeaderSize + rec.payload.size();
    FUZZ_CHECK(rec.offset >= prev_end, "records overlap or go backwards");
    FUZZ_CHECK(end <= data.size(), "record past the end of the data");
    FUZZ_CHECK(rec.payload.data() == data.data() + rec.offset + kHeaderSize, "payload is not in place");
    FUZZ_CHECK(rec.seq > prev_seq, "sequence numbers do not rise above min_seq");
    reframed.clear();
    AppendRecord(reframed, rec.type, rec.seq, rec.payload);
    FUZZ_CHECK(reframed == data.substr(rec.offset, end - rec.offset), "record does not re-frame to its bytes");
    ParsedRecord again;
    FUZZ_CHECK(ParseRecordAt(data.substr(rec.offset), again) && again.seq == rec.seq, "ParseRecordAt disagrees");
    prev_end = end;
    prev_seq = rec.seq;
    CheckPayload(rec.payload);
    covered += end - rec.offset;
    ++records;
  });
  FUZZ_CHECK(r.records == records, "record count differs from the callbacks");
  FUZZ_CHECK(r.valid_end <= data.size(), "valid_end past the data");
  FUZZ_CHECK(r.valid_end == prev_end, "valid_end is not the end of the last record");
  // Zeros at the end are padding (direct I/O fills a segment's last block with them): the only
  // bytes a scan may leave neither in a record nor skipped.
  uint64_t trailing_zeros = 0;
  while (trailing_zeros < data.size() && data[data.size() - 1 - trailing_zeros] == 0) ++trailing_zeros;
  FUZZ_CHECK(covered + r.skipped_bytes <= data.size(), "bytes counted twice");
  FUZZ_CHECK(data.size() - covered - r.skipped_bytes <= trailing_zeros, "bytes neither in a record nor skipped");
  FUZZ_CHECK(r.last_seq == (records == 0 ? 0 : prev_seq), "last_seq is not the last record's");
}

}  // namespace
}  // namespace tracklake::wal

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  tracklake::wal::CheckScan(bytes, 0);
  tracklake::wal::CheckPayload(bytes);
  if (size > 0) tracklake::wal::CheckScan(bytes, data[size - 1]);
  return 0;
}
