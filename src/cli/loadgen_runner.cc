#include "cli/loadgen_runner.h"

#include <boost/asio.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <memory>
#include <thread>

#include "cli/loadgen_wire.h"

namespace tracklake {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kReadBufferBytes = 16 * 1024;
constexpr auto kReconnectDelay = std::chrono::milliseconds(100);
constexpr auto kSweepPeriod = std::chrono::milliseconds(20);
// Time given to requests in flight at the end of the run before they count as timeouts.
constexpr double kMaxDrainS = 5;
// Cap on queued intended sends per thread: beyond it the run is hopelessly behind and further
// intended sends are counted unsent directly (memory stays bounded).
constexpr size_t kMaxBacklog = 1 << 22;
// Connections are set up before the clock starts.
constexpr auto kStartDelay = std::chrono::milliseconds(200);

Clock::duration Seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

class Worker {
 public:
  Worker(const RunnerConfig& config, tcp::endpoint endpoint, int connections, Clock::time_point start)
      : config_(config),
        endpoint_(std::move(endpoint)),
        start_(start),
        end_(start + Seconds(config.duration_s)),
        drain_end_(end_ + Seconds(std::min(config.timeout_s, kMaxDrainS))),
        timeout_(Seconds(config.timeout_s)),
        interval_(Seconds(config.interval_s)),
        tick_(ioc_),
        sweep_(ioc_) {
    if (config.schedule) pacer_.emplace(*config.schedule, 1.0 / config.threads, config.events_per_request);
    for (int i = 0; i < connections; ++i) conns_.push_back(std::make_unique<Conn>(ioc_));
    // Threads start at different pool offsets so they do not send identical bodies in lockstep.
    next_request_ = static_cast<size_t>(connections) * 7919;
  }

  void Run() {
    for (auto& c : conns_) Connect(*c);
    ArmTick(start_);
    ArmSweep();
    ioc_.run();
  }

  LoadStats& stats() { return stats_; }

 private:
  struct Conn {
    explicit Conn(net::io_context& ioc) : sock(ioc), retry(ioc) {}
    tcp::socket sock;
    net::steady_timer retry;
    bool busy = false;
    bool timed_out = false;
    Clock::time_point intended;
    Clock::time_point sent;
    ResponseParser parser;
    std::array<char, kReadBufferBytes> buf;
  };

  bool Sending(Clock::time_point now) const { return now >= start_ && now < end_; }

  void Connect(Conn& c) {
    if (finished_) return;
    c.sock.async_connect(endpoint_, [this, &c](const boost::system::error_code& ec) {
      if (finished_) return;
      if (ec) {
        stats_.CountNetError(NetError::kConnect);
        c.sock.close();
        c.retry.expires_after(kReconnectDelay);
        c.retry.async_wait([this, &c](const boost::system::error_code& e) {
          if (!e) Connect(c);
        });
        return;
      }
      boost::system::error_code ignored;
      c.sock.set_option(tcp::no_delay(true), ignored);
      OnIdle(c);
    });
  }

  void OnIdle(Conn& c) {
    const Clock::time_point now = Clock::now();
    if (!Sending(now)) {
      idle_.push_back(&c);
      return;
    }
    if (!pacer_) {
      Send(c, now);
    } else if (!backlog_.empty()) {
      const Clock::time_point intended = backlog_.front();
      backlog_.pop_front();
      Send(c, intended);
    } else {
      idle_.push_back(&c);
    }
  }

