// Multipart upload of one object: CreateMultipartUpload, UploadPart on up to
// options.max_parallel_parts threads, CompleteMultipartUpload. Any failure after the upload was
// created aborts it (retried a few times), so no orphaned upload keeps costing storage; the
// outcome is that of the first failure. One attempt: the pipeline retries the whole object.
//
// Thread-safety: safe to call concurrently (each call owns its threads). body must stay alive
// for the call.
#pragma once

#include <string>
#include <string_view>

#include "sink/s3/s3_request.h"
#include "sink/sink.h"

namespace tracklake {

DeliveryResult PutMultipart(const S3Client& client, const S3SinkOptions& options, const std::string& key,
                            std::string_view body, uint64_t events);

}  // namespace tracklake
