// Names the calling thread (Linux: at most 15 bytes, longer names are cut), so that `top -H`,
// perf and gdb tell the collector's threads apart: tl-http, tl-wal, tl-wal-reclaim,
// tl-batcher, tl-deliver, tl-catch-up.
#pragma once

#include <string_view>

namespace tracklake {

void SetThreadName(std::string_view name);

}  // namespace tracklake
