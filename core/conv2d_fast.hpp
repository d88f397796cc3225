// The fast path's kernels: plain conv2d without a trace, for full-resolution images.
// Internal to core (conv2d() validates and converts layouts before calling these).
#pragma once

#include "geometry.hpp"

namespace cs::detail {

// Bytes of packed input one task of the fast path aims at (fits the 1-2 MiB L2 of current x86
// cores with room for the weights); core/limits.cpp estimates the path's memory from it.
inline constexpr int64_t kFastBandBytes = 256 * 1024;

// [N, C_in, H, W] * [C_out, C_in/g, KH, KW] (+ [C_out]) => [N, C_out, OH, OW]
// `output` holds g.outputs() elements, all of which are written (no need to zero it); bias may
// be null. threads >= 1 (more than the machine's cores are not used; results do not depend on
// the thread count). Matches conv2d_reference within float rounding (sums in another order, with
// fused multiply-adds). Safe to call from several threads (their pooled parts take turns).
void conv2d_fast(const ConvGeometry& g, const float* input, const float* weight, const float* bias,
                 float* output, int threads);
void conv2d_fast(const ConvGeometry& g, const double* input, const double* weight,
                 const double* bias, double* output, int threads);

// The instruction set the fast path and the trace use on this CPU: "avx512", "avx2" or
// "baseline" (SSE2); see simd.hpp.
const char* conv2d_fast_isa();
// Caps the instruction set (0 baseline, 1 AVX2+FMA, 2 AVX-512) of the fast path and the trace so
// tests and benchmarks can run every kernel on one machine; returns the previous cap. Never
// raises above what the CPU has.
int conv2d_fast_limit_isa(int level);

}  // namespace cs::detail
