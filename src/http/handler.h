// What the HTTP server asks of the application: turn a request into a response, now or later.
// Thread-safety: Handle is called concurrently from the server's threads; respond may be
// called from any thread, exactly once.
#pragma once

#include <boost/beast/http.hpp>

#include <functional>
#include <memory_resource>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/auth.h"

namespace tracklake {

// Header fields and body come from the connection's arena (http/request_arena.h), reset between
// requests: a single-event request costs no malloc for them. A request must not outlive Handle's call.
using HttpRequestBody =
    boost::beast::http::basic_string_body<char, std::char_traits<char>, std::pmr::polymorphic_allocator<char>>;
using HttpRequestFields = boost::beast::http::basic_fields<std::pmr::polymorphic_allocator<char>>;
using HttpRequest = boost::beast::http::request<HttpRequestBody, HttpRequestFields>;

struct HttpResponse {
  unsigned status = 200;
  std::string body;
  std::string_view content_type = "application/json";  // REQUIRES: static storage (a literal)
  std::vector<std::pair<std::string, std::string>> headers;
};

using Responder = std::function<void(HttpResponse)>;

// What a connection keeps for the handler from one of its requests to the next. A connection
// hands it to one request at a time, so the handler uses it without a lock, during Handle only.
struct ConnectionState {
  AuthMemo auth;
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual void Handle(HttpRequest& request, ConnectionState& connection, Responder respond) = 0;
  // A request the server refused before the handler saw it (bad framing, too large, slow).
  virtual void CountRefused(unsigned status) = 0;
  // A connection the server could not take (out of descriptors or memory): it waits in the
  // listen backlog while accepting pauses.
  virtual void CountAcceptFailure() {}
};

HttpResponse MakeResponse(unsigned status, std::string body, std::string_view content_type = "application/json");

// {"error": message} with the message JSON-escaped.
HttpResponse ErrorResponse(unsigned status, std::string_view message);

}  // namespace tracklake
