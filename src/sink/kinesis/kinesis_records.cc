#include "sink/kinesis/kinesis_records.h"

#include <algorithm>
#include <functional>

#include "aws/sigv4.h"
#include "event/names.h"

namespace tracklake {
namespace {

constexpr size_t kMaxStreamNameLength = 128;

std::string Bounded(std::string_view key) {
  if (key.size() <= kKinesisMaxPartitionKeyBytes) return std::string(key);
  return aws::Sha256Hex(key);
}

}  // namespace

std::string KinesisPartitionKey(const MessageView& message) {
  if (message.key && !message.key->empty()) return Bounded(*message.key);
  if (std::string_view id = message.Header(kEventIdKey); !id.empty()) return Bounded(id);
  return aws::Sha256Hex(message.value);
}

KinesisRecords PackKinesisRecords(const std::vector<MessageView>& messages, bool aggregate, size_t max_record_bytes) {
  KinesisRecords out;
  for (size_t i = 0; i < messages.size(); ++i) {
    const MessageView& m = messages[i];
    std::string key = KinesisPartitionKey(m);
    const size_t line_bytes = m.value.size() + 1;
    if (line_bytes + key.size() > max_record_bytes) {
      out.oversized.push_back(i + 1);
      continue;
    }
    const bool fits = !out.records.empty() && out.records.back().size() + line_bytes <= max_record_bytes;
    if (!aggregate || !fits) out.records.push_back({"", std::move(key)});
    std::string& data = out.records.back().data;
    data.append(m.value);
    data.push_back('\n');
    ++out.events;
  }
  return out;
}

bool IsValidKinesisStreamName(std::string_view name) {
  if (name.empty() || name.size() > kMaxStreamNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
  });
}

uint64_t KinesisPayloadUnits(size_t record_bytes) {
  return std::max<uint64_t>(1, (record_bytes + kKinesisPayloadUnitBytes - 1) / kKinesisPayloadUnitBytes);
}

}  // namespace tracklake
