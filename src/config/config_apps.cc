// [apps.<app_id>] and [event_types.<name>]: tables named by the user, each checked against the
// per-app / per-event-type rows of the option table.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/sha256.h"
#include "config/config_sections.h"
#include "config/name_rules.h"
#include "config/option_value.h"

namespace tracklake::config_internal {
namespace {

using TableValues = std::map<std::string, OptionValue, std::less<>>;

// One [<prefix>.<name>] table against the rows of `scope`; returns the values that passed.
TableValues ParseNamedTable(OptionScope scope, const std::string& prefix, const toml::node& node,
                            const TomlSource& source, ErrorList& errors) {
  TableValues values;
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    errors.push_back(source.At(node) + ": " + prefix + " = " + NodeText(node) + ": must be a table ([" + prefix +
                     "])");
    return values;
  }
  std::vector<std::string> keys;
  for (const OptionSpec& spec : AllOptions()) {
    if (spec.scope == scope) keys.emplace_back(spec.key);
  }
  for (const auto& [key, value_node] : *table) {
    const std::string full_key = prefix + "." + std::string(key.str());
    const OptionSpec* spec = FindScopedOption(scope, key.str());
    if (spec == nullptr) {
      std::string error = source.At(value_node) + ": unknown key '" + full_key + "'";
      if (auto guess = ClosestMatch(key.str(), keys)) error += " (did you mean '" + *guess + "'?)";
      errors.push_back(error + "; allowed keys: " + [&] {
        std::string list;
        for (const std::string& k : keys) list += (list.empty() ? "" : ", ") + k;
        return list;
      }());
      continue;
    }
    Result<OptionValue> value = ValueFromToml(*spec, value_node);
    Status status = value.ok() ? CheckValue(*spec, *value) : value.status();
    if (!status.ok()) {
      errors.push_back(ValueError(source.At(value_node), *spec, full_key, NodeText(value_node), status.message()));
      continue;
    }
    values.emplace(std::string(key.str()), std::move(*value));
  }
  for (const OptionSpec& spec : AllOptions()) {
    if (spec.scope == scope && spec.required && !values.contains(spec.key) && !table->contains(spec.key)) {
      errors.push_back(source.At(node) + ": " + prefix + ": missing " + std::string(spec.key));
    }
  }
  return values;
}

// Repeats in a list: a likely copy-paste mistake, and ambiguous for columns.
std::optional<std::string> FindDuplicate(const std::vector<std::string>& list) {
  std::set<std::string_view> seen;
  for (const std::string& item : list) {
    if (!seen.insert(item).second) return item;
  }
  return std::nullopt;
}

std::vector<std::string> ListOr(const TableValues& values, std::string_view key) {
  const auto it = values.find(key);
  return it == values.end() ? std::vector<std::string>{} : std::get<std::vector<std::string>>(it->second);
}

// browser_keys, allowed_origins, browser_event_types, snowplow_app_ids of one app; false (and
// errors) when they do not make sense together.
bool ApplyBrowserAccess(const TableValues& values, const std::string& where, AppConfig& app, ErrorList& errors) {
  app.browser_keys = ListOr(values, "browser_keys");
  app.allowed_origins = ListOr(values, "allowed_origins");
  app.browser_event_types = ListOr(values, "browser_event_types");
  app.snowplow_app_ids = ListOr(values, "snowplow_app_ids");
  const size_t before = errors.size();
  if ((!app.browser_keys.empty() || !app.snowplow_app_ids.empty()) && app.allowed_origins.empty()) {
    errors.push_back(where + ": browser_keys and snowplow_app_ids need allowed_origins (the pages that may use them)");
  }
  for (const auto* list : {&app.browser_keys, &app.allowed_origins, &app.browser_event_types, &app.snowplow_app_ids}) {
    if (auto duplicate = FindDuplicate(*list)) {
      errors.push_back(where + " lists " + QuoteToml(*duplicate) + " twice");
    }
  }
  if (!app.event_types.empty()) {
    for (const std::string& t : app.browser_event_types) {
      if (std::find(app.event_types.begin(), app.event_types.end(), t) == app.event_types.end()) {
        errors.push_back(where + ".browser_event_types lists " + QuoteToml(t) + ", which event_types does not allow");
      }
    }
  }
  return errors.size() == before;
}

// A browser key or a Snowplow app id names one app: shared ones would let one app write as another.
void CheckBrowserAccessUnique(const std::vector<AppConfig>& apps, ErrorList& errors) {
  std::map<std::string, std::string> key_owner;
  std::map<std::string, std::string> aid_owner;
  std::set<std::string> server_keys;
  for (const AppConfig& app : apps) server_keys.insert(app.key_sha256);
  for (const AppConfig& app : apps) {
    for (const std::string& key : app.browser_keys) {
      const auto [it, inserted] = key_owner.emplace(key, app.app_id);
      if (!inserted || server_keys.contains(Sha256Bytes(key))) {
        errors.push_back("apps." + TomlKey(app.app_id) + ".browser_keys: a key is also " +
                         (inserted ? std::string("a server key") : "a browser key of apps." + TomlKey(it->second)) +
                         ": every key names one app and one kind");
      }
    }
    for (const std::string& aid : app.snowplow_app_ids) {
      const auto [it, inserted] = aid_owner.emplace(aid, app.app_id);
      if (!inserted) {
        errors.push_back("apps." + TomlKey(app.app_id) + ".snowplow_app_ids: " + QuoteToml(aid) +
                         " is also listed by apps." + TomlKey(it->second));
      }
    }
  }
}

}  // namespace

