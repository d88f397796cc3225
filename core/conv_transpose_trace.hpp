// The transposed convolution's trace view: both readings students need, with the same numbers.
//   gather  (the TraceView's windows and taps): each output cell is a stride-1 convolution of the
//           kernel rotated 180° over the zero-stuffed, padded input; a tap names the stuffed cell,
//           whether it is a real input cell, a stuffed zero or padding, the weight and the product.
//   scatter (stamps()): each input cell stamps its weight-scaled kernel onto the output; the
//           output cells it adds to and the amounts (overlapping stamps add).
// Both sum in conv_transpose.hpp's order, so the windows' values are the engine's bit for bit.
// Depends on the engine's types only (no GL, no ImGui).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "conv_transpose.hpp"
#include "trace.hpp"

namespace cs {

// Scatter: one tap of an input cell's stamp.
struct TraceStamp {
  int64_t oc = 0;          // output channel (absolute)
  int64_t ky = 0, kx = 0;  // tap of the layer's kernel, as stored (not rotated)
  int64_t oy = 0, ox = 0;  // output cell: iy·stride − padding + ky·dilation (and for x)
  bool inside = true;      // false: the cell falls in the border the padding crops (not added)
  double x = 0, w = 0;     // the input value and weight[ic, oc − first, ky, kx]
  double amount = 0;       // x·w in the dtype: what this tap adds to (oc, oy, ox)
};

class ConvTransposeTraceView final : public TraceView {
 public:
  // Operands already validated against `g`, in PyTorch order: input NCHW, weight [C_in,
  // C_out/g, KH, KW], bias [C_out]; output NCHW as the engine computed it.
  ConvTransposeTraceView(const ConvTransposeGeometry& g, const ConvTranspose2dParams& params,
                         Tensor input, Tensor weight, std::optional<Tensor> bias, Tensor output);
  TraceOp op() const override { return TraceOp::conv_transpose2d; }
  const TraceShape& shape() const override { return m_shape; }
  Layout layout() const override { return m_params.layout; }
  DType dtype() const override { return m_output.dtype(); }
  const Tensor& input() const override { return m_input; }
  // The gather reading's kernel [C_out, C_in/g, KH, KW]: weight()[oc, icg, ky, kx] =
  // layer_weight()[ic, ocg, KH − 1 − ky, KW − 1 − kx] (rotated 180°, channel axes swapped).
  const Tensor* weight() const override { return &m_gather_weight; }
  const Tensor* bias() const override { return m_bias ? &*m_bias : nullptr; }
  const Tensor& output() const override { return m_output; }
  Tensor output_in_layout() const override;
  std::string settings_line() const override;
  std::string formula() const override;
  TraceWindow window(int64_t index) const override;
  std::vector<TraceTap> taps(int64_t window) const override;
  Explanation explain(int64_t window) const override;
  // Stuffed cell (iy, ix) of channel ic: the input value at a real cell, 0 for a stuffed zero or
  // the padding.
  double padded_value(int64_t n, int64_t ic, int64_t iy, int64_t ix) const override;

  const ConvTransposeGeometry& geometry() const { return m_geo; }
  const ConvTranspose2dParams& params() const { return m_params; }
  // The layer's weight as PyTorch stores it, [C_in, C_out/g, KH, KW].
  const Tensor& layer_weight() const { return m_weight; }
  // Scatter: every tap of input cell (n, ic, iy, ix)'s stamp, output channel by output channel
  // of its group, then ky, then kx; cells cropped by the padding are listed with inside = false.
  std::vector<TraceStamp> stamps(int64_t n, int64_t ic, int64_t iy, int64_t ix) const;

 private:
  ConvTransposeGeometry m_geo;
  ConvTranspose2dParams m_params;
  Tensor m_input, m_weight, m_gather_weight, m_output;
  std::optional<Tensor> m_bias;
  TraceShape m_shape;
};

// Runs the engine and wraps it; operands in params.layout's order, as conv_transpose2d().
Result<TraceViewPtr> trace_conv_transpose2d(const Tensor& input, const Tensor& weight,
                                            const Tensor* bias,
                                            const ConvTranspose2dParams& params);

}  // namespace cs
