#include "http/response_head.h"

#include <gtest/gtest.h>

namespace tracklake {
namespace {

TEST(AppendHttpResponse, KeepAliveHttp11NeedsNoConnectionHeader) {
  std::string out;
  AppendHttpResponse(MakeResponse(200, R"({"accepted":1})"), 11, true, false, out);
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\nServer: tracklake\r\nContent-Type: application/json\r\n"
            "Content-Length: 14\r\n\r\n{\"accepted\":1}");
}

TEST(AppendHttpResponse, ClosingHttp11SaysCloseAndExtraHeadersFollow) {
  HttpResponse r = ErrorResponse(503, "busy");
  r.headers.emplace_back("Retry-After", "1");
  std::string out = "prefix|";
  AppendHttpResponse(r, 11, false, false, out);
  EXPECT_EQ(out,
            "prefix|HTTP/1.1 503 Service Unavailable\r\nServer: tracklake\r\nContent-Type: application/json\r\n"
            "Content-Length: 16\r\nConnection: close\r\nRetry-After: 1\r\n\r\n{\"error\":\"busy\"}");
}

TEST(AppendHttpResponse, Http10KeepAliveIsExplicitAndClosingIsDefault) {
  std::string keep, close;
  AppendHttpResponse(MakeResponse(204, "", "text/plain"), 10, true, false, keep);
  AppendHttpResponse(MakeResponse(404, "x", "text/plain"), 10, false, false, close);
  EXPECT_EQ(keep,
            "HTTP/1.0 204 No Content\r\nServer: tracklake\r\nContent-Type: text/plain\r\n"
            "Content-Length: 0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(close,
            "HTTP/1.0 404 Not Found\r\nServer: tracklake\r\nContent-Type: text/plain\r\n"
            "Content-Length: 1\r\n\r\nx");
}

TEST(AppendHttpResponse, HeadGetsTheContentLengthOfGetButNoBody) {
  std::string out;
  AppendHttpResponse(MakeResponse(200, R"({"status":"ok"})"), 11, true, true, out);
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\nServer: tracklake\r\nContent-Type: application/json\r\n"
            "Content-Length: 15\r\n\r\n");
}

}  // namespace
}  // namespace tracklake
