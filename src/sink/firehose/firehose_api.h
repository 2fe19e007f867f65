// The Firehose JSON API as tracklake uses it: the PutRecordBatch request (body, addressing,
// SigV4 with the non-S3 path rules), and what its answer means.
//
// Answers:
//   - no HTTP response, 5xx, 429, or a throttling/availability error (ThrottlingException,
//     LimitExceededException, ServiceUnavailableException, ...): the whole call is kRetry;
//   - any other 4xx (ResourceNotFoundException: no such stream, AccessDeniedException,
//     InvalidArgumentException, ...): kRejected, it will fail the same way next time;
//   - 200: per record, accepted or failed (FailedPutCount > 0 lists the failed positions;
//     Firehose only fails records transiently, so they are worth sending again).
//
// Thread-safety: FirehoseClient is immutable after Create; Send may run on many threads.
// Errors: Create returns InvalidArgument for a bad endpoint; Send returns the credential
// chain's error or Unavailable when no response came back.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "aws/http_client.h"
#include "aws/json_api.h"
#include "common/status.h"
#include "sink/record_calls.h"
#include "sink/sink.h"

namespace tracklake {

struct FirehoseSinkOptions {
  std::string stream_template = "tracking-{event_type}";
  std::string region = "us-east-1";
  std::string endpoint;  // "" = AWS (https://firehose.<region>.amazonaws.com)
  bool aggregate = false;
  // Rounds of resending the records a PutRecordBatch reported failed, within one Put.
  int max_record_retries = 3;
  int64_t record_retry_initial_ms = 100;  // backoff before the first round; doubles each round
  int64_t request_timeout_ms = aws::kDefaultRequestTimeoutMs;
};

// {"DeliveryStreamName":"...","Records":[{"Data":"<base64>"},...]}
std::string PutRecordBatchBody(std::string_view stream, const std::vector<std::string_view>& records);

// kDelivered: the call was answered 200 and `failed` lists the records to send again.
using PutRecordBatchOutcome = RecordCallOutcome;

// records_sent: how many records the call carried (a 200 that does not account for all of
// them is treated as failing the unaccounted ones).
PutRecordBatchOutcome ClassifyPutRecordBatch(std::string_view stream, const Result<aws::HttpResponse>& response,
                                             size_t records_sent);

// Whether a Firehose error type (the "__type" of an error body, namespace stripped) is transient.
bool IsRetryableFirehoseError(std::string_view type);

// The check of a stream before delivering to it (Sink::Check): DescribeDeliveryStream.
inline constexpr std::string_view kPutRecordBatchTarget = "Firehose_20150804.PutRecordBatch";
inline constexpr std::string_view kDescribeDeliveryStreamTarget = "Firehose_20150804.DescribeDeliveryStream";
std::string DescribeDeliveryStreamBody(std::string_view stream);
// kDelivered when the stream exists and is ACTIVE; kRejected (destination_refuses) for an error
// that will not pass by itself (no such stream, access denied); kRetry otherwise (unreachable,
// throttled, a stream still being created or updated).
DeliveryResult ClassifyDescribeDeliveryStream(std::string_view stream, const Result<aws::HttpResponse>& response);

class FirehoseClient {
 public:
  static Result<std::unique_ptr<FirehoseClient>> Create(const FirehoseSinkOptions& options,
                                                        std::shared_ptr<aws::CredentialsProvider> credentials);
  // The signed request of an action (X-Amz-Target) as it goes on the wire. body must outlive it.
  aws::HttpRequest Prepare(std::string_view body, const aws::Credentials& credentials, int64_t time_ms,
                           std::string_view target = kPutRecordBatchTarget) const;
  Result<aws::HttpResponse> Send(std::string_view body, std::string_view target = kPutRecordBatchTarget) const;

 private:
  explicit FirehoseClient(std::unique_ptr<aws::JsonApiClient> api) : api_(std::move(api)) {}
  std::unique_ptr<aws::JsonApiClient> api_;
};

}  // namespace tracklake
