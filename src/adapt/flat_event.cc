#include "adapt/flat_event.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <type_traits>

#include "adapt/adapter.h"
#include "adapt/naming.h"
#include "validate/field_rules.h"

namespace tracklake {

using simdjson::error_code;
using simdjson::ondemand::json_type;

void FlatEvent::Clear(const FlattenLimits& limits) {
  limits_ = limits;
  bytes_.clear();
  spans_.clear();
  full_ = false;
}

void FlatEvent::Add(std::string_view key, std::string_view value) {
  if (full_) return;
  const auto key_offset = static_cast<uint32_t>(bytes_.size());
  bytes_.append(key);
  const auto value_offset = static_cast<uint32_t>(bytes_.size());
  bytes_.append(value);
  spans_.push_back(Span{key_offset, static_cast<uint32_t>(key.size()), value_offset,
                        static_cast<uint32_t>(value.size())});
  // One field past a limit is kept, so the validator names the rule; then nothing more.
  full_ = spans_.size() > limits_.max_fields || key.size() > limits_.max_key_bytes;
}

bool FlatEvent::Has(std::string_view key) const {
  const std::string_view bytes(bytes_);
  for (const Span& s : spans_) {
    if (bytes.substr(s.key_offset, s.key_size) == key) return true;
  }
  return false;
}

const std::vector<Field>& FlatEvent::fields() {
  views_.clear();
  const std::string_view bytes(bytes_);
  for (const Span& s : spans_) {
    views_.push_back(Field{bytes.substr(s.key_offset, s.key_size), bytes.substr(s.value_offset, s.value_size)});
  }
  return views_;
}

error_code ScalarText(simdjson::ondemand::value& value, std::string_view& text, bool& present, bool& is_container) {
  present = false;
  is_container = false;
  json_type type;
  if (error_code e = value.type().get(type)) return e;
  switch (type) {
    case json_type::string:
      present = true;
      return value.get_string().get(text);
    case json_type::number:
      text = TrimJsonWhitespace(value.raw_json_token());
      // By hand, as the native path does: the text is kept as sent, and simdjson's number
      // parsing refuses valid JSON it cannot represent (1e999, huge integers).
      if (!IsJsonNumber(text)) return simdjson::NUMBER_ERROR;
      present = true;
      return simdjson::SUCCESS;
    case json_type::boolean: {
      bool b = false;
      if (error_code e = value.get_bool().get(b)) return e;
      text = b ? "true" : "false";
      present = true;
      return simdjson::SUCCESS;
    }
    case json_type::null: {
      bool is_null = false;
      if (error_code e = value.is_null().get(is_null)) return e;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
    case json_type::object:
    case json_type::array:
      is_container = true;
      return simdjson::SUCCESS;
  }
  return simdjson::INCORRECT_TYPE;
}

namespace {

// Walks a value to its end so that malformed JSON inside it is found: raw_json() alone only
// skips brackets, and the text is about to be stored as JSON. The recursion stops at
// kMaxJsonDepth (simdjson's on-demand parser does not bound nesting itself).
error_code CheckJson(simdjson::ondemand::value value, size_t depth) {
  if (depth > kMaxJsonDepth) return simdjson::DEPTH_ERROR;
  json_type type;
  if (error_code e = value.type().get(type)) return e;
  if (type == json_type::array) {
    simdjson::ondemand::array array;
    if (error_code e = value.get_array().get(array)) return e;
    for (auto element : array) {
      simdjson::ondemand::value v;
      if (error_code e = element.get(v)) return e;
      if (error_code e = CheckJson(v, depth + 1)) return e;
    }
    return simdjson::SUCCESS;
  }
  if (type == json_type::object) {
    simdjson::ondemand::object object;
    if (error_code e = value.get_object().get(object)) return e;
    for (auto field_result : object) {
      simdjson::ondemand::field field;
      if (error_code e = std::move(field_result).get(field)) return e;
      std::string_view name;
      if (error_code e = field.unescaped_key().get(name)) return e;
      if (error_code e = CheckJson(field.value(), depth + 1)) return e;
    }
    return simdjson::SUCCESS;
  }
  std::string_view text;
  bool present = false;
  bool container = false;
  return ScalarText(value, text, present, container);
}

template <typename Container>
error_code CheckedRawJson(Container& c, std::string_view& text, size_t depth) {
  if (error_code e = c.raw_json().get(text)) return e;
  if (error_code e = c.reset().error()) return e;
  if constexpr (std::is_same_v<Container, simdjson::ondemand::array>) {
    for (auto element : c) {
      simdjson::ondemand::value v;
      if (error_code e = element.get(v)) return e;
      if (error_code e = CheckJson(v, depth + 1)) return e;
    }
  } else {
    for (auto field_result : c) {
      simdjson::ondemand::field field;
      if (error_code e = std::move(field_result).get(field)) return e;
      std::string_view name;
      if (error_code e = field.unescaped_key().get(name)) return e;
      if (error_code e = CheckJson(field.value(), depth + 1)) return e;
    }
  }
  text = TrimJsonWhitespace(text);
  return simdjson::SUCCESS;
}

}  // namespace

error_code FlatEvent::Flatten(simdjson::ondemand::value value, std::string& key, size_t depth) {
  if (full_) return simdjson::SUCCESS;  // the rest is skipped by the caller's iteration
  std::string_view text;
  bool present = false;
  bool container = false;
  if (error_code e = ScalarText(value, text, present, container)) return e;
  if (present) {
    Add(key, text);
    return simdjson::SUCCESS;
  }
  if (!container) return simdjson::SUCCESS;  // null: dropped
  json_type type;
  if (error_code e = value.type().get(type)) return e;
  if (type == json_type::array) {
    simdjson::ondemand::array array;
    if (error_code e = value.get_array().get(array)) return e;
    if (error_code e = CheckedRawJson(array, text, depth)) return e;
    Add(key, text);
    return simdjson::SUCCESS;
  }
  simdjson::ondemand::object object;
  if (error_code e = value.get_object().get(object)) return e;
  if (depth >= limits_.max_depth || key.size() > limits_.max_key_bytes) {
    // Kept as its JSON text (an over-long key is added once, for the validator to reject).
    if (error_code e = CheckedRawJson(object, text, depth)) return e;
    Add(key, text);
    return simdjson::SUCCESS;
  }
  const size_t base = key.size();
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    if (error_code e = std::move(field_result).get(field)) return e;
    std::string_view name;
    if (error_code e = field.unescaped_key().get(name)) return e;
    key.push_back('.');
    AppendKeySegment(name, key);
    const error_code e = Flatten(field.value(), key, depth + 1);
    key.resize(base);
    if (e) return e;
    if (full_) break;
  }
  return simdjson::SUCCESS;
}

namespace {

struct PaddedParser {
  simdjson::ondemand::parser parser;
  std::unique_ptr<char[]> buffer;
  size_t capacity = 0;

  error_code Iterate(std::string_view text, simdjson::ondemand::document& doc) {
    const size_t need = text.size() + simdjson::SIMDJSON_PADDING;
    if (capacity < need) {
      capacity = std::max(need, 2 * capacity);
      buffer = std::make_unique_for_overwrite<char[]>(capacity);
    }
    std::memcpy(buffer.get(), text.data(), text.size());
    std::memset(buffer.get() + text.size(), 0, simdjson::SIMDJSON_PADDING);
    return parser.iterate(buffer.get(), text.size(), capacity).get(doc);
  }
};

}  // namespace

AdaptError MalformedJson(int simdjson_error) {
  return AdaptError{400, "", std::string(kRuleJsonBody) + " (" +
                                 simdjson::error_message(static_cast<error_code>(simdjson_error)) + ")"};
}

error_code ParseBody(std::string_view body, simdjson::ondemand::document& doc) {
  thread_local PaddedParser p;
  return p.Iterate(body, doc);
}

error_code ParseNested(std::string_view text, simdjson::ondemand::document& doc) {
  thread_local PaddedParser p;
  return p.Iterate(text, doc);
}

}  // namespace tracklake
