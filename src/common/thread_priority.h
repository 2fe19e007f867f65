// Lowers the calling thread's CPU priority (its nice value), so that work which may wait yields
// the CPU to work that may not. Linux keeps a nice value per thread; an unprivileged thread can
// lower its priority but never raise it again, so callers pick, once, which threads run lowered.
#pragma once

#include "common/status.h"

namespace tracklake {

// Sets the calling thread's nice value to `nice` (1..19). An error (a sandbox forbidding it)
// leaves the priority as it was.
Status LowerThreadPriority(int nice);

}  // namespace tracklake
