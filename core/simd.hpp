// The instruction sets the CPU kernels (the fast path and the trace) are compiled for, the one
// dispatcher that runs a kernel compiled for the active one, and the one ladder that turns a
// block size known at run time into the template argument a register-blocked kernel needs.
// Internal to core; depends on nothing but the standard library.
#pragma once

#include <type_traits>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CS_SIMD_X86 1
#else
#define CS_SIMD_X86 0
#endif

namespace cs::detail {

// 0: baseline (SSE2 on x86-64), 1: AVX2 + FMA, 2: AVX-512F.
enum IsaLevel : int { isa_baseline = 0, isa_avx2 = 1, isa_avx512 = 2 };

// What the kernels use: the best level the CPU has, capped by limit_isa().
int active_isa();
// Caps the level (tests and benchmarks run every kernel on one machine that way); returns the
// previous cap. Never raises above what the CPU has.
int limit_isa(int level);
const char* isa_name(int level);  // "avx512", "avx2" or "baseline"

constexpr int isa_vector_bytes(int level) {
  return level == isa_avx512 ? 64 : level == isa_avx2 ? 32 : 16;
}
constexpr int isa_vector_registers(int level) {
  return level == isa_avx512 ? 32 : 16;
}

// The tag a kernel compiled for `Level` receives: its vector width and register count.
template <int Level>
struct Isa {
  static constexpr int level = Level;
  static constexpr int vector_bytes = isa_vector_bytes(Level);
  static constexpr int registers = isa_vector_registers(Level);
};

// One entry point per level. flatten inlines everything the kernel calls, so all of it is
// compiled for that level. noinline keeps each entry a function of its own, as the AVX ones are
// anyway (a target function cannot be inlined into its generic caller).
// NOTE: inlined into the task's std::function, the SSE2 trace kernel spilled its filter pointers
// in the innermost loop and took 25 % longer.
// NOTE: each entry starts on a 64-byte boundary, so that its loops sit the same way whatever the
// size of the code linked before it: without it, 48 bytes more in conv2d_trace.cpp made the
// fast path's 11×11 case 8 % slower (identical object code, moved 48 bytes; bench/RESULTS.md).
#if CS_SIMD_X86
template <class F>
[[gnu::target("avx512f"), gnu::flatten, gnu::noinline, gnu::aligned(64)]] void run_for_avx512(
    F& kernel) {
  kernel(Isa<isa_avx512>{});
}
template <class F>
[[gnu::target("avx2,fma"), gnu::flatten, gnu::noinline, gnu::aligned(64)]] void run_for_avx2(
    F& kernel) {
  kernel(Isa<isa_avx2>{});
}
#endif
template <class F>
[[gnu::flatten, gnu::noinline, gnu::aligned(64)]] void run_for_baseline(F& kernel) {
  kernel(Isa<isa_baseline>{});
}

// Calls kernel(Isa<L>{}) compiled for level L = `level` (from active_isa(), read once per call so
// that all tasks of one call agree). `kernel` is usually a generic lambda.
// NOTE: whether a + b·c may become a fused multiply-add is the calling file's -ffp-contract (off
// project-wide, fast for conv2d_fast.cpp only; see core/CMakeLists.txt), not this header's.
template <class F>
void with_isa(int level, F&& kernel) {
#if CS_SIMD_X86
  if (level >= isa_avx512) return run_for_avx512(kernel);
  if (level >= isa_avx2) return run_for_avx2(kernel);
#endif
  (void)level;
  run_for_baseline(kernel);
}

// Calls f(std::integral_constant<int, M>{}) with M == m, for 1 <= m <= Max (does nothing
// otherwise): the switch from the size of a block of output channels to the kernel compiled for it.
template <int Max, class F>
[[gnu::always_inline]] inline void block_ladder(int m, F&& f) {
  static_assert(Max >= 1);
  if (m == Max) {
    f(std::integral_constant<int, Max>{});
    return;
  }
  if constexpr (Max > 1) block_ladder<Max - 1>(m, f);
}

}  // namespace cs::detail
