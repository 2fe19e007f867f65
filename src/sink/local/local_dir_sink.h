// The embedded lake: files under a local directory, in the same layout as the S3 sink.
// Each file is written to a temporary name, fdatasynced, renamed into place and its directory
// fsynced, so a reader never sees half a file and a delivered file survives a crash.
// Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "sink/sink.h"

namespace tracklake {

std::unique_ptr<Sink> MakeLocalDirSink(std::string root);

}  // namespace tracklake
