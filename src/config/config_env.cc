// Environment overrides (TRACKLAKE_<SECTION>_<KEY>) and the rules that span several options.
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>

#include "config/config_sections.h"
#include "config/name_rules.h"
#include "config/option_value.h"

namespace tracklake::config_internal {
namespace {

bool IsNonOptionVariable(std::string_view name) {
  return std::find(std::begin(kNonOptionEnvVars), std::end(kNonOptionEnvVars), name) != std::end(kNonOptionEnvVars);
}

std::string UnknownVariableError(std::string_view name) {
  std::vector<std::string> names;
  for (const OptionSpec& spec : AllOptions()) {
    if (spec.scope == OptionScope::kFixed) names.push_back(EnvName(spec));
  }
  std::string error = "unknown environment variable " + std::string(name) +
                      ": no such option (TRACKLAKE_<SECTION>_<KEY>; apps and event_types are set "
                      "in the file only; see `tracklake config describe`)";
  if (auto guess = ClosestMatch(name, names)) error += "; did you mean " + *guess + "?";
  return error;
}

// The section a TRACKLAKE_<SECTION>_<KEY> name belongs to, when that section exists.
std::optional<std::string_view> SectionOf(std::string_view name) {
  const std::string_view rest = name.substr(kEnvPrefix.size());
  for (const std::string_view section : AllSections()) {
    if (rest.size() <= section.size() || rest[section.size()] != '_') continue;
    bool same = true;
    for (size_t i = 0; i < section.size() && same; ++i) {
      same = rest[i] == static_cast<char>(std::toupper(static_cast<unsigned char>(section[i])));
    }
    if (same) return section;
  }
  return std::nullopt;
}

}  // namespace

void ApplyEnvironment(const std::map<std::string, std::string>& env, Config& config, ErrorList& errors) {
  for (const auto& [name, text] : env) {
    if (!name.starts_with(kEnvPrefix) || IsNonOptionVariable(name)) continue;
    const auto& options = AllOptions();
    // Named again for the lambda: clang 14 cannot capture a structured binding.
    const auto spec = std::find_if(options.begin(), options.end(), [&variable = name](const OptionSpec& s) {
      return s.scope == OptionScope::kFixed && EnvName(s) == variable;
    });
    if (spec == options.end()) {
      if (SectionOf(name)) {
        errors.push_back(UnknownVariableError(name));
      } else {
        config.warnings.push_back("environment variable " + name +
                                  " is not a tracklake option (no section of that name): ignored");
      }
      continue;
    }
    Result<OptionValue> value = ValueFromText(*spec, text);
    Status status = value.ok() ? CheckValue(*spec, *value) : value.status();
    if (!status.ok()) {
      errors.push_back(ValueError("environment " + name, *spec, FullKey(*spec), text, status.message()));
      continue;
    }
    spec->bind.store(config, *value);
  }
}

void CheckWholeConfig(const Config& config, ErrorList& errors) {
  if (auto why = CheckId(config.node.id)) {
    errors.push_back("node.id = " + QuoteToml(config.node.id) + ": " + *why +
                     "; it defaults to the host name, which does not fit: set node.id");
  }
  if (config.auth.mode == AuthMode::kKeys && config.auth.apps.empty()) {
    errors.push_back(
        "auth.mode = \"keys\" but no app is configured: add one, e.g.\n"
        "    [apps.my_app]\n"
        "    key_sha256 = \"<sha256 of the write key, e.g. from `printf %s KEY | sha256sum`>\"\n"
        "  (or key = \"...\"), or set auth.mode = \"none\" for local development");
  }
  if (config.server.tls_cert.empty() != config.server.tls_key.empty()) {
    const bool has_cert = !config.server.tls_cert.empty();
    errors.push_back(std::string(has_cert ? "server.tls_cert" : "server.tls_key") + " is set but " +
                     (has_cert ? "server.tls_key" : "server.tls_cert") +
                     " is empty: TLS needs both the certificate chain and its private key (or "
                     "neither, for plain HTTP)");
  }
  if (config.wal.segment_bytes > config.wal.max_bytes) {
    errors.push_back("wal.segment_bytes = " + FormatByteSize(config.wal.segment_bytes) +
                     " is larger than wal.max_bytes = " + FormatByteSize(config.wal.max_bytes) +
                     ": the log budget must hold at least one segment");
  }
  if (config.flush.max_bytes > config.flush.max_buffered_bytes) {
    errors.push_back("flush.max_bytes = " + FormatByteSize(config.flush.max_bytes) +
                     " is larger than flush.max_buffered_bytes = " + FormatByteSize(config.flush.max_buffered_bytes) +
                     ": the buffer for all partitions must hold at least one full batch");
  }
  if (config.sink.type == SinkType::kS3 && config.s3.bucket.empty()) {
    errors.push_back("sink.type = \"s3\" but s3.bucket is empty: name the bucket of the lake");
  }
  if (config.sink.type == SinkType::kKafka && config.kafka.brokers.empty()) {
    errors.push_back(
        "sink.type = \"kafka\" but kafka.brokers is empty: name the bootstrap servers "
        "(host:port[,host:port...]; also TRACKLAKE_KAFKA_BROKERS)");
  }
  if (!config.s3.sse_kms_key_id.empty() && config.s3.sse != "aws:kms") {
    errors.push_back("s3.sse_kms_key_id is set but s3.sse = " + QuoteToml(config.s3.sse) +
                     ": a KMS key is only used with s3.sse = \"aws:kms\"");
  }
  CheckS3Addressing(config, errors);
}

}  // namespace tracklake::config_internal
