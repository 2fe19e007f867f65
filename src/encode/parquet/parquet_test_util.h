// Test helpers for the Parquet tests: build event records and encode them into a file.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "encode/encoder.h"
#include "encode/parquet/parquet_reader.h"

namespace tracklake::parquet_test {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct TestEvent {
  int64_t received_at_ms = 0;
  int64_t event_time_ms = kNoEventTime;
  Fields fields;  // must start with event_type, event_id, app_id
};

// An event with the three leading fields, then extra.
TestEvent MakeEvent(std::string event_id, Fields extra = {}, int64_t received_at_ms = 1'700'000'000'000);

// Encodes the events with the Parquet encoder; fails the test (ADD_FAILURE) on errors.
std::string EncodeEvents(const EncodeOptions& options, const std::vector<TestEvent>& events);

// Reads all rows back; fails the test on errors.
ParquetTable ReadAll(const std::string& file);

// The string in row r, column name (or "<null>" / "<not a string>").
std::string CellString(const ParquetTable& t, size_t r, std::string_view column);

}  // namespace tracklake::parquet_test
