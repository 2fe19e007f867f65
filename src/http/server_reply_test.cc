// Responses given on another thread inside a CompletionBatch (as the log writer gives them after
// a group commit) reach their own connections, over real sockets, once the batch ends.
#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/completion_batch.h"
#include "http/server.h"
#include "http/server_test_util.h"

namespace tracklake {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// Keeps every request's responder, with the request's target, for the test to answer later.
class HoldingHandler : public RequestHandler {
 public:
  void Handle(HttpRequest& request, ConnectionState&, Responder respond) override {
    std::lock_guard lock(mu_);
    held_.emplace_back(std::string(request.target()), std::move(respond));
    cv_.notify_all();
  }
  void CountRefused(unsigned) override {}

  std::vector<std::pair<std::string, Responder>> WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return held_.size() >= n; });
    return std::move(held_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<std::string, Responder>> held_;
};

struct Client {
  explicit Client(net::io_context& ioc) : socket(ioc) {}
  tcp::socket socket;
};

std::string ReadResponse(tcp::socket& socket) { return http_test::ReadResponse(socket.native_handle()); }

TEST(ServerReplies, AnsweredInsideABatchOnAnotherThreadEachReachesItsConnection) {
  HoldingHandler handler_a, handler_b;
  HttpServerOptions options;
  options.listen = "127.0.0.1:0";
  HttpServer server_a(options, handler_a), server_b(options, handler_b);
  Result<uint16_t> port_a = server_a.Start();
  Result<uint16_t> port_b = server_b.Start();
  ASSERT_TRUE(port_a.ok() && port_b.ok());

  // Requests to two servers: one batch then hands work to both (two distinct flushes).
  constexpr int kPerServer = 5;
  net::io_context ioc;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 2 * kPerServer; ++i) {
    auto& c = clients.emplace_back(std::make_unique<Client>(ioc));
    c->socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), i < kPerServer ? *port_a : *port_b));
    const std::string request = "GET /r" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    net::write(c->socket, net::buffer(request));
  }
  auto held = handler_a.WaitFor(kPerServer);
  auto held_b = handler_b.WaitFor(kPerServer);
  held.insert(held.end(), std::make_move_iterator(held_b.begin()), std::make_move_iterator(held_b.end()));

  std::thread writer([&] {
    CompletionBatch batch;
    for (auto& [target, respond] : held) respond(MakeResponse(200, R"({"for":")" + target + R"("})"));
  });
  writer.join();

  for (int i = 0; i < 2 * kPerServer; ++i) {
    const std::string reply = ReadResponse(clients[i]->socket);
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 200 ")) << reply;
    EXPECT_NE(reply.find(R"({"for":"/r)" + std::to_string(i) + R"("})"), std::string::npos) << reply;
  }
  // The connections stay usable: a second request on one of them is answered outside a batch.
  net::write(clients[0]->socket, net::buffer(std::string("GET /again HTTP/1.1\r\nHost: x\r\n\r\n")));
  auto again = handler_a.WaitFor(1);
  ASSERT_EQ(again.size(), 1u);
  again[0].second(MakeResponse(200, R"({"again":true})"));
  EXPECT_NE(ReadResponse(clients[0]->socket).find(R"({"again":true})"), std::string::npos);
  server_a.Stop(0);
  server_b.Stop(0);
}

}  // namespace
}  // namespace tracklake
