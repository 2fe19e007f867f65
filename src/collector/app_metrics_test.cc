#include "collector/app_metrics.h"

#include <gtest/gtest.h>

namespace tracklake {
namespace {

TEST(AppMetrics, CountsResponsesAndEventsPerConfiguredApp) {
  MetricsRegistry r;
  const std::vector<AppIdentity> apps = {{"web", {}, 0, 0}, {"ios", {}, 0, 0}};
  AppMetrics m(apps, r);
  m.CountResponse(&apps[0], 200);
  m.CountResponse(&apps[0], 200);
  m.CountResponse(&apps[1], 429);
  m.CountResponse(&apps[1], 431);  // outside the usual set: registered on first use
  m.CountAccepted(&apps[0], 7);
  const std::string text = r.Render();
  EXPECT_NE(text.find("tracklake_app_requests_total{app=\"web\",status=\"200\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("tracklake_app_requests_total{app=\"ios\",status=\"429\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("tracklake_app_requests_total{app=\"ios\",status=\"431\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("tracklake_app_requests_total{app=\"ios\",status=\"503\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("tracklake_app_events_accepted_total{app=\"web\"} 7\n"), std::string::npos);
  EXPECT_NE(text.find("tracklake_app_events_accepted_total{app=\"ios\"} 0\n"), std::string::npos);
}

TEST(AppMetrics, AnAppNotConfiguredNeverBecomesALabel) {
  MetricsRegistry r;
  AppMetrics m({{"web", {}, 0, 0}}, r);
  const AppIdentity stranger{"attacker\"} 1\nx", {}, 0, 0};
  m.CountResponse(nullptr, 200);  // auth.mode = "none"
  m.CountResponse(&stranger, 500);
  m.CountAccepted(&stranger, 1);
  const std::string text = r.Render();
  EXPECT_EQ(text.find("attacker"), std::string::npos);
  EXPECT_EQ(text.find("status=\"500\""), std::string::npos);
}

}  // namespace
}  // namespace tracklake
