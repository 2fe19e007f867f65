// Re-validation of what the write-ahead log gives back. The log verifies that a record is the
// one its writer wrote; these check that what it says is what validation lets through, before
// it names anything (a partition, a file, a column): a bug, an older version's rules or a
// damaged disk must never turn into a path. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "event/event_record.h"

namespace tracklake {

// nullopt when e, decoded from a stored record, has the shape validation gives every record
// (event/event_record.h): for events, the leading event_type (a valid, unreserved event type),
// event_id and app_id fields, valid field names (unless !field_names), received_at and
// event_time within what every lake reader takes (InLakeTimeRange: 1900-9999); for dead
// letters, their five fields in order. Otherwise
// the rule it breaks. The field names are most of the cost (about 2,000 of 3,700 instructions
// for the 1 KiB reference event; decoding it costs 2,400): delivery, which reads back records
// checked once already, leaves them out (pipeline/delivery.cc).
std::optional<std::string_view> StoredRecordProblem(const EventView& e, bool field_names = true);

// Whether path is "<event type>/dt=YYYY-MM-DD/hr=HH" as PartitionPath makes it, for a valid,
// unreserved event type or the dead-letter area, in years 0001-9999 (a real calendar date).
bool IsPartitionPath(std::string_view path);

}  // namespace tracklake
