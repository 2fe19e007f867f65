// The Firehose sink: each lake object (the events of one event type, as plain NDJSON) is sent
// as records to the delivery stream of its event type (firehose.stream_template, default
// "tracking-{event_type}"), one stream per event type so that no stream hits its throughput
// quota. Objects ending in ".gz" (the pipeline's own dead letters) are decompressed first.
//
// One Put is one delivery attempt of the object, made of as many PutRecordBatch calls as the
// quotas need (firehose_records.h). Records a call reports failed (FailedPutCount > 0) are sent
// again, and only they, a bounded number of rounds with backoff inside the same Put. Outcomes:
//   - kDelivered: every record was accepted;
//   - kRetry: a call was throttled or failed transiently, or records still fail after the
//     rounds. The sink remembers which records of this object were accepted, so the pipeline's
//     next attempt sends only the others (while the process lives);
//   - kRejected: the stream refuses for good (no such stream, access denied, ...), or some
//     events are over 1,000 KiB and can never be a record. In the latter case every other event
//     is delivered first; the whole object then goes to the dead-letter area and the detail
//     names the line numbers that did NOT reach Firehose (the rest of that file did).
//
// Delivery is at-least-once: Firehose has no idempotency key, so a record whose acceptance was
// lost (a dropped connection, a restart mid-object) is sent again. The S3 sink is exactly-once.
//
// Thread-safety: Put may be called from several threads at once.
#pragma once

#include <memory>

#include "aws/credentials.h"
#include "sink/firehose/firehose_api.h"
#include "sink/sink.h"

namespace tracklake {

// InvalidArgument when the options cannot work (bad endpoint, a template that makes invalid
// stream names, negative retries).
Result<std::unique_ptr<Sink>> MakeFirehoseSink(const FirehoseSinkOptions& options,
                                               std::shared_ptr<aws::CredentialsProvider> credentials);

}  // namespace tracklake
