// Track()'s verdicts are the collector's own (the same validator runs), options are checked at
// Create, and a collector that cannot be reached costs dropped events, never a blocked caller.
// Delivery itself is tested end to end against the real collector (tests/clients/test_cpp_package.py).
#include "tracklake/client.h"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

namespace tracklake::client {
namespace {

// Nothing listens on port 1 of the loopback: every connection is refused at once.
constexpr const char* kRefused = "http://127.0.0.1:1";

TrackerOptions Options() {
  TrackerOptions o;
  o.app_id = "web";
  o.event_types = {"page_view", "click"};
  o.endpoint = kRefused;
  o.write_key = "secret-write-key";
  o.max_backoff = std::chrono::milliseconds(20);
  o.close_timeout = std::chrono::milliseconds(10);
  o.log = [](std::string_view) {};
  return o;
}

std::unique_ptr<Tracker> Make(TrackerOptions o = Options()) {
  std::string error;
  auto t = Tracker::Create(std::move(o), &error);
  EXPECT_NE(t, nullptr) << error;
  return t;
}

std::string CreateError(TrackerOptions o) {
  std::string error;
  EXPECT_EQ(Tracker::Create(std::move(o), &error), nullptr);
  return error;
}

TEST(TrackerTest, TheReadmeSnippetCompilesAndTracks) {
  tracklake::client::TrackerOptions options;
  options.app_id = "web";
  options.event_types = {"page_view"};
  options.endpoint = kRefused;
  options.write_key = "demo-write-key";
  options.close_timeout = std::chrono::milliseconds(10);
  options.log = [](std::string_view) {};
  std::string error;
  auto tracker = tracklake::client::Tracker::Create(options, &error);
  ASSERT_NE(tracker, nullptr) << error;
  auto r = tracker->Track("page_view", {{"user_id", "u1"}, {"url", "/home"}});
  EXPECT_TRUE(r.ok()) << r.field << ": " << r.rule;
}

TEST(TrackerTest, UnusableOptionsAreRefusedAtCreate) {
  TrackerOptions o = Options();
  o.app_id.clear();
  EXPECT_EQ(CreateError(o), "app_id is required");
  o = Options();
  o.event_types.clear();
  EXPECT_NE(CreateError(o).find("event_types"), std::string::npos);
  o = Options();
  o.event_types = {"Page"};
  EXPECT_NE(CreateError(o).find("'Page'"), std::string::npos);
  o = Options();
  o.endpoint = "ftp://collector";
  EXPECT_NE(CreateError(o).find("http://"), std::string::npos);
  o = Options();
  o.endpoint = "https://127.0.0.1:1";
  o.ca_file = "/nonexistent/ca.pem";
  EXPECT_NE(CreateError(o).find("CA file"), std::string::npos);
}

TEST(TrackerTest, AValidEventIsQueuedWithAUuidV7) {
  auto t = Make();
  const TrackResult r = t->Track("click", {{"user_id", "u1"}, {"page.url", "/ü"}});
  ASSERT_TRUE(r.ok()) << r.field << ": " << r.rule;
  ASSERT_EQ(r.event_id.size(), 36u);
  EXPECT_EQ(r.event_id[14], '7');
  EXPECT_EQ(t->Track("click", {{"event_id", "order-1"}}).event_id, "order-1");
  EXPECT_EQ(t->Stats().queued, 2u);
}

struct Case {
  std::vector<Field> fields;
  std::string_view event_type;
  std::string field;
  std::string rule;
};

TEST(TrackerTest, InvalidEventsGetTheCollectorsFieldAndRule) {
  auto t = Make();
  const std::string big(40'000, 'x');
  std::vector<Field> many;
  std::vector<std::string> names;
  for (int i = 0; i < 300; ++i) names.push_back("f" + std::to_string(i));
  for (const std::string& n : names) many.push_back({n, "v"});
  const std::vector<Case> cases = {
      {{}, "signup", "event_type", "not allowed for this application"},
      {{}, "Page", "event_type", "must match [a-z0-9_]{1,64}"},
      {{{"1x", "v"}}, "click", "1x", "key must match [A-Za-z_][A-Za-z0-9_.-]{0,127}"},
      {{{"a", "1"}, {"a", "2"}}, "click", "a", "duplicate key"},
      {{{"event_type", "click"}}, "click", "event_type", "duplicate key"},
      {{{"received_at", "2026-01-01T00:00:00Z"}}, "click", "received_at", "reserved: set by the server"},
      {{{"event_time", "yesterday"}},
       "click",
       "event_time",
       "must be an RFC 3339 date-time such as 2026-11-26T06:07:15.123Z"},
      {{{"app_id", "ios"}}, "click", "app_id", "does not match the application of the write key"},
      {{{"event_id", ""}}, "click", "event_id", "must be 1 to 128 printable ASCII characters"},
      {{{"v", "\xff\xfe"}}, "click", "", "must be valid UTF-8"},
      {{{"v", big}}, "click", "", "event is larger than 32768 bytes"},
      {many, "click", "", "too many fields (at most 256)"},
  };
  for (const Case& c : cases) {
    const TrackResult r = t->Track(c.event_type, c.fields.data(), c.fields.size());
    EXPECT_EQ(r.code, TrackCode::kInvalid) << c.rule;
    EXPECT_EQ(r.field, c.field) << c.rule;
    EXPECT_EQ(r.rule, c.rule);
    EXPECT_TRUE(r.event_id.empty());
  }
  EXPECT_EQ(t->Stats().invalid, cases.size());
  EXPECT_EQ(t->Stats().queued, 0u);
}

TEST(TrackerTest, TheCollectorsConfiguredLimitsApply) {
  TrackerOptions o = Options();
  o.max_fields = 5;  // event_type, event_id, app_id, event_time and one more
  auto t = Make(o);
  EXPECT_TRUE(t->Track("click", {{"a", "1"}}).ok());
  const TrackResult r = t->Track("click", {{"a", "1"}, {"b", "2"}});
  EXPECT_EQ(r.rule, "too many fields (at most 5)");
}

TEST(TrackerTest, AnUnreachableCollectorFillsTheQueueAndTrackDropsInsteadOfWaiting) {
  TrackerOptions o = Options();
  o.max_queue_events = 20;
  o.batch_events = 5;
  std::mutex mu;
  std::vector<std::string> lines;
  o.log = [&](std::string_view line) {
    std::lock_guard lock(mu);
    lines.emplace_back(line);
  };
  auto t = Make(o);
  int full = 0;
  for (int i = 0; i < 40; ++i) {
    if (t->Track("click", {{"i", std::to_string(i)}}).code == TrackCode::kQueueFull) ++full;
  }
  // The queue holds 20 besides the batch of 5 the sender may already have taken.
  EXPECT_GE(full, 15);
  EXPECT_LE(full, 20);
  EXPECT_EQ(t->Stats().dropped, static_cast<uint64_t>(full));
  EXPECT_FALSE(t->Flush(std::chrono::milliseconds(100)));
  EXPECT_GE(t->Stats().retries, 1u);
  EXPECT_FALSE(t->Close(std::chrono::milliseconds(10)));
  const TrackerStats s = t->Stats();
  EXPECT_EQ(s.abandoned, 40u - full);
  EXPECT_EQ(s.queued, 0u);
  EXPECT_EQ(t->Track("click", {}).code, TrackCode::kClosed);
  std::lock_guard lock(mu);
  ASSERT_FALSE(lines.empty());
  bool retry_logged = false;
  for (const std::string& line : lines) {
    EXPECT_EQ(line.find("secret-write-key"), std::string::npos) << line;
    retry_logged = retry_logged || line.find("will retry") != std::string::npos;
  }
  EXPECT_TRUE(retry_logged);
}

TEST(TrackerTest, FromEnvReadsTheSameVariablesAsThePythonClient) {
  setenv("TRACKLAKE_APP_ID", "web", 1);
  setenv("TRACKLAKE_EVENT_TYPES", "click, page_view", 1);
  setenv("TRACKLAKE_ENDPOINT", kRefused, 1);
  setenv("TRACKLAKE_BATCH_AGE", "0.5", 1);
  std::string error;
  TrackerOptions defaults = Options();
  defaults.app_id.clear();
  auto t = Tracker::FromEnv(&error, defaults);
  ASSERT_NE(t, nullptr) << error;
  EXPECT_TRUE(t->Track("page_view", {}).ok());
  EXPECT_EQ(t->Track("signup", {}).code, TrackCode::kInvalid);
  setenv("TRACKLAKE_BATCH_AGE", "soon", 1);
  EXPECT_EQ(Tracker::FromEnv(&error, defaults), nullptr);
  EXPECT_NE(error.find("TRACKLAKE_BATCH_AGE"), std::string::npos);
  for (const char* name : {"TRACKLAKE_APP_ID", "TRACKLAKE_EVENT_TYPES", "TRACKLAKE_ENDPOINT", "TRACKLAKE_BATCH_AGE"}) {
    unsetenv(name);
  }
}

}  // namespace
}  // namespace tracklake::client
