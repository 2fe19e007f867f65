#include "http/server.h"

#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <type_traits>

#include "common/completion_batch.h"
#include "common/mutex.h"
#include "common/parse_number.h"
#include "http/request_arena.h"
#include "http/response_head.h"
#include "http/tls_context.h"

namespace tracklake {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
// Streams bound to the io_context's own executor (one server thread) or a strand of it (more),
// whichever the acceptor gave the socket: beast::tcp_stream's type-erased any_io_executor costs a
// copy and a destroy of the executor for every operation of every request.
template <class Executor>
using PlainStream = beast::basic_stream<tcp, Executor>;
template <class Executor>
using TlsStream = beast::ssl_stream<PlainStream<Executor>>;

// A connection as the reply queue sees it: a response to write, on the connection's executor.
class ReplyTarget {
 public:
  virtual void Deliver(HttpResponse r) = 0;

 protected:
  ~ReplyTarget() = default;
};

struct HttpServer::Impl {
  Impl(HttpServerOptions o, RequestHandler& h)
      : options(std::move(o)), handler(h), ioc(std::max(1, options.threads)) {}
  const HttpServerOptions options;
  RequestHandler& handler;
  // The hint is the number of threads that run it: with one, handlers that the thread posts
  // for itself skip the scheduler's lock and wake-up (other threads' posts still take them).
  net::io_context ioc;
  std::unique_ptr<net::ssl::context> tls;  // set: every connection speaks TLS
  std::optional<tcp::acceptor> acceptor;
  // The acceptor, its pause and Stop's closing of both run here: with several server threads
  // they would otherwise race.
  net::strand<net::io_context::executor_type> accept_strand{ioc.get_executor()};
  net::steady_timer accept_pause{accept_strand};
  std::chrono::milliseconds accept_delay{0};  // the last pause; 0 after an accepted connection
  uint64_t accept_failures = 0;               // since the last warning
  std::chrono::steady_clock::time_point last_accept_warning;
  std::vector<std::thread> threads;
  // Keeps run() from returning while no operation is pending: a request whose events sit in
  // the write-ahead log has none on the io_context until its completion posts the response, so
  // once Stop closed the acceptor the threads used to exit under it (the response then never
  // went out, and Stop waited its whole deadline for it). Reset once the drain is over.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::atomic<uint32_t> connections{0};
  // Requests whose headers were read and whose response is not yet written.
  std::atomic<int64_t> in_flight{0};
  std::atomic<bool> stopping{false};
  // Responses given inside a CompletionBatch (the log writer's completions of one group): one
  // posted drain writes them all. After ioc, so that the sessions it holds go before it.
  Mutex replies_mu;
  std::vector<std::pair<std::shared_ptr<ReplyTarget>, HttpResponse>> replies GUARDED_BY(replies_mu);

  void Accept();
  void PauseAccepting(const boost::system::error_code& ec);
  // Queues r for target and registers the drain with batch, the calling thread's open one.
  void DeferReply(CompletionBatch& batch, std::shared_ptr<ReplyTarget> target, HttpResponse r);
  static void PostReplies(void* arg);
};

namespace {

// A peer that never answers our close_notify must not hold the connection; a healthy one
// answers within a round trip.
constexpr auto kTlsShutdownTimeout = std::chrono::seconds(5);
// Read buffer of a connection: a single-event request with its headers fits.
constexpr size_t kReadBufferBytes = 4096;
// Beast reads at most this much per socket read; reserving more would sit unused.
constexpr size_t kMaxBodyReadBytes = 64 * 1024;
// After a failed accept (no descriptor left, say) the same connection waits in the backlog and
// fails the same way at once: accepting pauses, 5 ms doubling to 1 s as Go's net/http does, and
// says so at most every 10 s, instead of spinning a core and flooding the log.
constexpr std::chrono::milliseconds kFirstAcceptPause{5};
constexpr std::chrono::milliseconds kLongestAcceptPause{1000};
constexpr std::chrono::seconds kAcceptWarningInterval{10};
// A stop waits this long for connections that have nothing in flight (see Stop).
constexpr std::chrono::milliseconds kIdleConnectionGrace{500};

// One connection. Stream is PlainStream (plain HTTP) or TlsStream; the TLS-only steps
// (handshake, close_notify) are the `if constexpr (kTls)` branches, the HTTP logic is shared.
template <class Stream>
class Session final : public std::enable_shared_from_this<Session<Stream>>, public ReplyTarget {
 public:
  using Lowest = std::remove_reference_t<decltype(beast::get_lowest_layer(std::declval<Stream&>()))>;
  static constexpr bool kTls = !std::is_same_v<Stream, Lowest>;

