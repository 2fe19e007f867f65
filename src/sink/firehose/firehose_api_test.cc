#include "sink/firehose/firehose_api.h"

#include <gtest/gtest.h>

#include "common/json_writer.h"

namespace tracklake {
namespace {

aws::HttpResponse Response(long status, std::string body, aws::HeaderList headers = {}) {
  aws::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(PutRecordBatchBody, CarriesTheStreamAndBase64Records) {
  const std::string body = PutRecordBatchBody("tracking-click", {"{\"a\":1}\n", "x\n"});
  EXPECT_EQ(body, "{\"DeliveryStreamName\":\"tracking-click\",\"Records\":[{\"Data\":\"" +
                      Base64Encode("{\"a\":1}\n") + "\"},{\"Data\":\"" + Base64Encode("x\n") + "\"}]}");
}

TEST(ClassifyPutRecordBatch, AllAcceptedMeansNoFailedRecords) {
  const auto out = ClassifyPutRecordBatch(
      "s",
      Response(200,
               R"({"FailedPutCount":0,"Encrypted":false,"RequestResponses":[{"RecordId":"1"},{"RecordId":"2"}]})"),
      2);
  EXPECT_EQ(out.call, DeliveryOutcome::kDelivered);
  EXPECT_TRUE(out.failed.empty());
}

TEST(ClassifyPutRecordBatch, PartialFailureListsTheFailedPositions) {
  const auto out = ClassifyPutRecordBatch("s",
                                          Response(200, R"({"FailedPutCount":2,"RequestResponses":[{"RecordId":"1"},
        {"ErrorCode":"ServiceUnavailableException","ErrorMessage":"Slow down."},{"RecordId":"3"},
        {"ErrorCode":"InternalFailure","ErrorMessage":"oops"}]})"),
                                          4);
  EXPECT_EQ(out.call, DeliveryOutcome::kDelivered);
  EXPECT_EQ(out.failed, (std::vector<size_t>{1, 3}));
  EXPECT_NE(out.detail.find("ServiceUnavailableException"), std::string::npos);
}

TEST(ClassifyPutRecordBatch, RecordsTheAnswerDoesNotCoverCountAsFailed) {
  const auto out =
      ClassifyPutRecordBatch("s", Response(200, R"({"FailedPutCount":0,"RequestResponses":[{"RecordId":"1"}]})"), 3);
  EXPECT_EQ(out.failed, (std::vector<size_t>{1, 2}));
  EXPECT_EQ(ClassifyPutRecordBatch("s", Response(200, "not json"), 3).call, DeliveryOutcome::kRetry);
}

TEST(ClassifyPutRecordBatch, ThrottlingAndServerErrorsAreRetried) {
  for (const char* type : {"ThrottlingException", "LimitExceededException", "ServiceUnavailableException"}) {
    const auto out = ClassifyPutRecordBatch(
        "s",
        Response(400, std::string(R"({"__type":"com.amazonaws.firehose.v20150804#)") + type + R"(","message":"m"})"),
        1);
    EXPECT_EQ(out.call, DeliveryOutcome::kRetry) << type;
    EXPECT_NE(out.detail.find(type), std::string::npos);
  }
  EXPECT_EQ(ClassifyPutRecordBatch("s", Response(500, ""), 1).call, DeliveryOutcome::kRetry);
  EXPECT_EQ(ClassifyPutRecordBatch("s", Response(503, "<html>"), 1).call, DeliveryOutcome::kRetry);
  EXPECT_EQ(ClassifyPutRecordBatch("s", Response(429, ""), 1).call, DeliveryOutcome::kRetry);
  EXPECT_EQ(ClassifyPutRecordBatch("s", Status::Unavailable("connection reset"), 1).call, DeliveryOutcome::kRetry);
}

TEST(ClassifyPutRecordBatch, AMissingStreamOrAccessDeniedIsRejectedWithTheReason) {
  const auto missing = ClassifyPutRecordBatch(
      "tracking-x",
      Response(400, R"({"__type":"ResourceNotFoundException","message":"Firehose tracking-x not found."})",
               {{"x-amzn-requestid", "req-1"}}),
      1);
  EXPECT_EQ(missing.call, DeliveryOutcome::kRejected);
  EXPECT_NE(missing.detail.find("ResourceNotFoundException: Firehose tracking-x not found."), std::string::npos);
  EXPECT_NE(missing.detail.find("req-1"), std::string::npos);
  const auto denied = ClassifyPutRecordBatch(
      "s", Response(400, "", {{"x-amzn-errortype", "AccessDeniedException:http://internal.amazon.com/"}}), 1);
  EXPECT_EQ(denied.call, DeliveryOutcome::kRejected);
  EXPECT_NE(denied.detail.find("AccessDeniedException"), std::string::npos);
  const auto signature = ClassifyPutRecordBatch(
      "s",
      Response(403,
               "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>bad</Message></Error>"
               "</ErrorResponse>"),
      1);
  EXPECT_EQ(signature.call, DeliveryOutcome::kRejected);
  EXPECT_NE(signature.detail.find("SignatureDoesNotMatch: bad"), std::string::npos);
}

TEST(DescribeDeliveryStreamBody, NamesTheStream) {
  EXPECT_EQ(DescribeDeliveryStreamBody("tracking-x"), R"({"DeliveryStreamName":"tracking-x"})");
}

TEST(ClassifyDescribeDeliveryStream, ActiveAcceptsAMissingStreamRefusesOthersCannotTell) {
  EXPECT_EQ(ClassifyDescribeDeliveryStream(
                "s", Response(200, R"({"DeliveryStreamDescription":{"DeliveryStreamStatus":"ACTIVE"}})"))
                .outcome,
            DeliveryOutcome::kDelivered);
  const DeliveryResult creating = ClassifyDescribeDeliveryStream(
      "s", Response(200, R"({"DeliveryStreamDescription":{"DeliveryStreamStatus":"CREATING"}})"));
  EXPECT_EQ(creating.outcome, DeliveryOutcome::kRetry);
  EXPECT_NE(creating.detail.find("Firehose delivery stream s is CREATING"), std::string::npos);
  const DeliveryResult missing = ClassifyDescribeDeliveryStream(
      "tracking-x", Response(400, R"({"__type":"ResourceNotFoundException","message":"not found"})"));
  EXPECT_EQ(missing.outcome, DeliveryOutcome::kRejected);
  EXPECT_TRUE(missing.destination_refuses);
  EXPECT_NE(missing.detail.find("Firehose DescribeDeliveryStream tracking-x: HTTP 400"), std::string::npos);
  EXPECT_EQ(ClassifyDescribeDeliveryStream("s", Response(400, R"({"__type":"ThrottlingException"})")).outcome,
            DeliveryOutcome::kRetry);
  EXPECT_EQ(ClassifyDescribeDeliveryStream("s", Response(200, "{}")).outcome, DeliveryOutcome::kRetry);
}

TEST(FirehoseClient, SignsAJsonApiPostToTheRegionalEndpoint) {
  FirehoseSinkOptions options;
  options.region = "eu-west-1";
  auto client = FirehoseClient::Create(options, nullptr);
  ASSERT_TRUE(client.ok());
  const aws::Credentials credentials{"AKIDEXAMPLE", "secret", "", std::nullopt, "test"};
  const std::string body = "{}";
  const aws::HttpRequest request = (*client)->Prepare(body, credentials, 1'700'000'000'000);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "https://firehose.eu-west-1.amazonaws.com/");
  auto header = [&](std::string_view name) {
    for (const auto& [k, v] : request.headers) {
      if (k == name) return v;
    }
    return std::string();
  };
  EXPECT_EQ(header("X-Amz-Target"), "Firehose_20150804.PutRecordBatch");
  EXPECT_EQ(header("Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(header("Host"), "firehose.eu-west-1.amazonaws.com");
  EXPECT_EQ(header("X-Amz-Content-Sha256"), "");  // only S3 wants it
  const std::string authorization = header("Authorization");
  EXPECT_EQ(authorization.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/eu-west-1/firehose/aws4_request", 0),
            0u)
      << authorization;
  EXPECT_NE(authorization.find("SignedHeaders=content-type;host;x-amz-date;x-amz-target"), std::string::npos);
}

TEST(FirehoseClient, AnEndpointOverrideKeepsItsPort) {
  FirehoseSinkOptions options;
  options.endpoint = "http://127.0.0.1:5000";
  auto client = FirehoseClient::Create(options, nullptr);
  ASSERT_TRUE(client.ok());
  const aws::Credentials credentials{"AKID", "secret", "", std::nullopt, "test"};
  EXPECT_EQ((*client)->Prepare("{}", credentials, 0).url, "http://127.0.0.1:5000/");
  options.endpoint = "127.0.0.1:5000";
  EXPECT_FALSE(FirehoseClient::Create(options, nullptr).ok());
}

}  // namespace
}  // namespace tracklake
