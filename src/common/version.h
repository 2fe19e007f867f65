// tracklake's version: the one definition the code uses (Parquet file metadata, `tracklake
// version`, tracklake_build_info, the client library). Set by CMake from the VERSION file at the
// repository root (CMakeLists.txt: project VERSION); edit VERSION, not the code.
#pragma once

#include <string_view>

namespace tracklake {

extern const std::string_view kTracklakeVersion;

}  // namespace tracklake
