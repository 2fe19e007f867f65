// The NDJSON input format of the encoder's fixtures (parquet_encode_tool for tests/parquet,
// parquet_encode_bench for bench/parquet_encode): one flat JSON object of string values per
// line; event_type, event_id and app_id are required and lead the record, the other fields
// follow in input order. "received_at" (integer epoch ms) sets the record's receive time and is
// not a field; "event_time" (RFC 3339 string) stays a field and also sets the event time, as
// the HTTP stage does. Not part of the collector.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

namespace tracklake {

// Appends the event record of one line to `records`; returns an error message, or "" on success.
std::string AppendNdjsonEventRecord(simdjson::ondemand::parser& parser, std::string_view line, std::string& records);

}  // namespace tracklake
