// The trace's kernel, and the padded read the reference loop and the trace's replay share so
// that they read padding identically. Internal to core (conv2d_trace() in conv2d.cpp validates
// and converts layouts before calling the kernel). No GL, GLFW or ImGui.
#pragma once

#include <cstdint>

#include "geometry.hpp"

namespace cs::detail {

// [N, C_in, H, W] * [C_out, C_in/g, KH, KW] (+ [C_out]) => partials [N, C_out, OH, C_in/g,
// partial_row] and output [N, C_out, OH, OW], summed in ConvTrace's order (bit for bit the
// reference loop's) on `threads` threads. bias may be null. `input_copy`, when not null, receives
// a copy of the input, made by the same batch of tasks. Partial rows are `partial_row` >= out_w
// elements apart; lanes past out_w may be written.
void conv2d_trace_kernel(const ConvGeometry& g, const float* input, float* input_copy,
                         const float* weight, const float* bias, float* partials,
                         int64_t partial_row, float* output, int threads);
void conv2d_trace_kernel(const ConvGeometry& g, const double* input, double* input_copy,
                         const double* weight, const double* bias, double* partials,
                         int64_t partial_row, double* output, int threads);

// The value padded coordinate (iy, ix) of plane `src` [in_h, in_w] reads, and which cell it reads
// (-1, -1 for a zero of zeros padding).
template <class T>
T read_padded(const ConvGeometry& g, const T* src, int64_t iy, int64_t ix, int64_t* sy_out,
              int64_t* sx_out) {
  const int64_t sy = pad_source_index(iy, g.in_h, g.padding_mode);
  const int64_t sx = pad_source_index(ix, g.in_w, g.padding_mode);
  if (sy_out) *sy_out = (sy < 0 || sx < 0) ? -1 : sy;
  if (sx_out) *sx_out = (sy < 0 || sx < 0) ? -1 : sx;
  return (sy < 0 || sx < 0) ? T(0) : src[sy * g.in_w + sx];
}

}  // namespace cs::detail
