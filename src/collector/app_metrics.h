// Ingest counters per application: responses by status and events accepted, so a fleet
// dashboard shows which app sends what and which one is failing or throttled.
//
// Labels come only from the app ids of the configuration, a bounded set fixed at start. With
// auth.mode = "none" an event names its own app, which must never become a label: nothing is
// counted here then (the totals without the app label still count everything).
//
// Thread-safety: the map is immutable after construction; counting is lock-free except for a
// status outside the usual set, registered on first use.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "http/auth.h"
#include "metrics/metrics.h"

namespace tracklake {

class AppMetrics {
 public:
  AppMetrics(const std::vector<AppIdentity>& apps, MetricsRegistry& metrics);

  // app: the authenticated application, or nullptr (nothing counted).
  void CountResponse(const AppIdentity* app, unsigned status);
  void CountAccepted(const AppIdentity* app, uint64_t events);

 private:
  // The statuses an authenticated ingest request usually gets, registered up front.
  static constexpr std::array<unsigned, 6> kStatuses = {200, 400, 413, 415, 429, 503};
  struct Counters {
    Counter* accepted = nullptr;
    std::array<Counter*, kStatuses.size()> by_status{};
  };
  const Counters* Find(const AppIdentity* app) const;
  static std::string Labels(std::string_view app_id, unsigned status);

  MetricsRegistry& metrics_;
  std::map<std::string, Counters, std::less<>> apps_;
};

}  // namespace tracklake
