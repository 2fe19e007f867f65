// EventGenerator: realistic synthetic tracking events for the load generator. Every event is a
// flat JSON object of string values that tracklake's validator accepts: the common fields
// (event_type, event_time, user_id, anonymous_id, session_id, url, ...) plus the 10-30 custom
// fields of its event type's fixed schema, padded to a size drawn log-uniformly between
// min_bytes and max_bytes (or exactly event_bytes). Cardinalities follow real traffic: a few
// event types with a skewed mix (page_view dominates), thousands of users, tens of thousands of
// sessions, a few thousand URLs.
// Deterministic for a given seed. Thread-compatible: one instance per thread.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace tracklake {

struct EventGeneratorOptions {
  static constexpr size_t kDefaultMinBytes = 512;
  static constexpr size_t kDefaultMaxBytes = 4096;
  static constexpr int kDefaultEventTypes = 8;
  static constexpr int kMaxEventTypes = 64;

  uint64_t seed = 1;
  int event_types = kDefaultEventTypes;  // clamped to [1, kMaxEventTypes]
  size_t min_bytes = kDefaultMinBytes;
  size_t max_bytes = kDefaultMaxBytes;
  size_t event_bytes = 0;  // when not 0, every event is exactly this long (at least its fields)
};

class EventGenerator {
 public:
  static constexpr int kMinCustomFields = 10;
  static constexpr int kMaxCustomFields = 30;

  explicit EventGenerator(EventGeneratorOptions options);
  // One event as compact JSON text.
  std::string Next();
  // The event type names this generator draws from.
  const std::vector<std::string>& event_types() const { return types_; }

 private:
  struct Schema {
    std::vector<int> custom_fields;  // indexes into the custom field name pool
  };
  size_t DrawSize();
  int DrawType();

  EventGeneratorOptions options_;
  std::mt19937_64 rng_;
  std::vector<std::string> types_;
  std::vector<double> type_weights_;
  std::discrete_distribution<int> type_dist_;
  std::vector<Schema> schemas_;
  std::string event_time_;
};

}  // namespace tracklake