  // tls_args: the net::ssl::context for TlsStream, nothing for PlainStream.
  template <class Socket, class... TlsArgs>
  Session(Socket socket, HttpServer::Impl& impl, TlsArgs&... tls_args)
      : stream_(std::move(socket), tls_args...), read_deadline_(Tcp().get_executor()), impl_(impl) {}
  ~Session() {
    EndRequest();
    impl_.connections.fetch_sub(1);
  }

  void Deliver(HttpResponse r) override {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this(), r = std::move(r)] { self->Write(r); });
  }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      // Deadlines are absolute, so a client trickling bytes (slowloris) is cut at the deadline.
      // This one covers the TLS handshake and the first request's headers together: a client
      // that connects and never says hello is a slowloris too.
      self->ArmReadDeadline(self->impl_.options.header_timeout_s, ReadPhase::kHeader);
      if constexpr (kTls) {
        self->Handshake();
      } else {
        self->ReadHeader();
      }
    });
  }

 private:
  Lowest& Tcp() { return beast::get_lowest_layer(stream_); }

  // Reads are bounded by a timer of the session's own rather than the stream's expiry, which
  // closes the socket when it fires: a request cut at its deadline is answered 408 first
  // (RFC 9110 section 15.5.9), as the metrics count it and docs/reliability.md promises.
  enum class ReadPhase { kHeader, kIdle, kBody };
  void ArmReadDeadline(uint32_t seconds, ReadPhase phase) {
    read_phase_ = phase;
    const uint64_t generation = ++read_generation_;
    read_deadline_.expires_after(std::chrono::seconds(seconds));
    read_deadline_.async_wait([self = this->shared_from_this(), generation](beast::error_code ec) {
      // A wait that fired as it was re-armed would cut the next phase's read: not its generation.
      if (ec || generation != self->read_generation_) return;
      self->read_timed_out_ = true;
      beast::error_code ignored;
      self->Tcp().socket().cancel(ignored);
    });
  }
  // The wait may stay pending (its generation is stale): the next phase's arming replaces it,
  // so a request costs one wait, not a cancel and a wait per phase. CloseSocket cancels it.
  void DisarmReadDeadline() { ++read_generation_; }

  void Handshake() {
    stream_.async_handshake(net::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) {
        // Port scanners, plain HTTP sent to the TLS port and clients below the minimum version
        // all end here: not worth more than a debug line each. The reason is OpenSSL's text,
        // which never holds key material. A stalled handshake cannot be answered in HTTP.
        spdlog::debug("TLS handshake failed: {}", self->read_timed_out_ ? "timed out" : ec.message());
        if (self->read_timed_out_) self->impl_.handler.CountRefused(408);
        return self->CloseSocket();
      }
      self->tls_established_ = true;
      self->ReadHeader();
    });
  }

  void ReadHeader() {
    head_request_ = false;  // a request refused before it is parsed gets its body
    // Beast sizes each socket read by the buffer's spare capacity (at least 512 bytes); with
    // room for a typical request up front, one recvmsg reads a whole single-event request
    // instead of three.
    buffer_.reserve(kReadBufferBytes);
    // The previous request is gone (Handle returned), so its fields and body can be dropped.
    parser_.reset();
    arena_.Reset();
    const std::pmr::polymorphic_allocator<char> alloc(&arena_);
    parser_.emplace(std::piecewise_construct, std::make_tuple(alloc), std::make_tuple(alloc));
    parser_->header_limit(impl_.options.header_limit_bytes);
    parser_->body_limit(impl_.options.max_body_bytes);
    Tcp().expires_never();  // after a response's write deadline
    if (!first_request_) ArmReadDeadline(impl_.options.idle_timeout_s, ReadPhase::kIdle);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    // From here a stop waits for this request: its body is read and it gets an answer (503 when
    // the stop began before it was complete) instead of a closed connection.
    BeginRequest();
    // A body that came with the headers (a small request, the common case) needs no deadline.
    if (!parser_->is_done()) ArmReadDeadline(impl_.options.body_timeout_s, ReadPhase::kBody);
    // A batch body then arrives in reads of up to 64 KiB (Beast's cap per read) rather than
    // in steps of the buffer's growth; bounded, so a large declared length costs no memory.
    if (const auto length = parser_->content_length(); length && *length <= impl_.options.max_body_bytes) {
      buffer_.reserve(buffer_.size() + std::min<uint64_t>(*length, kMaxBodyReadBytes));
    }
    const auto& req = parser_->get();
    // Beast frames a request whose Transfer-Encoding does not end in chunked as having no body,
    // so the body's bytes would be read as the next request (request smuggling). RFC 9112
    // section 6.3: such a length cannot be determined reliably; answer 400 and close.
    if (req.count(http::field::transfer_encoding) > 0 && !parser_->chunked()) {
      return Refuse(400, "malformed HTTP request: Transfer-Encoding must end with chunked");
    }
    if (beast::iequals(req[http::field::expect], "100-continue") && !parser_->is_done()) {
      // curl and many SDKs wait for this before sending bodies over 1 KiB.
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, req.version());
      http::async_write(stream_, *cont, [self = this->shared_from_this(), cont](beast::error_code wec, size_t) {
        if (wec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    first_request_ = false;
    DisarmReadDeadline();  // the handler may wait on the write-ahead log
    HttpRequest request = parser_->release();
    keep_alive_ = request.keep_alive();
    version_ = request.version();
    head_request_ = request.method() == http::verb::head;
    if (impl_.stopping.load()) {
      // Arrived after the stop began: refused before the handler sees it, and the connection
      // closes after the answer so the client reconnects elsewhere.
      keep_alive_ = false;
      impl_.handler.CountRefused(503);
      HttpResponse r = ErrorResponse(503, "the collector is shutting down; retry on another node or later");
      r.headers.emplace_back("Retry-After", "1");
      return Write(r);
    }
    impl_.handler.Handle(request, state_, [self = this->shared_from_this()](HttpResponse r) {
      if (CompletionBatch* batch = CompletionBatch::Current()) {
        return self->impl_.DeferReply(*batch, self, std::move(r));
      }
      net::post(self->stream_.get_executor(), [self, r = std::move(r)] { self->Write(r); });
    });
  }

  void OnReadError(beast::error_code ec) {
    // A request the parser refused gets a specific status, then the connection closes (its
    // framing can no longer be trusted). Quiet disconnects and timeouts just close.
    unsigned status = 0;
    std::string message;
    if (ec == http::error::body_limit) {
      status = 413;
      message = "request body exceeds " + std::to_string(impl_.options.max_body_bytes) +
                " bytes (server.max_body_bytes)";
    } else if (ec == http::error::header_limit) {
      status = 431;
      message = "request headers exceed " + std::to_string(impl_.options.header_limit_bytes) + " bytes";
    } else if (read_timed_out_) {
      // A keep-alive connection idle at its deadline, with no byte of a next request, is
      // simply closed; any request begun and not finished is answered.
      if (read_phase_ == ReadPhase::kIdle && !parser_->got_some()) return Close();
      status = 408;
      message = read_phase_ == ReadPhase::kBody
                    ? "request body not received within server.body_timeout (" +
                          std::to_string(impl_.options.body_timeout_s) + " s)"
                    : "request headers not received within server." +
                          std::string(read_phase_ == ReadPhase::kIdle ? "idle_timeout (" : "header_timeout (") +
                          std::to_string(read_phase_ == ReadPhase::kIdle ? impl_.options.idle_timeout_s
                                                                         : impl_.options.header_timeout_s) +
                          " s)";
    } else if (ec.category() == beast::error_code(http::error::bad_target).category() &&
               ec != http::error::end_of_stream && ec != http::error::partial_message) {
      status = 400;
      message = "malformed HTTP request: " + ec.message();
    }
    if (status == 0) return Close();
    Refuse(status, message);
  }

  // Answers without involving the handler, then closes: the framing can no longer be trusted.
  void Refuse(unsigned status, std::string_view message) {
    impl_.handler.CountRefused(status);
    keep_alive_ = false;
    BeginRequest();
    Write(ErrorResponse(status, message));
  }

  void BeginRequest() {
    if (!counted_) impl_.in_flight.fetch_add(1);
    counted_ = true;
  }
  void EndRequest() {
    if (counted_) impl_.in_flight.fetch_sub(1);
    counted_ = false;
  }

  void Write(const HttpResponse& r) {
    // One response in flight per connection: its bytes live in the session. Once the stop began,
    // the response says Connection: close, so the client does not send the next request into a
    // connection about to close.
    if (impl_.stopping.load()) keep_alive_ = false;
    out_.clear();
    AppendHttpResponse(r, version_, keep_alive_, head_request_, out_);
    Tcp().expires_after(std::chrono::seconds(impl_.options.body_timeout_s));
    net::async_write(stream_, net::buffer(out_), [self = this->shared_from_this()](beast::error_code ec, size_t) {
      self->EndRequest();
      // A response that promised keep-alive before the stop began keeps its word: the next
      // request is read and answered 503 with Connection: close (Stop's grace).
      if (ec || !self->keep_alive_) return self->Close();
      self->ReadHeader();
    });
  }

  void Close() {
    EndRequest();  // a request cut short (timeout, disconnect, failed write) is no longer awaited
    if constexpr (kTls) {
      if (tls_established_) {
        // close_notify lets the client tell a complete response from a truncated one.
        tls_established_ = false;
        Tcp().expires_after(kTlsShutdownTimeout);
        return stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->CloseSocket(); });
      }
    }
    CloseSocket();
  }

  void CloseSocket() {
    DisarmReadDeadline();
    read_deadline_.cancel();  // lets go of the session now, not at the deadline
    beast::error_code ec;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    Tcp().close();
  }

  Stream stream_;
  net::basic_waitable_timer<std::chrono::steady_clock, net::wait_traits<std::chrono::steady_clock>,
                            typename Lowest::executor_type>
      read_deadline_;
  uint64_t read_generation_ = 0;  // of the armed deadline; a fired wait of another one is ignored
  ReadPhase read_phase_ = ReadPhase::kHeader;
  bool read_timed_out_ = false;  // the deadline cut the read: answer 408 (or close, idle)
  beast::flat_buffer buffer_;
  // Room for a single-event request's header fields and body.
  RequestArena<4096> arena_;
  ConnectionState state_;  // the handler's, between this connection's requests
  std::optional<http::request_parser<HttpRequestBody, std::pmr::polymorphic_allocator<char>>> parser_;
  std::string out_;  // the response being written
  HttpServer::Impl& impl_;
  bool first_request_ = true;
  bool counted_ = false;          // this connection's request is in impl_.in_flight
  bool tls_established_ = false;  // handshake done and no close_notify sent yet
  bool keep_alive_ = true;
  bool head_request_ = false;
  unsigned version_ = 11;
};

}  // namespace

