// The number of CPUs this process may run on: its affinity mask (taskset, cpusets of
// containers), not every CPU of the machine as std::thread::hardware_concurrency reports.
// Sizing thread pools by the machine oversubscribes a collector pinned to fewer cores.
#pragma once

namespace tracklake {

// At least 1.
int UsableCpuCount();

}  // namespace tracklake
