// tracklake: the command-line entry point (serve, send, config check/describe, version).
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/ddl.h"
#include "cli/inspect.h"
#include "cli/loadgen.h"
#include "cli/send.h"
#include "collector/redrive.h"
#include "collector/serve.h"
#include "common/version.h"
#include "config/config.h"
#include "event/names.h"

namespace {

std::optional<std::string> ConfigPath(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("TRACKLAKE_CONFIG")) return std::string(env);
  return std::nullopt;
}

tracklake::Result<tracklake::Config> Load(const std::string& flag) {
  return tracklake::LoadConfig(ConfigPath(flag), tracklake::ProcessEnvironment());
}

// Tables: the event types declared in the configuration plus those already in the lake.
int Ddl(const tracklake::Config& config, const std::string& dialect, const std::string& location) {
  namespace fs = std::filesystem;
  tracklake::DdlInput in;
  in.dialect = dialect == "redshift" ? tracklake::SqlDialect::kRedshift
               : dialect == "spark"  ? tracklake::SqlDialect::kSpark
               : dialect == "duckdb" ? tracklake::SqlDialect::kDuckdb
                                     : tracklake::SqlDialect::kAthena;
  in.location = location.empty() ? fs::absolute(config.lake.dir).lexically_normal().string() : location;
  in.tables = config.event_type_columns;
  std::error_code ec;
  for (fs::directory_iterator it(config.lake.dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (it->is_directory(type_ec) && name[0] != '_' && tracklake::IsValidEventType(name)) in.tables.try_emplace(name);
  }
  if (in.tables.empty()) {
    std::cerr << "no event types: declare [event_types.<name>] in the configuration or send events first\n";
    return 1;
  }
  std::cout << tracklake::GenerateDdl(in);
  return 0;
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
  send->add_option("--cacert", send_flags.cacert, "CA file (PEM) to trust for https:// (default: system CAs)");
  send->add_option("--batch", send_flags.batch_events, "Events per request")->capture_default_str();
  send->add_option("--retries", send_flags.max_retries, "Retries per batch")->capture_default_str();

  std::string inspect_path;
  size_t inspect_rows = 10;
  auto* inspect = app.add_subcommand("inspect",
                                     "Print a Parquet file's schema, row groups, statistics and first rows");
  inspect->add_option("file", inspect_path, "Parquet file")->required();
  inspect->add_option("-n,--rows", inspect_rows, "Rows to print")->capture_default_str();

  std::string dialect = "athena";
  std::string location;
  auto* ddl = app.add_subcommand("ddl", "Print table definitions for the lake (one table per event type)");
  ddl->add_option("-c,--config", config_flag, "TOML configuration file (or env TRACKLAKE_CONFIG)");
  ddl->add_option("--dialect", dialect, "athena, redshift, spark or duckdb")
      ->check(CLI::IsMember({"athena", "redshift", "spark", "duckdb"}))
      ->capture_default_str();
  ddl->add_option("--location", location, "Lake root (s3://bucket/prefix); default: the configured lake directory");

  // --- loadgen (issue 6): HTTP load for capacity planning and benchmarks.
  tracklake::LoadgenFlags lg;
  auto* loadgen = app.add_subcommand("loadgen", "Send realistic HTTP load and report rates, errors and latency");
  loadgen->add_option("--url", lg.url, "Collector endpoint")->capture_default_str();
  loadgen->add_option("--key", lg.key, "Write key (Authorization: Bearer)");
  loadgen->add_option("--rate", lg.rate, "Offered events/s (open loop); 0 = closed loop at maximum")
      ->capture_default_str();
  loadgen
      ->add_option(
          "--profile", lg.profile,
          "Rate profile: constant or mission (500 -> 4,000 -> 500 events/s over --duration; --rate sets the peak)")
      ->check(CLI::IsMember({"constant", "mission"}));
  loadgen->add_option("-d,--duration", lg.duration_s, "Seconds of load")->capture_default_str();
  loadgen->add_option("-c,--connections", lg.connections, "Keep-alive connections")->capture_default_str();
  loadgen->add_option("-t,--threads", lg.threads, "Sender threads (each runs its share of the connections)")
      ->capture_default_str();
  loadgen->add_option("--batch", lg.batch, "Events per request (1: a JSON object; more: a JSON array)")
      ->capture_default_str();
  loadgen->add_option("--event-file", lg.event_file,
                      "Send these events (one JSON object per line) instead of synthetic ones");
  loadgen->add_option("--event-types", lg.event_types, "Distinct event types of synthetic events")
      ->capture_default_str();
  loadgen->add_option("--min-event-bytes", lg.min_event_bytes, "Smallest synthetic event")->capture_default_str();
  loadgen->add_option("--max-event-bytes", lg.max_event_bytes, "Largest synthetic event")->capture_default_str();
  loadgen->add_option("--event-bytes", lg.event_bytes, "Fixed size of synthetic events (0: drawn between min and max)")
      ->capture_default_str();
  loadgen->add_option("--pool", lg.pool, "Distinct request bodies to cycle through")->capture_default_str();
  loadgen->add_option("--seed", lg.seed, "Random seed of the synthetic events")->capture_default_str();
  loadgen->add_option("--timeout", lg.timeout_s, "Seconds before an unanswered request is a timeout")
      ->capture_default_str();
  loadgen->add_option("--interval", lg.interval_s, "Seconds per row of the JSON time series")->capture_default_str();
  loadgen->add_flag("--json", lg.json, "Print the report as JSON");
  // --- end loadgen

  tracklake::RedriveFlags redrive_flags;
  auto* redrive = app.add_subcommand("redrive",
                                     "Resend the files the sink refused (the dead-letter directory) once "
                                     "the cause is fixed; same keys, so S3 gets each exactly once");
  redrive->add_option("-c,--config", config_flag, "TOML configuration file (or env TRACKLAKE_CONFIG)");
  redrive->add_flag("--dry-run", redrive_flags.dry_run, "List what would be sent");
  redrive->add_option("--attempts", redrive_flags.attempts, "Attempts per file on transient errors")
      ->capture_default_str();

  app.add_subcommand("version", "Print the version");
  CLI11_PARSE(app, argc, argv);

  if (const char* level = std::getenv("TRACKLAKE_LOG_LEVEL")) spdlog::set_level(spdlog::level::from_str(level));
  if (app.got_subcommand("version")) {
    std::cout << "tracklake " << tracklake::kTracklakeVersion << "\n";
    return 0;
  }
  if (app.got_subcommand("send")) return tracklake::Send(send_flags);
  if (loadgen->parsed()) return tracklake::Loadgen(lg);
  if (inspect->parsed()) return tracklake::Inspect(inspect_path, inspect_rows);
  if (describe->parsed()) {
    std::cout << tracklake::DescribeOptions(markdown);
    return 0;
  }
  auto loaded = Load(config_flag);
  if (!loaded.ok()) {
    std::cerr << "configuration error: " << loaded.status().message() << "\n";
    return 2;
  }
  for (const std::string& warning : loaded->warnings) {
    // Not on stdout: `config check` prints the configuration there.
    if (serve->parsed()) {
      spdlog::warn("{}", warning);
    } else {
      std::cerr << "warning: " << warning << "\n";
    }
  }
  if (ddl->parsed()) return Ddl(*loaded, dialect, location);
  if (redrive->parsed()) return tracklake::Redrive(*loaded, redrive_flags);
  const std::vector<std::string> warnings = tracklake::ConfigWarnings(*loaded);
  if (check->parsed()) {
    for (const std::string& w : warnings) std::cerr << "warning: " << w << "\n";
    std::cout << tracklake::RenderConfig(*loaded);
    return 0;
  }
  for (const std::string& w : warnings) spdlog::warn("{}", w);
  tracklake::ServeFlags flags;
  if (!port_file.empty()) flags.port_file = port_file;
  return tracklake::Serve(*loaded, flags);
}
