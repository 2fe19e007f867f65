#include "sink/kinesis/kinesis_api.h"

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

aws::HttpResponse Summary(std::string_view status) {
  return Response(200, std::string(R"({"StreamDescriptionSummary":{"StreamName":"s","StreamStatus":")") +
                           std::string(status) + R"(","OpenShardCount":1}})");
}

TEST(PutRecordsBody, CarriesTheStreamDataAndPartitionKeys) {
  const std::vector<KinesisRecord> records = {{"{\"a\":1}\n", "u\"1"}, {"x\n", "u2"}, {"y\n", "u3"}};
  EXPECT_EQ(PutRecordsBody("tracking-click", records, {0, 2}),
            "{\"StreamName\":\"tracking-click\",\"Records\":[{\"Data\":\"" + Base64Encode("{\"a\":1}\n") +
                "\",\"PartitionKey\":\"u\\\"1\"},{\"Data\":\"" + Base64Encode("y\n") +
                "\",\"PartitionKey\":\"u3\"}]}");
}

TEST(ClassifyPutRecords, FailedRecordsAreListedForAnotherRound) {
  const auto out = ClassifyPutRecords(
      "s", Response(200, R"({"FailedRecordCount":1,"Records":[{"SequenceNumber":"1","ShardId":"shardId-0"},
        {"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded for shard"}]})"),
      2);
  EXPECT_EQ(out.call, DeliveryOutcome::kDelivered);
  EXPECT_EQ(out.failed, (std::vector<size_t>{1}));
  EXPECT_NE(out.detail.find("ProvisionedThroughputExceededException"), std::string::npos);
}

TEST(ClassifyPutRecords, ThroughputErrorsOfTheWholeCallAreRetriedAMissingStreamIsRejected) {
  for (const char* type :
       {"ProvisionedThroughputExceededException", "KMSThrottlingException", "LimitExceededException"}) {
    const auto out = ClassifyPutRecords("s",
                                        Response(400, std::string(R"({"__type":")") + type + R"(","message":"m"})"),
                                        1);
    EXPECT_EQ(out.call, DeliveryOutcome::kRetry) << type;
  }
  const auto missing = ClassifyPutRecords(
      "tracking-x", Response(400, R"({"__type":"ResourceNotFoundException","message":"Stream tracking-x not found"})"),
      1);
  EXPECT_EQ(missing.call, DeliveryOutcome::kRejected);
  EXPECT_NE(missing.detail.find("Kinesis PutRecords tracking-x"), std::string::npos);
  EXPECT_NE(missing.detail.find("ResourceNotFoundException: Stream tracking-x not found"), std::string::npos);
  EXPECT_EQ(ClassifyPutRecords("s", Status::Unavailable("refused"), 1).call, DeliveryOutcome::kRetry);
}

TEST(DescribeStreamSummaryBody, NamesTheStream) {
  EXPECT_EQ(DescribeStreamSummaryBody("tracking-\"x"), R"({"StreamName":"tracking-\"x"})");
}

TEST(ClassifyDescribeStreamSummary, ActiveAndUpdatingStreamsTakeRecords) {
  for (const char* status : {"ACTIVE", "UPDATING"}) {
    const DeliveryResult r = ClassifyDescribeStreamSummary("s", Summary(status));
    EXPECT_EQ(r.outcome, DeliveryOutcome::kDelivered) << status;
  }
}

TEST(ClassifyDescribeStreamSummary, CreatingOrDeletingStreamsRefuseWithTheirStatus) {
  for (const char* status : {"CREATING", "DELETING"}) {
    const DeliveryResult r = ClassifyDescribeStreamSummary("tracking-x", Summary(status));
    EXPECT_EQ(r.outcome, DeliveryOutcome::kRejected) << status;
    EXPECT_TRUE(r.destination_refuses);
    EXPECT_NE(r.detail.find(std::string("Kinesis stream tracking-x is ") + status), std::string::npos) << r.detail;
  }
}

TEST(ClassifyDescribeStreamSummary, AMissingStreamOrADenialRefusesNamingTheCause) {
  const DeliveryResult missing = ClassifyDescribeStreamSummary(
      "tracking-x",
      Response(400,
               R"({"__type":"ResourceNotFoundException","message":"Stream tracking-x under account 1 not found."})",
               {{"x-amzn-requestid", "req-7"}}));
  EXPECT_EQ(missing.outcome, DeliveryOutcome::kRejected);
  EXPECT_TRUE(missing.destination_refuses);
  EXPECT_NE(missing.detail.find("Kinesis DescribeStreamSummary tracking-x: HTTP 400"), std::string::npos)
      << missing.detail;
  EXPECT_NE(missing.detail.find("ResourceNotFoundException: Stream tracking-x under account 1 not found."),
            std::string::npos);
  EXPECT_NE(missing.detail.find("req-7"), std::string::npos);
  EXPECT_EQ(missing.detail.find("kinesis:DescribeStreamSummary"), std::string::npos);

  const DeliveryResult denied = ClassifyDescribeStreamSummary(
      "s",
      Response(400, R"({"__type":"AccessDeniedException","message":"not authorized to perform kinesis:Describe"})"));
  EXPECT_EQ(denied.outcome, DeliveryOutcome::kRejected);
  EXPECT_TRUE(denied.destination_refuses);
  EXPECT_NE(denied.detail.find("AccessDeniedException"), std::string::npos);
  EXPECT_NE(denied.detail.find("need kinesis:DescribeStreamSummary"), std::string::npos) << denied.detail;
  const DeliveryResult iam = ClassifyDescribeStreamSummary(
      "s",
      Response(403, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>"));
  EXPECT_EQ(iam.outcome, DeliveryOutcome::kRejected);
  EXPECT_NE(iam.detail.find("need kinesis:DescribeStreamSummary"), std::string::npos) << iam.detail;
}

TEST(ClassifyDescribeStreamSummary, ThrottlingAnOutageOrAnUnreadableAnswerCannotTell) {
  EXPECT_EQ(ClassifyDescribeStreamSummary("s", Response(400, R"({"__type":"LimitExceededException"})")).outcome,
            DeliveryOutcome::kRetry);
  EXPECT_EQ(ClassifyDescribeStreamSummary("s", Response(503, "")).outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(ClassifyDescribeStreamSummary("s", Response(500, R"({"__type":"InternalFailure"})")).outcome,
            DeliveryOutcome::kRetry);
  EXPECT_EQ(ClassifyDescribeStreamSummary("s", Status::Unavailable("connection refused")).outcome,
            DeliveryOutcome::kRetry);
  const DeliveryResult unreadable = ClassifyDescribeStreamSummary("s", Response(200, "{}"));
  EXPECT_EQ(unreadable.outcome, DeliveryOutcome::kRetry);
  EXPECT_FALSE(unreadable.destination_refuses);
}

}  // namespace
}  // namespace tracklake
