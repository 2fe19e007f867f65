#include "config/option_table.h"

#include <algorithm>
#include <cctype>
#include <iterator>

#include "config/option_builder.h"

namespace tracklake::config_internal {
namespace {

// Every section's rows, in documentation order (docs/config.md follows it).
std::vector<OptionSpec> BuildTable() {
  using Section = std::vector<OptionSpec> (*)();
  constexpr Section kSections[] = {
      NodeSection, ServerSection,   AuthSection,    AppsSection,  ValidationSection,
      WalSection,  FlushSection,    DedupSection,   LakeSection,  SinkSection,
      S3Section,   FirehoseSection, KinesisSection, KafkaSection, EventTypesSection,
  };
  std::vector<OptionSpec> table;
  for (Section section : kSections) {
    std::vector<OptionSpec> rows = section();
    table.insert(table.end(), std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
  }
  return table;
}

}  // namespace

const std::vector<OptionSpec>& AllOptions() {
  static const std::vector<OptionSpec> kTable = BuildTable();
  return kTable;
}

const std::vector<std::string_view>& AllSections() {
  static const std::vector<std::string_view> kSections = [] {
    std::vector<std::string_view> sections;
    for (const OptionSpec& spec : AllOptions()) {
      std::string_view name = spec.section.substr(0, spec.section.find('.'));
      if (std::find(sections.begin(), sections.end(), name) == sections.end()) {
        sections.push_back(name);
      }
    }
    return sections;
  }();
  return kSections;
}

const OptionSpec* FindFixedOption(std::string_view section, std::string_view key) {
  for (const OptionSpec& spec : AllOptions()) {
    if (spec.scope == OptionScope::kFixed && spec.section == section && spec.key == key) {
      return &spec;
    }
  }
  return nullptr;
}

const OptionSpec* FindScopedOption(OptionScope scope, std::string_view key) {
  for (const OptionSpec& spec : AllOptions()) {
    if (spec.scope == scope && spec.key == key) return &spec;
  }
  return nullptr;
}

std::string FullKey(const OptionSpec& spec) { return std::string(spec.section) + "." + std::string(spec.key); }

std::string EnvName(const OptionSpec& spec) {
  if (spec.scope != OptionScope::kFixed) return "";
  std::string name = std::string(kEnvPrefix) + std::string(spec.section) + "_" + std::string(spec.key);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return name;
}

std::optional<std::string> ClosestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  // A typo is a couple of edits; further than that the suggestion would only confuse.
  constexpr size_t kMaxTypoDistance = 2;
  std::optional<std::string> best;
  size_t best_distance = kMaxTypoDistance + 1;
  for (const std::string& candidate : candidates) {
    // Levenshtein distance, one row at a time.
    std::vector<size_t> row(candidate.size() + 1);
    for (size_t j = 0; j < row.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= word.size(); ++i) {
      size_t diagonal = row[0];
      row[0] = i;
      for (size_t j = 1; j <= candidate.size(); ++j) {
        const size_t above = row[j];
        const size_t substitution = diagonal + (word[i - 1] == candidate[j - 1] ? 0 : 1);
        row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
        diagonal = above;
      }
    }
    if (row.back() < best_distance) {
      best_distance = row.back();
      best = candidate;
    }
  }
  return best;
}

}  // namespace tracklake::config_internal
