// A small blocking HTTP/1.1 client over libcurl for AWS calls: one request, one response, no
// retries (callers classify and retry). Each thread reuses its own easy handle, so connections
// are kept alive between requests of the same thread.
//
// Thread-safety: SendHttp may be called from any number of threads at once.
// Errors: a request that got no HTTP response (refused, reset, timed out, TLS failure) is
// Status::Unavailable with curl's reason; any HTTP status, 5xx included, is a response.
// Secrets: nothing here logs headers or bodies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "aws/sigv4.h"
#include "common/status.h"

namespace tracklake::aws {

inline constexpr int64_t kDefaultConnectTimeoutMs = 10'000;
inline constexpr int64_t kDefaultRequestTimeoutMs = 120'000;

struct HttpRequest {
  std::string method = "GET";
  std::string url;        // scheme://host[:port]/path[?query], already percent-encoded
  HeaderList headers;     // sent as given (curl adds Content-Length and Accept)
  std::string_view body;  // must outlive SendHttp
  int64_t connect_timeout_ms = kDefaultConnectTimeoutMs;
  int64_t timeout_ms = kDefaultRequestTimeoutMs;
  bool use_proxy = true;  // false for link-local metadata endpoints
};

struct HttpResponse {
  long status = 0;
  HeaderList headers;  // names lower-cased
  std::string body;
  // The first header of that (lower-case) name, or "".
  std::string Header(std::string_view lower_name) const;
  // Whether the status alone says "try again" for an AWS API: throttled (429) or a server
  // error (5xx). Services add retryable error codes of their own on top.
  bool RetryableStatus() const {
    constexpr long kTooManyRequests = 429;
    constexpr long kFirstServerError = 500;
    return status >= kFirstServerError || status == kTooManyRequests;
  }
};

Result<HttpResponse> SendHttp(const HttpRequest& request);

// " <code>: <message> (request id <id>)", each part left out when empty: the tail of an AWS
// error line in logs and dead-letter reasons.
std::string DescribeAwsError(std::string_view code, std::string_view message, std::string_view request_id);

// "scheme://authority/base/path" split up. authority keeps a non-default port ("127.0.0.1:5000").
struct Url {
  std::string scheme;
  std::string authority;
  std::string path;  // "" or starting with '/', without a trailing '/'
};
Result<Url> ParseUrl(std::string_view url);

}  // namespace tracklake::aws
