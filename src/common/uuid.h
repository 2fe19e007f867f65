// UUID version 7 (RFC 9562): 48-bit Unix milliseconds, then random bits, so ids sort by time.
// Thread-safe: each thread has its own random generator, seeded from the OS.
#pragma once

#include <cstdint>
#include <string>

namespace tracklake {

// Appends the 36-character canonical text form of a fresh UUIDv7 for time ms.
void AppendUuidV7(std::string& out, int64_t ms);

}  // namespace tracklake
