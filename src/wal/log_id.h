// A log's identity: random, made when the log is new, kept in "<wal.dir>/LOG_ID".
//
// Lake files are named by node id, log id and sequence range (sink/sink.h). Sequence numbers
// start again at 1 in a new log: a wal.dir that was lost or deleted (an ephemeral volume, a
// replaced disk), or a second collector with its own wal.dir but the same node id. Without the
// log id, such a log's files would take the names of an older log's files in the same partition
// and overwrite them. A redelivery after a crash comes from the same log, so it still writes
// the same name (exactly-once files).
//
// A log written before log ids (records, but no LOG_ID) keeps the empty id, so its files keep
// the names they had. Thread-safety: no shared state.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace tracklake {

inline constexpr std::string_view kLogIdFile = "LOG_ID";

// 8 lowercase hex digits.
bool IsValidLogId(std::string_view id);

// Reads dir/LOG_ID. Without one: a new log (no sequence number used yet) gets a fresh id, written
// durably before any record can be; an older log gets "". A LOG_ID that is not a valid id is an
// error naming the file (a damaged identity must not silently become another).
Result<std::string> LoadOrCreateLogId(const std::string& dir, bool log_is_new);

}  // namespace tracklake
