#include "sink/firehose/firehose_records.h"

#include <algorithm>

#include "sink/record_calls.h"
#include "sink/sink.h"

namespace tracklake {
namespace {

constexpr size_t kMaxStreamNameLength = 64;

}  // namespace

FirehoseRecords PackRecords(std::string_view ndjson, bool aggregate, size_t max_record_bytes) {
  FirehoseRecords out;
  // The record being built is [record_begin, record_end) of ndjson: lines are contiguous, so
  // an aggregated record is a view too.
  size_t record_begin = 0;
  size_t record_end = 0;
  auto close_record = [&] {
    if (record_end > record_begin) out.records.push_back(ndjson.substr(record_begin, record_end - record_begin));
    record_begin = record_end;
  };
  uint64_t line_number = 0;
  size_t pos = 0;
  while (pos < ndjson.size()) {
    const size_t newline = ndjson.find('\n', pos);
    const size_t end = newline == std::string_view::npos ? ndjson.size() : newline + 1;
    ++line_number;
    const size_t length = end - pos;
    const bool blank = length == 1 && ndjson[pos] == '\n';
    if (blank || length > max_record_bytes) {
      // Not part of any record: close the one before it so records stay contiguous.
      close_record();
      if (!blank) out.oversized_lines.push_back(line_number);
      record_begin = record_end = end;
      pos = end;
      continue;
    }
    if (!aggregate || end - record_begin > max_record_bytes) close_record();
    record_end = end;
    ++out.events;
    pos = end;
  }
  close_record();
  return out;
}

std::vector<std::vector<size_t>> GroupIntoCalls(const std::vector<std::string_view>& records,
                                                const std::vector<size_t>& indices, size_t max_records,
                                                size_t max_bytes) {
  return GroupIntoCalls([&](size_t index) { return records[index].size(); }, indices, max_records, max_bytes);
}

uint64_t BilledBytes(size_t record_bytes) {
  const uint64_t units = (record_bytes + kFirehoseBillingUnitBytes - 1) / kFirehoseBillingUnitBytes;
  return std::max<uint64_t>(units, 1) * kFirehoseBillingUnitBytes;
}

std::string StreamName(std::string_view stream_template, std::string_view event_type) {
  return NameFromTemplate(stream_template, event_type);
}

bool IsValidStreamName(std::string_view name) {
  if (name.empty() || name.size() > kMaxStreamNameLength) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace tracklake
