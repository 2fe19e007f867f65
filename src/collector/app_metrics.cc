#include "collector/app_metrics.h"

#include <fmt/format.h>

namespace tracklake {
namespace {

constexpr std::string_view kRequests = "tracklake_app_requests_total";
constexpr std::string_view kRequestsHelp = "Ingest requests authenticated as a configured app, by response status.";

}  // namespace

AppMetrics::AppMetrics(const std::vector<AppIdentity>& apps, MetricsRegistry& metrics) : metrics_(metrics) {
  for (const AppIdentity& app : apps) {
    Counters c;
    c.accepted = &metrics.GetCounter("tracklake_app_events_accepted_total",
                                     "Events accepted into the write-ahead log, by configured app.",
                                     fmt::format("app=\"{}\"", LabelValue(app.app_id)));
    for (size_t i = 0; i < kStatuses.size(); ++i) {
      c.by_status[i] = &metrics.GetCounter(kRequests, kRequestsHelp, Labels(app.app_id, kStatuses[i]));
    }
    apps_.emplace(app.app_id, c);
  }
}

std::string AppMetrics::Labels(std::string_view app_id, unsigned status) {
  return fmt::format("app=\"{}\",status=\"{}\"", LabelValue(app_id), status);
}

const AppMetrics::Counters* AppMetrics::Find(const AppIdentity* app) const {
  if (app == nullptr) return nullptr;
  auto it = apps_.find(app->app_id);
  return it == apps_.end() ? nullptr : &it->second;
}

void AppMetrics::CountResponse(const AppIdentity* app, unsigned status) {
  const Counters* c = Find(app);
  if (c == nullptr) return;
  for (size_t i = 0; i < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) return c->by_status[i]->Inc();
  }
  metrics_.GetCounter(kRequests, kRequestsHelp, Labels(app->app_id, status)).Inc();
}

void AppMetrics::CountAccepted(const AppIdentity* app, uint64_t events) {
  if (const Counters* c = Find(app)) c->accepted->Inc(events);
}

}  // namespace tracklake
