#include "cli/loadgen_runner.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/loadgen_wire.h"

namespace tracklake {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// A tiny blocking HTTP server on 127.0.0.1: one thread per connection; every `fail_every`-th
// request (counted across connections) is answered 503, the others 204; with close_every > 0
// every close_every-th response carries Connection: close and the connection is closed.
class FakeServer {
 public:
  FakeServer(int fail_every, int close_every) : fail_every_(fail_every), close_every_(close_every) {
    acceptor_.open(tcp::v4());
    acceptor_.bind({net::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~FakeServer() {
    stopping_ = true;
    // A blocking accept() is not woken by closing the acceptor from another thread: connect.
    boost::system::error_code ignored;
    tcp::socket wake(ioc_);
    wake.connect(acceptor_.local_endpoint(), ignored);
    wake.close(ignored);
    accept_thread_.join();
    for (auto& t : conn_threads_) t.join();
  }
  std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }
  int requests() const { return requests_; }
  int connections() const { return connections_; }

 private:
  void AcceptLoop() {
    while (!stopping_) {
      auto sock = std::make_shared<tcp::socket>(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(*sock, ec);
      if (ec || stopping_) return;
      ++connections_;
      conn_threads_.emplace_back([this, sock] { Serve(*sock); });
    }
  }
  void Serve(tcp::socket& sock) {
    std::string buf;
    char chunk[4096];
    for (;;) {
      size_t head_end;
      while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
        boost::system::error_code ec;
        const size_t n = sock.read_some(net::buffer(chunk), ec);
        if (ec) return;
        buf.append(chunk, n);
      }
      const size_t cl = buf.find("Content-Length: ");
      const size_t len = std::stoul(buf.substr(cl + 16));
      while (buf.size() < head_end + 4 + len) {
        boost::system::error_code ec;
        const size_t n = sock.read_some(net::buffer(chunk), ec);
        if (ec) return;
        buf.append(chunk, n);
      }
      buf.erase(0, head_end + 4 + len);
      const int n = ++requests_;
      const bool fail = fail_every_ > 0 && n % fail_every_ == 0;
      const bool close = close_every_ > 0 && n % close_every_ == 0;
      std::string resp = fail ? "HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n" : "HTTP/1.1 204 No Content\r\n";
      if (close) resp += "Connection: close\r\n";
      resp += fail ? "\r\nbusy" : "\r\n";
      boost::system::error_code ec;
      net::write(sock, net::buffer(resp), ec);
      if (ec || close || stopping_) return;
    }
  }

  int fail_every_;
  int close_every_;
  net::io_context ioc_;
  tcp::acceptor acceptor_{ioc_};
  std::thread accept_thread_;
  std::vector<std::thread> conn_threads_;
  std::atomic<int> requests_{0};
  std::atomic<int> connections_{0};
  std::atomic<bool> stopping_{false};
};

std::vector<std::string> Pool() {
  return {BuildPostRequest("127.0.0.1", "/v1/events", "application/json", {},
                           R"([{"event_type":"a"},{"event_type":"b"}])")};
}

uint64_t Responses(const LoadStats& s) {
  uint64_t n = 0;
  for (const auto& [status, count] : s.by_status) n += count;
  return n;
}

uint64_t NetErrors(const LoadStats& s) {
  uint64_t n = 0;
  for (uint64_t e : s.net_errors) n += e;
  return n;
}

TEST(RunLoadTest, OpenLoopSendsExactlyTheScheduledRequests) {
  FakeServer server(/*fail_every=*/5, /*close_every=*/0);
  const auto pool = Pool();
  RunnerConfig c;
  c.target = {"127.0.0.1", server.port(), "/v1/events"};
  c.requests = &pool;
  c.events_per_request = 2;
  c.connections = 4;
  c.threads = 2;
  c.schedule = RateSchedule::Constant(400);  // 200 requests/s, 100 per thread
  c.duration_s = 1.005;                      // off the 10 ms grid, so rounding cannot add or drop a send
  Result<LoadStats> r = RunLoad(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Each thread's pacer schedules the sends at 0, 10 ms, ... 1000 ms: 101 of them.
  EXPECT_EQ(r->sent + r->unsent, 202u);
  EXPECT_EQ(Responses(*r) + NetErrors(*r), r->sent);
  EXPECT_EQ(static_cast<uint64_t>(server.requests()), r->sent);
  EXPECT_EQ(r->by_status[204] + r->by_status[503], Responses(*r));
  EXPECT_EQ(r->ok_requests, r->by_status[204]);
  EXPECT_EQ(r->ok_events, 2 * r->ok_requests);
  EXPECT_EQ(r->by_status[503], static_cast<uint64_t>(server.requests() / 5));
  EXPECT_EQ(r->latency.Count(), Responses(*r));
}

TEST(RunLoadTest, ClosedLoopKeepsConnectionsAliveAndReconnectsWhenClosed) {
  FakeServer server(/*fail_every=*/0, /*close_every=*/10);
  const auto pool = Pool();
  RunnerConfig c;
  c.target = {"127.0.0.1", server.port(), "/v1/events"};
  c.requests = &pool;
  c.connections = 2;
  c.duration_s = 0.5;
  Result<LoadStats> r = RunLoad(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->ok_requests, 20u);
  EXPECT_EQ(r->unsent, 0u);
  EXPECT_EQ(NetErrors(*r), 0u);
  EXPECT_EQ(r->ok_requests, r->sent);
  // Every tenth answer closed its connection: the runner reconnected each time without an error.
  EXPECT_EQ(static_cast<uint64_t>(server.requests()), r->sent);
  EXPECT_GE(server.connections(), server.requests() / 10);
}

TEST(RunLoadTest, RefusedConnectionsAreCountedNotFatal) {
  net::io_context ioc;
  tcp::acceptor probe(ioc, {net::ip::make_address("127.0.0.1"), 0});
  const std::string port = std::to_string(probe.local_endpoint().port());
  probe.close();  // nothing listens there now
  const auto pool = Pool();
  RunnerConfig c;
  c.target = {"127.0.0.1", port, "/v1/events"};
  c.requests = &pool;
  c.schedule = RateSchedule::Constant(100);
  c.duration_s = 0.305;
  Result<LoadStats> r = RunLoad(c);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sent, 0u);
  EXPECT_GT(r->net_errors[static_cast<size_t>(NetError::kConnect)], 0u);
  EXPECT_EQ(r->unsent, 31u);  // 0, 10 ms, ... 300 ms
}

TEST(RunLoadTest, RejectsAnEmptyPool) {
  RunnerConfig c;
  EXPECT_FALSE(RunLoad(c).ok());
}

}  // namespace
}  // namespace tracklake
