// Which S3 answers are delivered, retried or rejected, and what the detail says.
#include "sink/s3/s3_errors.h"

#include <gtest/gtest.h>

namespace tracklake {
namespace {

Result<aws::HttpResponse> Answer(long status, const std::string& code = "", const std::string& message = "") {
  aws::HttpResponse r;
  r.status = status;
  if (!code.empty()) {
    r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message +
             "</Message><RequestId>r</RequestId></Error>";
  }
  r.headers.emplace_back("x-amz-request-id", "REQ123");
  return r;
}

DeliveryOutcome Outcome(const Result<aws::HttpResponse>& r) { return ClassifyS3Response("PutObject", "k", r).outcome; }

TEST(ClassifyS3Response, SuccessIsDelivered) {
  EXPECT_EQ(Outcome(Answer(200)), DeliveryOutcome::kDelivered);
  EXPECT_EQ(Outcome(Answer(204)), DeliveryOutcome::kDelivered);
}

TEST(ClassifyS3Response, ServerErrorsThrottlingAndTimeoutsAreRetried) {
  EXPECT_EQ(Outcome(Answer(500, "InternalError", "We encountered an internal error")), DeliveryOutcome::kRetry);
  EXPECT_EQ(Outcome(Answer(503, "SlowDown", "Please reduce your request rate.")), DeliveryOutcome::kRetry);
  EXPECT_EQ(Outcome(Answer(502)), DeliveryOutcome::kRetry);
  EXPECT_EQ(Outcome(Answer(429)), DeliveryOutcome::kRetry);
  EXPECT_EQ(Outcome(Answer(400, "RequestTimeout", "Your socket connection timed out")), DeliveryOutcome::kRetry);
  EXPECT_EQ(Outcome(Answer(403, "RequestTimeTooSkewed", "skew")), DeliveryOutcome::kRetry);
  EXPECT_EQ(Outcome(Answer(400, "ExpiredToken", "expired")), DeliveryOutcome::kRetry);
  EXPECT_EQ(Outcome(Answer(400, "BadDigest", "md5")), DeliveryOutcome::kRetry);
}

TEST(ClassifyS3Response, NetworkErrorsAreRetried) {
  const DeliveryResult r = ClassifyS3Response("UploadPart 2", "k", Status::Unavailable("Connection reset by peer"));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_NE(r.detail.find("Connection reset by peer"), std::string::npos);
  EXPECT_NE(r.detail.find("UploadPart 2"), std::string::npos);
}

TEST(ClassifyS3Response, OtherClientErrorsAreRejectedWithCodeMessageAndRequestId) {
  const DeliveryResult r = ClassifyS3Response("PutObject", "events/a.gz",
                                              Answer(403, "AccessDenied", "Access Denied"));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRejected);
  EXPECT_EQ(r.detail, "S3 PutObject events/a.gz: HTTP 403 AccessDenied: Access Denied (request id REQ123)");
  EXPECT_EQ(Outcome(Answer(404, "NoSuchBucket", "The specified bucket does not exist")), DeliveryOutcome::kRejected);
  EXPECT_EQ(Outcome(Answer(400, "InvalidArgument", "bad")), DeliveryOutcome::kRejected);
  EXPECT_EQ(Outcome(Answer(400)), DeliveryOutcome::kRejected);
}

TEST(ClassifyS3Response, ARedirectMeansTheWrongRegionOrEndpointAndIsRejected) {
  EXPECT_EQ(Outcome(Answer(301, "PermanentRedirect", "use the other endpoint")), DeliveryOutcome::kRejected);
}

TEST(ClassifyS3Response, AnErrorDocumentInsideA200IsNotADelivery) {
  // CompleteMultipartUpload reports late failures this way.
  EXPECT_EQ(Outcome(Answer(200, "InternalError", "try again")), DeliveryOutcome::kRetry);
  EXPECT_EQ(Outcome(Answer(200, "InvalidPart", "part missing")), DeliveryOutcome::kRejected);
}

}  // namespace
}  // namespace tracklake
