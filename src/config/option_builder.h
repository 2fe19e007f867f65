// How the option table (option_table.h) is written: the Option builder that makes one row, the
// checks and bounds several sections share, and one function per section returning its rows in
// documentation order, each in the options_*.cc file of its area (option_table.cc joins them).
// Internal to src/config/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/option_table.h"

namespace tracklake::config_internal {

// Bounds reject values that are surely mistakes (a 0-byte segment, a 10-day timeout) while
// leaving room for any deployment we can imagine.
inline constexpr int64_t kMaxTimeoutSeconds = 3600;

// Endpoint overrides ([s3], [firehose], [kinesis]) checked against what AWS clients accept, so a
// typo fails at start-up, not at upload.
std::optional<std::string> CheckEndpointUrl(std::string_view value);
inline constexpr std::string_view kEndpointRule = "empty, or http(s)://host[:port]";

// The names a template makes ({event_type} replaced) must be 1 to max_length of [a-zA-Z0-9_.-].
std::optional<std::string> CheckNameTemplate(std::string_view value, size_t max_length, std::string_view what);

// The fields a message key or partition key may come from (event/names.h).
std::vector<std::string_view> MessageKeyNames();

// Builds one table row; reads as a sentence: Option("flush", "max_age").Seconds(1, 3600)...
class Option {
 public:
  Option(std::string_view section, std::string_view key) {
    spec_.section = section;
    spec_.key = key;
  }
  Option& String(StringCheck check = nullptr, std::string_view rule = {}) {
    spec_.type = OptionType::kString;
    spec_.check = check;
    spec_.rule = rule;
    return *this;
  }
  Option& StringList(StringCheck check, std::string_view rule) {
    String(check, rule);
    spec_.type = OptionType::kStringList;
    return *this;
  }
  Option& Bool() { return Typed(OptionType::kBool); }
  Option& Integer(int64_t min, int64_t max) { return Typed(OptionType::kInteger, min, max); }
  Option& Bytes(int64_t min, int64_t max) { return Typed(OptionType::kBytes, min, max); }
  Option& Seconds(int64_t min, int64_t max) { return Typed(OptionType::kSeconds, min, max); }
  Option& Enum(std::vector<std::string_view> allowed) {
    spec_.type = OptionType::kEnum;
    spec_.allowed = std::move(allowed);
    return *this;
  }
  Option& Because(std::string_view reason) {
    spec_.bounds_reason = reason;
    return *this;
  }
  Option& Scope(OptionScope scope) {
    spec_.scope = scope;
    return *this;
  }
  Option& Secret() {
    spec_.secret = true;
    return *this;
  }
  Option& Required() {
    spec_.required = true;
    return *this;
  }
  Option& DefaultText(std::string_view text) {
    spec_.default_text = text;
    return *this;
  }
  Option& Doc(std::string_view doc) {
    spec_.doc = doc;
    return *this;
  }
  Option& Bind(OptionBinding binding) {
    spec_.bind = binding;
    return *this;
  }
  operator OptionSpec() const { return spec_; }  // NOLINT(google-explicit-constructor)

 private:
  Option& Typed(OptionType type, int64_t min = 0, int64_t max = 0) {
    spec_.type = type;
    spec_.min = min;
    spec_.max = max;
    return *this;
  }
  OptionSpec spec_;
};

// The sections, in documentation order.
std::vector<OptionSpec> NodeSection();        // options_front.cc
std::vector<OptionSpec> ServerSection();      // options_front.cc
std::vector<OptionSpec> AuthSection();        // options_front.cc
std::vector<OptionSpec> AppsSection();        // options_front.cc
std::vector<OptionSpec> ValidationSection();  // options_front.cc
std::vector<OptionSpec> WalSection();         // options_storage.cc
std::vector<OptionSpec> FlushSection();       // options_storage.cc
std::vector<OptionSpec> DedupSection();       // options_storage.cc
std::vector<OptionSpec> LakeSection();        // options_storage.cc
std::vector<OptionSpec> SinkSection();        // options_sink.cc
std::vector<OptionSpec> S3Section();          // options_sink.cc
std::vector<OptionSpec> FirehoseSection();    // options_streams.cc
std::vector<OptionSpec> KinesisSection();     // options_streams.cc
std::vector<OptionSpec> KafkaSection();       // options_kafka.cc
std::vector<OptionSpec> EventTypesSection();  // options_sink.cc

}  // namespace tracklake::config_internal
