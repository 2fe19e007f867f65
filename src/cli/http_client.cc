#include "cli/http_client.h"

#include <openssl/ssl.h>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <optional>

namespace tracklake {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

Result<HttpTarget> ParseHttpUrl(const std::string& url) {
  constexpr std::string_view kHttp = "http://";
  constexpr std::string_view kHttps = "https://";
  HttpTarget t;
  t.tls = url.rfind(kHttps, 0) == 0;
  if (!t.tls && url.rfind(kHttp, 0) != 0) {
    return Status::InvalidArgument("URL must start with http:// or https://: " + url);
  }
  std::string rest = url.substr(t.tls ? kHttps.size() : kHttp.size());
  const size_t slash = rest.find('/');
  t.path = slash == std::string::npos ? "/v1/events" : rest.substr(slash);
  const std::string hostport = rest.substr(0, slash);
  const size_t colon = hostport.rfind(':');
  t.host = colon == std::string::npos ? hostport : hostport.substr(0, colon);
  t.port = colon == std::string::npos ? (t.tls ? "443" : "80") : hostport.substr(colon + 1);
  if (t.host.empty() || t.port.empty()) return Status::InvalidArgument("URL has no host or port: " + url);
  return t;
}

namespace {

// One request and its response over either stream type.
template <class Stream>
void Exchange(Stream& stream, beast::flat_buffer& buffer, http::request<http::string_body>& req,
              http::response<http::string_body>& res, beast::error_code& ec) {
  http::write(stream, req, ec);
  if (ec) return;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  http::read(stream, buffer, parser, ec);
  if (!ec) res = parser.release();
}

// TLS 1.2 or later, the server's certificate verified; the caller picks the CAs to trust.
net::ssl::context& NewClientContext(std::optional<net::ssl::context>& tls) {
  auto& ctx = tls.emplace(net::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ctx.set_verify_mode(net::ssl::verify_peer);
  return ctx;
}

}  // namespace

struct HttpClient::Impl {
  HttpTarget target;
  std::chrono::milliseconds timeout;
  net::io_context ioc;
  std::optional<net::ssl::context> tls;  // https targets
  // At most one is open: plain for http://, secure for https://.
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  bool Connected() const { return plain || secure; }
  beast::tcp_stream& Tcp() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
  void Disconnect() {
    plain.reset();
    secure.reset();
    buffer.clear();
  }
  Status Connect();
};

Status HttpClient::Impl::Connect() {
  beast::error_code ec;
  tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(target.host, target.port, ec);
  if (ec) return Status::Unavailable("resolve " + target.host + ": " + ec.message());
  beast::tcp_stream stream(ioc);
  stream.expires_after(timeout);
  stream.connect(endpoints, ec);
  if (ec) return Status::Unavailable("connect " + target.host + ":" + target.port + ": " + ec.message());
  if (!tls) {
    plain.emplace(std::move(stream));
    return Status::Ok();
  }
  secure.emplace(std::move(stream), *tls);
  // SNI, for servers with several certificates, and the name the certificate must carry.
  SSL_set_tlsext_host_name(secure->native_handle(), target.host.c_str());
  secure->set_verify_callback(net::ssl::host_name_verification(target.host));
  secure->handshake(net::ssl::stream_base::client, ec);
  if (ec) {
    secure.reset();
    return Status::Unavailable("TLS handshake with " + target.host + ":" + target.port + ": " + ec.message());
  }
  return Status::Ok();
}

HttpClient::HttpClient(HttpTarget target, std::chrono::milliseconds timeout) : impl_(std::make_unique<Impl>()) {
  impl_->target = std::move(target);
  impl_->timeout = timeout;
  if (impl_->target.tls) {
    beast::error_code ignored;  // without system CAs every handshake fails, and says why
    NewClientContext(impl_->tls).set_default_verify_paths(ignored);
  }
}

HttpClient::~HttpClient() = default;

Status HttpClient::UseCaFile(const std::string& path) {
  if (!impl_->tls) return Status::InvalidArgument("a CA file needs an https:// URL");
  // A fresh context, so that the system's CAs are no longer trusted.
  beast::error_code ec;
  NewClientContext(impl_->tls).load_verify_file(path, ec);
  if (ec) return Status::InvalidArgument("cannot load CA file " + path + ": " + ec.message());
  impl_->Disconnect();
  return Status::Ok();
}

Result<ClientResponse> HttpClient::Post(const std::string& body,
                                        const std::vector<std::pair<std::string, std::string>>& headers) {
  Impl& m = *impl_;
  beast::error_code ec;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!m.Connected()) {
      Status connected = m.Connect();
      if (!connected.ok()) return connected;
    }
    http::request<http::string_body> req(http::verb::post, m.target.path, 11);
    req.set(http::field::host, m.target.host);
    req.set(http::field::user_agent, "tracklake-client");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    m.Tcp().expires_after(m.timeout);
    http::response<http::string_body> res;
    if (m.secure) {
      Exchange(*m.secure, m.buffer, req, res, ec);
    } else {
      Exchange(*m.plain, m.buffer, req, res, ec);
    }
    if (ec) {
      // A kept-alive connection the server closed meanwhile: reconnect once.
      m.Disconnect();
      if (attempt == 0) continue;
      return Status::Unavailable("request failed: " + ec.message());
    }
    ClientResponse out;
    out.status = res.result_int();
    out.body = std::move(res.body());
    out.retry_after = std::string(res[http::field::retry_after]);
    if (!res.keep_alive()) m.Disconnect();
    return out;
  }
  return Status::Unavailable("request failed");
}

}  // namespace tracklake
