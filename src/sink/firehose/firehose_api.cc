#include "sink/firehose/firehose_api.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "aws/sigv4.h"
#include "aws/xml.h"
#include "common/json_writer.h"
#include "common/time_util.h"

namespace tracklake {
namespace {

constexpr std::string_view kContentType = "application/x-amz-json-1.1";
constexpr long kOk = 200;

constexpr std::string_view kRetryableErrors[] = {
    "ThrottlingException",  "LimitExceededException", "ServiceUnavailableException", "ServiceUnavailable",
    "InternalFailure",      "InternalFailureException", "InternalServerError",      "ResourceInUseException",
    "ExpiredTokenException", "RequestExpired",        "RequestTimeout",             "RequestTimeoutException",
};

// "com.amazonaws.firehose.v20150804#ResourceNotFoundException" or, in the x-amzn-ErrorType
// header, "ResourceNotFoundException:http://internal.amazon.com/...": the bare name.
std::string_view BareErrorType(std::string_view type) {
  if (size_t hash = type.rfind('#'); hash != std::string_view::npos) type.remove_prefix(hash + 1);
  if (size_t colon = type.find(':'); colon != std::string_view::npos) type = type.substr(0, colon);
  return type;
}

struct ErrorBody {
  std::string type;
  std::string message;
};

ErrorBody ParseErrorBody(const aws::HttpResponse& response) {
  ErrorBody error;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(response.body).get(doc) == simdjson::SUCCESS) {
    std::string_view text;
    if (doc["__type"].get(text) == simdjson::SUCCESS) error.type = BareErrorType(text);
    if (doc["message"].get(text) == simdjson::SUCCESS || doc["Message"].get(text) == simdjson::SUCCESS) {
      error.message = text;
    }
  }
  if (error.type.empty()) error.type = BareErrorType(response.Header("x-amzn-errortype"));
  // Authentication failures may come as an XML <ErrorResponse> (emulators, some front ends).
  if (error.type.empty()) {
    error.type = aws::XmlText(response.body, "Code").value_or("");
    if (error.message.empty()) error.message = aws::XmlText(response.body, "Message").value_or("");
  }
  return error;
}

}  // namespace

bool IsRetryableFirehoseError(std::string_view type) {
  for (std::string_view retryable : kRetryableErrors) {
    if (type == retryable) return true;
  }
  return false;
}

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
  PutRecordBatchOutcome out;
  if (!response.ok()) {
    out.call = DeliveryOutcome::kRetry;
    out.detail = fmt::format("Firehose PutRecordBatch {}: {}", stream, response.status().ToString());
    return out;
  }
  const long status = response->status;
  if (status != kOk) {
    const ErrorBody error = ParseErrorBody(response.value());
    out.detail = fmt::format("Firehose PutRecordBatch {}: HTTP {}", stream, status) +
                 aws::DescribeAwsError(error.type, error.message, response->Header("x-amzn-requestid"));
    const bool retry = response->RetryableStatus() || IsRetryableFirehoseError(error.type);
    out.call = retry ? DeliveryOutcome::kRetry : DeliveryOutcome::kRejected;
    return out;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array responses;
  if (parser.parse(response->body).get(doc) != simdjson::SUCCESS ||
      doc["RequestResponses"].get(responses) != simdjson::SUCCESS) {
    // A 200 we cannot read proves nothing about the records: send them all again.
    out.call = DeliveryOutcome::kRetry;
    out.detail = fmt::format("Firehose PutRecordBatch {}: unreadable 200 response", stream);
    return out;
  }
  size_t position = 0;
  for (simdjson::dom::element entry : responses) {
    if (position >= records_sent) break;
    std::string_view code;
    if (entry["ErrorCode"].get(code) == simdjson::SUCCESS && !code.empty()) {
      if (out.failed.empty()) {
        std::string_view message;
        if (entry["ErrorMessage"].get(message) != simdjson::SUCCESS) message = "";
        out.detail = fmt::format("Firehose PutRecordBatch {}: record failed with {}: {}", stream, code, message);
      }
      out.failed.push_back(position);
    }
    ++position;
  }
  // Records the answer does not mention were not confirmed.
  for (; position < records_sent; ++position) out.failed.push_back(position);
  if (!out.failed.empty() && out.detail.empty()) {
    out.detail = fmt::format("Firehose PutRecordBatch {}: answer covers fewer records than sent", stream);
  }
  return out;
}

