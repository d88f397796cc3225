// Which instruction set the CPU kernels run: the CPU's best, capped by tests and benchmarks.
// Depends on nothing but the standard library.
#include "simd.hpp"

#include <algorithm>
#include <atomic>

namespace cs::detail {

namespace {

std::atomic<int> g_isa_limit{isa_avx512};

int detected_isa() {
#if CS_SIMD_X86
  static const int level = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return static_cast<int>(isa_avx512);
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
      return static_cast<int>(isa_avx2);
    }
    return static_cast<int>(isa_baseline);
  }();
  return level;
#else
  return isa_baseline;
#endif
}

}  // namespace

int active_isa() {
  return std::min(detected_isa(), g_isa_limit.load());
}

int limit_isa(int level) {
  return g_isa_limit.exchange(std::clamp(level, 0, static_cast<int>(isa_avx512)));
}

const char* isa_name(int level) {
  switch (level) {
    case isa_avx512:
      return "avx512";
    case isa_avx2:
      return "avx2";
    default:
      return "baseline";
  }
}

}  // namespace cs::detail
