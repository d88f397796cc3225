// Shared by the ui_*_test.cpp files that drive the real window: the "display or skip (never in
// CI)" rule, the twin of CS_REQUIRE_GPU() in gpu_test_util.hpp, and (from test_util.hpp) the
// command runner and the other test helpers.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "test_util.hpp"

namespace cs::test {

// Why the window tests cannot run here, or "" when they can: they need DISPLAY, an X server that
// answers on it, and xdotool to press keys and find the window. Asked once per test program.
inline const std::string& display_problem() {
  static const std::string problem = [] {
    const char* display = std::getenv("DISPLAY");
    if (display == nullptr || *display == '\0') {
      return std::string("no DISPLAY: run under xvfb-run (scripts/test.sh)");
    }
    if (std::system("command -v xdotool >/dev/null 2>&1") != 0) {
      return std::string("xdotool is missing: run scripts/install-deps.sh");
    }
    if (run_command("xdotool getdisplaygeometry 2>/dev/null").status != 0) {
      return "no X server answers on DISPLAY=" + std::string(display) +
             ": run under xvfb-run (scripts/test.sh)";
    }
    return std::string();
  }();
  return problem;
}

// At the top of a test (or of SetUp): when no display is usable, the test fails in CI (env CI
// set) and is skipped with the reason elsewhere. A macro, so FAIL() and GTEST_SKIP() return from
// the test itself.
#define CS_REQUIRE_DISPLAY()                                         \
  do {                                                               \
    const std::string& cs_problem = cs::test::display_problem();     \
    if (!cs_problem.empty()) {                                       \
      if (std::getenv("CI") != nullptr)                              \
        FAIL() << "CI must run the UI window tests: " << cs_problem; \
      GTEST_SKIP() << cs_problem;                                    \
    }                                                                \
  } while (0)

}  // namespace cs::test
