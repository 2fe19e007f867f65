// Internal to the log (wal.cc queues, wal_writer.cc commits): an append waiting for the writer.
#pragma once

#include <string>
#include <vector>

#include "wal/wal.h"

namespace tracklake {

struct Wal::Pending {
  wal::RecordType type;
  std::string bytes;
  std::vector<Span> spans;
  bool sync;
  Completion done;
};

}  // namespace tracklake
