// JSON messages: the encoding of a batch for message sinks (Kafka, Kinesis Data Streams). Each
// event becomes one message: its value is the event as one JSON object, the same fields and
// names as a line of the ndjson.gz lake (server fields first, the client's fields, properties
// included, at the top level); its key is the value of one chosen field (user_id,
// anonymous_id, session_id, event_id) or none; its headers are event_type, app_id and
// event_id. Dead-letter records (the "_rejected" partition) carry event_type and app_id only.
//
// The object's bytes are a sequence of framed messages (little-endian), which the sinks walk
// with MessageReader without copying:
//   u32 key_size + 1 (0: no key), key, u8 header_count,
//   header_count times: u16 name_size, name, u32 value_size, value;
//   u32 value_size, value.
// People never see this framing: a rejected object goes to the dead-letter area as the gzip
// NDJSON of its values (MessageValuesAsNdjsonGzip).
//
// Thread-safety: encoders are used by one thread at a time; the reader and free functions are
// pure.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "encode/encoder.h"

namespace tracklake {

std::unique_ptr<BatchEncoder> MakeJsonMessagesEncoder(const EncodeOptions& options);

struct MessageHeader {
  std::string_view name;
  std::string_view value;
};

struct MessageView {
  std::optional<std::string_view> key;  // nullopt: no key (none chosen, or the event lacks the field)
  std::vector<MessageHeader> headers;
  std::string_view value;  // the event's JSON object, without a newline
  // The value of the first header of that name, or "".
  std::string_view Header(std::string_view name) const;
};

// Walks the messages of an object. Views point into the bytes, which must outlive them.
class MessageReader {
 public:
  explicit MessageReader(std::string_view bytes) : rest_(bytes) {}
  // Fills out with the next message; false at the end or on damaged framing (status() says).
  bool Next(MessageView& out);
  const Status& status() const { return status_; }

 private:
  std::string_view rest_;
  Status status_;
};

// Every message of an object, in order; Corruption when the framing is damaged.
Result<std::vector<MessageView>> ReadMessages(std::string_view bytes);

// The values, one per line, gzip-compressed: the dead-letter form of a messages object.
Result<std::string> MessageValuesAsNdjsonGzip(std::string_view bytes);

}  // namespace tracklake
