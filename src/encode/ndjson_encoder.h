// gzip NDJSON: one JSON object per line, server fields first. Readable with zcat and jq,
// and by Athena/Spark/DuckDB as JSON lines. Thread-compatible.
#pragma once

#include <memory>

#include "encode/encoder.h"

namespace tracklake {

std::unique_ptr<BatchEncoder> MakeNdjsonGzipEncoder(const EncodeOptions& options);

// --- Plain NDJSON (Firehose sink): the same lines, uncompressed, each ending in '\n'.
std::unique_ptr<BatchEncoder> MakeNdjsonEncoder(const EncodeOptions& options);
// --- end plain NDJSON

}  // namespace tracklake
