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
  // Checks the size limits, parses body and finds the writeKey it may carry.
  std::optional<AdaptError> Parse(SegmentCall call, std::string_view body, const ValidationRules& rules);
  std::string_view write_key() const { return write_key_; }
  // Maps and validates every message into out (cleared first). A whole-request error (JSON
  // that turns out to be malformed deep inside, too many messages) leaves out empty.
  std::optional<AdaptError> Emit(const Validator& validator, const RequestInfo& info, ValidatedBody& out);

 private:
  std::optional<AdaptError> EmitMessage(simdjson::ondemand::value message, uint32_t index, const Validator& validator,
                                        const RequestInfo& info, ValidatedBody& out);

  SegmentCall call_ = SegmentCall::kTrack;
  simdjson::ondemand::document doc_;
  std::string write_key_;
  std::string sent_at_;  // the batch's
  FlatEvent batch_context_;
  FlatEvent event_;
  std::string key_;
  std::string scratch_;
  FlattenLimits limits_;
  size_t max_events_ = 0;
  size_t body_bytes_ = 0;
};

}  // namespace tracklake
