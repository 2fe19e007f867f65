// Helpers shared by the server tests over real sockets: a handler that answers every request at
// once and counts what the server tells it, and a bounded read of one response.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <string>

#include "http/handler.h"

namespace tracklake::http_test {

// Answers 200 {"ok":true} on the server thread; counts requests, refusals and failed accepts.
class CountingHandler : public RequestHandler {
 public:
  void Handle(HttpRequest& request, ConnectionState&, Responder respond) override {
    ++handled;
    last_target = std::string(request.target());
    respond(MakeResponse(200, R"({"ok":true})"));
  }
  void CountRefused(unsigned) override { ++refused; }
  void CountAcceptFailure() override { ++accept_failures; }
  std::atomic<int> handled{0};
  std::atomic<int> refused{0};
  std::atomic<int> accept_failures{0};
  std::string last_target;  // written on the server thread; read after the response came
};

// One response whose JSON body ends the bytes read, from recv(2) itself (Asio's blocking read waits
// in poll() and would ignore the timeout): a response that never comes fails the test within 5 s
// instead of hanging it.
inline std::string ReadResponse(int fd) {
  const timeval limit{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  std::string received;
  char buf[1024];
  while (received.find('}') == std::string::npos) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    received.append(buf, static_cast<size_t>(n));
  }
  return received;
}

}  // namespace tracklake::http_test
