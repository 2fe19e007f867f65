#include "cli/http_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <optional>

namespace tracklake {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

Result<HttpTarget> ParseHttpUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) return Status::InvalidArgument("URL must start with http://: " + url);
  std::string rest = url.substr(kScheme.size());
  HttpTarget t;
  const size_t slash = rest.find('/');
  t.path = slash == std::string::npos ? "/v1/events" : rest.substr(slash);
  const std::string hostport = rest.substr(0, slash);
  const size_t colon = hostport.rfind(':');
  t.host = colon == std::string::npos ? hostport : hostport.substr(0, colon);
  t.port = colon == std::string::npos ? "80" : hostport.substr(colon + 1);
  if (t.host.empty() || t.port.empty()) return Status::InvalidArgument("URL has no host or port: " + url);
  return t;
}

struct HttpClient::Impl {
  HttpTarget target;
  std::chrono::milliseconds timeout;
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
};

HttpClient::HttpClient(HttpTarget target, std::chrono::milliseconds timeout) : impl_(std::make_unique<Impl>()) {
  impl_->target = std::move(target);
  impl_->timeout = timeout;
}

HttpClient::~HttpClient() = default;

Result<ClientResponse> HttpClient::Post(const std::string& body,
                                        const std::vector<std::pair<std::string, std::string>>& headers) {
  Impl& m = *impl_;
  beast::error_code ec;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!m.stream) {
      tcp::resolver resolver(m.ioc);
      auto endpoints = resolver.resolve(m.target.host, m.target.port, ec);
      if (ec) return Status::Unavailable("resolve " + m.target.host + ": " + ec.message());
      m.stream.emplace(m.ioc);
      m.stream->expires_after(m.timeout);
      m.stream->connect(endpoints, ec);
      if (ec) {
        m.stream.reset();
        return Status::Unavailable("connect " + m.target.host + ":" + m.target.port + ": " + ec.message());
      }
    }
    http::request<http::string_body> req(http::verb::post, m.target.path, 11);
    req.set(http::field::host, m.target.host);
    req.set(http::field::user_agent, "tracklake-client");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    m.stream->expires_after(m.timeout);
    http::write(*m.stream, req, ec);
    http::response<http::string_body> res;
    if (!ec) {
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 << 20);
      http::read(*m.stream, m.buffer, parser, ec);
      if (!ec) res = parser.release();
    }
    if (ec) {
      // A kept-alive connection the server closed meanwhile: reconnect once.
      m.stream.reset();
      m.buffer.clear();
      if (attempt == 0) continue;
      return Status::Unavailable("request failed: " + ec.message());
    }
    ClientResponse out;
    out.status = res.result_int();
    out.body = std::move(res.body());
    out.retry_after = std::string(res[http::field::retry_after]);
    if (!res.keep_alive()) {
      m.stream.reset();
      m.buffer.clear();
    }
    return out;
  }
  return Status::Unavailable("request failed");
}

}  // namespace tracklake
