// `tracklake serve`: builds the collector from a Config (authenticator, validator, pipeline,
// sink, HTTP server), runs until SIGTERM or SIGINT, then stops accepting, finishes requests
// in flight, delivers every open batch, and returns 0.
#pragma once

#include <optional>
#include <string>

#include "config/config.h"

namespace tracklake {

struct ServeFlags {
  std::optional<std::string> port_file;  // written with the bound port once listening
};

int Serve(const Config& config, const ServeFlags& flags);

}  // namespace tracklake
