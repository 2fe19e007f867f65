// For tests: a path of their own under $TRACKLAKE_TEST_TMP (or /tmp), "<prefix>-<test>-<pid>",
// so that tests run in parallel (ctest -j) never share one. Header-only: tests link gtest
// themselves.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace tracklake {

inline std::filesystem::path TestPath(const std::string& prefix) {
  const char* base = std::getenv("TRACKLAKE_TEST_TMP");
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info != nullptr ? info->name() : "test";
  // A parameterised test's name holds a '/' ("Name/Direct"): one path, not a folder and a path.
  std::replace(name.begin(), name.end(), '/', '_');
  return std::filesystem::path(base != nullptr && *base != '\0' ? base : "/tmp") /
         (prefix + "-" + name + "-" + std::to_string(::getpid()));
}

}  // namespace tracklake
