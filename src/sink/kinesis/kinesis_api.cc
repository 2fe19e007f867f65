#include "sink/kinesis/kinesis_api.h"

#include <fmt/format.h>

#include "aws/json_api.h"
#include "common/json_writer.h"
#include "sink/aws_records/record_api.h"

namespace tracklake {

bool IsRetryableKinesisError(std::string_view type) {
  return type == "ProvisionedThroughputExceededException" || type == "KMSThrottlingException";
}

namespace {

constexpr DescribeApi kDescribeStreamSummary{"Kinesis DescribeStreamSummary", "StreamName", "StreamDescriptionSummary",
                                             "StreamStatus", IsRetryableKinesisError};

}  // namespace

std::string PutRecordsBody(std::string_view stream, const std::vector<KinesisRecord>& records,
                           const std::vector<size_t>& indices) {
  std::string body = "{\"StreamName\":";
  AppendJsonString(body, stream);
  body += ",\"Records\":[";
  for (size_t i = 0; i < indices.size(); ++i) {
    const KinesisRecord& r = records[indices[i]];
    if (i > 0) body.push_back(',');
    body += "{\"Data\":\"";
    body += Base64Encode(r.data);  // base64 needs no JSON escaping
    body += "\",\"PartitionKey\":";
    AppendJsonString(body, r.partition_key);
    body += "}";
  }
  body += "]}";
  return body;
}

RecordCallOutcome ClassifyPutRecords(std::string_view stream, const Result<aws::HttpResponse>& response,
                                     size_t records_sent) {
  return ClassifyRecordCall({"Kinesis PutRecords", "Records", IsRetryableKinesisError}, stream, response,
                            records_sent);
}

std::string DescribeStreamSummaryBody(std::string_view stream) {
  return DescribeCallBody(kDescribeStreamSummary, stream);
}

DeliveryResult ClassifyDescribeStreamSummary(std::string_view stream, const Result<aws::HttpResponse>& response) {
  std::string status;
  DeliveryResult r = ClassifyDescribeCall(kDescribeStreamSummary, stream, response, &status);
  // Kinesis says AccessDeniedException; IAM's own front end (and moto) AccessDenied.
  const std::string type = r.outcome == DeliveryOutcome::kRejected && response.ok()
                               ? aws::ParseJsonApiError(response.value()).type
                               : "";
  if (type == "AccessDeniedException" || type == "AccessDenied") {
    r.detail +=
        "; the collector's credentials need kinesis:DescribeStreamSummary (its check) and kinesis:PutRecords "
        "on the stream (docs/kinesis.md)";
  }
  if (r.outcome != DeliveryOutcome::kDelivered || status == "ACTIVE" || status == "UPDATING") return r;
  // CREATING and DELETING streams take no records (and a deleting one never will again).
  return {DeliveryOutcome::kRejected,
          fmt::format("Kinesis stream {} is {}: it takes records only when ACTIVE or UPDATING", stream, status),
          /*destination_refuses=*/true};
}

}  // namespace tracklake
