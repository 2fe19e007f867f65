// What an answer to an AWS record call means (Firehose PutRecordBatch, Kinesis PutRecords):
//   - no HTTP response, 5xx, 429, or a transient error type (throttling, availability, expired
//     credentials; the service adds its own): the whole call is kRetry;
//   - any other 4xx (ResourceNotFoundException: no such stream, AccessDeniedException,
//     InvalidArgumentException, a bad signature, ...): kRejected, it fails the same way next time;
//   - 200: per record, accepted or failed (an entry with an ErrorCode); failed records are worth
//     sending again (both services fail single records only transiently: throughput, internal).
// Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "aws/http_client.h"
#include "common/status.h"
#include "sink/record_calls.h"

namespace tracklake {

struct RecordApi {
  std::string_view call_name;      // "Firehose PutRecordBatch"
  std::string_view results_field;  // the answer's per-record array: "RequestResponses", "Records"
  bool (*retryable)(std::string_view error_type) = nullptr;  // the service's transient error types
};

// records_sent: how many records the call carried (an answer that does not account for all of
// them fails the unaccounted ones). destination names the stream in the detail.
RecordCallOutcome ClassifyRecordCall(const RecordApi& api, std::string_view destination,
                                     const Result<aws::HttpResponse>& response, size_t records_sent);

// The call that describes a stream before delivering to it (Sink::Check: Firehose
// DescribeDeliveryStream, Kinesis DescribeStreamSummary) and where its answer holds the status.
struct DescribeApi {
  std::string_view call_name;                                // "Kinesis DescribeStreamSummary"
  std::string_view name_field;                               // the request's: "StreamName"
  std::string_view description_field;                        // the answer's: "StreamDescriptionSummary"
  std::string_view status_field;                             // "StreamStatus"
  bool (*retryable)(std::string_view error_type) = nullptr;  // the service's transient error types
};

// {"<name_field>":"<stream>"}
std::string DescribeCallBody(const DescribeApi& api, std::string_view stream);

// What a describe answer says, before the service judges the stream's status:
//   - no HTTP response, 5xx, 429, a transient error type: kRetry (the check cannot tell);
//   - any other error (no such stream, access denied, a bad signature): kRejected with
//     destination_refuses, the detail naming the call, the stream, the error and its request id;
//   - 200: kDelivered and *status set to the stream's status ("ACTIVE", ...); kRetry when the
//     answer holds none.
DeliveryResult ClassifyDescribeCall(const DescribeApi& api, std::string_view stream,
                                    const Result<aws::HttpResponse>& response, std::string* status);

}  // namespace tracklake
