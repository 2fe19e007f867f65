// A stop drains: a request the handler holds (as the collector's does while its events are in the
// write-ahead log) is answered after Stop began, and requests arriving during the stop are
// refused with 503, Retry-After and Connection: close. Over real sockets.
#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "http/server.h"
#include "http/server_test_util.h"

namespace tracklake {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// Keeps the first request's responder for the test to answer; answers later ones at once.
class HoldFirstHandler : public RequestHandler {
 public:
  void Handle(HttpRequest&, ConnectionState&, Responder respond) override {
    std::lock_guard lock(mu_);
    ++handled_;
    if (!got_first_) {
      got_first_ = true;
      held_ = std::move(respond);
      cv_.notify_all();
      return;
    }
    respond(MakeResponse(200, R"({"later":true})"));
  }
  void CountRefused(unsigned status) override {
    if (status == 503) ++refused_503;
  }
  // The held responder, moved out: it keeps its connection alive, so the test must drop it
  // before the server goes.
  Responder WaitForHeld() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return got_first_; });
    return std::move(held_);
  }
  int handled() {
    std::lock_guard lock(mu_);
    return handled_;
  }
  std::atomic<int> refused_503{0};

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  Responder held_;
  bool got_first_ = false;
  int handled_ = 0;
};

std::string Post(std::string_view target) {
  return "POST " + std::string(target) + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}";
}

TEST(ServerStop, AResponseGivenAfterTheStopBeganReachesItsClient) {
  HoldFirstHandler handler;
  HttpServerOptions options;
  options.listen = "127.0.0.1:0";
  options.threads = 2;
  HttpServer server(options, handler);
  Result<uint16_t> port = server.Start();
  ASSERT_TRUE(port.ok());
  net::io_context ioc;
  tcp::socket held(ioc);
  held.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), *port));
  net::write(held, net::buffer(Post("/held")));
  Responder respond = handler.WaitForHeld();

  // The only connection has nothing pending on the server's io_context while its request is held:
  // the server's threads used to run out of work and exit here, so the answer never went out and
  // Stop waited its whole deadline.
  std::thread stopper([&] { server.Stop(10'000); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  respond(MakeResponse(200, R"({"held":true})"));
  const std::string reply = http_test::ReadResponse(held.native_handle());
  stopper.join();
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 200 ")) << reply;
  EXPECT_NE(reply.find(R"({"held":true})"), std::string::npos) << reply;
  // Answered after the stop began: the client is told the connection closes.
  EXPECT_NE(reply.find("Connection: close\r\n"), std::string::npos) << reply;
}

TEST(ServerStop, RequestsArrivingDuringTheStopGet503WithRetryAfterAndClose) {
  HoldFirstHandler handler;
  HttpServerOptions options;
  options.listen = "127.0.0.1:0";
  HttpServer server(options, handler);
  Result<uint16_t> port = server.Start();
  ASSERT_TRUE(port.ok());
  net::io_context ioc;
  tcp::socket held(ioc), idle(ioc);
  idle.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), *port));
  net::write(idle, net::buffer(Post("/first")));
  Responder never = handler.WaitForHeld();  // the idle connection's first request is held...
  held.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), *port));
  net::write(held, net::buffer(Post("/second")));
  EXPECT_NE(http_test::ReadResponse(held.native_handle()).find(R"({"later":true})"), std::string::npos);
  // ...so the stop drains while the second connection sits idle in keep-alive.
  std::thread stopper([&] { server.Stop(2'000); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  net::write(held, net::buffer(Post("/during-stop")));
  const std::string reply = http_test::ReadResponse(held.native_handle());
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 503 ")) << reply;
  EXPECT_NE(reply.find("Retry-After: 1\r\n"), std::string::npos) << reply;
  EXPECT_NE(reply.find("Connection: close\r\n"), std::string::npos) << reply;
  EXPECT_EQ(handler.handled(), 2);  // the handler never saw it
  EXPECT_EQ(handler.refused_503.load(), 1);
  // New connections are refused: the listener closed when the stop began.
  tcp::socket late(ioc);
  boost::system::error_code ec;
  late.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), *port), ec);
  EXPECT_TRUE(ec) << "connected after the stop began";
  stopper.join();  // the held request is never answered: Stop gives up at its deadline
  never = nullptr;
}

}  // namespace
}  // namespace tracklake
