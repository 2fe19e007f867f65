#include "metrics/metrics.h"

#include <fmt/format.h>
#include <cmath>

namespace tracklake {
namespace {

template <typename T>
void AppendSample(std::string& out, std::string_view name, std::string_view labels, T value) {
  out += labels.empty() ? fmt::format("{} {}\n", name, value) : fmt::format("{}{{{}}} {}\n", name, labels, value);
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i] = 0;
}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_nanos_.fetch_add(static_cast<uint64_t>(std::llround(v * 1e9)), std::memory_order_relaxed);
}

void Histogram::AppendTo(std::string& out, std::string_view name, std::string_view labels) const {
  const std::string sep = labels.empty() ? "" : std::string(labels) + ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    const std::string le = i < bounds_.size() ? fmt::format("{}", bounds_[i]) : "+Inf";
    out += fmt::format("{}_bucket{{{}le=\"{}\"}} {}\n", name, sep, le, cumulative);
  }
  const std::string lb = labels.empty() ? "" : "{" + std::string(labels) + "}";
  out += fmt::format("{}_sum{} {}\n", name, lb, static_cast<double>(sum_nanos_.load()) / 1e9);
  out += fmt::format("{}_count{} {}\n", name, lb, count_.load());
}

std::vector<double> LatencyBuckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
}

MetricsRegistry::Family MetricsRegistry::MakeFamily(std::string_view help, std::string_view type) {
  Family f;
  f.help = help;
  f.type = type;
  return f;
}

Counter& MetricsRegistry::GetCounter(std::string_view name, std::string_view help, std::string_view labels) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) it = families_.emplace(std::string(name), MakeFamily(help, "counter")).first;
  auto& slot = it->second.counters[std::string(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Histogram& MetricsRegistry::GetHistogram(std::string_view name, std::string_view help, std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) it = families_.emplace(std::string(name), MakeFamily(help, "histogram")).first;
  if (!it->second.histogram) it->second.histogram = std::make_unique<Histogram>(std::move(bounds));
  return *it->second.histogram;
}

void MetricsRegistry::AddGauge(std::string_view name, std::string_view help, std::function<double()> read,
                               std::string_view labels) {
  AddReading(name, help, "gauge", std::move(read), labels);
}

void MetricsRegistry::AddCounterReading(std::string_view name, std::string_view help, std::function<double()> read) {
  AddReading(name, help, "counter", std::move(read), "");
}

void MetricsRegistry::AddReading(std::string_view name, std::string_view help, std::string_view type,
                                 std::function<double()> read, std::string_view labels) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) it = families_.emplace(std::string(name), MakeFamily(help, type)).first;
  it->second.readings.insert_or_assign(std::string(labels), std::move(read));
}

std::string MetricsRegistry::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, f.help, name, f.type);
    if (!f.readings.empty()) {
      for (const auto& [labels, read] : f.readings) AppendSample(out, name, labels, read());
    } else if (f.histogram) {
      f.histogram->AppendTo(out, name, "");
    } else {
      for (const auto& [labels, c] : f.counters) AppendSample(out, name, labels, c->value());
    }
  }
  return out;
}

std::string LabelValue(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace tracklake
