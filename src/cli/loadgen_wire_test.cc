#include "cli/loadgen_wire.h"

#include <gtest/gtest.h>

#include <string>

namespace tracklake {
namespace {

TEST(BuildPostRequestTest, HasTheHeadersAndTheExactContentLength) {
  const std::string r = BuildPostRequest("127.0.0.1", "/v1/events", "application/json",
                                         {{"Authorization", "Bearer k"}}, R"({"event_type":"a"})");
  EXPECT_EQ(r.rfind("POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n", 0), 0u);
  EXPECT_NE(r.find("\r\nContent-Length: 18\r\n"), std::string::npos);
  EXPECT_NE(r.find("\r\nAuthorization: Bearer k\r\n"), std::string::npos);
  EXPECT_EQ(r.substr(r.find("\r\n\r\n") + 4), R"({"event_type":"a"})");
}

constexpr std::string_view kOk =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 31\r\n\r\n"
    R"({"accepted":1,"rejected":[]}  )"
    "\n";

TEST(ResponseParserTest, ParsesAResponseFedByteByByteOrAtOnce) {
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, kOk.size()}) {
    ResponseParser p;
    size_t pos = 0;
    while (pos < kOk.size() && p.state() == ResponseParser::State::kNeedMore) {
      pos += p.Feed(kOk.data() + pos, std::min(chunk, kOk.size() - pos));
    }
    ASSERT_EQ(p.state(), ResponseParser::State::kComplete) << "chunk " << chunk;
    EXPECT_EQ(pos, kOk.size());
    EXPECT_EQ(p.status(), 200u);
    EXPECT_TRUE(p.keep_alive());
  }
}

TEST(ResponseParserTest, LeavesTheNextResponsesBytesUnconsumed) {
  const std::string two =
      "HTTP/1.1 204 No Content\r\nServer: nginx\r\n\r\nHTTP/1.1 503 X\r\nContent-Length: 0\r\n\r\n";
  ResponseParser p;
  const size_t used = p.Feed(two.data(), two.size());
  ASSERT_EQ(p.state(), ResponseParser::State::kComplete);
  EXPECT_EQ(p.status(), 204u);
  p.Reset();
  EXPECT_EQ(p.Feed(two.data() + used, two.size() - used), two.size() - used);
  EXPECT_EQ(p.state(), ResponseParser::State::kComplete);
  EXPECT_EQ(p.status(), 503u);
}

TEST(ResponseParserTest, ConnectionCloseAndHttp10EndKeepAlive) {
  const std::string close = "HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno";
  ResponseParser p;
  p.Feed(close.data(), close.size());
  EXPECT_EQ(p.state(), ResponseParser::State::kComplete);
  EXPECT_FALSE(p.keep_alive());
  p.Reset();
  const std::string old = "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n";
  p.Feed(old.data(), old.size());
  EXPECT_FALSE(p.keep_alive());
}

TEST(ResponseParserTest, RejectsMalformedAndUnsupportedResponses) {
  for (const std::string bad : {"garbage\r\n\r\n", "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
                                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n"}) {
    ResponseParser p;
    p.Feed(bad.data(), bad.size());
    EXPECT_EQ(p.state(), ResponseParser::State::kError) << bad;
    EXPECT_FALSE(p.error().empty());
  }
}

TEST(ResponseParserTest, AnEndlessHeaderIsAnError) {
  ResponseParser p;
  const std::string line = "X-Filler: " + std::string(1000, 'x') + "\r\n";
  p.Feed("HTTP/1.1 200 OK\r\n", 17);
  for (int i = 0; i < 20 && p.state() == ResponseParser::State::kNeedMore; ++i) p.Feed(line.data(), line.size());
  EXPECT_EQ(p.state(), ResponseParser::State::kError);
}

}  // namespace
}  // namespace tracklake
