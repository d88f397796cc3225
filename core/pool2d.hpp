// Max and average pooling with exactly PyTorch's semantics (F.max_pool2d, F.avg_pool2d):
// stride defaulting to the kernel, padding at most half the kernel, dilation (max), ceil_mode
// (the last window must start inside the input or its left padding), count_include_pad (avg).
// Depends on nothing but the standard library.
#pragma once

#include <vector>

#include "geometry.hpp"
#include "result.hpp"
#include "tensor.hpp"

namespace cs {

// input [N, C, H, W] (nchw) or [N, H, W, C] (nhwc); output in the same layout and dtype.
Result<Tensor> pool2d(const Tensor& input, const Pool2dParams& params);

struct PoolTap {
  int64_t ky = 0, kx = 0;
  int64_t iy = 0, ix = 0;   // origin + (ky·dilation_h, kx·dilation_w)
  bool in_padding = false;  // outside the input: max ignores it; avg counts it as 0 if included
  double x = 0;             // value read (0 for padding)
};

struct PoolWindow {
  int64_t n = 0, oc = 0, oy = 0, ox = 0;  // output coordinate (NCHW); oc is also the channel read
  int64_t origin_y = 0, origin_x = 0;     // PoolGeometry::window_origin_y(oy), _x(ox)
  std::vector<PoolTap> taps;              // k_h·k_w taps, row-major
  int64_t argmax_tap = -1;                // max: index into taps of the chosen value
  int64_t argmax_y = -1, argmax_x = -1;   // max: input cell chosen (PyTorch's indices / W, % W)
  double sum = 0;                         // avg: sum of the values read
  int64_t divisor = 0;                    // avg: what the sum is divided by
  double value = 0;
};

class PoolTrace {
 public:
  const PoolGeometry& geometry() const { return m_geo; }
  const Pool2dParams& params() const { return m_params; }
  const Tensor& input() const { return m_input; }    // NCHW
  const Tensor& output() const { return m_output; }  // NCHW
  Tensor output_in_layout() const;
  int64_t window_count() const { return m_geo.outputs(); }
  int64_t window_index(int64_t n, int64_t oc, int64_t oy, int64_t ox) const;
  PoolWindow window(int64_t index) const;

 private:
  friend Result<PoolTrace> pool2d_trace(const Tensor&, const Pool2dParams&);
  PoolGeometry m_geo;
  Pool2dParams m_params;
  Tensor m_input, m_output;
};

Result<PoolTrace> pool2d_trace(const Tensor& input, const Pool2dParams& params);

}  // namespace cs
