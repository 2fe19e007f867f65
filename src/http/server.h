// The HTTP/1.1 server (Boost.Beast): keep-alive connections, each read bounded by a deadline
// (header, body, idle) so slow clients cannot hold a connection, and the body limited before
// it is read. Requests go to a RequestHandler; responses may come back later, from any thread.
//
// With TLS options the listener speaks TLS only (OpenSSL; TLS 1.2 or 1.3), and the handshake
// counts against the header deadline like the headers themselves.
//
// Threading: `threads` threads run one io_context; with more than one, each connection runs on
// its own strand (with one, handlers cannot overlap and need none).
//
// Memory: an open connection holds its read buffer (4 KiB; up to 64 KiB more once a batch came) and
// a 4 KiB arena for its request's header fields and body (http/request_arena.h), and its last
// accepted Authorization header (http/auth.h); a request bigger than the arena takes its body from
// the heap until it is answered.
// Thread-safety: Start and Stop from one thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "http/handler.h"

namespace tracklake {

enum class TlsMinVersion { kTls12, kTls13 };

// PEM files, read once by Start.
struct TlsOptions {
  std::string cert_file;  // certificate chain, leaf first
  std::string key_file;   // the leaf's private key, unencrypted
  TlsMinVersion min_version = TlsMinVersion::kTls12;
};

struct HttpServerOptions {
  std::string listen = "127.0.0.1:8080";
  int threads = 1;
  uint64_t max_body_bytes = 1 << 20;
  uint32_t header_limit_bytes = 16 * 1024;
  uint32_t header_timeout_s = 10;
  uint32_t body_timeout_s = 30;
  uint32_t idle_timeout_s = 60;
  uint32_t max_connections = 10'000;
  std::optional<TlsOptions> tls;  // unset: plain HTTP
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, RequestHandler& handler);
  ~HttpServer();

  // Binds and starts serving. Returns the bound port (useful with port 0). With TLS, first
  // loads the certificate and key: InvalidArgument / IoError naming the file if unusable.
  Result<uint16_t> Start();
  // Stops accepting (the listening socket closes: new connections are refused), then drains for
  // up to deadline_ms: every request whose headers were read gets its response, the handler's
  // when it had begun, otherwise 503 + Retry-After + Connection: close; a request that completes
  // on an open connection during the drain gets that 503 too. Then closes every connection
  // (idle keep-alive ones included) and joins the threads.
  void Stop(int64_t deadline_ms);

  struct Impl;  // internal; public only so connection objects in server.cc can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tracklake
