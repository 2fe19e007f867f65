#include "aws/json_api.h"

#include <simdjson.h>

#include "aws/sigv4.h"
#include "aws/xml.h"
#include "common/time_util.h"

namespace tracklake::aws {
namespace {

constexpr std::string_view kContentType = "application/x-amz-json-1.1";

constexpr std::string_view kRetryableErrors[] = {
    "ThrottlingException", "LimitExceededException", "ServiceUnavailableException",
    "ServiceUnavailable",  "InternalFailure",        "InternalFailureException",
    "InternalServerError", "ResourceInUseException", "ExpiredTokenException",
    "RequestExpired",      "RequestTimeout",         "RequestTimeoutException",
};

// "com.amazonaws.firehose.v20150804#ResourceNotFoundException" or, in the x-amzn-ErrorType
// header, "ResourceNotFoundException:http://internal.amazon.com/...": the bare name.
std::string_view BareErrorType(std::string_view type) {
  if (size_t hash = type.rfind('#'); hash != std::string_view::npos) type.remove_prefix(hash + 1);
  if (size_t colon = type.find(':'); colon != std::string_view::npos) type = type.substr(0, colon);
  return type;
}

}  // namespace

JsonApiError ParseJsonApiError(const HttpResponse& response) {
  JsonApiError error;
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
  if (error.type.empty()) {
    error.type = XmlText(response.body, "Code").value_or("");
    if (error.message.empty()) error.message = XmlText(response.body, "Message").value_or("");
  }
  return error;
}

bool IsRetryableJsonApiError(std::string_view type) {
  for (std::string_view retryable : kRetryableErrors) {
    if (type == retryable) return true;
  }
  return false;
}

Result<std::unique_ptr<JsonApiClient>> JsonApiClient::Create(const JsonApiOptions& options,
                                                             std::shared_ptr<CredentialsProvider> credentials) {
  const std::string endpoint = options.endpoint.empty()
                                   ? "https://" + options.service + "." + options.region + ".amazonaws.com"
                                   : options.endpoint;
  Result<Url> url = ParseUrl(endpoint);
  if (!url.ok()) return Status::InvalidArgument(options.option_prefix + ".endpoint: " + url.status().message());
  std::unique_ptr<JsonApiClient> client(new JsonApiClient(options, std::move(credentials)));
  client->scheme_ = url->scheme;
  client->host_ = url->authority;
  client->path_ = url->path.empty() ? "/" : url->path;
  return client;
}

HttpRequest JsonApiClient::Prepare(std::string_view target, std::string_view body, const Credentials& credentials,
                                   int64_t time_ms) const {
  SignableRequest signable;
  signable.method = "POST";
  signable.path = path_;
  signable.headers = {{"Host", host_},
                      {"Content-Type", std::string(kContentType)},
                      {"X-Amz-Target", std::string(target)}};
  signable.payload_hash = Sha256Hex(body);
  SigningOptions signing;
  signing.region = options_.region;
  signing.service = options_.service;
  signing.time_ms = time_ms;  // the defaults are the JSON APIs' rules
  SignedRequest signed_request = SignRequest(signable, credentials, signing);

  HttpRequest request;
  request.method = "POST";
  request.url = scheme_ + "://" + host_ + path_;
  request.headers = std::move(signable.headers);
  request.headers.insert(request.headers.end(), signed_request.headers_to_add.begin(),
                         signed_request.headers_to_add.end());
  request.body = body;
  request.timeout_ms = options_.request_timeout_ms;
  return request;
}

Result<HttpResponse> JsonApiClient::Send(std::string_view target, std::string_view body) const {
  Result<Credentials> credentials = credentials_->Get();
  if (!credentials.ok()) return credentials.status();
  return SendHttp(Prepare(target, body, *credentials, NowMillis()));
}

}  // namespace tracklake::aws