void HttpServer::Impl::DeferReply(CompletionBatch& batch, std::shared_ptr<ReplyTarget> target, HttpResponse r) {
  {
    MutexLock lock(replies_mu);
    replies.emplace_back(std::move(target), std::move(r));
  }
  batch.AtEnd(&Impl::PostReplies, this);
}

void HttpServer::Impl::PostReplies(void* arg) {
  auto* impl = static_cast<Impl*>(arg);
  net::post(impl->ioc, [impl] {
    std::vector<std::pair<std::shared_ptr<ReplyTarget>, HttpResponse>> batch;
    {
      MutexLock lock(impl->replies_mu);
      batch.swap(impl->replies);
    }
    // Dispatch writes at once on the server's own executor (one thread), or posts to the
    // connection's strand (several).
    for (auto& [target, response] : batch) target->Deliver(std::move(response));
  });
}

void HttpServer::Impl::Accept() {
  // The socket's executor is the one passed to async_accept, so the session's streams keep its type.
  auto on_accept = [this](beast::error_code ec, auto socket) {
    using Executor = typename decltype(socket)::executor_type;
    if (ec == net::error::operation_aborted) return;
    if (ec == net::error::connection_aborted) {
      // The client reset the connection before it was taken: nothing waits for it.
    } else if (ec) {
      return PauseAccepting(ec);
    } else if (connections.fetch_add(1) >= options.max_connections) {
      // Refuse cleanly rather than degrade everyone: the client sees a closed connection.
      connections.fetch_sub(1);
      handler.CountRefused(503);
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      accept_delay = std::chrono::milliseconds(0);
      if (tls) {
        std::make_shared<Session<TlsStream<Executor>>>(std::move(socket), *this, *tls)->Start();
      } else {
        std::make_shared<Session<PlainStream<Executor>>>(std::move(socket), *this)->Start();
      }
    }
    if (!stopping.load()) Accept();
  };
  // A connection's handlers must not run concurrently. With one server thread they cannot,
  // and a strand would only add a lock and a queue to every handler; with more, each
  // connection gets its own strand.
  if (options.threads > 1) {
    acceptor->async_accept(net::make_strand(ioc), net::bind_executor(accept_strand, std::move(on_accept)));
  } else {
    acceptor->async_accept(ioc.get_executor(), net::bind_executor(accept_strand, std::move(on_accept)));
  }
}

