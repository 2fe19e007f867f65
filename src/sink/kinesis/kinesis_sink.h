// The Kinesis Data Streams sink: each messages object (the events of one event type, encoded
// by encode/json_messages.h) goes to the stream of its event type (kinesis.stream_template,
// default "tracking-{event_type}") as PutRecords calls within the service limits
// (kinesis_records.h), signed with SigV4 (src/aws), credentials from the standard AWS chain.
//
// One Put is one delivery attempt of the object. Records a call reports failed
// (FailedRecordCount > 0: ProvisionedThroughputExceededException, InternalFailure) are sent
// again, and only they, a bounded number of rounds with backoff inside the same Put. Outcomes:
//   - kDelivered: every record was accepted;
//   - kRetry: a call was throttled or failed transiently, or records still fail after the
//     rounds; the sink remembers which records of this object were accepted, so the pipeline's
//     next attempt sends only the others (while the process lives);
//   - kRejected: the stream refuses for good (no such stream, access denied, ...), or some
//     events are over 1 MiB and can never be a record (every other event is delivered first;
//     the detail names the events that were not).
//
// Check (Sink::Check, at start and while a stream is refused) describes the stream of an event
// type (DescribeStreamSummary): missing, CREATING or DELETING, or access denied is a refusal.
//
// Delivery is at-least-once: PutRecords has no idempotency key, so a record whose acceptance
// was lost (a dropped connection, a restart mid-object) is sent again. Consumers deduplicate on
// event_id (docs/kinesis.md).
//
// Thread-safety: Put may be called from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "aws/credentials.h"
#include "aws/http_client.h"
#include "sink/sink.h"

namespace tracklake {

struct KinesisSinkOptions {
  std::string stream_template = "tracking-{event_type}";
  std::string region = "us-east-1";
  std::string endpoint;  // "" = AWS (https://kinesis.<region>.amazonaws.com)
  bool aggregate = false;
  int max_record_retries = 3;  // rounds of resending failed records within one Put
  int64_t record_retry_initial_ms = 100;
  int64_t request_timeout_ms = aws::kDefaultRequestTimeoutMs;
};

// InvalidArgument when the options cannot work (bad endpoint, a template that makes invalid
// stream names, negative retries).
Result<std::unique_ptr<Sink>> MakeKinesisSink(const KinesisSinkOptions& options,
                                              std::shared_ptr<aws::CredentialsProvider> credentials);

}  // namespace tracklake
