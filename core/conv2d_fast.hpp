// The fast path's kernels: plain conv2d without a trace, for full-resolution images.
// Internal to core (conv2d() validates and converts layouts before calling these).
#pragma once

#include "params.hpp"

namespace cs::detail {

// [N, C_in, H, W] * [C_out, C_in/g, KH, KW] (+ [C_out]) => [N, C_out, OH, OW]
// `output` holds g.outputs() elements; bias may be null. threads >= 1.
void conv2d_fast(const ConvGeometry& g, const float* input, const float* weight, const float* bias,
                 float* output, int threads);
void conv2d_fast(const ConvGeometry& g, const double* input, const double* weight,
                 const double* bias, double* output, int threads);

}  // namespace cs::detail
