// TOML nodes to option values, and error text about them.
#include <sstream>

#include "config/config_sections.h"
#include "config/option_value.h"

namespace tracklake::config_internal {
namespace {

Result<OptionValue> StringFrom(const toml::node& node, std::string_view rule) {
  if (const auto* s = node.as_string()) return OptionValue(s->get());
  return Status::InvalidArgument(std::string(rule));
}

}  // namespace

std::string TomlSource::At(const toml::node& node) const {
  return path + ":" + std::to_string(node.source().begin.line);
}

Result<OptionValue> ValueFromToml(const OptionSpec& spec, const toml::node& node) {
  switch (spec.type) {
    case OptionType::kString: return StringFrom(node, "must be a string");
    case OptionType::kEnum: return StringFrom(node, "must be a string, one of " + FormatRule(spec));
    case OptionType::kBool:
      if (const auto* b = node.as_boolean()) return OptionValue(b->get());
      return Status::InvalidArgument("must be true or false");
    case OptionType::kInteger:
      if (const auto* i = node.as_integer()) return OptionValue(i->get());
      return Status::InvalidArgument("must be an integer");
    case OptionType::kSeconds:
      if (const auto* i = node.as_integer()) return OptionValue(i->get());
      return Status::InvalidArgument("must be an integer number of seconds");
    case OptionType::kBytes: {
      if (const auto* i = node.as_integer()) return OptionValue(i->get());
      if (const auto* s = node.as_string()) {
        Result<OptionValue> text_value = ValueFromText(spec, s->get());
        return text_value;
      }
      return Status::InvalidArgument("must be a byte size: an integer or a string such as \"64MiB\"");
    }
    case OptionType::kStringList: {
      const auto* array = node.as_array();
      std::vector<std::string> list;
      if (array != nullptr) {
        for (const toml::node& element : *array) {
          const auto* s = element.as_string();
          if (s == nullptr) break;
          list.push_back(s->get());
        }
      }
      if (array == nullptr || list.size() != array->size()) {
        return Status::InvalidArgument("must be a list of strings, e.g. [\"a\", \"b\"]");
      }
      return OptionValue(std::move(list));
    }
  }
  return Status::InvalidArgument("has an unsupported type");
}

std::string NodeText(const toml::node& node) {
  // Strings and lists the way RenderConfig writes them; other types as toml++ prints them.
  if (const auto* s = node.as_string()) return QuoteToml(s->get());
  if (const auto* array = node.as_array()) {
    std::string text = "[";
    for (size_t i = 0; i < array->size(); ++i) text += (i ? ", " : "") + NodeText(*array->get(i));
    return text + "]";
  }
  std::ostringstream out;
  node.visit([&out](const auto& n) { out << n; });
  return out.str();
}

std::string ValueError(std::string_view location, const OptionSpec& spec, std::string_view full_key,
                       std::string_view value_text, std::string_view rule) {
  std::string out(location);
  if (!out.empty()) out += ": ";
  out += full_key;
  out += " = ";
  out += spec.secret ? std::string_view("(secret)") : value_text;
  out += ": ";
  out += rule;
  return out;
}

}  // namespace tracklake::config_internal
