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
#include "sink/s3/s3_upload_records.h"
#include "sink/sink.h"

namespace tracklake {

// The upload is recorded in records (durably) before its first part goes up, and forgotten once
// completed or aborted, so that a crash in between is cleaned up by AbortRecordedUploads.
DeliveryResult PutMultipart(const S3Client& client, const S3SinkOptions& options, const UploadRecords& records,
                            const std::string& key, std::string_view body, uint64_t events);

// Aborts every upload recorded (by a run that crashed) under options.prefix; keeps the records
// of those it could not abort, for the next start.
void AbortRecordedUploads(const S3Client& client, const S3SinkOptions& options, const UploadRecords& records);

}  // namespace tracklake
