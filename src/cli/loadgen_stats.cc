#include "cli/loadgen_stats.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/json_writer.h"

namespace tracklake {
namespace {

constexpr double kNsPerMs = 1e6;
constexpr double kNsPerUs = 1e3;
constexpr std::array<double, 4> kPercentiles = {50, 90, 99, 99.9};
constexpr std::array<const char*, 4> kPercentileKeys = {"p50", "p90", "p99", "p99_9"};

bool Is2xx(unsigned status) { return status / 100 == 2; }

uint64_t TotalNetErrors(const LoadStats& s) {
  uint64_t n = 0;
  for (uint64_t e : s.net_errors) n += e;
  return n;
}

}  // namespace

const char* NetErrorName(NetError e) {
  switch (e) {
    case NetError::kConnect: return "connect";
    case NetError::kWrite: return "write";
    case NetError::kRead: return "read";
    case NetError::kTimeout: return "timeout";
    case NetError::kProtocol: return "protocol";
  }
  return "unknown";
}

void IntervalStats::Merge(const IntervalStats& other) {
  ok_requests += other.ok_requests;
  ok_events += other.ok_events;
  errors += other.errors;
  latency.Merge(other.latency);
}

IntervalStats& LoadStats::Interval(size_t index) {
  if (intervals.size() <= index) intervals.resize(index + 1);
  return intervals[index];
}

void LoadStats::Merge(const LoadStats& other) {
  sent += other.sent;
  unsent += other.unsent;
  ok_requests += other.ok_requests;
  ok_events += other.ok_events;
  for (const auto& [status, n] : other.by_status) by_status[status] += n;
  for (size_t i = 0; i < kNetErrorKinds; ++i) net_errors[i] += other.net_errors[i];
  latency.Merge(other.latency);
  for (size_t i = 0; i < other.intervals.size(); ++i) Interval(i).Merge(other.intervals[i]);
}

std::string FormatText(const LoadSummary& s, const LoadStats& st) {
  const double secs = std::max(s.duration_s, 1e-9);
  std::string out = fmt::format(
      "tracklake loadgen: {} {} for {:.1f} s, {} connection(s), {} thread(s), {} event(s)/request, ~{} bytes/body\n",
      s.mode, s.url, s.duration_s, s.connections, s.threads, s.events_per_request, s.mean_body_bytes);
  if (s.offered_events_per_s > 0) out += fmt::format("  offered     {:.1f} events/s\n", s.offered_events_per_s);
  out += fmt::format("  requests    {} sent, {} ok (2xx): {:.1f} req/s\n", st.sent, st.ok_requests,
                     st.ok_requests / secs);
  out += fmt::format("  events      {} acknowledged: {:.1f} events/s\n", st.ok_events, st.ok_events / secs);
  std::string statuses;
  for (const auto& [status, n] : st.by_status) {
    if (!Is2xx(status)) statuses += fmt::format(" {}={}", status, n);
  }
  std::string nets;
  for (size_t i = 0; i < kNetErrorKinds; ++i) {
    if (st.net_errors[i] != 0) nets += fmt::format(" {}={}", NetErrorName(static_cast<NetError>(i)), st.net_errors[i]);
  }
  out += fmt::format("  errors      status:{} network:{}{}\n", statuses.empty() ? " none" : statuses,
                     nets.empty() ? " none" : nets, st.unsent ? fmt::format(" (unsent: {})", st.unsent) : "");
  const LatencyHistogram& h = st.latency;
  out += fmt::format("  latency ms  p50 {:.3f}  p90 {:.3f}  p99 {:.3f}  p99.9 {:.3f}  max {:.3f}  mean {:.3f}\n",
                     h.ValueAtPercentile(50) / kNsPerMs, h.ValueAtPercentile(90) / kNsPerMs,
                     h.ValueAtPercentile(99) / kNsPerMs, h.ValueAtPercentile(99.9) / kNsPerMs, h.Max() / kNsPerMs,
                     h.Mean() / kNsPerMs);
  return out;
}

std::string FormatJson(const LoadSummary& s, const LoadStats& st) {
  const double secs = std::max(s.duration_s, 1e-9);
  std::string out = "{\"url\":";
  AppendJsonString(out, s.url);
  out += ",\"mode\":";
  AppendJsonString(out, s.mode);
  out += fmt::format(
      ",\"offered_events_per_s\":{:.1f},\"events_per_request\":{},\"connections\":{},\"threads\":{},"
      "\"duration_s\":{:.3f},\"mean_body_bytes\":{},\"requests_sent\":{},\"requests_unsent\":{},"
      "\"ok_requests\":{},\"ok_events\":{},\"req_per_s\":{:.1f},\"events_per_s\":{:.1f}",
      s.offered_events_per_s, s.events_per_request, s.connections, s.threads, s.duration_s, s.mean_body_bytes, st.sent,
      st.unsent, st.ok_requests, st.ok_events, st.ok_requests / secs, st.ok_events / secs);
  out += ",\"status\":{";
  bool first = true;
  for (const auto& [status, n] : st.by_status) {
    out += fmt::format("{}\"{}\":{}", first ? "" : ",", status, n);
    first = false;
  }
  out += "},\"network_errors\":{";
  for (size_t i = 0; i < kNetErrorKinds; ++i) {
    out += fmt::format("{}\"{}\":{}", i ? "," : "", NetErrorName(static_cast<NetError>(i)), st.net_errors[i]);
  }
  uint64_t status_errors = 0;
  for (const auto& [status, n] : st.by_status) status_errors += Is2xx(status) ? 0 : n;
  out += fmt::format("}},\"errors\":{}", status_errors + TotalNetErrors(st));
  out += ",\"latency_us\":{";
  for (size_t i = 0; i < kPercentiles.size(); ++i) {
    out += fmt::format("\"{}\":{:.1f},", kPercentileKeys[i], st.latency.ValueAtPercentile(kPercentiles[i]) / kNsPerUs);
  }
  out += fmt::format("\"max\":{:.1f},\"mean\":{:.1f},\"count\":{}}}", st.latency.Max() / kNsPerUs,
                     st.latency.Mean() / kNsPerUs, st.latency.Count());
  out += fmt::format(",\"interval_s\":{:.3f},\"intervals\":[", s.interval_s);
  for (size_t i = 0; i < st.intervals.size(); ++i) {
    const IntervalStats& iv = st.intervals[i];
    out += fmt::format(
        "{}{{\"t\":{:.3f},\"ok_requests\":{},\"ok_events\":{},\"errors\":{},\"p50_us\":{:.1f},\"p99_us\":{:.1f},\"max_"
        "us\":{:.1f}}}",
        i ? "," : "", static_cast<double>(i) * s.interval_s, iv.ok_requests, iv.ok_events, iv.errors,
        iv.latency.ValueAtPercentile(50) / kNsPerUs, iv.latency.ValueAtPercentile(99) / kNsPerUs,
        iv.latency.Max() / kNsPerUs);
  }
  out += "]}\n";
  return out;
}

}  // namespace tracklake
