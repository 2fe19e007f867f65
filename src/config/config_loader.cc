// LoadConfig: defaults, then the TOML file, then the environment, then whole-config rules.
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <string>

#include "common/file_util.h"
#include "config/config.h"
#include "config/config_sections.h"
#include "config/name_rules.h"
#include "config/option_value.h"

extern char** environ;  // NOLINT: POSIX, not declared by <unistd.h> without _GNU_SOURCE

namespace tracklake {
namespace {

using config_internal::ErrorList;

std::string HostName() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "";
  return name;
}

// The operator sees which file is meant: the config file's own words for the common case.
Result<std::string> ReadConfigFile(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (text.status().code() == Status::Code::kNotFound) {
    return Status::NotFound("config file " + path + " does not exist");
  }
  if (!text.ok()) return Status::IoError("config file: " + text.status().message());
  return text;
}

// toml++ throws on syntax errors; this is the boundary where that becomes a Status.
Result<toml::table> ParseToml(const std::string& text, const std::string& path) {
  try {
    return toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(path + ":" + std::to_string(e.source().begin.line) + ":" +
                                   std::to_string(e.source().begin.column) +
                                   ": TOML syntax error: " + std::string(e.description()));
  }
}

Status ErrorsToStatus(const ErrorList& errors) {
  if (errors.size() == 1) return Status::InvalidArgument(errors.front());
  std::string message = std::to_string(errors.size()) + " configuration errors:";
  for (const std::string& error : errors) message += "\n  " + error;
  return Status::InvalidArgument(std::move(message));
}

}  // namespace

Result<Config> LoadConfig(const std::optional<std::string>& path, const std::map<std::string, std::string>& env) {
  Config config;
  config.node.id = HostName();
  ErrorList errors;
  if (path.has_value()) {
    Result<std::string> text = ReadConfigFile(*path);
    if (!text.ok()) return text.status();
    Result<toml::table> root = ParseToml(*text, *path);
    if (!root.ok()) return root.status();
    config_internal::ApplyToml(*root, config_internal::TomlSource{*path}, config, errors);
  }
  config_internal::ApplyEnvironment(env, config, errors);
  // Rules across options only mean something once each option is valid on its own (an app
  // with a bad key is not "no app configured").
  if (errors.empty()) config_internal::CheckWholeConfig(config, errors);
  if (!errors.empty()) return ErrorsToStatus(errors);
  return config;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const size_t eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return env;
}

namespace config_internal {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out;
}

std::string UnknownKeyError(const TomlSource& source, const toml::node& node, std::string_view section,
                            std::string_view key) {
  std::vector<std::string> keys;
  for (const OptionSpec& spec : AllOptions()) {
    if (spec.scope == OptionScope::kFixed && spec.section == section) keys.emplace_back(spec.key);
  }
  std::string error = source.At(node) + ": unknown key '" + std::string(section) + "." + std::string(key) + "'";
  if (auto guess = ClosestMatch(key, keys)) {
    error += " (did you mean '" + std::string(section) + "." + *guess + "'?)";
  }
  return error + "; [" + std::string(section) + "] has: " + Join(keys);
}

std::string UnknownSectionError(const TomlSource& source, const toml::node& node, std::string_view name) {
  std::vector<std::string> sections(AllSections().begin(), AllSections().end());
  std::string error = source.At(node) + ": unknown section [" + std::string(name) + "]";
  if (auto guess = ClosestMatch(name, sections)) error += " (did you mean [" + *guess + "]?)";
  return error + "; sections are: " + Join(sections);
}

// A key before any [section] header: say which section it belongs in, when one has it.
std::string TopLevelKeyError(const TomlSource& source, const toml::node& node, std::string_view key) {
  std::string error = source.At(node) + ": unknown key '" + std::string(key) +
                      "' outside any section: options belong in a section";
  for (const OptionSpec& spec : AllOptions()) {
    if (spec.scope == OptionScope::kFixed && spec.key == key) {
      error += "; did you mean [" + std::string(spec.section) + "] " + std::string(key) + "?";
      break;
    }
  }
  return error;
}

void ApplyFixedSection(std::string_view section, const toml::table& table, const TomlSource& source, Config& config,
                       ErrorList& errors) {
  for (const auto& [key, node] : table) {
    if (section == kKafkaSection && key.str() == kKafkaPropertiesKey) {
      ApplyKafkaProperties(node, source, config, errors);
      continue;
    }
    const OptionSpec* spec = FindFixedOption(section, key.str());
    if (spec == nullptr) {
      errors.push_back(UnknownKeyError(source, node, section, key.str()));
      continue;
    }
    Result<OptionValue> value = ValueFromToml(*spec, node);
    Status status = value.ok() ? CheckValue(*spec, *value) : value.status();
    if (!status.ok()) {
      errors.push_back(ValueError(source.At(node), *spec, FullKey(*spec), NodeText(node), status.message()));
      continue;
    }
    spec->bind.store(config, *value);
  }
}

}  // namespace

void ApplyToml(const toml::table& root, const TomlSource& source, Config& config, ErrorList& errors) {
  for (const auto& [key, node] : root) {
    const std::string_view name = key.str();
    if (name == kAppsSection) {
      ApplyApps(node, source, config, errors);
    } else if (name == kEventTypesSection) {
      ApplyEventTypes(node, source, config, errors);
    } else if (std::find(AllSections().begin(), AllSections().end(), name) == AllSections().end()) {
      errors.push_back(node.is_table() ? UnknownSectionError(source, node, name)
                                       : TopLevelKeyError(source, node, name));
    } else if (const toml::table* table = node.as_table()) {
      ApplyFixedSection(name, *table, source, config, errors);
    } else {
      errors.push_back(source.At(node) + ": " + std::string(name) + " = " + NodeText(node) + ": must be a section ([" +
                       std::string(name) + "])");
    }
  }
}

}  // namespace config_internal
}  // namespace tracklake
