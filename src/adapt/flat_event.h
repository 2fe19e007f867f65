// FlatEvent: the flat form of one adapted event (string keys and values) while an adapter builds
// it, and the flattening of nested JSON into it: {"context":{"page":{"url":"u"}}} becomes
// "context.page.url" = "u". Numbers and booleans keep their JSON text, null is dropped, arrays
// are kept as their JSON text, and objects deeper than max_depth levels as theirs too.
//
// Keys: every client name is one segment, normalised by AppendKeySegment (naming.h); the
// validator's key rule then judges the whole key (its length, above all). Bounds: once an event
// holds more than max_fields fields, or a key passes max_key_bytes, nothing more is added (the
// validator rejects such an event), so the work and memory per event stay within
// max_fields x max_key_bytes plus the event's own text.
//
// Thread-safety: not thread-safe; one per request (or thread-local scratch).
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "event/event_record.h"

namespace tracklake {

// Deepest nesting an adapter walks into (flattening, then checking what it keeps as JSON text):
// deeper is malformed for it (a 400, or a rejected event inside a nested document). Values it
// does not walk (skipped fields) are skipped by simdjson without recursion.
inline constexpr size_t kMaxJsonDepth = 64;

struct FlattenLimits {
  size_t max_depth = 8;  // levels of objects below a top-level name ("context.page.url" is 3)
  size_t max_fields = 256;
  size_t max_key_bytes = 128;
};

class FlatEvent {
 public:
  // Forgets the fields, keeping the capacity.
  void Clear(const FlattenLimits& limits);

  // Adds a field (both copied), unless the event is already full.
  void Add(std::string_view key, std::string_view value);
  // True when the field count passed max_fields or a key passed max_key_bytes: the validator
  // will reject the event, and adding more would only cost work.
  bool full() const { return full_; }
  // Whether a field is named key (linear: for merging a few batch-level fields).
  bool Has(std::string_view key) const;

  // Flattens value under key (which the call may extend, and restores). Returns simdjson's
  // error when the JSON turns out to be malformed; the value is then left partly consumed.
  simdjson::error_code Flatten(simdjson::ondemand::value value, std::string& key, size_t depth = 0);

  // The fields so far, as views into this object (valid until it is changed).
  const std::vector<Field>& fields();

 private:
  struct Span {
    uint32_t key_offset, key_size, value_offset, value_size;
  };
  FlattenLimits limits_;
  std::string bytes_;
  std::vector<Span> spans_;
  std::vector<Field> views_;
  bool full_ = false;
};

// The scalar's text as a flat value: strings unescaped, numbers as sent, booleans "true" or
// "false"; null gives an empty optional-like false return. Objects and arrays return false too,
// with *is_container set.
simdjson::error_code ScalarText(simdjson::ondemand::value& value, std::string_view& text, bool& present,
                                bool& is_container);

// Parses a request body with this thread's body parser (a padded copy of it), and text found
// inside a body (a JSON document in a string, or decoded from base64) with its nested-document
// parser: two parsers, so a nested document can be read while the body's is half-way. Each
// document is valid until the next call of the same function on the same thread.
simdjson::error_code ParseBody(std::string_view body, simdjson::ondemand::document& doc);
simdjson::error_code ParseNested(std::string_view text, simdjson::ondemand::document& doc);

}  // namespace tracklake
