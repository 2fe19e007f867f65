#include "sink/firehose/firehose_api.h"

#include <fmt/format.h>

#include "aws/json_api.h"
#include "common/json_writer.h"
#include "sink/aws_records/record_api.h"

namespace tracklake {

bool IsRetryableFirehoseError(std::string_view type) { return aws::IsRetryableJsonApiError(type); }

std::string PutRecordBatchBody(std::string_view stream, const std::vector<std::string_view>& records) {
  std::string body = "{\"DeliveryStreamName\":";
  AppendJsonString(body, stream);
  body += ",\"Records\":[";
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) body.push_back(',');
    body += "{\"Data\":\"";
    body += Base64Encode(records[i]);  // base64 needs no JSON escaping
    body += "\"}";
  }
  body += "]}";
  return body;
}

PutRecordBatchOutcome ClassifyPutRecordBatch(std::string_view stream, const Result<aws::HttpResponse>& response,
                                             size_t records_sent) {
  return ClassifyRecordCall({"Firehose PutRecordBatch", "RequestResponses", nullptr}, stream, response, records_sent);
}

Result<std::unique_ptr<FirehoseClient>> FirehoseClient::Create(const FirehoseSinkOptions& options,
                                                               std::shared_ptr<aws::CredentialsProvider> credentials) {
  aws::JsonApiOptions o;
  o.service = "firehose";
  o.region = options.region;
  o.endpoint = options.endpoint;
  o.option_prefix = "firehose";
  o.request_timeout_ms = options.request_timeout_ms;
  Result<std::unique_ptr<aws::JsonApiClient>> api = aws::JsonApiClient::Create(o, std::move(credentials));
  if (!api.ok()) return api.status();
  return std::unique_ptr<FirehoseClient>(new FirehoseClient(std::move(api).value()));
}

aws::HttpRequest FirehoseClient::Prepare(std::string_view body, const aws::Credentials& credentials, int64_t time_ms,
                                         std::string_view target) const {
  return api_->Prepare(target, body, credentials, time_ms);
}

Result<aws::HttpResponse> FirehoseClient::Send(std::string_view body, std::string_view target) const {
  return api_->Send(target, body);
}

namespace {

constexpr DescribeApi kDescribeDeliveryStream{"Firehose DescribeDeliveryStream", "DeliveryStreamName",
                                              "DeliveryStreamDescription", "DeliveryStreamStatus",
                                              IsRetryableFirehoseError};

}  // namespace

std::string DescribeDeliveryStreamBody(std::string_view stream) {
  return DescribeCallBody(kDescribeDeliveryStream, stream);
}

DeliveryResult ClassifyDescribeDeliveryStream(std::string_view stream, const Result<aws::HttpResponse>& response) {
  std::string status;
  DeliveryResult r = ClassifyDescribeCall(kDescribeDeliveryStream, stream, response, &status);
  if (r.outcome == DeliveryOutcome::kDelivered && status != "ACTIVE") {
    return {DeliveryOutcome::kRetry, fmt::format("Firehose delivery stream {} is {}", stream, status)};
  }
  return r;
}

}  // namespace tracklake
