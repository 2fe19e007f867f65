#include "encode/parquet/parquet_test_util.h"

#include <gtest/gtest.h>

#include "encode/parquet/parquet_encoder.h"

namespace tracklake::parquet_test {

TestEvent MakeEvent(std::string event_id, Fields extra, int64_t received_at_ms) {
  TestEvent e;
  e.received_at_ms = received_at_ms;
  e.fields = {{"event_type", "page_view"}, {"event_id", std::move(event_id)}, {"app_id", "app-1"}};
  for (auto& f : extra) e.fields.push_back(std::move(f));
  return e;
}

std::string EncodeEvents(const EncodeOptions& options, const std::vector<TestEvent>& events) {
  auto encoder = MakeParquetEncoder(options);
  std::string record;
  EventView view;
  for (const TestEvent& e : events) {
    record.clear();
    EventRecordBuilder b(record);
    b.Begin(RecordKind::kEvent, e.received_at_ms, e.event_time_ms);
    for (const auto& [k, v] : e.fields) b.Add(k, v);
    b.Finish();
    Status s = DecodeEventRecord(record, view);
    if (s.ok()) s = encoder->Add(view);
    if (!s.ok()) {
      ADD_FAILURE() << s.ToString();
      return {};
    }
  }
  Result<std::string> file = encoder->Finish();
  if (!file.ok()) {
    ADD_FAILURE() << file.status().ToString();
    return {};
  }
  return std::move(file).value();
}

ParquetTable ReadAll(const std::string& file) {
  Result<ParquetTable> t = ReadParquetRows(file);
  if (!t.ok()) {
    ADD_FAILURE() << t.status().ToString();
    return {};
  }
  return std::move(t).value();
}

std::string CellString(const ParquetTable& t, size_t r, std::string_view column) {
  const auto c = t.ColumnIndex(column);
  if (!c || r >= t.rows.size()) return "<missing>";
  const ParquetCell& cell = t.rows[r][*c];
  if (std::holds_alternative<std::monostate>(cell)) return "<null>";
  if (const auto* s = std::get_if<std::string>(&cell)) return *s;
  return "<not a string>";
}

}  // namespace tracklake::parquet_test
