#include "cli/loadgen_events.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <ctime>

#include "common/json_writer.h"
#include "event/names.h"

namespace tracklake {
namespace {

// Realistic cardinalities of one site's traffic.
constexpr int kUsers = 5000;
constexpr int kAnonymousIds = 20000;
constexpr int kSessions = 50000;
constexpr int kUrls = 2000;
constexpr int kCampaigns = 40;
constexpr int kUrlCategories = 50;
// Knuth's multiplicative hash: ids look random but stay within their cardinality.
constexpr uint64_t kIdScramble = 11400714819323198485ull;
constexpr int kFieldValueVariants = 200;
// Zipf-like skew of the event type mix: weight of the k-th type is 1 / (k + 1)^kTypeSkew.
constexpr double kTypeSkew = 1.1;

constexpr std::array kTypeNames = {"page_view",      "click",          "add_to_cart",  "search",
                                   "scroll",         "video_play",     "login",        "signup",
                                   "purchase",       "form_submit",    "share",        "remove_from_cart",
                                   "checkout_start", "checkout_step",  "wishlist_add", "notification_open",
                                   "app_open",       "app_background", "error_shown",  "rating",
                                   "subscribe",      "unsubscribe",    "download",     "logout"};
constexpr std::array kCustomNames = {"product_id",
                                     "product_name",
                                     "category",
                                     "brand",
                                     "price",
                                     "currency",
                                     "quantity",
                                     "coupon",
                                     "cart_value",
                                     "item_count",
                                     "list_name",
                                     "position",
                                     "search_query",
                                     "results",
                                     "filter",
                                     "sort_order",
                                     "video_id",
                                     "video_title",
                                     "video_position",
                                     "video_duration",
                                     "form_id",
                                     "form_name",
                                     "button_text",
                                     "element_id",
                                     "element_class",
                                     "scroll_depth",
                                     "plan",
                                     "tier",
                                     "ab_bucket",
                                     "experiment_variant",
                                     "payment_method",
                                     "shipping_method",
                                     "order_id",
                                     "revenue",
                                     "tax",
                                     "discount",
                                     "error_code",
                                     "error_message",
                                     "rating_value",
                                     "content_id",
                                     "content_type",
                                     "author",
                                     "section",
                                     "tags",
                                     "language",
                                     "theme",
                                     "viewport",
                                     "connection_type",
                                     "latency_ms",
                                     "load_time_ms",
                                     "app_version",
                                     "build_number",
                                     "sdk_version",
                                     "platform",
                                     "carrier",
                                     "network",
                                     "push_campaign",
                                     "deeplink",
                                     "feature_flag",
                                     "source_screen"};
constexpr std::array kDevices = {"desktop", "mobile", "tablet"};
constexpr std::array kBrowsers = {"Chrome", "Safari", "Firefox", "Edge", "Samsung Internet"};
constexpr std::array kCountries = {"US", "GB", "DE", "FR", "IN", "BR", "JP", "CA", "AU", "ES", "IT", "NL"};
constexpr std::array kSources = {"google", "newsletter", "facebook", "twitter", "direct", "bing"};
constexpr std::array kUserAgents = {
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
    "Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
    "Safari/605.1.15"};
constexpr std::string_view kPadAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789 ";
constexpr std::string_view kPadField = "context";
// ,"key":"value" around a key and a value.
constexpr size_t kFieldSyntaxBytes = 6;

template <typename Array>
const char* Pick(const Array& a, std::mt19937_64& rng) {
  return a[rng() % a.size()];
}

void AddField(std::string& out, std::string_view key, std::string_view value) {
  if (out.size() > 1) out.push_back(',');
  AppendJsonString(out, key);
  out.push_back(':');
  AppendJsonString(out, value);
}

}  // namespace

EventGenerator::EventGenerator(EventGeneratorOptions options) : options_(options), rng_(options.seed) {
  const int n = std::clamp(options_.event_types, 1, EventGeneratorOptions::kMaxEventTypes);
  for (int i = 0; i < n; ++i) {
    const auto base = static_cast<size_t>(i) % kTypeNames.size();
    const auto round = static_cast<size_t>(i) / kTypeNames.size();
    types_.push_back(round == 0 ? std::string(kTypeNames[base]) : fmt::format("{}_{}", kTypeNames[base], round));
    type_weights_.push_back(1.0 / std::pow(i + 1, kTypeSkew));
  }
  type_dist_ = std::discrete_distribution<int>(type_weights_.begin(), type_weights_.end());
  // Each event type has a fixed set of custom fields, as a real tracking plan does.
  std::vector<int> names(kCustomNames.size());
  for (size_t i = 0; i < names.size(); ++i) names[i] = static_cast<int>(i);
  for (int i = 0; i < n; ++i) {
    std::shuffle(names.begin(), names.end(), rng_);
    const int count = EventGenerator::kMinCustomFields +
                      static_cast<int>(rng_() %
                                       (EventGenerator::kMaxCustomFields - EventGenerator::kMinCustomFields + 1));
    schemas_.push_back({std::vector<int>(names.begin(), names.begin() + count)});
  }
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  event_time_ = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                            tm.tm_hour, tm.tm_min, tm.tm_sec);
}

