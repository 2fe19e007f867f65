// `tracklake redrive`: resends the files the sink refused for good (kept in the dead-letter
// directory, see DeadLetterDir) once the cause is fixed, under the same keys, so that the S3 and
// local sinks get each exactly once (a file that did reach its destination after all is
// overwritten by the same bytes); Firehose, which has no key, gets them at least once. A file
// is deleted once delivered. Safe while the collector runs: it only adds complete files there.
#pragma once

#include <cstdint>

#include "config/config.h"

namespace tracklake {

struct RedriveFlags {
  bool dry_run = false;  // list what would be sent
  int attempts = 5;      // per file, for transient failures, with backoff
};

// 0 when every file was delivered (or there was none), 1 when some stay, 2 when the sink
// cannot be made. Prints one line per file and a summary.
int Redrive(const Config& config, const RedriveFlags& flags);

}  // namespace tracklake
