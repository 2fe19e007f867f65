#include "sink/s3/s3_errors.h"

#include <fmt/format.h>

#include "aws/xml.h"

namespace tracklake {
namespace {

constexpr long kFirstSuccess = 200;
constexpr long kFirstRedirect = 300;

// Codes that say "try again" even when they come with a 4xx status. Digest mismatches mean the
// bytes were damaged in transit: the next attempt sends them again.
constexpr std::string_view kRetryableCodes[] = {
    "RequestTimeout",
    "RequestTimeTooSkewed",
    "SlowDown",
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "InternalError",
    "ServiceUnavailable",
    "ExpiredToken",
    "TokenRefreshRequired",
    "BadDigest",
    "XAmzContentSHA256Mismatch",
    "IncompleteBody",
    "NoSuchUpload",  // the multipart upload this attempt started is gone: start a new one
    "OperationAborted",
};

}  // namespace

bool IsRetryableS3ErrorCode(std::string_view code) {
  for (std::string_view retryable : kRetryableCodes) {
    if (code == retryable) return true;
  }
  return false;
}

S3Error ParseS3Error(const aws::HttpResponse& response) {
  S3Error error;
  if (response.body.find("<Error>") != std::string::npos) {
    error.code = aws::XmlText(response.body, "Code").value_or("");
    error.message = aws::XmlText(response.body, "Message").value_or("");
  }
  return error;
}

DeliveryResult ClassifyS3Response(std::string_view operation, std::string_view key,
                                  const Result<aws::HttpResponse>& response) {
  if (!response.ok()) {
    return {DeliveryOutcome::kRetry, fmt::format("S3 {} {}: {}", operation, key, response.status().ToString())};
  }
  const long status = response->status;
  const S3Error error = ParseS3Error(response.value());
  if (status >= kFirstSuccess && status < kFirstRedirect && error.code.empty()) {
    return {DeliveryOutcome::kDelivered, ""};
  }
  std::string detail = fmt::format("S3 {} {}: HTTP {}", operation, key, status) +
                       aws::DescribeAwsError(error.code, error.message, response->Header("x-amz-request-id"));
  // Everything else will fail the same way next time: other 4xx, a redirect (wrong region or
  // endpoint), a 2xx carrying a permanent error document.
  const bool retry = response->RetryableStatus() || IsRetryableS3ErrorCode(error.code);
  return {retry ? DeliveryOutcome::kRetry : DeliveryOutcome::kRejected, std::move(detail)};
}

}  // namespace tracklake
