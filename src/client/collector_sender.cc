#include "client/collector_sender.h"

#include <chrono>

#include "common/gzip.h"

namespace tracklake::client {
namespace {

// Level 1: request bodies shrink ~5-10x already, and the client's CPU is the service's.
constexpr int kGzipLevel = 1;

}  // namespace

Result<std::unique_ptr<CollectorSender>> CollectorSender::Create(const TrackerOptions& options) {
  Result<HttpTarget> target = ParseHttpUrl(options.endpoint);
  if (!target.ok()) return target.status();
  if (target->path == "/") target->path = "/v1/events";
  auto http = std::make_unique<HttpClient>(*target, options.request_timeout);
  if (!options.ca_file.empty()) {
    if (Status s = http->UseCaFile(options.ca_file); !s.ok()) return s;
  }
  std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/x-ndjson"},
                                                              {"User-Agent",
                                                               "tracklake-cpp/" + std::string(Version())}};
  if (options.compress) headers.emplace_back("Content-Encoding", "gzip");
  if (!options.write_key.empty()) headers.emplace_back("Authorization", "Bearer " + options.write_key);
  return std::unique_ptr<CollectorSender>(new CollectorSender(std::move(http), options.compress, std::move(headers)));
}

Answer CollectorSender::Send(const std::vector<std::string>& lines, size_t begin, size_t end) {
  body_.clear();
  for (size_t i = begin; i < end; ++i) {
    body_ += lines[i];
    body_.push_back('\n');
  }
  const std::string* body = &body_;
  if (compress_) {
    gzipped_.clear();
    GzipWriter gzip(gzipped_, kGzipLevel);
    if (gzip.Write(body_).ok() && gzip.Finish().ok()) {
      body = &gzipped_;
    } else {
      return Answer{AnswerKind::kRetry, 0, std::nullopt, "gzip failed"};
    }
  }
  Result<ClientResponse> r = http_->Post(*body, headers_);
  const double now_s = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (!r.ok()) {
    Answer a = ClassifyAnswer(0, "", "", end - begin, now_s);
    a.detail = r.status().message();
    return a;
  }
  return ClassifyAnswer(r->status, r->body, r->retry_after, end - begin, now_s);
}

}  // namespace tracklake::client
