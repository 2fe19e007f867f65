// A small blocking HTTP/1.1 client over one keep-alive connection (Boost.Beast), used by
// `tracklake send` and the load generator. Reconnects when the server closed the connection.
// Thread-compatible: one instance per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace tracklake {

struct HttpTarget {
  std::string host;
  std::string port;
  std::string path;
};
// Parses "http://host:port/path" (port defaults to 80, path to "/v1/events").
Result<HttpTarget> ParseHttpUrl(const std::string& url);

struct ClientResponse {
  unsigned status = 0;
  std::string body;
  std::string retry_after;
};

class HttpClient {
 public:
  explicit HttpClient(HttpTarget target, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~HttpClient();
  // Sends one POST; a network failure is kUnavailable (retry), never an exception.
  Result<ClientResponse> Post(const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tracklake
