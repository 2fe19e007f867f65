#include "encode/json_messages.h"

#include <limits>

#include "common/gzip.h"
#include "event/names.h"

namespace tracklake {
namespace {

// Headers are named after the fields they copy.
constexpr std::string_view kEventTypeHeader = kEventTypeKey;
constexpr std::string_view kAppIdHeader = kAppIdKey;
constexpr std::string_view kEventIdHeader = kEventIdKey;
constexpr std::string_view kNoKey = "none";

template <typename T>
void PutLittleEndian(std::string& out, T value) {
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

template <typename T>
bool TakeLittleEndian(std::string_view& in, T& value) {
  if (in.size() < sizeof(T)) return false;
  value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) value |= static_cast<T>(static_cast<unsigned char>(in[i])) << (8 * i);
  in.remove_prefix(sizeof(T));
  return true;
}

bool TakeBytes(std::string_view& in, size_t n, std::string_view& out) {
  if (in.size() < n) return false;
  out = in.substr(0, n);
  in.remove_prefix(n);
  return true;
}

class JsonMessagesEncoder final : public BatchEncoder {
 public:
  explicit JsonMessagesEncoder(const EncodeOptions& options)
      : event_type_(options.event_type), key_field_(options.message_key == kNoKey ? "" : options.message_key) {}

  Status Add(const EventView& event) override {
    const bool is_event = event.kind == RecordKind::kEvent;
    const std::optional<std::string_view> key = key_field_.empty() || !is_event ? std::nullopt : event.Get(key_field_);
    if (key) {
      if (key->size() >= std::numeric_limits<uint32_t>::max()) return Status::InvalidArgument("key too long");
      PutLittleEndian<uint32_t>(out_, static_cast<uint32_t>(key->size() + 1));
      out_.append(*key);
    } else {
      PutLittleEndian<uint32_t>(out_, 0);
    }
    const std::string_view event_type = is_event ? event.event_type() : std::string_view(event_type_);
    const std::string_view app_id = event.Get(kAppIdHeader).value_or("");
    const std::optional<std::string_view> event_id = is_event ? event.Get(kEventIdHeader) : std::nullopt;
    out_.push_back(static_cast<char>(event_id ? 3 : 2));
    PutHeader(kEventTypeHeader, event_type);
    PutHeader(kAppIdHeader, app_id);
    if (event_id) PutHeader(kEventIdHeader, *event_id);
    const size_t size_at = out_.size();
    PutLittleEndian<uint32_t>(out_, 0);
    AppendEventJson(out_, event);
    const size_t value_size = out_.size() - size_at - sizeof(uint32_t);
    for (size_t i = 0; i < sizeof(uint32_t); ++i)
      out_[size_at + i] = static_cast<char>((value_size >> (8 * i)) & 0xff);
    return Status::Ok();
  }

  Result<std::string> Finish() override { return std::move(out_); }

 private:
  void PutHeader(std::string_view name, std::string_view value) {
    PutLittleEndian<uint16_t>(out_, static_cast<uint16_t>(name.size()));
    out_.append(name);
    PutLittleEndian<uint32_t>(out_, static_cast<uint32_t>(value.size()));
    out_.append(value);
  }

  const std::string event_type_;
  const std::string key_field_;
  std::string out_;
};

}  // namespace

std::unique_ptr<BatchEncoder> MakeJsonMessagesEncoder(const EncodeOptions& options) {
  return std::make_unique<JsonMessagesEncoder>(options);
}

std::string_view MessageView::Header(std::string_view name) const {
  for (const MessageHeader& h : headers) {
    if (h.name == name) return h.value;
  }
  return {};
}

bool MessageReader::Next(MessageView& out) {
  if (rest_.empty() || !status_.ok()) return false;
  std::string_view in = rest_;
  auto damaged = [&] {
    status_ = Status::Corruption("damaged message framing");
    rest_ = {};
    return false;
  };
  uint32_t key_size = 0;
  if (!TakeLittleEndian(in, key_size)) return damaged();
  out.key.reset();
  if (key_size > 0) {
    std::string_view key;
    if (!TakeBytes(in, key_size - 1, key)) return damaged();
    out.key = key;
  }
  uint8_t header_count = 0;
  if (!TakeLittleEndian(in, header_count)) return damaged();
  out.headers.clear();
  for (uint8_t i = 0; i < header_count; ++i) {
    uint16_t name_size = 0;
    uint32_t value_size = 0;
    MessageHeader h;
    if (!TakeLittleEndian(in, name_size) || !TakeBytes(in, name_size, h.name) || !TakeLittleEndian(in, value_size) ||
        !TakeBytes(in, value_size, h.value)) {
      return damaged();
    }
    out.headers.push_back(h);
  }
  uint32_t value_size = 0;
  if (!TakeLittleEndian(in, value_size) || !TakeBytes(in, value_size, out.value)) return damaged();
  rest_ = in;
  return true;
}

Result<std::vector<MessageView>> ReadMessages(std::string_view bytes) {
  std::vector<MessageView> messages;
  MessageReader reader(bytes);
  MessageView m;
  while (reader.Next(m)) messages.push_back(m);
  if (!reader.status().ok()) return reader.status();
  return messages;
}

Result<std::string> MessageValuesAsNdjsonGzip(std::string_view bytes) {
  std::string out;
  GzipWriter gzip(out);
  MessageReader reader(bytes);
  MessageView m;
  std::string line;
  while (reader.Next(m)) {
    line.assign(m.value);
    line.push_back('\n');
    if (Status s = gzip.Write(line); !s.ok()) return s;
  }
  if (!reader.status().ok()) return reader.status();
  if (Status s = gzip.Finish(); !s.ok()) return s;
  return out;
}

}  // namespace tracklake
