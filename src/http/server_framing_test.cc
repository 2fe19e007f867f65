// Request framing over a real socket: a request whose length cannot be determined reliably is
// refused with 400 and the connection closed, so bytes after it are never read as a request
// (request smuggling). Found by tests/e2e/test_hostile_input.py.
#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include <string>

#include "http/server.h"
#include "http/server_test_util.h"

namespace tracklake {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using http_test::CountingHandler;

// Sends raw bytes on a new connection and returns everything read until the server closes it.
std::string Exchange(uint16_t port, const std::string& bytes) {
  net::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  net::write(socket, net::buffer(bytes));
  std::string received;
  boost::system::error_code ec;
  char buf[4096];
  while (!ec) {
    const size_t n = socket.read_some(net::buffer(buf), ec);
    received.append(buf, n);
  }
  return received;
}

size_t CountResponses(const std::string& stream) {
  size_t n = 0;
  for (size_t pos = stream.find("HTTP/1.1 "); pos != std::string::npos; pos = stream.find("HTTP/1.1 ", pos + 1)) ++n;
  return n;
}

class ServerFraming : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions options;
    options.listen = "127.0.0.1:0";
    server_ = std::make_unique<HttpServer>(options, handler_);
    Result<uint16_t> port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
  }
  void TearDown() override { server_->Stop(0); }

  CountingHandler handler_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

const std::string kSmuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

TEST_F(ServerFraming, TransferEncodingNotEndingInChunkedIsRefusedAndClosed) {
  for (const std::string te : {"gzip", "chunked, gzip", "identity"}) {
    const std::string reply = Exchange(port_, "POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + te +
                                                  "\r\n\r\n" + kSmuggled);
    EXPECT_EQ(CountResponses(reply), 1u) << te << ": " << reply;
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 400 ")) << te << ": " << reply;
    EXPECT_NE(reply.find("Transfer-Encoding"), std::string::npos) << reply;
  }
  EXPECT_EQ(handler_.handled.load(), 0);
  EXPECT_EQ(handler_.refused.load(), 3);
}

TEST_F(ServerFraming, ContentLengthWithTransferEncodingIsRefused) {
  const std::string reply = Exchange(
      port_, "POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\n0\r\n\r\n" +
                 kSmuggled);
  EXPECT_EQ(CountResponses(reply), 1u) << reply;
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 400 ")) << reply;
  EXPECT_EQ(handler_.handled.load(), 0);
}

TEST_F(ServerFraming, ChunkedBodyIsStillAccepted) {
  const std::string reply =
      Exchange(port_,
               "POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n"
               "2\r\n{}\r\n0\r\n\r\n");
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 200 ")) << reply;
  EXPECT_EQ(handler_.handled.load(), 1);
  EXPECT_EQ(handler_.last_target, "/v1/events");
}

}  // namespace
}  // namespace tracklake
