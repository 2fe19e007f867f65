// FUZZ_CHECK: an invariant of the code under test. A violation prints what broke and aborts,
// which libFuzzer reports as a crash and saves the input (a finding, like a sanitizer report).
// Header-only; used by the fuzz targets in this folder only.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                                        \
  do {                                                                                                \
    if (!(cond)) {                                                                                    \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s (%s)\n", __FILE__, __LINE__, #cond, what); \
      std::abort();                                                                                   \
    }                                                                                                 \
  } while (0)