size_t EventGenerator::DrawSize() {
  if (options_.event_bytes != 0) return options_.event_bytes;
  const double lo = std::log(static_cast<double>(std::max<size_t>(options_.min_bytes, 1)));
  const double hi = std::log(static_cast<double>(std::max(options_.max_bytes, options_.min_bytes)));
  std::uniform_real_distribution<double> u(lo, hi);
  return static_cast<size_t>(std::exp(u(rng_)));
}

int EventGenerator::DrawType() { return type_dist_(rng_); }

std::string EventGenerator::Next() {
  const size_t target = DrawSize();
  const int type = DrawType();
  std::string out;
  out.reserve(target + 64);
  out.push_back('{');
  AddField(out, kEventTypeKey, types_[type]);
  AddField(out, kEventTimeKey, event_time_);
  AddField(out, kUserIdKey, fmt::format("u_{:016x}", rng_() % kUsers * kIdScramble));
  AddField(out, kAnonymousIdKey, fmt::format("a_{:016x}", rng_() % kAnonymousIds * kIdScramble));
  AddField(out, kSessionIdKey, fmt::format("s_{:016x}", rng_() % kSessions * kIdScramble));
  AddField(out, "url", fmt::format("https://shop.example.com/p/{}/item-{}", rng_() % kUrlCategories, rng_() % kUrls));
  AddField(out, "device_type", Pick(kDevices, rng_));
  AddField(out, "browser", Pick(kBrowsers, rng_));
  AddField(out, "country", Pick(kCountries, rng_));
  AddField(out, "utm_source", Pick(kSources, rng_));
  AddField(out, "utm_campaign", fmt::format("campaign_{}", rng_() % kCampaigns));
  // Custom fields: short values; the event is then padded to its drawn size. When the fields
  // alone exceed the target, trailing custom fields are left out (never below the minimum).
  // The user agent (absent from server-side events) only when the drawn size leaves room.
  const Schema& schema = schemas_[type];
  size_t fields_kept = 0;
  for (int name : schema.custom_fields) {
    const std::string value = fmt::format("v{}", rng_() % kFieldValueVariants);
    const size_t field_len = std::string_view(kCustomNames[name]).size() + value.size() + kFieldSyntaxBytes;
    if (fields_kept >= static_cast<size_t>(kMinCustomFields) && out.size() + field_len + 1 > target) break;
    AddField(out, kCustomNames[name], value);
    ++fields_kept;
    if (fields_kept == static_cast<size_t>(kMinCustomFields)) {
      const std::string_view agent = Pick(kUserAgents, rng_);
      if (out.size() + agent.size() + kFieldSyntaxBytes + std::string_view("user_agent").size() + 1 <= target) {
        AddField(out, "user_agent", agent);
      }
    }
  }
  // ,"context":"<pad>"} costs the field's syntax and the closing brace around the padding.
  const size_t overhead = kPadField.size() + kFieldSyntaxBytes + 1;
  if (out.size() + overhead <= target) {
    std::string pad(target - out.size() - overhead, ' ');
    for (char& c : pad) c = kPadAlphabet[rng_() % kPadAlphabet.size()];
    AddField(out, kPadField, pad);
  }
  out.push_back('}');
  return out;
}

}  // namespace tracklake
