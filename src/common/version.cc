#include "common/version.h"

namespace tracklake {

constinit const std::string_view kTracklakeVersion = TRACKLAKE_VERSION;  // src/common/CMakeLists.txt

}  // namespace tracklake
