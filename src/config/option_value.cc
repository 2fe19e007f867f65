#include "config/option_value.h"

#include <array>
#include <charconv>
#include <limits>
#include <type_traits>
#include <utility>

#include "common/hex.h"
#include "common/parse_number.h"
#include "config/name_rules.h"

namespace tracklake::config_internal {
namespace {

struct ByteUnit {
  std::string_view name;
  uint64_t factor;
};
// Largest first: FormatByteSize picks the first unit that divides exactly.
constexpr std::array<ByteUnit, 5> kByteUnits = {{
    {"TiB", kTiB},
    {"GiB", kGiB},
    {"MiB", kMiB},
    {"KiB", kKiB},
    {"B", 1},
}};
constexpr std::string_view kUnitList = "B, KiB, MiB, GiB or TiB";
constexpr char kFirstPrintable = 0x20;
constexpr char kDelete = 0x7f;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

Result<int64_t> ParseInteger(std::string_view text) {
  const std::optional<int64_t> n = ParseDecimal<int64_t>(text);
  if (!n) return Status::InvalidArgument("must be an integer");
  return *n;
}

std::string FormatNumber(const OptionSpec& spec, int64_t n) {
  if (spec.type == OptionType::kBytes && n >= 0) return FormatByteSize(static_cast<uint64_t>(n));
  return std::to_string(n);
}

std::string RuleSuffix(const OptionSpec& spec) {
  return spec.bounds_reason.empty() ? "" : " (" + std::string(spec.bounds_reason) + ")";
}

}  // namespace

Result<uint64_t> ParseByteSize(std::string_view text) {
  text = Trim(text);
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) {
    return Status::InvalidArgument("must be a byte size: an integer, or a number with a unit (" +
                                   std::string(kUnitList) + "), e.g. \"64MiB\"");
  }
  uint64_t number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + digits, number);
  if (ec != std::errc()) return Status::InvalidArgument("is too large");
  const std::string_view unit = Trim(text.substr(digits));
  if (unit.empty()) return number;
  for (const ByteUnit& u : kByteUnits) {
    if (unit != u.name) continue;
    if (number > std::numeric_limits<uint64_t>::max() / u.factor) {
      return Status::InvalidArgument("is too large");
    }
    return number * u.factor;
  }
  return Status::InvalidArgument("has an unknown unit \"" + std::string(unit) + "\" (use " + std::string(kUnitList) +
                                 ")");
}

std::string FormatByteSize(uint64_t n) {
  for (const ByteUnit& u : kByteUnits) {
    if (n != 0 && n % u.factor == 0) return std::to_string(n / u.factor) + std::string(u.name);
  }
  return "0B";
}

Result<OptionValue> ValueFromText(const OptionSpec& spec, std::string_view text) {
  switch (spec.type) {
    case OptionType::kString:
    case OptionType::kEnum: return OptionValue(std::string(text));
    case OptionType::kBool:
      if (text == "true" || text == "1") return OptionValue(true);
      if (text == "false" || text == "0") return OptionValue(false);
      return Status::InvalidArgument("must be true or false");
    case OptionType::kInteger:
    case OptionType::kSeconds: {
      Result<int64_t> n = ParseInteger(text);
      if (!n.ok()) return n.status();
      return OptionValue(*n);
    }
    case OptionType::kBytes: {
      Result<uint64_t> n = ParseByteSize(text);
      if (!n.ok()) return n.status();
      if (*n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Status::InvalidArgument("is too large");
      }
      return OptionValue(static_cast<int64_t>(*n));
    }
    case OptionType::kStringList: break;
  }
  return Status::InvalidArgument("cannot be set from the environment (only in the file)");
}

Status CheckValue(const OptionSpec& spec, const OptionValue& value) {
  switch (spec.type) {
    case OptionType::kInteger:
    case OptionType::kBytes:
    case OptionType::kSeconds: {
      const int64_t n = std::get<int64_t>(value);
      if (n >= spec.min && n <= spec.max) return Status::Ok();
      const std::string unit = spec.type == OptionType::kSeconds ? " seconds" : "";
      return Status::InvalidArgument("must be between " + FormatNumber(spec, spec.min) + " and " +
                                     FormatNumber(spec, spec.max) + unit + RuleSuffix(spec));
    }
    case OptionType::kEnum: {
      const std::string& name = std::get<std::string>(value);
      for (std::string_view allowed : spec.allowed) {
        if (name == allowed) return Status::Ok();
      }
      return Status::InvalidArgument("must be one of " + FormatRule(spec));
    }
    case OptionType::kString:
      if (spec.check == nullptr) return Status::Ok();
      if (auto why = spec.check(std::get<std::string>(value))) return Status::InvalidArgument(*why);
      return Status::Ok();
    case OptionType::kStringList:
      if (spec.check == nullptr) return Status::Ok();
      for (const std::string& element : std::get<std::vector<std::string>>(value)) {
        if (auto why = spec.check(element)) {
          return Status::InvalidArgument("element " + QuoteToml(element) + " " + *why);
        }
      }
      return Status::Ok();
    case OptionType::kBool: return Status::Ok();
  }
  return Status::Ok();
}

std::string QuoteToml(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if ((c >= 0 && c < kFirstPrintable) || c == kDelete) {
          out += "\\u00";
          AppendHexByte(out, static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string TomlKey(std::string_view key) {
  const bool bare = !key.empty() && [&] {
    for (char c : key) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                      c == '-';
      if (!ok) return false;
    }
    return true;
  }();
  return bare ? std::string(key) : QuoteToml(key);
}

std::string FormatValue(const OptionSpec& spec, const OptionValue& value) {
  if (spec.secret) return QuoteToml(kMaskedSecret);
  return std::visit(
      [&](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, int64_t>) {
          if (spec.type == OptionType::kBytes) return QuoteToml(FormatNumber(spec, v));
          return std::to_string(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return QuoteToml(v);
        } else {
          std::string out = "[";
          for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + QuoteToml(v[i]);
          return out + "]";
        }
      },
      value);
}

std::string FormatRule(const OptionSpec& spec) {
  switch (spec.type) {
    case OptionType::kInteger:
    case OptionType::kBytes:
    case OptionType::kSeconds:
      return FormatNumber(spec, spec.min) + ".." + FormatNumber(spec, spec.max) + RuleSuffix(spec);
    case OptionType::kEnum: {
      std::string out;
      for (size_t i = 0; i < spec.allowed.size(); ++i) {
        out += (i ? ", " : "") + QuoteToml(spec.allowed[i]);
      }
      return out;
    }
    case OptionType::kString:
    case OptionType::kStringList: return std::string(spec.rule);
    case OptionType::kBool: return "true, false";
  }
  return "";
}

std::string_view TypeName(OptionType type) {
  switch (type) {
    case OptionType::kString: return "string";
    case OptionType::kBool: return "bool";
    case OptionType::kInteger: return "integer";
    case OptionType::kBytes: return "bytes";
    case OptionType::kSeconds: return "seconds";
    case OptionType::kEnum: return "enum";
    case OptionType::kStringList: return "string list";
  }
  return "?";
}

}  // namespace tracklake::config_internal
