// tracklake: the command-line entry point (serve, send, config check/describe, version).
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>

#include "cli/send.h"
#include "collector/serve.h"
#include "config/config.h"

namespace {

constexpr const char* kVersion = "0.1.0";

std::optional<std::string> ConfigPath(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("TRACKLAKE_CONFIG")) return std::string(env);
  return std::nullopt;
}

tracklake::Result<tracklake::Config> Load(const std::string& flag) {
  return tracklake::LoadConfig(ConfigPath(flag), tracklake::ProcessEnvironment());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tracklake: an event-tracking pipeline from HTTP to a data lake"};
  app.require_subcommand(1);
  std::string config_flag;

  auto* serve = app.add_subcommand("serve", "Run the collector");
  serve->add_option("-c,--config", config_flag, "TOML configuration file (or env TRACKLAKE_CONFIG)");
  std::string port_file;
  serve->add_option("--port-file", port_file, "Write the bound port to this file once listening");

  auto* config = app.add_subcommand("config", "Inspect the configuration");
  config->require_subcommand(1);
  auto* check = config->add_subcommand("check", "Validate and print the effective configuration, secrets masked");
  check->add_option("-c,--config", config_flag, "TOML configuration file (or env TRACKLAKE_CONFIG)");
  auto* describe = config->add_subcommand("describe", "List every option with its type, default and bounds");
  bool markdown = false;
  describe->add_flag("--markdown", markdown, "As a markdown table");

  tracklake::SendFlags send_flags;
  auto* send = app.add_subcommand("send", "Send NDJSON events to a collector, retrying on 503/429");
  send->add_option("input", send_flags.input, "NDJSON file, or - for stdin")->capture_default_str();
  send->add_option("--url", send_flags.url, "Collector endpoint")->capture_default_str();
  send->add_option("--key", send_flags.key, "Write key");
  send->add_option("--batch", send_flags.batch_events, "Events per request")->capture_default_str();
  send->add_option("--retries", send_flags.max_retries, "Retries per batch")->capture_default_str();

  app.add_subcommand("version", "Print the version");
  CLI11_PARSE(app, argc, argv);

  if (const char* level = std::getenv("TRACKLAKE_LOG_LEVEL")) spdlog::set_level(spdlog::level::from_str(level));
  if (app.got_subcommand("version")) {
    std::cout << "tracklake " << kVersion << "\n";
    return 0;
  }
  if (app.got_subcommand("send")) return tracklake::Send(send_flags);
  if (describe->parsed()) {
    std::cout << tracklake::DescribeOptions(markdown);
    return 0;
  }
  auto loaded = Load(config_flag);
  if (!loaded.ok()) {
    std::cerr << "configuration error: " << loaded.status().message() << "\n";
    return 2;
  }
  if (check->parsed()) {
    std::cout << tracklake::RenderConfig(*loaded);
    return 0;
  }
  tracklake::ServeFlags flags;
  if (!port_file.empty()) flags.port_file = port_file;
  return tracklake::Serve(*loaded, flags);
}
