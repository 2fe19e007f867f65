// A small blocking HTTP/1.1 client over one keep-alive connection (Boost.Beast), used by
// `tracklake send` and the load generator. Reconnects when the server closed the connection.
// https:// targets use TLS 1.2+ and verify the server's certificate and host name against the
// system's CAs, or against a CA file given with UseCaFile.
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
  bool tls = false;  // https://
};
// Parses "http(s)://host:port/path" (port defaults to 80 or 443, path to "/v1/events").
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
  // Trusts only the CA certificates of this PEM file for https targets. InvalidArgument if the
  // file cannot be loaded or the target is not https.
  Status UseCaFile(const std::string& path);
  // Sends one POST; a network failure is kUnavailable (retry), never an exception.
  Result<ClientResponse> Post(const std::string& body,
                              const std::vector<std::pair<std::string, std::string>>& headers);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tracklake
