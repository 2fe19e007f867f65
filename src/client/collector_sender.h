// Sends one batch of event lines to the collector as a gzip NDJSON POST over the CLI's keep-alive
// HTTP client (cli/http_client.h), and says what the answer means (collector_answer.h).
// Thread-compatible: used by the sender thread only.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/http_client.h"
#include "client/collector_answer.h"
#include "common/status.h"
#include "tracklake/client.h"

namespace tracklake::client {

class CollectorSender {
 public:
  // InvalidArgument for a malformed endpoint or an unusable CA file.
  static Result<std::unique_ptr<CollectorSender>> Create(const TrackerOptions& options);

  // lines[begin, end) as one request.
  Answer Send(const std::vector<std::string>& lines, size_t begin, size_t end);

 private:
  CollectorSender(std::unique_ptr<HttpClient> http, bool compress,
                  std::vector<std::pair<std::string, std::string>> headers)
      : http_(std::move(http)), compress_(compress), headers_(std::move(headers)) {}
  std::unique_ptr<HttpClient> http_;
  bool compress_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string body_;
  std::string gzipped_;
};

}  // namespace tracklake::client