  void ArmTick(Clock::time_point at) {
    tick_.expires_at(at);
    tick_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && !finished_) OnTick();
    });
  }

  void OnTick() {
    const Clock::time_point now = Clock::now();
    if (!pacer_) {  // closed loop: the start signal
      std::deque<Conn*> ready;
      ready.swap(idle_);
      for (Conn* c : ready) OnIdle(*c);
      return;
    }
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    while (pacer_->Peek() <= elapsed && pacer_->Peek() < config_.duration_s) {
      const Clock::time_point intended = start_ + Seconds(pacer_->Next());
      if (!idle_.empty()) {
        // The longest-idle connection first: all of them stay in use, so none reaches the
        // server's idle (or first-request) timeout and dies under a request. Taking the most
        // recent one left the rest idle until the server closed them, and the open-loop runs
        // then counted those closes as read errors.
        Conn* c = idle_.front();
        idle_.pop_front();
        Send(*c, intended);
      } else if (backlog_.size() < kMaxBacklog) {
        backlog_.push_back(intended);
      } else {
        ++stats_.unsent;
      }
    }
    if (pacer_->Peek() < config_.duration_s) ArmTick(start_ + Seconds(pacer_->Peek()));
  }

  void ArmSweep() {
    sweep_.expires_after(kSweepPeriod);
    sweep_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) OnSweep();
    });
  }

  // Times out stuck requests and ends the run once the drain is over or nothing is in flight.
  void OnSweep() {
    const Clock::time_point now = Clock::now();
    bool in_flight = false;
    for (auto& c : conns_) {
      if (!c->busy) continue;
      in_flight = true;
      if (now - c->sent > timeout_ || now >= drain_end_) {
        c->timed_out = true;
        boost::system::error_code ignored;
        c->sock.close(ignored);
      }
    }
    if (now >= end_ && (!in_flight || now >= drain_end_)) {
      Finish();
      return;
    }
    ArmSweep();
  }

  void Finish() {
    finished_ = true;
    stats_.unsent += backlog_.size();
    backlog_.clear();
    tick_.cancel();
    for (auto& c : conns_) {
      c->retry.cancel();
      boost::system::error_code ignored;
      c->sock.close(ignored);
    }
  }

  void Send(Conn& c, Clock::time_point intended) {
    c.busy = true;
    c.timed_out = false;
    c.intended = intended;
    c.sent = Clock::now();
    c.parser.Reset();
    const std::string& request = (*config_.requests)[next_request_++ % config_.requests->size()];
    ++stats_.sent;
    net::async_write(c.sock, net::buffer(request), [this, &c](const boost::system::error_code& ec, size_t) {
      if (ec) {
        OnNetError(c, c.timed_out ? NetError::kTimeout : NetError::kWrite);
        return;
      }
      Read(c);
    });
  }

  void Read(Conn& c) {
    c.sock.async_read_some(net::buffer(c.buf), [this, &c](const boost::system::error_code& ec, size_t n) {
      if (ec) {
        OnNetError(c, c.timed_out ? NetError::kTimeout : NetError::kRead);
        return;
      }
      c.parser.Feed(c.buf.data(), n);
      switch (c.parser.state()) {
        case ResponseParser::State::kNeedMore: Read(c); return;
        case ResponseParser::State::kError: OnNetError(c, NetError::kProtocol); return;
        case ResponseParser::State::kComplete: OnResponse(c); return;
      }
    });
  }

  void OnResponse(Conn& c) {
    const Clock::time_point now = Clock::now();
    const unsigned status = c.parser.status();
    const Clock::time_point from = pacer_ ? c.intended : c.sent;
    const auto latency_ns = static_cast<uint64_t>(
        std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(now - from).count()));
    stats_.latency.Record(latency_ns);
    ++stats_.by_status[status];
    IntervalStats& iv = stats_.Interval(IntervalOf(now));
    iv.latency.Record(latency_ns);
    if (status / 100 == 2) {
      ++stats_.ok_requests;
      stats_.ok_events += static_cast<uint64_t>(config_.events_per_request);
      ++iv.ok_requests;
      iv.ok_events += static_cast<uint64_t>(config_.events_per_request);
    } else {
      ++iv.errors;
    }
    c.busy = false;
    if (!c.parser.keep_alive()) {
      boost::system::error_code ignored;
      c.sock.close(ignored);
      Connect(c);
      return;
    }
    OnIdle(c);
  }

  void OnNetError(Conn& c, NetError kind) {
    c.busy = false;
    if (finished_ && kind != NetError::kTimeout) return;  // our own close at the end
    stats_.CountNetError(kind);
    ++stats_.Interval(IntervalOf(Clock::now())).errors;
    boost::system::error_code ignored;
    c.sock.close(ignored);
    Connect(c);
  }

  size_t IntervalOf(Clock::time_point t) const {
    if (t <= start_) return 0;
    const auto index = static_cast<size_t>((t - start_) / interval_);
    // Completions in the drain after the end belong to the last interval.
    const auto last = static_cast<size_t>((end_ - start_ - Clock::duration(1)) / interval_);
    return std::min(index, last);
  }

  const RunnerConfig& config_;
  tcp::endpoint endpoint_;
  Clock::time_point start_;
  Clock::time_point end_;
  Clock::time_point drain_end_;
  Clock::duration timeout_;
  Clock::duration interval_;
  net::io_context ioc_{1};
  net::steady_timer tick_;
  net::steady_timer sweep_;
  std::optional<Pacer> pacer_;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::deque<Conn*> idle_;
  std::deque<Clock::time_point> backlog_;
  size_t next_request_ = 0;
  bool finished_ = false;
  LoadStats stats_;
};

}  // namespace

Result<LoadStats> RunLoad(const RunnerConfig& config) {
  if (config.requests == nullptr || config.requests->empty()) return Status::InvalidArgument("no requests to send");
  if (config.connections < 1 || config.threads < 1)
    return Status::InvalidArgument("connections and threads must be >= 1");
  if (config.duration_s <= 0 || config.interval_s <= 0 || config.timeout_s <= 0) {
    return Status::InvalidArgument("duration, interval and timeout must be > 0");
  }
  tcp::endpoint endpoint;
  try {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(config.target.host, config.target.port);
    if (results.empty()) return Status::Unavailable("cannot resolve " + config.target.host);
    endpoint = results.begin()->endpoint();
  } catch (const boost::system::system_error& e) {
    return Status::Unavailable("cannot resolve " + config.target.host + ": " + e.what());
  }
  const int threads = std::min(config.threads, config.connections);
  RunnerConfig effective = config;
  effective.threads = threads;
  const Clock::time_point start = Clock::now() + kStartDelay;
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < threads; ++i) {
    const int conns = config.connections / threads + (i < config.connections % threads ? 1 : 0);
    workers.push_back(std::make_unique<Worker>(effective, endpoint, conns, start));
  }
  std::vector<std::thread> running;
  running.reserve(workers.size());
  for (auto& w : workers) running.emplace_back([&w] { w->Run(); });
  for (auto& t : running) t.join();
  LoadStats total;
  for (auto& w : workers) total.Merge(w->stats());
  return total;
}

}  // namespace tracklake
