#include "common/hash_bytes.h"

#include <random>

namespace tracklake {

const uint64_t internal::kHashSeed = std::random_device{}() * internal::kHashMul2 + internal::kHashMul;

}  // namespace tracklake
