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

// True when GPU compute is available. Otherwise: in CI (env CI set) the test fails, elsewhere it
// is skipped with the reason. Use as: if (!gpu_or_skip()) return;
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
