// Prometheus metrics: counters, histograms and gauges registered once, updated lock-free on
// the hot path (relaxed atomics), rendered in the text exposition format on scrape.
// Naming follows <namespace>_<name>_<unit>_total; label values come from bounded sets only.
//
// Thread-safety: everything is safe from any thread. References returned by the registry stay
// valid for the registry's lifetime.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace tracklake {

class Counter {
 public:
  void Inc(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  void AppendTo(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1 (the +Inf bucket)
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_nanos_{0};  // sums in integer nanos: atomic doubles would need CAS loops
};

// Latency buckets from 50 µs to 10 s, for request, append and fsync times.
std::vector<double> LatencyBuckets();

class MetricsRegistry {
 public:
  // labels: a rendered label set such as R"(status="200")", or "" for none.
  Counter& GetCounter(std::string_view name, std::string_view help, std::string_view labels = "");
  Histogram& GetHistogram(std::string_view name, std::string_view help, std::vector<double> bounds);
  // A value read at scrape time; labels as for GetCounter. Several label sets may share a name.
  void AddGauge(std::string_view name, std::string_view help, std::function<double()> read,
                std::string_view labels = "");
  // A counter kept elsewhere (the kernel's CPU time), read at scrape time; must never decrease.
  void AddCounterReading(std::string_view name, std::string_view help, std::function<double()> read);

  std::string Render() const;

 private:
  struct Family {
    std::string help;
    std::string type;
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::unique_ptr<Histogram> histogram;
    std::map<std::string, std::function<double()>> readings;  // by label set: gauges, counter readings
  };
  static Family MakeFamily(std::string_view help, std::string_view type);
  void AddReading(std::string_view name, std::string_view help, std::string_view type, std::function<double()> read,
                  std::string_view labels);
  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

// Escapes a label value for the exposition format.
std::string LabelValue(std::string_view v);

}  // namespace tracklake
