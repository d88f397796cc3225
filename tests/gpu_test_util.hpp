// Shared by the gpu_*_test.cpp files: the "GPU or skip (never in CI)" rule and a replayable seed.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "app/gpu/compute.hpp"

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

// CONVSCOPE_SEED=<n> replays a run; otherwise a fixed default keeps CI deterministic.
inline uint64_t test_seed(uint64_t fallback) {
  if (const char* s = std::getenv("CONVSCOPE_SEED"); s != nullptr && *s != '\0') {
    return std::strtoull(s, nullptr, 10);
  }
  return fallback;
}

}  // namespace cs::test
