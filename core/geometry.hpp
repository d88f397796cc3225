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

// Flat index of element (n, c, y, x) of an NCHW tensor of `channels` planes of h×w: the one
// flat-index formula behind input_index/output_index below and the stepper's window numbers.
inline int64_t nchw_index(int64_t n, int64_t c, int64_t y, int64_t x, int64_t channels, int64_t h,
                          int64_t w) {
  return ((n * channels + c) * h + y) * w + x;
}

// Output rows (or columns) [begin, end): the reverse mapping's answer. Empty when begin == end.
struct OutputRange {
  int64_t begin = 0, end = 0;
  bool empty() const { return begin >= end; }
  bool contains(int64_t o) const { return o >= begin && o < end; }
  bool operator==(const OutputRange&) const = default;
};

namespace detail {
// Division rounding toward −∞ / +∞ (b > 0), for coordinates that may be negative.
inline int64_t floor_div(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}
inline int64_t ceil_div(int64_t a, int64_t b) {
  return -floor_div(-a, b);
}
// One axis of the reverse mapping: the outputs o in [0, outs) whose window, starting at
// o·stride − before and `span` long, contains padded coordinate i.
inline OutputRange outputs_covering(int64_t i, int64_t before, int64_t stride, int64_t span,
                                    int64_t outs) {
  const int64_t first = ceil_div(i + before - span + 1, stride);
  const int64_t last = floor_div(i + before, stride);
  const int64_t begin = first < 0 ? 0 : (first > outs ? outs : first);
  const int64_t end = last + 1 < begin ? begin : (last + 1 > outs ? outs : last + 1);
  return {begin, end};
}
// The tap k with origin + k·dilation == i (k in [0, k_size)), or -1.
inline int64_t tap_at(int64_t i, int64_t origin, int64_t dilation, int64_t k_size) {
  const int64_t d = i - origin;
  if (d < 0 || d % dilation != 0 || d / dilation >= k_size) return -1;
  return d / dilation;
}
}  // namespace detail

// What every sliding-window layer shares: the sizes, the window (kernel, stride, dilation), the
// padding, and the one index formula, written once here for conv2d and pooling alike:
//   iy = oy * stride_h + ky * dilation_h - pad.top  = window_origin_y(oy) + ky * dilation_h
//   ix = ox * stride_w + kx * dilation_w - pad.left = window_origin_x(ox) + kx * dilation_w
// Coordinates iy/ix are "padded coordinates": input rows/columns, negative (or >= in_h/in_w)
// in the padding. Everything is inline so that the engine's hot loops compile as if written out.
struct WindowGeometry {
  int64_t n = 0, c_in = 0, in_h = 0, in_w = 0;
  int64_t c_out = 0, out_h = 0, out_w = 0;
  int64_t k_h = 1, k_w = 1;
  int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  Pad4 pad;

  int64_t outputs() const { return n * c_out * out_h * out_w; }
  int64_t taps_per_channel() const { return k_h * k_w; }
  int64_t padded_h() const { return in_h + pad.top + pad.bottom; }
  int64_t padded_w() const { return in_w + pad.left + pad.right; }
  // Rows/columns of the padded input one window covers: dilation·(k − 1) + 1.
  int64_t span_h() const { return dilation_h * (k_h - 1) + 1; }
  int64_t span_w() const { return dilation_w * (k_w - 1) + 1; }

  // Input row/column of tap (0, 0) of output row oy / column ox; negative in the padding.
  int64_t window_origin_y(int64_t oy) const { return oy * stride_h - pad.top; }
  int64_t window_origin_x(int64_t ox) const { return ox * stride_w - pad.left; }
  // Input row/column tap ky/kx of output row oy/column ox reads (may lie in the padding).
  int64_t input_y(int64_t oy, int64_t ky) const { return window_origin_y(oy) + ky * dilation_h; }
  int64_t input_x(int64_t ox, int64_t kx) const { return window_origin_x(ox) + kx * dilation_w; }
  // True when (iy, ix) lies in the input, false in the padding.
  bool inside(int64_t iy, int64_t ix) const { return iy >= 0 && iy < in_h && ix >= 0 && ix < in_w; }

  // The reverse mapping, from a padded input row/column to the outputs whose windows span it
  // (the window's taps and the rows/columns dilation skips between them). With ceil_mode the
  // last window may span rows/columns past the padding: they are covered too.
  OutputRange oy_covering(int64_t iy) const {
    return detail::outputs_covering(iy, pad.top, stride_h, span_h(), out_h);
  }
  OutputRange ox_covering(int64_t ix) const {
    return detail::outputs_covering(ix, pad.left, stride_w, span_w(), out_w);
  }
  // The kernel row/column with input_y(oy, ky) == iy (input_x(ox, kx) == ix): the tap of output
  // row oy's window that reads row iy; -1 when the window does not read it (outside the window,
  // or a row dilation skips).
  int64_t tap_ky(int64_t oy, int64_t iy) const {
    return detail::tap_at(iy, window_origin_y(oy), dilation_h, k_h);
  }
  int64_t tap_kx(int64_t ox, int64_t ix) const {
    return detail::tap_at(ix, window_origin_x(ox), dilation_w, k_w);
  }

  // Flat indices: input [N, C_in, H, W], output [N, C_out, OH, OW]. `batch` is n's index.
  int64_t input_index(int64_t batch, int64_t ic, int64_t iy, int64_t ix) const {
    return nchw_index(batch, ic, iy, ix, c_in, in_h, in_w);
  }
  int64_t output_index(int64_t batch, int64_t oc, int64_t oy, int64_t ox) const {
    return nchw_index(batch, oc, oy, ox, c_out, out_h, out_w);
  }
};

// Everything the engine, the trace, the GPU and the app need to index a convolution: the shared
// window geometry plus groups, the padding mode and the weight's index.
struct ConvGeometry : WindowGeometry {
  int64_t groups = 1;
  int64_t c_in_per_group = 0, c_out_per_group = 0;
  PaddingMode padding_mode = PaddingMode::zeros;
  bool has_bias = false;

  // Weight [C_out, C_in/groups, KH, KW] (icg: the input channel within oc's group).
  int64_t weight_index(int64_t oc, int64_t icg, int64_t ky, int64_t kx) const {
    return nchw_index(oc, icg, ky, kx, c_in_per_group, k_h, k_w);
  }
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

// The same for pooling: C channels pooled one by one, so c_out == c_in (each window reads the
// one input channel it writes), with the same index formula.
// NOTE: PyTorch's pooling padding is symmetric (pad.top == pad.bottom, pad.left == pad.right;
// Keras's 'same' may add one more at the bottom/right), and with ceil_mode the last window may
// reach past the bottom/right padding.
struct PoolGeometry : WindowGeometry {
  bool ceil_mode = false, count_include_pad = true;
  PoolOp op = PoolOp::max;
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
