#include "adapt/flat_event.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

#include "adapt/adapter.h"
#include "adapt/naming.h"
#include "validate/field_rules.h"

namespace tracklake {

using simdjson::error_code;
using simdjson::ondemand::json_type;

char* TextArena::TakeFromNextBlock(size_t n) {
  // The next block that can hold n, else a new one; a block skipped stays for the next event.
  constexpr size_t kBlockBytes = 4096;
  size_t i = next_ == nullptr ? 0 : block_ + 1;
  while (i < blocks_.size() && blocks_[i].size < n) ++i;
  if (i == blocks_.size()) {
    const size_t size = std::max(n, kBlockBytes);
    blocks_.push_back(Block{std::make_unique_for_overwrite<char[]>(size), size});
  }
  block_ = i;
  next_ = blocks_[i].bytes.get() + n;
  end_ = blocks_[i].bytes.get() + blocks_[i].size;
  return blocks_[i].bytes.get();
}

void FlatEvent::Clear(const FlattenLimits& limits) {
  limits_ = limits;
  arena_.Clear();
  fields_.clear();
  child_keys_.clear();
  Begin();
}

void FlatEvent::Assign(std::span<const Field> fields) {
  fields_.assign(fields.begin(), fields.end());
  first_ = 0;
  child_ = 0;
  full_ = !fields_.empty() &&
          (fields_.size() > limits_.max_fields || fields_.back().key.size() > limits_.max_key_bytes);
}

void FlatEvent::KeepValuesFrom(size_t first) {
  for (size_t i = first; i < fields_.size(); ++i) fields_[i].value = arena_.Copy(fields_[i].value);
}

bool FlatEvent::Has(std::string_view key) const {
  for (const Field& f : fields()) {
    if (f.key == key) return true;
  }
  return false;
}

error_code NonStringScalarText(simdjson::ondemand::value& value, std::string_view& text, bool& present,
                               bool& is_container) {
  present = false;
  is_container = false;
  json_type type;
  if (error_code e = value.type().get(type)) return e;
  switch (type) {
    case json_type::string: present = true; return value.get_string().get(text);
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
    case json_type::array: is_container = true; return simdjson::SUCCESS;
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
    AddKeyCopy(key, text);
    return simdjson::SUCCESS;
  }
  if (!container) return simdjson::SUCCESS;  // null: dropped
  json_type type;
  if (error_code e = value.type().get(type)) return e;
  if (type == json_type::array) {
    simdjson::ondemand::array array;
    if (error_code e = value.get_array().get(array)) return e;
    if (error_code e = CheckedRawJson(array, text, depth)) return e;
    AddKeyCopy(key, text);
    return simdjson::SUCCESS;
  }
  simdjson::ondemand::object object;
  if (error_code e = value.get_object().get(object)) return e;
  if (depth >= limits_.max_depth || key.size() > limits_.max_key_bytes) {
    // Kept as its JSON text (an over-long key is added once, for the validator to reject).
    if (error_code e = CheckedRawJson(object, text, depth)) return e;
    AddKeyCopy(key, text);
    return simdjson::SUCCESS;
  }
  return FlattenObject(object, key, depth);
}

error_code FlatEvent::FlattenObject(simdjson::ondemand::object object, std::string& key, size_t depth) {
  const size_t base = key.size();
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    if (error_code e = std::move(field_result).get(field)) return e;
    std::string_view name;
    if (error_code e = field.unescaped_key().get(name)) return e;
    // Scalars, most fields, without a call deeper or building the key twice.
    std::string_view text;
    bool present = false;
    bool container = false;
    if (error_code e = ScalarText(field.value(), text, present, container)) return e;
    if (present) {
      AddChild(key, name, text);
    } else if (container) {
      key.push_back('.');
      AppendKeySegment(name, key);
      const error_code e = Flatten(field.value(), key, depth + 1);
      key.resize(base);
      if (e) return e;
    }
    if (full_) break;
  }
  return simdjson::SUCCESS;
}

void FlatEvent::AddChild(std::string& key, std::string_view name, std::string_view value) {
  if (full_) return;
  const size_t n = child_++;
  if (n < child_keys_.size()) {
    const std::string_view built = child_keys_[n];
    if (built.size() == key.size() + 1 + name.size() && built[key.size()] == '.' &&
        SameText(std::string_view(built.data() + key.size() + 1, name.size()), name) &&
        SameText(std::string_view(built.data(), key.size()), key)) {
      Add(built, value);
      return;
    }
  }
  std::string_view child;
  if (IsKeySegment(name)) {
    const size_t size = key.size() + 1 + name.size();
    char* p = arena_.Take(size);
    std::memcpy(p, key.data(), key.size());
    p[key.size()] = '.';
    std::memcpy(p + key.size() + 1, name.data(), name.size());
    child = std::string_view(p, size);
  } else {
    const size_t base = key.size();
    key.push_back('.');
    AppendKeySegment(name, key);
    child = arena_.Copy(key);
    key.resize(base);
  }
  // Kept until Clear, like every key in the arena.
  if (n < child_keys_.size()) {
    child_keys_[n] = child;
  } else if (n == child_keys_.size()) {
    child_keys_.push_back(child);
  }
  Add(child, value);
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
  return AdaptError{400, "",
                    std::string(kRuleJsonBody) + " (" +
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