Result<std::unique_ptr<FirehoseClient>> FirehoseClient::Create(const FirehoseSinkOptions& options,
                                                               std::shared_ptr<aws::CredentialsProvider> credentials) {
  const std::string endpoint =
      options.endpoint.empty() ? "https://firehose." + options.region + ".amazonaws.com" : options.endpoint;
  Result<aws::Url> url = aws::ParseUrl(endpoint);
  if (!url.ok()) return Status::InvalidArgument("firehose.endpoint: " + url.status().message());
  std::unique_ptr<FirehoseClient> client(new FirehoseClient(options, std::move(credentials)));
  client->scheme_ = url->scheme;
  client->host_ = url->authority;
  client->path_ = url->path.empty() ? "/" : url->path;
  return client;
}

aws::HttpRequest FirehoseClient::Prepare(std::string_view body, const aws::Credentials& credentials,
                                         int64_t time_ms, std::string_view target) const {
  aws::SignableRequest signable;
  signable.method = "POST";
  signable.path = path_;
  signable.headers = {{"Host", host_}, {"Content-Type", std::string(kContentType)}, {"X-Amz-Target", std::string(target)}};
  signable.payload_hash = aws::Sha256Hex(body);
  aws::SigningOptions signing;
  signing.region = options_.region;
  signing.service = "firehose";
  signing.time_ms = time_ms;  // the defaults are the JSON APIs' rules
  aws::SignedRequest signed_request = aws::SignRequest(signable, credentials, signing);

  aws::HttpRequest request;
  request.method = "POST";
  request.url = scheme_ + "://" + host_ + path_;
  request.headers = std::move(signable.headers);
  request.headers.insert(request.headers.end(), signed_request.headers_to_add.begin(),
                         signed_request.headers_to_add.end());
  request.body = body;
  request.timeout_ms = options_.request_timeout_ms;
  return request;
}

Result<aws::HttpResponse> FirehoseClient::Send(std::string_view body, std::string_view target) const {
  Result<aws::Credentials> credentials = credentials_->Get();
  if (!credentials.ok()) return credentials.status();
  return aws::SendHttp(Prepare(body, *credentials, NowMillis(), target));
}

std::string DescribeDeliveryStreamBody(std::string_view stream) {
  std::string body = "{\"DeliveryStreamName\":";
  AppendJsonString(body, stream);
  body += "}";
  return body;
}

DeliveryResult ClassifyDescribeDeliveryStream(std::string_view stream, const Result<aws::HttpResponse>& response) {
  if (!response.ok()) {
    return {DeliveryOutcome::kRetry, fmt::format("Firehose DescribeDeliveryStream {}: {}", stream,
                                                 response.status().ToString())};
  }
  if (response->status != kOk) {
    const ErrorBody error = ParseErrorBody(response.value());
    std::string detail = fmt::format("Firehose DescribeDeliveryStream {}: HTTP {}", stream, response->status) +
                         aws::DescribeAwsError(error.type, error.message, response->Header("x-amzn-requestid"));
    if (response->RetryableStatus() || IsRetryableFirehoseError(error.type)) {
      return {DeliveryOutcome::kRetry, std::move(detail)};
    }
    return {DeliveryOutcome::kRejected, std::move(detail), /*destination_refuses=*/true};
  }
  simdjson::dom::parser parser;
  std::string_view status;
  if (parser.parse(response->body)["DeliveryStreamDescription"]["DeliveryStreamStatus"].get(status) !=
      simdjson::SUCCESS) {
    return {DeliveryOutcome::kRetry,
            fmt::format("Firehose DescribeDeliveryStream {}: no DeliveryStreamStatus in the answer", stream)};
  }
  if (status != "ACTIVE") {
    return {DeliveryOutcome::kRetry, fmt::format("Firehose delivery stream {} is {}", stream, status)};
  }
  return {};
}

}  // namespace tracklake
