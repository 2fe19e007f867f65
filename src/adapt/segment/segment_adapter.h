// Segment's HTTP Tracking API: POST /v1/track|identify|page|screen|group|alias (one message),
// /v1/batch and /v1/import ({"batch":[...], "context", "sentAt", "writeKey"}), the short paths
// analytics.js uses (/v1/t, /v1/i, /v1/p, /v1/s, /v1/g, /v1/a, /v1/b), and the pixel
// GET /v1/pixel/<call>?data=<base64 JSON>. The mapping to event fields is in
// docs/ingest-adapters.md; limits are Segment's: 32 KB per message (validation.max_event_bytes),
// 500 KB per batch (400 beyond).
//
// Thread-safety: a SegmentRequest serves one request on one thread (thread-local parser).
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapt/adapter.h"
#include "adapt/flat_event.h"
#include "validate/validate.h"

namespace tracklake {

enum class SegmentCall { kTrack, kIdentify, kPage, kScreen, kGroup, kAlias, kBatch };

inline constexpr size_t kSegmentMaxBatchBytes = 500 * 1024;

// The call of a path under /v1/ ("track", "t", "batch", "import", "b", ...), or nullopt.
std::optional<SegmentCall> SegmentCallOf(std::string_view name);

class SegmentRequest {
 public:
  // Checks the size limits and that the body is one JSON object; its fields are read by Emit,
  // in one pass.
  std::optional<AdaptError> Parse(SegmentCall call, std::string_view body, const ValidationRules& rules);
  // The writeKey the body carries ("" when none), for a request whose key is not in its headers:
  // a pass over the top level of its own, so it is only made when asked.
  std::optional<AdaptError> FindWriteKey(std::string_view& key);
  // Maps and validates every message into out (cleared first). A whole-request error (JSON
  // that turns out to be malformed deep inside, too many messages, a batch-level field of the
  // wrong kind) leaves out empty.
  std::optional<AdaptError> Emit(const Validator& validator, const RequestInfo& info, ValidatedBody& out);

 private:
  struct Message;
  struct Scratch;
  static Scratch& ThreadScratch();
  // The top level of a batch body: its messages, sentAt and context, in one pass.
  std::optional<AdaptError> ReadBatch(const Validator& validator);
  // Reads one message into the batch's fields and its entry in messages (a batch is read whole
  // before any message is finished: its own sentAt and context may come after the messages).
  // top_level: the body is this one message (a single call), whose writeKey must be a string.
  std::optional<AdaptError> ReadMessage(simdjson::ondemand::value message, uint32_t index, bool top_level,
                                        const Validator& validator);
  // Maps the message read into the event fields and hands them to the validator.
  void FinishMessage(const Message& m, const Validator& validator, const RequestInfo& info, ValidatedBody& out);

  SegmentCall call_ = SegmentCall::kTrack;
  simdjson::ondemand::document doc_;
  std::string write_key_;
  FlattenLimits limits_;
  size_t max_events_ = 0;
  size_t body_bytes_ = 0;
  // The batch's own sentAt (parsed once) and context.
  std::string_view sent_at_;
  std::optional<int64_t> sent_at_ms_;
  FlatEvent batch_context_;
  std::string key_;
  std::string scratch_;
  // The last track event name normalised, and its event type.
  std::string event_name_;
  std::string event_type_;
};

}  // namespace tracklake