void HttpServer::Impl::PauseAccepting(const boost::system::error_code& ec) {
  handler.CountAcceptFailure();
  ++accept_failures;
  accept_delay = std::clamp(2 * accept_delay, kFirstAcceptPause, kLongestAcceptPause);
  const auto now = std::chrono::steady_clock::now();
  const bool warned_before = last_accept_warning != std::chrono::steady_clock::time_point{};
  if (!warned_before || now - last_accept_warning >= kAcceptWarningInterval) {
    spdlog::warn(
        "accepting connections failed {} time(s) since the last warning, last with: {}; they wait in the "
        "listen backlog, retrying in {} ms",
        accept_failures, ec.message(), accept_delay.count());
    accept_failures = 0;
    last_accept_warning = now;
  }
  accept_pause.expires_after(accept_delay);
  accept_pause.async_wait([this](beast::error_code wec) {
    if (!wec && !stopping.load()) Accept();
  });
}

HttpServer::HttpServer(HttpServerOptions options, RequestHandler& handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

HttpServer::~HttpServer() { Stop(0); }

Result<uint16_t> HttpServer::Start() {
  const std::string& listen = impl_->options.listen;
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("listen address must be host:port: " + listen);
  beast::error_code ec;
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const auto address = net::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("listen address: " + ec.message() + ": " + host);
  const std::optional<uint16_t> port = ParseDecimal<uint16_t>(std::string_view(listen).substr(colon + 1));
  if (!port) return Status::InvalidArgument("listen address: the port must be 0..65535: " + listen);
  // Before binding, so a bad certificate never leaves a port open that cannot serve.
  if (impl_->options.tls) {
    Result<std::unique_ptr<net::ssl::context>> tls = MakeTlsServerContext(*impl_->options.tls);
    if (!tls.ok()) return tls.status();
    impl_->tls = std::move(tls).value();
  }
  tcp::endpoint endpoint(address, *port);
  auto& acceptor = impl_->acceptor.emplace(impl_->ioc);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(4096, ec);
  if (ec) return Status::IoError("cannot listen on " + listen + ": " + ec.message());
  const uint16_t bound = acceptor.local_endpoint().port();
  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->Accept();
  const int n = std::max(1, impl_->options.threads);
  for (int i = 0; i < n; ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  return bound;
}

void HttpServer::Stop(int64_t deadline_ms) {
  if (impl_->threads.empty()) return;
  impl_->stopping = true;
  net::post(impl_->accept_strand, [this] {
    beast::error_code ec;
    if (impl_->acceptor) impl_->acceptor->close(ec);
    impl_->accept_pause.cancel();
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(deadline_ms);
  // Once nothing is in flight, open connections still get a short grace: a keep-alive client
  // that sends its next request right after an answer then gets the 503 and Connection: close,
  // rather than a connection closed under its request.
  std::optional<std::chrono::steady_clock::time_point> quiet_since;
  for (auto now = std::chrono::steady_clock::now(); now < deadline; now = std::chrono::steady_clock::now()) {
    if (impl_->in_flight.load() > 0) {
      quiet_since.reset();
    } else if (impl_->connections.load() == 0) {
      break;
    } else if (!quiet_since) {
      quiet_since = now;
    } else if (now - *quiet_since >= kIdleConnectionGrace) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (const int64_t left = impl_->in_flight.load(); left > 0) {
    spdlog::warn("stopping with {} request(s) unanswered after the drain of {} ms (server.shutdown_timeout)", left,
                 deadline_ms);
  }
  impl_->work.reset();
  impl_->ioc.stop();
  for (std::thread& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace tracklake
