// The pieces LoadConfig is assembled from: turning TOML nodes into option values, applying the
// fixed sections, the [apps.*] and [event_types.*] tables, and the environment. Each appends
// human-readable errors ("config.toml:12: flush.max_age = 7200: must be ...") to an ErrorList
// and carries on, so one run reports every mistake. Internal to src/config/; thread-safe (no
// shared state). Includes toml++, so only the loader's .cc files include this header.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "common/status.h"
#include "config/config.h"
#include "config/option_table.h"

namespace tracklake::config_internal {

using ErrorList = std::vector<std::string>;

// Where the TOML came from, to prefix errors with "path:line: ".
struct TomlSource {
  std::string path;
  std::string At(const toml::node& node) const;
};

// A TOML node as the option's value type; the message of the error is the rule broken.
Result<OptionValue> ValueFromToml(const OptionSpec& spec, const toml::node& node);

// The node as it appears in TOML (for error messages).
std::string NodeText(const toml::node& node);

// "loc: key = value: rule"; secrets are shown as "(secret)" so errors never echo a key.
std::string ValueError(std::string_view location, const OptionSpec& spec, std::string_view full_key,
                       std::string_view value_text, std::string_view rule);

// The whole document: fixed sections, [apps.*] and [event_types.*].
void ApplyToml(const toml::table& root, const TomlSource& source, Config& config, ErrorList& errors);
// [apps.<app_id>] tables into config.auth.apps (replacing any).
void ApplyApps(const toml::node& apps, const TomlSource& source, Config& config, ErrorList& errors);
// [event_types.<name>] tables into config.event_type_columns (replacing any).
void ApplyEventTypes(const toml::node& event_types, const TomlSource& source, Config& config, ErrorList& errors);
// [kafka.properties] into config.kafka.properties (replacing any).
void ApplyKafkaProperties(const toml::node& node, const TomlSource& source, Config& config, ErrorList& errors);
// Whether a librdkafka property holds a secret (masked by RenderConfig).
bool IsSecretKafkaProperty(std::string_view name);
// "[kafka.properties]" and its entries as TOML ("" when none); secrets as "***" with mask.
std::string RenderKafkaProperties(const Config& config, bool mask);
// TRACKLAKE_<SECTION>_<KEY> overrides; an unknown key of an existing section is an error, any
// other TRACKLAKE_* name a warning in config.warnings.
void ApplyEnvironment(const std::map<std::string, std::string>& env, Config& config, ErrorList& errors);
// Rules across options: auth.mode = "keys" needs an app, budgets hold their parts, ...
void CheckWholeConfig(const Config& config, ErrorList& errors);
// The S3 sink's addressing: no virtual-hosted style with an IP-address endpoint.
void CheckS3Addressing(const Config& config, ErrorList& errors);

}  // namespace tracklake::config_internal
