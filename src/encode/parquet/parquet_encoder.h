// The Parquet batch encoder: one Parquet file per batch of events of one event type.
//
// Schema (see docs/parquet.md): event_id, event_type, app_id (required strings), received_at
// (required TIMESTAMP millis UTC), event_time (optional TIMESTAMP millis UTC), user_id,
// anonymous_id, session_id (optional strings), one optional string column per declared
// column, then properties MAP<string,string> holding every other field in event order.
//
// Memory: at most about one row group (EncodeOptions::row_group_bytes of uncompressed column
// data) is buffered; completed row groups are serialised into the output as they fill.
// Thread-safety: as BatchEncoder (one thread at a time).
// Errors: Add rejects non-event records and records without the three leading fields
// (kInvalidArgument); Finish reports compression failures.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "encode/encoder.h"

namespace tracklake {

inline constexpr std::string_view kTracklakeVersion = "0.1.0";
inline constexpr std::string_view kParquetCreatedBy = "tracklake version 0.1.0";

// Key-value metadata keys written into every file's footer.
inline constexpr std::string_view kMetaVersion = "tracklake.version";
inline constexpr std::string_view kMetaNodeId = "tracklake.node_id";
inline constexpr std::string_view kMetaLogId = "tracklake.log_id";  // absent for a log from before log ids
inline constexpr std::string_view kMetaWalFirstSeq = "tracklake.wal_first_seq";
inline constexpr std::string_view kMetaWalLastSeq = "tracklake.wal_last_seq";

std::unique_ptr<BatchEncoder> MakeParquetEncoder(const EncodeOptions& options);

// The optional string columns a file gets, in order: user_id, anonymous_id, session_id, then
// options.declared_columns minus names that are empty, duplicated or clash with a fixed column.
std::vector<std::string> ParquetNamedColumns(const EncodeOptions& options);

}  // namespace tracklake
