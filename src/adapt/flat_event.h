// FlatEvent: the flat form of one adapted event (string keys and values) while an adapter builds
// it, and the flattening of nested JSON into it: {"context":{"page":{"url":"u"}}} becomes
// "context.page.url" = "u". Numbers and booleans keep their JSON text, null is dropped, arrays
// are kept as their JSON text, and objects deeper than max_depth levels as theirs too.
//
// Copies: a field views its key and value where they already are (constants, the request's
// text, the parser's unescaped strings), so the only copy of a value is the validator's into the
// event record. What has no stable home is copied once into the event's own storage: keys built
// from client names, times formatted by the adapter (Keep), and values of a nested document
// whose parser is about to be reused (KeepValuesFrom).
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
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "event/event_record.h"

namespace tracklake {

// Deepest nesting an adapter walks into (flattening, then checking what it keeps as JSON text):
// deeper is malformed for it (a 400, or a rejected event inside a nested document). Values it
// does not walk (skipped fields) are skipped by simdjson without recursion.
inline constexpr size_t kMaxJsonDepth = 64;

// ScalarText for a value that is not a string.
simdjson::error_code NonStringScalarText(simdjson::ondemand::value& value, std::string_view& text, bool& present,
                                         bool& is_container);

struct FlattenLimits {
  size_t max_depth = 8;  // levels of objects below a top-level name ("context.page.url" is 3)
  size_t max_fields = 256;
  size_t max_key_bytes = 128;
};

// Bytes with stable addresses: text copied in stays where it is until Clear (blocks never
// move), so views into it can be handed out while more is added.
class TextArena {
 public:
  std::string_view Copy(std::string_view text) {
    if (text.empty()) return {};
    char* p = Take(text.size());
    std::memcpy(p, text.data(), text.size());
    return std::string_view(p, text.size());
  }
  // n bytes to write into, valid until Clear.
  char* Take(size_t n) {
    if (static_cast<size_t>(end_ - next_) < n) return TakeFromNextBlock(n);
    char* p = next_;
    next_ += n;
    return p;
  }
  // Forgets the text, keeping the blocks.
  void Clear() {
    block_ = 0;
    next_ = blocks_.empty() ? nullptr : blocks_[0].bytes.get();
    end_ = blocks_.empty() ? nullptr : next_ + blocks_[0].size;
  }

 private:
  struct Block {
    std::unique_ptr<char[]> bytes;
    size_t size;
  };
  char* TakeFromNextBlock(size_t n);
  std::vector<Block> blocks_;
  size_t block_ = 0;  // the block being filled (when next_ is set)
  char* next_ = nullptr;
  char* end_ = nullptr;
};

class FlatEvent {
 public:
  // Forgets every event, its fields and their text, keeping the capacity.
  void Clear(const FlattenLimits& limits);
  // Starts the next event in the same storage: the fields and text of the events before stay
  // where they are until Clear (so a batch can be read whole before its events are finished),
  // and the keys built for the event before are reused where the same names come again.
  void Begin() {
    first_ = fields_.size();
    child_ = 0;
    full_ = false;
  }

  // The same, for a caller done with the fields before (they are dropped, their text stays).
  void BeginAfresh() {
    fields_.clear();
    Begin();
  }

