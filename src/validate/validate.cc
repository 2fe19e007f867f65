// Body level of validation: the padded copy, the JSON and NDJSON framings, whole-body errors.
// The per-event rules live in event_checker.cc.
#include "validate/validate.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "validate/dead_letter.h"
#include "validate/event_checker.h"
#include "validate/field_rules.h"

namespace tracklake {

using simdjson::error_code;
using simdjson::ondemand::json_type;

namespace {

constexpr std::string_view kErrEmptyBody = "request body is empty";
constexpr std::string_view kErrTopLevelScalar = "request body must be a JSON object or an array of JSON objects";
constexpr std::string_view kErrTrailingContent =
    "request body is not valid JSON: unexpected content after the top-level value (several events: send a "
    "JSON array, or one object per line as Content-Type: application/x-ndjson)";
constexpr std::string_view kNotJsonPrefix = "request body is not valid JSON: ";

struct ThreadScratch {
  simdjson::ondemand::parser parser;
  // The body plus SIMDJSON_PADDING readable bytes, which simdjson requires after its input.
  std::unique_ptr<char[]> body;
  size_t body_capacity = 0;
  EventScratch event;
};

ThreadScratch& Scratch() {
  thread_local ThreadScratch scratch;
  return scratch;
}

// Copies body into the thread's padded buffer, growing it geometrically when too small.
const char* PadBody(ThreadScratch& s, std::string_view body) {
  const size_t need = body.size() + simdjson::SIMDJSON_PADDING;
  if (s.body_capacity < need) {
    s.body_capacity = std::max(need, 2 * s.body_capacity);
    s.body = std::make_unique_for_overwrite<char[]>(s.body_capacity);
  }
  std::memcpy(s.body.get(), body.data(), body.size());
  // Padding contents do not matter to simdjson; zeroing keeps memory checkers quiet.
  std::memset(s.body.get() + body.size(), 0, simdjson::SIMDJSON_PADDING);
  return s.body.get();
}

Status NotJson(error_code e) {
  return Status::InvalidArgument(std::string(kNotJsonPrefix) + simdjson::error_message(e));
}

// After the top-level value has been consumed: is there anything left?
bool AtEnd(simdjson::ondemand::document& doc) { return doc.current_location().error() == simdjson::OUT_OF_BOUNDS; }

// Reads a scalar far enough to know it is well-formed JSON; token is its trimmed raw text.
template <typename V>
error_code CheckScalar(V& v, json_type type, std::string_view token) {
  switch (type) {
    case json_type::string: {
      std::string_view s;
      return v.get_string().get(s);
    }
    case json_type::number: return IsJsonNumber(token) ? simdjson::SUCCESS : simdjson::NUMBER_ERROR;
    case json_type::boolean: {
      bool b;
      return v.get_bool().get(b);
    }
    case json_type::null: {
      bool is_null = false;
      if (error_code e = v.is_null().get(is_null)) return e;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
    case json_type::object:
    case json_type::array: break;
  }
  return simdjson::INCORRECT_TYPE;
}

// Body-level state for one Parse call.
class BodyParser {
 public:
  BodyParser(const ValidationRules& rules, const ValidationMessages& messages, const RequestInfo& info,
             ValidatedBody& out, ThreadScratch& scratch)
      : rules_(rules),
        messages_(messages),
        parser_(scratch.parser),
        checker_(rules, messages, info, out, scratch.event) {}

  Status ParseJson(const char* buf, size_t len, size_t capacity);
  Status ParseNdjson(const char* buf, size_t len, size_t capacity);

 private:
  // One element of a top-level array.
  error_code CheckArrayElement(simdjson::ondemand::value& v, uint32_t index);
  // One NDJSON line; never fails the body.
  void CheckLine(const char* line, size_t len, size_t capacity, uint32_t index);
  error_code CheckLineDocument(simdjson::ondemand::document& doc, std::string_view line, uint32_t index);

  const ValidationRules& rules_;
  const ValidationMessages& messages_;
  simdjson::ondemand::parser& parser_;
  EventChecker checker_;
};

Status BodyParser::ParseJson(const char* buf, size_t len, size_t capacity) {
  simdjson::ondemand::document doc;
  if (error_code e = parser_.iterate(buf, len, capacity).get(doc)) {
    if (e == simdjson::EMPTY) return Status::InvalidArgument(std::string(kErrEmptyBody));
    if (e == simdjson::UTF8_ERROR) return Status::InvalidArgument(std::string(kErrBodyNotUtf8));
    return NotJson(e);
  }
  json_type type;
  if (error_code e = doc.type().get(type)) return NotJson(e);

  if (type == json_type::object) {
    if (rules_.max_events_per_request < 1) {
      return Status::InvalidArgument(messages_.too_many_events);
    }
    simdjson::ondemand::object object;
    std::string_view raw;
    if (error_code e = doc.get_object().get(object)) return NotJson(e);
    if (error_code e = object.raw_json().get(raw)) return NotJson(e);
    if (!AtEnd(doc)) return Status::InvalidArgument(std::string(kErrTrailingContent));
    if (error_code e = object.reset().error()) return NotJson(e);
    if (error_code e = checker_.CheckObject(object, TrimJsonWhitespace(raw), 0)) {
      return NotJson(e);
    }
    return Status::Ok();
  }

  if (type != json_type::array) return Status::InvalidArgument(std::string(kErrTopLevelScalar));
  simdjson::ondemand::array array;
  if (error_code e = doc.get_array().get(array)) return NotJson(e);
  uint32_t index = 0;
  for (auto element : array) {
    simdjson::ondemand::value v;
    if (error_code e = element.get(v)) return NotJson(e);
    if (index >= rules_.max_events_per_request) {
      return Status::InvalidArgument(messages_.too_many_events);
    }
    if (error_code e = CheckArrayElement(v, index)) return NotJson(e);
    ++index;
  }
  if (!AtEnd(doc)) return Status::InvalidArgument(std::string(kErrTrailingContent));
  return Status::Ok();
}

error_code BodyParser::CheckArrayElement(simdjson::ondemand::value& v, uint32_t index) {
  json_type type;
  if (error_code e = v.type().get(type)) return e;
  std::string_view raw;
  if (type == json_type::object) {
    simdjson::ondemand::object object;
    if (error_code e = v.get_object().get(object)) return e;
    // raw_json() skips to the end of the object; reset() rewinds for the field pass. Both
    // walk the structural index only, so the text is still parsed once.
    if (error_code e = object.raw_json().get(raw)) return e;
    if (error_code e = object.reset().error()) return e;
    return checker_.CheckObject(object, TrimJsonWhitespace(raw), index);
  }
  if (type == json_type::array) {
    simdjson::ondemand::array array;
    if (error_code e = v.get_array().get(array)) return e;
    if (error_code e = array.raw_json().get(raw)) return e;
  } else {
    raw = TrimJsonWhitespace(v.raw_json_token());
    if (error_code e = CheckScalar(v, type, raw)) return e;
  }
  checker_.Reject(index, "", kErrNotObject, TrimJsonWhitespace(raw));
  return simdjson::SUCCESS;
}

Status BodyParser::ParseNdjson(const char* buf, size_t len, size_t capacity) {
  size_t events = 0;
  uint32_t line_number = 0;
  size_t pos = 0;
  while (pos < len) {
    const void* newline = std::memchr(buf + pos, '\n', len - pos);
    const size_t end = newline != nullptr ? static_cast<size_t>(static_cast<const char*>(newline) - buf) : len;
    size_t line_len = end - pos;
    if (line_len > 0 && buf[pos + line_len - 1] == '\r') --line_len;
    if (!TrimJsonWhitespace(std::string_view(buf + pos, line_len)).empty()) {
      if (++events > rules_.max_events_per_request) {
        return Status::InvalidArgument(messages_.too_many_events);
      }
      CheckLine(buf + pos, line_len, capacity - pos, line_number);
    }
    pos = end + 1;
    ++line_number;
  }
  if (events == 0) return Status::InvalidArgument(std::string(kErrEmptyBody));
  return Status::Ok();
}

void BodyParser::CheckLine(const char* line, size_t len, size_t capacity, uint32_t index) {
  const std::string_view raw(line, len);
  simdjson::ondemand::document doc;
  if (error_code e = parser_.iterate(line, len, capacity).get(doc)) {
    checker_.Reject(index, "", e == simdjson::UTF8_ERROR ? kErrNotUtf8 : kErrNotJson, raw);
    return;
  }
  if (CheckLineDocument(doc, raw, index) != simdjson::SUCCESS) {
    checker_.Reject(index, "", kErrNotJson, raw);
  }
}

error_code BodyParser::CheckLineDocument(simdjson::ondemand::document& doc, std::string_view line, uint32_t index) {
  json_type type;
  if (error_code e = doc.type().get(type)) return e;
  if (type == json_type::object) {
    simdjson::ondemand::object object;
    std::string_view ignored;
    if (error_code e = doc.get_object().get(object)) return e;
    if (error_code e = object.raw_json().get(ignored)) return e;
    if (!AtEnd(doc)) return simdjson::TAPE_ERROR;
    if (error_code e = object.reset().error()) return e;
    return checker_.CheckObject(object, line, index);
  }
  if (type == json_type::array) {
    simdjson::ondemand::array array;
    std::string_view ignored;
    if (error_code e = doc.get_array().get(array)) return e;
    if (error_code e = array.raw_json().get(ignored)) return e;
  } else if (error_code e = CheckScalar(doc, type, TrimJsonWhitespace(line))) {
    return e;
  }
  if (!AtEnd(doc)) return simdjson::TAPE_ERROR;
  checker_.Reject(index, "", kErrNotObject, line);
  return simdjson::SUCCESS;
}

void ClearOutput(ValidatedBody& out) { out.Clear(); }

// A body that failed as one JSON document but holds a line break between a '}' and a '{' (JSON
// whitespace around it): NDJSON sent under another content type. A raw line break never occurs
// inside a JSON string, and "}" then "{" without a comma is never valid JSON, so a real JSON
// document cannot be mistaken for NDJSON; only failed parses are looked at.
bool LooksLikeNdjson(std::string_view body) {
  for (size_t nl = body.find('\n'); nl != std::string_view::npos; nl = body.find('\n', nl + 1)) {
    size_t before = nl;
    while (before > 0 && IsJsonWhitespace(body[before - 1])) --before;
    size_t after = nl + 1;
    while (after < body.size() && IsJsonWhitespace(body[after])) ++after;
    if (before > 0 && body[before - 1] == '}' && after < body.size() && body[after] == '{') return true;
  }
  return false;
}

}  // namespace

Validator::Validator(ValidationRules rules) : rules_(rules), messages_(MakeValidationMessages(rules_)) {}

Status Validator::Parse(std::string_view body, BodyFormat format, const RequestInfo& info, ValidatedBody& out) const {
  ClearOutput(out);
  if (TrimJsonWhitespace(body).empty()) return Status::InvalidArgument(std::string(kErrEmptyBody));

  ThreadScratch& scratch = Scratch();
  const char* buf = PadBody(scratch, body);
  const size_t capacity = body.size() + simdjson::SIMDJSON_PADDING;
  // Records are roughly the body's size; one reservation avoids regrowing on big batches, and a
  // single event gets the room its record builder asks for, so it never reallocates.
  out.records.reserve(RecordBytesBound(body.size(), info));

  BodyParser parser(rules_, messages_, info, out, scratch);
  Status status = format == BodyFormat::kJson ? parser.ParseJson(buf, body.size(), capacity)
                                              : parser.ParseNdjson(buf, body.size(), capacity);
  if (!status.ok() && format == BodyFormat::kJson && LooksLikeNdjson(body)) {
    ClearOutput(out);
    status = parser.ParseNdjson(buf, body.size(), capacity);
  }
  if (!status.ok()) ClearOutput(out);
  return status;
}

void Validator::CheckFlat(const Field* fields, size_t count, std::string_view raw, uint32_t index,
                          const RequestInfo& info, ValidatedBody& out) const {
  EventChecker checker(rules_, messages_, info, out, Scratch().event);
  checker.CheckFlat(fields, count, raw, index);
}

void Validator::Reject(uint32_t index, std::string_view field, std::string_view error, std::string_view raw,
                       const RequestInfo& info, ValidatedBody& out) const {
  RejectEvent(out, info, index, field, error, raw, Scratch().event.base64);
}

}  // namespace tracklake
