// Where an event lands in the lake: "<event_type>/dt=YYYY-MM-DD/hr=HH", from the event type
// and the UTC hour of received_at. Rejected inputs go to "_rejected/dt=…/hr=…".
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "event/event_record.h"

namespace tracklake {

inline constexpr std::string_view kRejectedPartitionPrefix = "_rejected";

std::string PartitionPath(std::string_view event_type, int64_t received_at_ms);
std::string PartitionPathOf(const EventView& e);

// The event type component of a partition path ("page_view" of "page_view/dt=…").
std::string_view PartitionEventType(std::string_view partition_path);

// Start of the UTC hour after the one the partition covers, in ms (0 when unparsable).
int64_t PartitionHourEndMillis(std::string_view partition_path);

}  // namespace tracklake
