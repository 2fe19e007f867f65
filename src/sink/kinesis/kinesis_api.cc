#include "sink/kinesis/kinesis_api.h"

#include "common/json_writer.h"
#include "sink/aws_records/record_api.h"

namespace tracklake {

bool IsRetryableKinesisError(std::string_view type) {
  return type == "ProvisionedThroughputExceededException" || type == "KMSThrottlingException";
}

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

}  // namespace tracklake
