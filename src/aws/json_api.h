// The AWS JSON 1.1 protocol as the record sinks use it (Firehose PutRecordBatch, Kinesis
// PutRecords): a POST of a JSON body to the service endpoint with X-Amz-Target naming the
// operation, SigV4 with the non-S3 rules, and errors as {"__type": ..., "message": ...}.
//
// Thread-safety: JsonApiClient is immutable after Create; Send may run on many threads.
// Errors: Create returns InvalidArgument for a bad endpoint; Send returns the credential
// chain's error, or Unavailable when no response came back (any HTTP status is a response).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "aws/http_client.h"
#include "common/status.h"

namespace tracklake::aws {

struct JsonApiOptions {
  std::string service;  // signing name and endpoint prefix: "firehose", "kinesis"
  std::string region = "us-east-1";
  std::string endpoint;       // "" = AWS (https://<service>.<region>.amazonaws.com)
  std::string option_prefix;  // for error messages: "firehose", "kinesis"
  int64_t request_timeout_ms = kDefaultRequestTimeoutMs;
};

class JsonApiClient {
 public:
  static Result<std::unique_ptr<JsonApiClient>> Create(const JsonApiOptions& options,
                                                       std::shared_ptr<CredentialsProvider> credentials);
  // The signed request as it goes on the wire. target ("Kinesis_20131202.PutRecords") and body
  // must outlive the request.
  HttpRequest Prepare(std::string_view target, std::string_view body, const Credentials& credentials,
                      int64_t time_ms) const;
  Result<HttpResponse> Send(std::string_view target, std::string_view body) const;

 private:
  JsonApiClient(const JsonApiOptions& options, std::shared_ptr<CredentialsProvider> credentials)
      : options_(options), credentials_(std::move(credentials)) {}
  JsonApiOptions options_;
  std::string scheme_;
  std::string host_;
  std::string path_;  // "/" or the endpoint's path
  std::shared_ptr<CredentialsProvider> credentials_;
};

struct JsonApiError {
  std::string type;  // bare: "ResourceNotFoundException"
  std::string message;
};
// The error of a non-200 answer: "__type" of the JSON body (namespace stripped), else the
// x-amzn-ErrorType header, else an XML <ErrorResponse> (emulators, some front ends).
JsonApiError ParseJsonApiError(const HttpResponse& response);

// Whether an error type common to the JSON APIs is transient (throttling, availability,
// expired credentials, timeouts). Services add their own on top.
bool IsRetryableJsonApiError(std::string_view type);

}  // namespace tracklake::aws