  // Adds a field viewing key and value, which must stay valid until the event is validated;
  // nothing when the event is already full.
  void Add(std::string_view key, std::string_view value) {
    if (full_) return;
    fields_.push_back(Field{key, value});
    // One field past a limit is kept, so the validator names the rule; then nothing more.
    full_ = fields_.size() - first_ > limits_.max_fields || key.size() > limits_.max_key_bytes;
  }
  // Adds fields (viewing what they view) when the event stays within its limits with all of
  // them, as adding them one by one would then do; returns false, adding nothing, otherwise.
  bool AddAll(std::span<const Field> fields) {
    if (full_ || fields_.size() - first_ + fields.size() > limits_.max_fields) return false;
    for (const Field& f : fields) {
      if (f.key.size() > limits_.max_key_bytes) return false;
    }
    fields_.insert(fields_.end(), fields.begin(), fields.end());
    return true;
  }
  // The same, for a key in a buffer the caller reuses (a key being built): the key is copied.
  void AddKeyCopy(std::string_view key, std::string_view value) {
    if (!full_) Add(arena_.Copy(key), value);
  }
  // The current event becomes a copy of fields (read into another FlatEvent), as full as adding
  // them one by one would have left it.
  void Assign(std::span<const Field> fields);
  // Copies text into the event's own storage; the view stays valid until Clear.
  std::string_view Keep(std::string_view text) { return arena_.Copy(text); }
  // n bytes of the event's own storage to write into, valid until Clear.
  char* Take(size_t n) { return arena_.Take(n); }
  // Copies the values of the fields from position first on into the event's own storage, before
  // the buffer they view (a nested document's parser) is reused.
  void KeepValuesFrom(size_t first);
  // Drops the fields from position first on (an event given up after it was read).
  void Truncate(size_t first) { fields_.resize(first); }

  // Positions count every field since Clear (of this event and the ones before).
  size_t size() const { return fields_.size(); }
  // True when the event's field count passed max_fields or a key passed max_key_bytes: the
  // validator will reject the event, and adding more would only cost work.
  bool full() const { return full_; }
  // Whether a field of the current event is named key (linear: for merging a few batch-level fields).
  bool Has(std::string_view key) const;

  // Flattens value under key (which the call may extend, and restores). Returns simdjson's
  // error when the JSON turns out to be malformed; the value is then left partly consumed.
  simdjson::error_code Flatten(simdjson::ondemand::value value, std::string& key, size_t depth = 0);

  // The current event's fields, in the order added.
  std::span<const Field> fields() const { return std::span<const Field>(fields_).subspan(first_); }
  // The fields of positions [first, first + count).
  std::span<const Field> fields(size_t first, size_t count) const {
    return std::span<const Field>(fields_).subspan(first, count);
  }

 private:
  // The fields of object (at depth, under key).
  simdjson::error_code FlattenObject(simdjson::ondemand::object object, std::string& key, size_t depth);
  // Adds key + "." + the segment of name.
  void AddChild(std::string& key, std::string_view name, std::string_view value);

  FlattenLimits limits_;
  TextArena arena_;
  std::vector<Field> fields_;
  size_t first_ = 0;  // the current event's first field
  bool full_ = false;
  // The keys AddChild built, by their order in an event: batches repeat their events' shapes, so
  // the next event's child n is most often the same key, compared instead of built and copied.
  std::vector<std::string_view> child_keys_;
  size_t child_ = 0;  // AddChild calls in the current event
};

// The scalar's text as a flat value: strings unescaped, numbers as sent, booleans "true" or
// "false" (present set); null leaves present unset, and so do objects and arrays, which set
// is_container. Strings, most values, are tried first.
inline simdjson::error_code ScalarText(simdjson::ondemand::value& value, std::string_view& text, bool& present,
                                       bool& is_container) {
  is_container = false;
  const simdjson::error_code e = value.get_string().get(text);  // does not move on when not a string
  present = e == simdjson::SUCCESS;
  if (e != simdjson::INCORRECT_TYPE) return e;
  return NonStringScalarText(value, text, present, is_container);
}

// Parses a request body with this thread's body parser (a padded copy of it), and text found
// inside a body (a JSON document in a string, or decoded from base64) with its nested-document
// parser: two parsers, so a nested document can be read while the body's is half-way. Each
// document is valid until the next call of the same function on the same thread.
simdjson::error_code ParseBody(std::string_view body, simdjson::ondemand::document& doc);
simdjson::error_code ParseNested(std::string_view text, simdjson::ondemand::document& doc);

}  // namespace tracklake
