// Shared by the gpu_*_test.cpp files: the "GPU or skip (never in CI)" rule, and (from
// test_util.hpp) the replayable seed and the other test helpers.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "app/gpu/compute.hpp"
#include "test_util.hpp"

namespace cs::test {

// At the top of a test that needs GL 4.3 compute: when it is unavailable, the test fails in CI
// (env CI set) and is skipped with the reason elsewhere. A macro, so FAIL() and GTEST_SKIP()
// return from the test itself. Use as: CS_REQUIRE_GPU();
#define CS_REQUIRE_GPU()                                                \
  do {                                                                  \
    const cs::gpu::ComputeStatus cs_status = cs::gpu::compute_status(); \
    if (!cs_status.available) {                                         \
      if (std::getenv("CI") != nullptr)                                 \
        FAIL() << "CI must run the GPU tests: " << cs_status.reason;    \
      GTEST_SKIP() << "no GL 4.3 compute here: " << cs_status.reason;   \
    }                                                                   \
  } while (0)

}  // namespace cs::test
