// The option table: every configuration option declared once (section, key, type, bounds, doc,
// secret flag, and how it is stored into Config). Parsing (TOML and environment), error
// messages, RenderConfig and DescribeOptions all walk this one table, so they cannot disagree.
//
// Internal to src/config/. Thread-safety: the table is built once (function-local static) and
// immutable afterwards; safe to read from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/config.h"

namespace tracklake::config_internal {

enum class OptionType { kString, kBool, kInteger, kBytes, kSeconds, kEnum, kStringList };

// Where an option lives: one of the fixed sections ([wal], ...), or a table repeated per
// application ([apps.<app_id>]) or per event type ([event_types.<name>]).
// [kafka.properties] holds librdkafka properties passed through by name (kPassThrough).
enum class OptionScope { kFixed, kPerApp, kPerEventType, kPassThrough };

// A parsed option value. Integers, byte sizes and seconds are int64_t; enums are their name.
using OptionValue = std::variant<bool, int64_t, std::string, std::vector<std::string>>;

// Moves a value between Config and OptionValue. Only kFixed options have one: per-app and
// per-event-type options are assembled by their section parser (a key must be hashed, ...).
struct OptionBinding {
  void (*store)(Config& config, const OptionValue& value) = nullptr;
  OptionValue (*load)(const Config& config) = nullptr;
};

// An extra rule for string values (and each element of a string list): returns why `value`
// breaks it ("must be host:port"), or nothing when it is fine.
using StringCheck = std::optional<std::string> (*)(std::string_view value);

struct OptionSpec {
  std::string_view section;  // "wal"; "apps.<app_id>" / "event_types.<name>" for repeated tables
  std::string_view key;
  OptionType type = OptionType::kString;
  OptionScope scope = OptionScope::kFixed;
  int64_t min = 0;  // kInteger, kBytes, kSeconds: inclusive bounds
  int64_t max = 0;
  std::string_view bounds_reason;         // why the bounds are what they are; shown in errors and docs
  std::vector<std::string_view> allowed;  // kEnum
  StringCheck check = nullptr;
  std::string_view rule;          // `check` in words, for the docs ("host:port")
  bool secret = false;            // never rendered; shown as "***"
  bool required = false;          // per-app / per-event-type keys that must be present
  std::string_view default_text;  // when the default is not a constant (node.id: the host name)
  std::string_view doc;
  OptionBinding bind;
};

// Every option, in documentation order.
const std::vector<OptionSpec>& AllOptions();

// The section names as they appear in TOML, in documentation order ("apps" and
// "event_types" included).
const std::vector<std::string_view>& AllSections();

// Sections whose tables are named by the user ([apps.<app_id>], [event_types.<name>]).
inline constexpr std::string_view kAppsSection = "apps";
inline constexpr std::string_view kEventTypesSection = "event_types";
// [kafka.properties]: the one pass-through table, inside [kafka].
inline constexpr std::string_view kKafkaSection = "kafka";
inline constexpr std::string_view kKafkaPropertiesKey = "properties";

// The option `key` of a fixed `section`, or of the repeated tables of `scope`; nullptr if none.
const OptionSpec* FindFixedOption(std::string_view section, std::string_view key);
const OptionSpec* FindScopedOption(OptionScope scope, std::string_view key);

// "wal.durability", or "apps.<app_id>.key" for repeated tables.
std::string FullKey(const OptionSpec& spec);

// Environment overrides: TRACKLAKE_<SECTION>_<KEY>, upper case; only kFixed options have one.
inline constexpr std::string_view kEnvPrefix = "TRACKLAKE_";
std::string EnvName(const OptionSpec& spec);

// TRACKLAKE_* variables that are not options, read by the CLI, the tests, or the client packages'
// Tracker.from_env / Tracker::FromEnv (whose TRACKLAKE_FIREHOSE_* are the collector's own
// options): ignored silently. Any other TRACKLAKE_<SECTION>_<KEY> whose section exists but names
// no option is an error, so a typo never passes silently; the rest are ignored with a warning
// (config_env.cc).
inline constexpr std::string_view kNonOptionEnvVars[] = {
    "TRACKLAKE_CONFIG",      "TRACKLAKE_TEST_TMP",  "TRACKLAKE_LOG_LEVEL",  "TRACKLAKE_APP_ID",
    "TRACKLAKE_EVENT_TYPES", "TRACKLAKE_ENDPOINT",  "TRACKLAKE_WRITE_KEY",  "TRACKLAKE_CA_FILE",
    "TRACKLAKE_MODE",        "TRACKLAKE_BATCH_AGE", "TRACKLAKE_ON_INVALID",
};

// The candidate closest to `word` by edit distance, when close enough to be a likely typo.
std::optional<std::string> ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace tracklake::config_internal
