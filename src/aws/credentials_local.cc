// The providers that read local state: environment variables and the shared config files.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "aws/credential_providers.h"

extern char** environ;

namespace tracklake::aws {
namespace {

using IniFile = std::map<std::string, std::map<std::string, std::string>>;

std::string Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return "";
  const size_t end = text.find_last_not_of(" \t\r");
  return std::string(text.substr(begin, end - begin + 1));
}

std::string EnvValue(const Environment& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? "" : it->second;
}

// The AWS shared file dialect of INI: [section], key = value, '#' / ';' comments. Indented
// lines are sub-settings of the previous key (e.g. "s3 =\n  addressing_style = path") and are
// not credentials, so they are skipped.
std::optional<IniFile> ReadIni(const std::string& path) {
  std::ifstream in(path);
  if (!in.good()) return std::nullopt;
  IniFile ini;
  std::string section;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) continue;
    const std::string text = Trim(line);
    if (text.empty() || text[0] == '#' || text[0] == ';') continue;
    if (text.front() == '[' && text.back() == ']') {
      section = Trim(std::string_view(text).substr(1, text.size() - 2));
      ini[section];
      continue;
    }
    const size_t eq = text.find('=');
    if (eq == std::string::npos || section.empty()) continue;
    std::string key = Trim(std::string_view(text).substr(0, eq));
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    ini[section][key] = Trim(std::string_view(text).substr(eq + 1));
  }
  return ini;
}

class EnvironmentProvider : public CredentialsProvider {
 public:
  explicit EnvironmentProvider(const Environment& env)
      : id_(EnvValue(env, "AWS_ACCESS_KEY_ID")),
        secret_(EnvValue(env, "AWS_SECRET_ACCESS_KEY")),
        token_(EnvValue(env, "AWS_SESSION_TOKEN")) {}

  Result<Credentials> Get() override {
    if (id_.empty() && secret_.empty()) return Status::NotFound("AWS_ACCESS_KEY_ID is not set");
    if (id_.empty() || secret_.empty()) {
      return Status::InvalidArgument("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together (only one is)");
    }
    return Credentials{id_, secret_, token_, std::nullopt, std::string(name())};
  }
  std::string_view name() const override { return "environment"; }

 private:
  const std::string id_;
  const std::string secret_;
  const std::string token_;
};

class ProfileProvider : public CredentialsProvider {
 public:
  explicit ProfileProvider(const Environment& env) {
    const std::string home = EnvValue(env, "HOME");
    credentials_file_ = EnvValue(env, "AWS_SHARED_CREDENTIALS_FILE");
    if (credentials_file_.empty() && !home.empty()) credentials_file_ = home + "/.aws/credentials";
    config_file_ = EnvValue(env, "AWS_CONFIG_FILE");
    if (config_file_.empty() && !home.empty()) config_file_ = home + "/.aws/config";
    profile_ = EnvValue(env, "AWS_PROFILE");
    explicit_profile_ = !profile_.empty();
    if (profile_.empty()) profile_ = "default";
  }

  Result<Credentials> Get() override {
    // The credentials file wins over the config file for the same profile.
    const std::map<std::string, std::string>* section = nullptr;
    std::optional<IniFile> credentials = ReadIni(credentials_file_);
    std::optional<IniFile> config = ReadIni(config_file_);
    std::string file;
    if (credentials && credentials->contains(profile_)) {
      section = &credentials->at(profile_);
      file = credentials_file_;
    } else if (config) {
      for (const std::string& name : {"profile " + profile_, profile_}) {
        if (config->contains(name) && (name != profile_ || profile_ == "default")) {
          section = &config->at(name);
          file = config_file_;
          break;
        }
      }
    }
    if (section == nullptr) {
      const std::string where = "profile '" + profile_ + "' in " + credentials_file_ + " or " + config_file_;
      if (explicit_profile_) return Status::InvalidArgument("AWS_PROFILE names a missing " + where);
      return Status::NotFound("no " + where);
    }
    auto value = [&](const std::string& key) {
      auto it = section->find(key);
      return it == section->end() ? std::string() : it->second;
    };
    Credentials c{value("aws_access_key_id"), value("aws_secret_access_key"), value("aws_session_token"), std::nullopt,
                  "profile " + profile_ + " (" + file + ")"};
    if (!c.access_key_id.empty() && !c.secret_access_key.empty()) return c;
    for (const char* unsupported : {"role_arn", "credential_process", "sso_session", "sso_start_url"}) {
      if (!value(unsupported).empty()) {
        return Status::InvalidArgument("profile '" + profile_ + "' in " + file + " uses " + unsupported +
                                       ", which tracklake does not support; give it static keys or "
                                       "use environment, web identity, ECS or instance credentials");
      }
    }
    if (!c.access_key_id.empty() || !c.secret_access_key.empty()) {
      return Status::InvalidArgument("profile '" + profile_ + "' in " + file +
                                     " needs both aws_access_key_id and aws_secret_access_key");
    }
    return Status::NotFound("profile '" + profile_ + "' in " + file + " has no keys");
  }
  std::string_view name() const override { return "shared files"; }

 private:
  std::string credentials_file_;
  std::string config_file_;
  std::string profile_;
  bool explicit_profile_ = false;
};

}  // namespace

Environment ProcessAwsEnvironment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const size_t eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = text.substr(0, eq);
    if (name.rfind("AWS_", 0) == 0 || name == "HOME") {
      env.emplace(std::string(name), std::string(text.substr(eq + 1)));
    }
  }
  return env;
}

std::unique_ptr<CredentialsProvider> MakeEnvironmentProvider(const Environment& env) {
  return std::make_unique<EnvironmentProvider>(env);
}

std::unique_ptr<CredentialsProvider> MakeProfileProvider(const Environment& env) {
  return std::make_unique<ProfileProvider>(env);
}

}  // namespace tracklake::aws
