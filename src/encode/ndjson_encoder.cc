#include "encode/ndjson_encoder.h"

#include "common/gzip.h"
#include "common/json_writer.h"
#include "common/time_util.h"
#include "event/names.h"

namespace tracklake {

void AppendEventJson(std::string& out, const EventView& e) {
  // Events: event_type, event_id, app_id, then received_at, then the client's fields.
  // Dead-letter records have no canonical prefix: received_at leads.
  const size_t lead = e.kind == RecordKind::kEvent ? std::min<size_t>(3, e.fields.size()) : 0;
  out.push_back('{');
  bool first = true;
  auto put = [&](std::string_view k, std::string_view v) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(out, k);
    out.push_back(':');
    AppendJsonString(out, v);
  };
  for (size_t i = 0; i < lead; ++i) put(e.fields[i].key, e.fields[i].value);
  if (!first) out.push_back(',');
  first = false;
  out.push_back('"');
  out += kReceivedAtKey;
  out += "\":\"";
  AppendRfc3339Millis(out, e.received_at_ms);
  out.push_back('"');
  for (size_t i = lead; i < e.fields.size(); ++i) put(e.fields[i].key, e.fields[i].value);
  out.push_back('}');
}

namespace {

// Lines are built in a small buffer and handed to gzip in chunks, so compression, not
// formatting, dominates.
constexpr size_t kLineBufferBytes = 256 * 1024;

class NdjsonGzipEncoder final : public BatchEncoder {
 public:
  NdjsonGzipEncoder() : gzip_(out_) { lines_.reserve(kLineBufferBytes + 4096); }

  Status Add(const EventView& event) override {
    AppendEventJson(lines_, event);
    lines_.push_back('\n');
    if (lines_.size() >= kLineBufferBytes) return Drain();
    return Status::Ok();
  }

  Result<std::string> Finish() override {
    if (Status s = Drain(); !s.ok()) return s;
    if (Status s = gzip_.Finish(); !s.ok()) return s;
    return std::move(out_);
  }

 private:
  Status Drain() {
    Status s = gzip_.Write(lines_);
    lines_.clear();
    return s;
  }

  std::string out_;
  std::string lines_;
  GzipWriter gzip_;
};

}  // namespace

std::unique_ptr<BatchEncoder> MakeNdjsonGzipEncoder(const EncodeOptions& /*options*/) {
  return std::make_unique<NdjsonGzipEncoder>();
}

// --- Plain NDJSON (Firehose sink): record sinks split the file on '\n', so no compression.
namespace {

class NdjsonEncoder final : public BatchEncoder {
 public:
  Status Add(const EventView& event) override {
    AppendEventJson(out_, event);
    out_.push_back('\n');
    return Status::Ok();
  }
  Result<std::string> Finish() override { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

std::unique_ptr<BatchEncoder> MakeNdjsonEncoder(const EncodeOptions& /*options*/) {
  return std::make_unique<NdjsonEncoder>();
}
// --- end plain NDJSON

}  // namespace tracklake
