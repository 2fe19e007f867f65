// RenderConfig (the effective configuration as TOML) and DescribeOptions (the option table as
// text or markdown), both walked from the option table.
#include <algorithm>
#include <string>
#include <vector>

#include "common/hex.h"
#include "config/config.h"
#include "config/config_sections.h"
#include "config/name_rules.h"
#include "config/option_table.h"
#include "config/option_value.h"

namespace tracklake {
namespace {

using config_internal::AllOptions;
using config_internal::FormatValue;
using config_internal::OptionScope;
using config_internal::OptionSpec;
using config_internal::QuoteToml;
using config_internal::TomlKey;

std::string StringList(const std::vector<std::string>& list) {
  std::string out = "[";
  for (size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + QuoteToml(list[i]);
  return out + "]";
}

// One row of DescribeOptions.
struct DescribeRow {
  std::string key, type, default_value, rule, env, doc;
  bool default_is_literal = false;  // a TOML value (shown as code), not words ("the host name")
};

std::vector<DescribeRow> DescribeRows() {
  const Config defaults;
  std::vector<DescribeRow> rows;
  for (const OptionSpec& spec : AllOptions()) {
    DescribeRow row;
    row.key = config_internal::FullKey(spec);
    row.type = std::string(config_internal::TypeName(spec.type));
    if (!spec.default_text.empty()) {
      row.default_value = std::string(spec.default_text);
    } else if (spec.bind.load != nullptr) {
      row.default_value = FormatValue(spec, spec.bind.load(defaults));
      row.default_is_literal = true;
    } else {
      row.default_value = spec.required || spec.scope == OptionScope::kPerApp ? "none" : "";
    }
    row.rule = config_internal::FormatRule(spec);
    row.env = config_internal::EnvName(spec);
    row.doc = std::string(spec.doc);
    if (spec.secret) row.doc += " Secret: shown as \"***\".";
    rows.push_back(std::move(row));
  }
  return rows;
}

// Markdown cells: "|" would end the cell, newlines the row.
std::string MarkdownCell(std::string_view text, bool code) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else {
      out += c == '\n' ? ' ' : c;
    }
  }
  if (out.empty()) return "";
  return code ? "`" + out + "`" : out;
}

std::string DescribeMarkdown(const std::vector<DescribeRow>& rows) {
  std::string out =
      "| key | type | default | bounds / allowed | env variable | description |\n"
      "|-----|------|---------|------------------|--------------|-------------|\n";
  for (const DescribeRow& row : rows) {
    out += "| " + MarkdownCell(row.key, true) + " | " + row.type + " | " +
           MarkdownCell(row.default_value, row.default_is_literal) + " | " + MarkdownCell(row.rule, true) + " | " +
           (row.env.empty() ? "(file only)" : MarkdownCell(row.env, true)) + " | " + MarkdownCell(row.doc, false) +
           " |\n";
  }
  return out;
}

std::string DescribeText(const std::vector<DescribeRow>& rows) {
  const std::vector<std::string> header = {"KEY", "TYPE", "DEFAULT", "BOUNDS / ALLOWED", "ENV"};
  std::vector<size_t> widths;
  widths.reserve(header.size());
  for (const std::string& h : header) widths.push_back(h.size());
  auto cells = [](const DescribeRow& row) {
    return std::vector<std::string>{row.key, row.type, row.default_value, row.rule,
                                    row.env.empty() ? "(file only)" : row.env};
  };
  for (const DescribeRow& row : rows) {
    const auto c = cells(row);
    for (size_t i = 0; i < c.size(); ++i) widths[i] = std::max(widths[i], c[i].size());
  }
  auto line = [&](const std::vector<std::string>& c) {
    std::string out;
    for (size_t i = 0; i < c.size(); ++i) {
      out += c[i];
      if (i + 1 < c.size()) out += std::string(widths[i] - c[i].size() + 2, ' ');
    }
    return out + "\n";
  };
  std::string out = line(header);
  for (const DescribeRow& row : rows) out += line(cells(row)) + "    " + row.doc + "\n";
  return out;
}

}  // namespace

std::string RenderConfig(const Config& config, SecretRendering secrets) {
  std::string out = "# tracklake effective configuration";
  out += secrets == SecretRendering::kMasked ? " (secrets masked)\n" : "\n";
  // Sections in documentation order, so [apps.*] follows [auth] as in the example files.
  for (std::string_view section : config_internal::AllSections()) {
    if (section == config_internal::kAppsSection) {
      for (const AppConfig& app : config.auth.apps) {
        out += "\n[apps." + TomlKey(app.app_id) + "]\n";
        out += "key_sha256 = " +
               QuoteToml(secrets == SecretRendering::kMasked ? config_internal::kMaskedSecret
                                                             : HexEncode(app.key_sha256)) +
               "\n";
        if (!app.event_types.empty()) out += "event_types = " + StringList(app.event_types) + "\n";
        if (app.rate_limit > 0) out += "rate_limit = " + std::to_string(app.rate_limit) + "\n";
        if (app.rate_burst > 0) out += "rate_burst = " + std::to_string(app.rate_burst) + "\n";
        if (!app.browser_keys.empty()) {
          // Public by nature (every page carries them), yet not for people's eyes in a log.
          out += "browser_keys = " +
                 (secrets == SecretRendering::kMasked
                      ? StringList(std::vector<std::string>(app.browser_keys.size(),
                                                            std::string(config_internal::kMaskedSecret)))
                      : StringList(app.browser_keys)) +
                 "\n";
        }
        if (!app.allowed_origins.empty()) out += "allowed_origins = " + StringList(app.allowed_origins) + "\n";
        if (!app.browser_event_types.empty()) {
          out += "browser_event_types = " + StringList(app.browser_event_types) + "\n";
        }
        if (!app.snowplow_app_ids.empty()) out += "snowplow_app_ids = " + StringList(app.snowplow_app_ids) + "\n";
      }
    } else if (section == config_internal::kEventTypesSection) {
      for (const auto& [name, columns] : config.event_type_columns) {
        out += "\n[event_types." + TomlKey(name) + "]\ncolumns = " + StringList(columns) + "\n";
      }
    } else {
      out += "\n[" + std::string(section) + "]\n";
      for (const OptionSpec& spec : AllOptions()) {
        if (spec.scope != OptionScope::kFixed || spec.section != section) continue;
        out += std::string(spec.key) + " = " + FormatValue(spec, spec.bind.load(config)) + "\n";
      }
      if (section == config_internal::kKafkaSection) {
        out += config_internal::RenderKafkaProperties(config, secrets == SecretRendering::kMasked);
      }
    }
  }
  return out;
}

std::string DescribeOptions(bool markdown) {
  const std::vector<DescribeRow> rows = DescribeRows();
  return markdown ? DescribeMarkdown(rows) : DescribeText(rows);
}

}  // namespace tracklake
