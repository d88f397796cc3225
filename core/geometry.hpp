// The geometry of conv2d and pooling computed from their parameters: the padding actually applied,
// the output size and the index formula. Validation (geometry.cpp) answers with sentences that
// name the user's numbers.
// Depends on nothing but the standard library.
#pragma once

#include <cstdint>
#include <string>

#include "params.hpp"
#include "result.hpp"
#include "tensor.hpp"

namespace cs {

// Padding actually applied on each side.
// NOTE: for 'same' with an even effective kernel, PyTorch puts the extra row/column at the
// bottom/right: top = total / 2, bottom = total - top.
struct Pad4 {
  int top = 0, bottom = 0, left = 0, right = 0;
};

// Everything the engine, the trace, the GPU and the app need to index a convolution.
// Index formula used everywhere: iy = oy * stride_h + ky * dilation_h - pad.top
//                                ix = ox * stride_w + kx * dilation_w - pad.left
struct ConvGeometry {
  int64_t n = 0, c_in = 0, in_h = 0, in_w = 0;
  int64_t c_out = 0, k_h = 0, k_w = 0;
  int64_t out_h = 0, out_w = 0;
  int64_t groups = 1;
  int64_t c_in_per_group = 0, c_out_per_group = 0;
  int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  Pad4 pad;
  PaddingMode padding_mode = PaddingMode::zeros;
  bool has_bias = false;

  int64_t outputs() const { return n * c_out * out_h * out_w; }
  int64_t taps_per_channel() const { return k_h * k_w; }
  int64_t padded_h() const { return in_h + pad.top + pad.bottom; }
  int64_t padded_w() const { return in_w + pad.left + pad.right; }
};

// Shapes are always given in PyTorch order here: input [N, C_in, H, W], weight
// [C_out, C_in/groups, KH, KW], bias_len = C_out or -1 for no bias. Layout conversion happens
// before (see conv2d_geometry_for).
Result<ConvGeometry> conv2d_geometry(const Shape& input_nchw, const Shape& weight_oihw,
                                     int64_t bias_len, const Conv2dParams& params);
// Same, for shapes in the layout params.layout names (NHWC input with HWIO weight for nhwc).
Result<ConvGeometry> conv2d_geometry_for(const Shape& input, const Shape& weight, int64_t bias_len,
                                         const Conv2dParams& params);

// The output-size arithmetic with the user's numbers substituted, one line per spatial axis:
//   out_h = ⌊(5 + 1 + 1 − 1·(3 − 1) − 1) / 1⌋ + 1 = 5
std::string conv2d_formula(const ConvGeometry& g);

struct PoolGeometry {
  int64_t n = 0, c = 0, in_h = 0, in_w = 0;
  int64_t out_h = 0, out_w = 0;
  int k_h = 1, k_w = 1, stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0;
  int dilation_h = 1, dilation_w = 1;
  bool ceil_mode = false, count_include_pad = true;
  PoolOp op = PoolOp::max;

  int64_t outputs() const { return n * c * out_h * out_w; }
};

// input_nchw: [N, C, H, W] (or [C, H, W] is not accepted: give the batch dimension).
Result<PoolGeometry> pool2d_geometry(const Shape& input_nchw, const Pool2dParams& params);
Result<PoolGeometry> pool2d_geometry_for(const Shape& input, const Pool2dParams& params);
std::string pool2d_formula(const PoolGeometry& g);

// Maps a padded coordinate (may be negative or >= size) to the input row/column it reads, for
// reflect/replicate/circular. Returns -1 for zeros padding outside the input. `i` must lie within
// the padding the geometry allows (validated), so one reflection or wrap is enough.
inline int64_t pad_source_index(int64_t i, int64_t size, PaddingMode mode) {
  if (i >= 0 && i < size) return i;
  switch (mode) {
    case PaddingMode::zeros:
      return -1;
    case PaddingMode::reflect:  // mirror without repeating the edge: -1 -> 1, size -> size-2
      return i < 0 ? -i : 2 * (size - 1) - i;
    case PaddingMode::replicate:
      return i < 0 ? 0 : size - 1;
    case PaddingMode::circular:
      return i < 0 ? i + size : i - size;
  }
  return -1;
}

}  // namespace cs
