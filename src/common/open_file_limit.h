// The process's open-files limit (RLIMIT_NOFILE), and how many connections fit under it.
//
// Every connection holds a descriptor, and service managers start processes at a soft limit of
// 1024 whatever their hard limit; a collector that kept it would fail to accept beyond about a
// thousand clients. Like nginx's worker_rlimit_nofile and Go's runtime, the collector raises its
// soft limit to the hard one at start, and keeps some descriptors out of the connections' reach
// for the write-ahead log, the lake and the sinks.
#pragma once

#include <cstdint>

#include "common/status.h"

namespace tracklake {

struct OpenFileLimit {
  uint64_t soft = 0;    // in effect now: the hard limit, unless the process started above it
  uint64_t before = 0;  // the soft limit the process started with
};

// Raises the soft limit to the hard one (to fs.nr_open when the hard one is unlimited).
Result<OpenFileLimit> RaiseOpenFileLimit();

// Descriptors kept for everything but connections: 256, or a quarter of a smaller limit.
uint64_t ReservedDescriptors(uint64_t soft_limit);

// max_connections, lowered so that connections leave ReservedDescriptors free (at least 1).
uint32_t ConnectionsWithin(uint64_t soft_limit, uint32_t max_connections);

}  // namespace tracklake
