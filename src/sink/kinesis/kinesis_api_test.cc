#include "sink/kinesis/kinesis_api.h"

#include <gtest/gtest.h>

#include "common/json_writer.h"

namespace tracklake {
namespace {

aws::HttpResponse Response(long status, std::string body) {
  aws::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(PutRecordsBody, CarriesTheStreamDataAndPartitionKeys) {
  const std::vector<KinesisRecord> records = {{"{\"a\":1}\n", "u\"1"}, {"x\n", "u2"}, {"y\n", "u3"}};
  EXPECT_EQ(PutRecordsBody("tracking-click", records, {0, 2}),
            "{\"StreamName\":\"tracking-click\",\"Records\":[{\"Data\":\"" + Base64Encode("{\"a\":1}\n") +
                "\",\"PartitionKey\":\"u\\\"1\"},{\"Data\":\"" + Base64Encode("y\n") + "\",\"PartitionKey\":\"u3\"}]}");
}

TEST(ClassifyPutRecords, FailedRecordsAreListedForAnotherRound) {
  const auto out = ClassifyPutRecords(
      "s",
      Response(200, R"({"FailedRecordCount":1,"Records":[{"SequenceNumber":"1","ShardId":"shardId-0"},
        {"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded for shard"}]})"),
      2);
  EXPECT_EQ(out.call, DeliveryOutcome::kDelivered);
  EXPECT_EQ(out.failed, (std::vector<size_t>{1}));
  EXPECT_NE(out.detail.find("ProvisionedThroughputExceededException"), std::string::npos);
}

TEST(ClassifyPutRecords, ThroughputErrorsOfTheWholeCallAreRetriedAMissingStreamIsRejected) {
  for (const char* type : {"ProvisionedThroughputExceededException", "KMSThrottlingException", "LimitExceededException"}) {
    const auto out = ClassifyPutRecords("s", Response(400, std::string(R"({"__type":")") + type + R"(","message":"m"})"), 1);
    EXPECT_EQ(out.call, DeliveryOutcome::kRetry) << type;
  }
  const auto missing = ClassifyPutRecords(
      "tracking-x", Response(400, R"({"__type":"ResourceNotFoundException","message":"Stream tracking-x not found"})"), 1);
  EXPECT_EQ(missing.call, DeliveryOutcome::kRejected);
  EXPECT_NE(missing.detail.find("Kinesis PutRecords tracking-x"), std::string::npos);
  EXPECT_NE(missing.detail.find("ResourceNotFoundException: Stream tracking-x not found"), std::string::npos);
  EXPECT_EQ(ClassifyPutRecords("s", Status::Unavailable("refused"), 1).call, DeliveryOutcome::kRetry);
}

}  // namespace
}  // namespace tracklake
