// What an S3 answer means for the pipeline: Delivered (2xx), Retry (transient: 5xx, throttling,
// timeouts, clock skew, network errors, a missing credential source) or Rejected (any other 4xx:
// AccessDenied, NoSuchBucket, InvalidArgument, ... will fail the same way next time).
// DeliveryResult::detail names the operation, the key, the HTTP status, the AWS error code and
// message, so the log line alone explains the outcome. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "aws/http_client.h"
#include "common/status.h"
#include "sink/sink.h"

namespace tracklake {

// The AWS error of a response body (<Error><Code>..</Code><Message>..</Message>), if any.
struct S3Error {
  std::string code;
  std::string message;
};
S3Error ParseS3Error(const aws::HttpResponse& response);

// CompleteMultipartUpload can fail with "200 OK" and an <Error> body, so a 2xx is Delivered
// only when its body is not an error document.
DeliveryResult ClassifyS3Response(std::string_view operation, std::string_view key,
                                  const Result<aws::HttpResponse>& response);

// Whether an AWS error code is transient whatever the HTTP status says.
bool IsRetryableS3ErrorCode(std::string_view code);

}  // namespace tracklake
