// With no descriptor left, the server pauses accepting (connections wait in the listen backlog)
// instead of failing the same accept in a loop, and takes them once descriptors are free again.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <unistd.h>
#include <boost/asio.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"
#include "http/server_test_util.h"

namespace tracklake {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using http_test::CountingHandler;
using http_test::ReadResponse;

// The sanitizers probe memory through a pipe of their own: with no descriptor left, UBSan's vptr
// check reports every virtual call it has not cached as one on an invalid object.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

TEST(ServerAccept, OutOfDescriptorsPausesAcceptingThenResumes) {
  if (kSanitized) GTEST_SKIP() << "the sanitizers need descriptors that this test takes away";
  CountingHandler handler;
  HttpServerOptions options;
  options.listen = "127.0.0.1:0";
  HttpServer server(options, handler);
  Result<uint16_t> port = server.Start();
  ASSERT_TRUE(port.ok());

  // The clients' sockets exist before the limit drops; connecting them takes no descriptor.
  constexpr int kClients = 3;
  net::io_context ioc;
  std::vector<tcp::socket> clients;
  for (int i = 0; i < kClients; ++i) clients.emplace_back(ioc).open(tcp::v4());

  rlimit original{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &original), 0);
  // The lowest free descriptor number: every number below it is taken, so with the limit there
  // no new descriptor can be made.
  const int lowest_free = ::dup(0);
  ASSERT_GE(lowest_free, 0);
  ::close(lowest_free);
  rlimit lowered = original;
  lowered.rlim_cur = static_cast<rlim_t>(lowest_free);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);

  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), *port);
  for (tcp::socket& c : clients) {
    c.connect(endpoint);
    net::write(c, net::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  const int failures = handler.accept_failures.load();
  ::setrlimit(RLIMIT_NOFILE, &original);

  // Pauses of 5, 10, 20 ... ms fit about 7 attempts in 600 ms; a loop without pauses makes
  // hundreds of thousands.
  EXPECT_GE(failures, 1);
  EXPECT_LE(failures, 20);
  for (tcp::socket& c : clients) {
    const std::string reply = ReadResponse(c.native_handle());
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 200 ")) << reply;
  }
  server.Stop(0);
}

}  // namespace
}  // namespace tracklake
