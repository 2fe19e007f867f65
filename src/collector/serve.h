// `tracklake serve`: builds the collector from a Config (authenticator, validator, pipeline,
// sink, HTTP server), runs until SIGTERM or SIGINT, then stops accepting, finishes requests
// in flight, delivers every open batch, and returns 0.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "metrics/metrics.h"
#include "sink/sink.h"

namespace tracklake {

struct ServeFlags {
  std::optional<std::string> port_file;  // written with the bound port once listening
};

int Serve(const Config& config, const ServeFlags& flags);

// The sink of sink.type: the local lake directory, the S3 bucket or the Firehose streams
// (credentials from the standard AWS chain of the process environment). uploads_subdir: the
// folder of wal.dir where the S3 sink records its multipart uploads (one per process kind, so that
// one never aborts the other's uploads at its start).
Result<std::unique_ptr<Sink>> MakeSink(const Config& config, MetricsRegistry& metrics,
                                       std::string_view uploads_subdir = "s3-uploads");

// Where files the sink refused for good are kept (beside wal.dir), for `tracklake redrive`.
std::string DeadLetterDir(const Config& config);

}  // namespace tracklake
