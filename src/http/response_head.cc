#include "http/response_head.h"

#include <boost/beast/http/status.hpp>

#include <charconv>

namespace tracklake {
namespace {

constexpr unsigned kHttp10 = 10;

void AppendHeader(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

void AppendNumber(std::string& out, uint64_t v) {
  char buf[20];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

}  // namespace

void AppendHttpResponse(const HttpResponse& response, unsigned version, bool keep_alive, bool head_request,
                        std::string& out) {
  out.append(version == kHttp10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  AppendNumber(out, response.status);
  out.push_back(' ');
  const auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(response.status));
  out.append(reason.data(), reason.size());
  out.append("\r\n");
  AppendHeader(out, "Server", "tracklake");
  AppendHeader(out, "Content-Type", response.content_type);
  out.append("Content-Length: ");
  AppendNumber(out, response.body.size());
  out.append("\r\n");
  // HTTP/1.1 is persistent unless told otherwise, HTTP/1.0 the reverse (RFC 9112 section 9.3).
  if (version == kHttp10 && keep_alive) AppendHeader(out, "Connection", "keep-alive");
  if (version != kHttp10 && !keep_alive) AppendHeader(out, "Connection", "close");
  for (const auto& [name, value] : response.headers) AppendHeader(out, name, value);
  out.append("\r\n");
  if (!head_request) out.append(response.body);
}

}  // namespace tracklake
