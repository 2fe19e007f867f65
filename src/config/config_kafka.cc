// [kafka.properties]: librdkafka properties passed through by name, checked only for shape and
// against the ones tracklake sets itself; secrets among them are masked when rendered.
#include <algorithm>
#include <string>

#include "config/config_sections.h"
#include "config/name_rules.h"
#include "config/option_value.h"

namespace tracklake::config_internal {
namespace {

// What the sink sets for its guarantees (docs/kafka.md); overriding them would lose or duplicate.
constexpr std::string_view kReservedProperties[] = {
    "bootstrap.servers",
    "metadata.broker.list",
    "acks",
    "request.required.acks",
    "enable.idempotence",
    "transactional.id",
    "transaction.timeout.ms",
    "max.in.flight.requests.per.connection",
    "max.in.flight",
};

bool IsPropertyName(std::string_view name) {
  return !name.empty() && name.size() <= 128 &&
         name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-") == std::string_view::npos;
}

}  // namespace

bool IsSecretKafkaProperty(std::string_view name) {
  for (std::string_view marker : {"password", "secret", "key.pem", "oauthbearer.config", "jaas"}) {
    if (name.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

void ApplyKafkaProperties(const toml::node& node, const TomlSource& source, Config& config, ErrorList& errors) {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    errors.push_back(source.At(node) + ": kafka.properties must be a table ([kafka.properties])");
    return;
  }
  config.kafka.properties.clear();
  for (const auto& [key, value] : *table) {
    const std::string name(key.str());
    const std::string full_key = "kafka.properties." + TomlKey(name);
    if (!IsPropertyName(name)) {
      errors.push_back(source.At(value) + ": " + full_key + ": not a librdkafka property name ([a-z0-9._-])");
      continue;
    }
    if (std::find(std::begin(kReservedProperties), std::end(kReservedProperties), name) !=
        std::end(kReservedProperties)) {
      errors.push_back(source.At(value) + ": " + full_key + ": set by tracklake (" +
                       (name == "bootstrap.servers" || name == "metadata.broker.list"
                            ? std::string("use kafka.brokers")
                        : name == "transaction.timeout.ms" ? std::string("use kafka.transaction_timeout")
                                                           : std::string("it keeps delivery exactly-once")) +
                       ")");
      continue;
    }
    std::string text;
    if (const auto* s = value.as_string()) {
      text = s->get();
    } else if (const auto* i = value.as_integer()) {
      text = std::to_string(i->get());
    } else if (const auto* b = value.as_boolean()) {
      text = b->get() ? "true" : "false";
    } else {
      errors.push_back(source.At(value) + ": " + full_key + ": must be a string, an integer or a boolean");
      continue;
    }
    config.kafka.properties[name] = std::move(text);
  }
}

std::string RenderKafkaProperties(const Config& config, bool mask) {
  if (config.kafka.properties.empty()) return "";
  std::string out = "\n[kafka.properties]\n";
  for (const auto& [name, value] : config.kafka.properties) {
    out += TomlKey(name) + " = " +
           QuoteToml(mask && IsSecretKafkaProperty(name) ? std::string(kMaskedSecret) : value) + "\n";
  }
  return out;
}

}  // namespace tracklake::config_internal