void ApplyApps(const toml::node& apps, const TomlSource& source, Config& config, ErrorList& errors) {
  const toml::table* table = apps.as_table();
  if (table == nullptr) {
    errors.push_back(source.At(apps) + ": apps must be a set of [apps.<app_id>] tables");
    return;
  }
  // toml++ tables iterate in key order; keep the apps in file order instead (people read
  // RenderConfig's output side by side with their file).
  std::vector<std::pair<std::string_view, const toml::node*>> entries;
  for (const auto& [id, node] : *table) entries.emplace_back(id.str(), &node);
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.second->source().begin < b.second->source().begin; });
  config.auth.apps.clear();
  std::map<std::string, std::string> app_by_digest;
  for (const auto& [id, node_ptr] : entries) {
    const toml::node& node = *node_ptr;
    const std::string app_id(id);
    const std::string prefix = "apps." + TomlKey(app_id);
    if (auto why = CheckId(app_id)) {
      errors.push_back(source.At(node) + ": " + prefix + ": app id " + *why);
      continue;
    }
    TableValues values = ParseNamedTable(OptionScope::kPerApp, prefix, node, source, errors);
    const auto key = values.find("key");
    const auto key_sha256 = values.find("key_sha256");
    const toml::table* app_table = node.as_table();
    const bool gave_key = app_table != nullptr && app_table->contains("key");
    const bool gave_digest = app_table != nullptr && app_table->contains("key_sha256");
    if (gave_key == gave_digest) {
      if (app_table != nullptr) {
        errors.push_back(source.At(node) + ": " + prefix + ": give exactly one of key and key_sha256" +
                         (gave_key ? " (it has both)" : " (it has neither)"));
      }
      continue;
    }
    if (key == values.end() && key_sha256 == values.end()) continue;  // already reported
    AppConfig app;
    app.app_id = app_id;
    app.key_sha256 = key != values.end() ? Sha256Bytes(std::get<std::string>(key->second))
                                         : HexToBytes(std::get<std::string>(key_sha256->second));
    if (auto types = values.find("event_types"); types != values.end()) {
      app.event_types = std::get<std::vector<std::string>>(types->second);
      if (app.event_types.empty()) {
        errors.push_back(source.At(node) + ": " + prefix +
                         ".event_types = []: must list at least one event type "
                         "(omit it to allow any)");
        continue;
      }
    }
    if (auto rate = values.find("rate_limit"); rate != values.end()) {
      app.rate_limit = static_cast<uint32_t>(std::get<int64_t>(rate->second));
    }
    if (auto burst = values.find("rate_burst"); burst != values.end()) {
      app.rate_burst = static_cast<uint32_t>(std::get<int64_t>(burst->second));
    }
    if (!ApplyBrowserAccess(values, source.At(node) + ": " + prefix, app, errors)) continue;
    const auto [previous, inserted] = app_by_digest.emplace(app.key_sha256, app_id);
    if (!inserted) {
      errors.push_back(source.At(node) + ": apps." + TomlKey(previous->second) + " and " + prefix +
                       " have the same write key: each app needs its own "
                       "(the key identifies the app)");
      continue;
    }
    config.auth.apps.push_back(std::move(app));
  }
  CheckBrowserAccessUnique(config.auth.apps, errors);
}

void ApplyEventTypes(const toml::node& event_types, const TomlSource& source, Config& config, ErrorList& errors) {
  const toml::table* table = event_types.as_table();
  if (table == nullptr) {
    errors.push_back(source.At(event_types) + ": event_types must be a set of [event_types.<name>] tables");
    return;
  }
  config.event_type_columns.clear();
  for (const auto& [key, node] : *table) {
    const std::string name(key.str());
    const std::string prefix = "event_types." + TomlKey(name);
    if (auto why = CheckEventType(name)) {
      errors.push_back(source.At(node) + ": " + prefix + ": event type name " + *why);
      continue;
    }
    TableValues values = ParseNamedTable(OptionScope::kPerEventType, prefix, node, source, errors);
    const auto columns = values.find("columns");
    if (columns == values.end()) continue;  // already reported
    auto list = std::get<std::vector<std::string>>(columns->second);
    if (auto duplicate = FindDuplicate(list)) {
      errors.push_back(source.At(node) + ": " + prefix + ".columns lists " + QuoteToml(*duplicate) + " twice");
      continue;
    }
    config.event_type_columns.emplace(name, std::move(list));
  }
}

}  // namespace tracklake::config_internal
