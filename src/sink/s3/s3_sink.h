// The S3 sink: each lake file becomes the object <prefix>/<lake key> in a bucket, with the same
// layout as the local lake ("page_view/dt=2026-11-26/hr=06/<node>-<first>-<last>.ndjson.gz").
// Objects below multipart_threshold go up with one PutObject, larger ones as a parallel
// multipart upload (aborted on failure). Every upload carries Content-MD5 and the signed
// x-amz-content-sha256, so S3 refuses damaged bytes; SSE and the storage class are optional.
//
// One Put is one attempt; the pipeline retries (s3_errors.h says which outcomes are transient)
// and keeps rejected files in its dead-letter area. Since a lake key is deterministic, a retry
// or a replay overwrites the same object: no duplicates.
//
// Thread-safety: Put may be called from several threads at once.
#pragma once

#include <memory>

#include "aws/credentials.h"
#include "sink/s3/s3_request.h"
#include "sink/sink.h"

namespace tracklake {

// InvalidArgument when the options cannot work (no bucket, bad endpoint, part_size < 5 MiB).
Result<std::unique_ptr<Sink>> MakeS3Sink(const S3SinkOptions& options,
                                         std::shared_ptr<aws::CredentialsProvider> credentials);

}  // namespace tracklake
