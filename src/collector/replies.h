// The answers of each ingest protocol, so that unmodified clients read them as they expect:
// native JSON ({"accepted", "rejected"} / {"error"}); Segment's {"success": true} (its SDKs
// retry nothing answered 2xx) and {"success": false, "code", "message", "field"}; Snowplow's
// "ok" for POST; a 1x1 GIF for pixel GETs (Segment's and Snowplow's), never cached. Errors of
// the adapters name the field at fault and the rule. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/handler.h"
#include "validate/validate.h"

namespace tracklake {

enum class ReplyStyle { kNative, kSegment, kSnowplow, kPixel };

// A refusal of the whole request (status 4xx/5xx).
HttpResponse ErrorReply(ReplyStyle style, unsigned status, std::string_view field, std::string_view message);

// The answer once the accepted events are durable: 200, or 400 when every event was rejected
// (their dead letters are kept all the same).
HttpResponse AcceptedReply(ReplyStyle style, uint32_t accepted, const std::vector<Rejection>& rejected);

// Appends [{"index":..,"field":..,"error":..},...] to out.
void AppendRejections(std::string& out, const std::vector<Rejection>& rejected);

}  // namespace tracklake
