// Protocol adapters: the stage between HTTP and validation for clients that speak another
// tracking protocol (Segment's HTTP Tracking API in segment/, Snowplow's tracker protocol in
// snowplow/). An adapter turns a protocol's body into flat events (string keys and values) and
// hands each to Validator::CheckFlat, so an adapted event is held to exactly the native field
// rules and becomes the same event record, then takes the same write-ahead log path.
//
// Every adapter works in two steps, because what identifies the sender may ride in the body
// (Segment's writeKey, Snowplow's aid):
//   1. Parse: limits first (sizes, counts, nesting), then the body's shape. Failure is the
//      whole request's (AdaptError: a status, the field at fault and the rule in words). Only
//      what names the sender is read here, and only when the headers do not (a body is read
//      once: Segment's writeKey is looked for by a pass of its own, FindWriteKey, when asked).
//   2. Emit(validator, info, out): after the collector knows the application (info), each
//      event is mapped (docs/ingest-adapters.md has the tables) and validated; an event the
//      mapping cannot make (a Segment track without `event`) is rejected like any other, with
//      its protocol text as its dead letter.
// Every byte is hostile: flattening is bounded in depth and fields, and keys built from client
// names are normalised (flat_event.h) before the validator's key rule judges them.
//
// Thread-safety: an adapter object serves one request on one thread; parsers and scratch are
// thread-local.
#pragma once

#include <string>
#include <string_view>

namespace tracklake {

// A whole-request failure of a protocol adapter.
struct AdaptError {
  unsigned status = 400;
  std::string field;  // the body's field at fault, "" for the body as a whole
  std::string rule;   // what the field or body must be, in words
};

// A rule text shared by the adapters.
inline constexpr std::string_view kRuleJsonBody = "must be valid JSON";

// The whole request's failure when its JSON turns out malformed: 400, simdjson's reason named.
AdaptError MalformedJson(int simdjson_error);

}  // namespace tracklake
