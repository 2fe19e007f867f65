// The Parquet batch encoder: one Parquet file per batch of events of one event type.
//
// Schema: the lake's (event/lake_schema.h; docs/parquet.md explains it to users), strings as
// BYTE_ARRAY (STRING), timestamps as INT64 TIMESTAMP(MILLIS, UTC), properties as a MAP of
// required string keys to optional string values.
//
// Memory: at most about one row group (EncodeOptions::row_group_bytes of uncompressed column
// data) is buffered; completed row groups are serialised into the output as they fill.
// Thread-safety: as BatchEncoder (one thread at a time).
// Errors: Add rejects non-event records and records without the three leading fields
// (kInvalidArgument); Finish reports compression failures.
#pragma once

#include <memory>
#include <string_view>

#include "encode/encoder.h"

namespace tracklake {

// Every file's footer says created_by "tracklake version <kTracklakeVersion>" and holds these
// key-value metadata keys.
inline constexpr std::string_view kMetaVersion = "tracklake.version";
inline constexpr std::string_view kMetaNodeId = "tracklake.node_id";
inline constexpr std::string_view kMetaLogId = "tracklake.log_id";  // absent for a log from before log ids
inline constexpr std::string_view kMetaWalFirstSeq = "tracklake.wal_first_seq";
inline constexpr std::string_view kMetaWalLastSeq = "tracklake.wal_last_seq";

std::unique_ptr<BatchEncoder> MakeParquetEncoder(const EncodeOptions& options);

}  // namespace tracklake
