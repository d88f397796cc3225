// conv2d with exactly PyTorch's semantics (torch.nn.functional.conv2d plus Conv2d's
// padding_mode), in NCHW/OIHW or NHWC/HWIO layout, three ways:
//   conv2d()           the fast path (multi-threaded, vectorizable) for whole images;
//   conv2d_reference() one plain loop, summing in the trace's order (the ground truth);
//   conv2d_trace()     the reference plus every window and per-channel partial sum.
// Depends on nothing but the standard library (no GL, GLFW or ImGui).
#pragma once

#include <optional>
#include <vector>

#include "geometry.hpp"
#include "result.hpp"
#include "tensor.hpp"

namespace cs {

struct ExecOptions {
  int threads = 0;  // 0: all hardware threads
};

// input [N, C_in, H, W] (nchw) or [N, H, W, C_in] (nhwc); weight [C_out, C_in/g, KH, KW] (nchw)
// or [KH, KW, C_in/g, C_out] (nhwc); bias [C_out] or null. Output in the input's layout and dtype.
Result<Tensor> conv2d(const Tensor& input, const Tensor& weight, const Tensor* bias,
                      const Conv2dParams& params, const ExecOptions& exec = {});

// conv2d() writing into `out`, reusing its storage when its dtype and NCHW shape already match
// (the live preview calls this every frame). On error `out` is left as it was.
Status conv2d_into(const Tensor& input, const Tensor& weight, const Tensor* bias,
                   const Conv2dParams& params, Tensor& out, const ExecOptions& exec = {});

// The operand checks every conv2d backend starts with: weight and bias in the input's dtype, the
// bias 1-D. (Shapes are checked by conv2d_geometry_for.)
Status check_conv2d_operands(const Tensor& input, const Tensor& weight, const Tensor* bias);

Result<Tensor> conv2d_reference(const Tensor& input, const Tensor& weight, const Tensor* bias,
                                const Conv2dParams& params);

// Rotates every kernel by 180° (flips KH and KW), turning PyTorch's cross-correlation into a
// true convolution (what scipy.signal.convolve computes) and back. weight in `layout`'s order.
Tensor flip_kernel(const Tensor& weight, Layout layout);

// One multiply of the trace, in the order the engine summed them.
struct Tap {
  int64_t ic = 0;                  // input channel (absolute, not within the group)
  int64_t ky = 0, kx = 0;          // kernel position
  int64_t iy = 0, ix = 0;          // padded coordinate: origin + (ky·dilation_h, kx·dilation_w)
  bool in_padding = false;         // iy/ix lies outside the input
  int64_t src_y = -1, src_x = -1;  // input cell actually read (-1 when zeros padding reads 0)
  double x = 0, w = 0, product = 0;
  double channel_running = 0;  // partial sum of this channel so far, this tap included
  double running = 0;          // sum of earlier channels' partials + channel_running
};

// One output element's receptive field.
struct Window {
  int64_t n = 0, oc = 0, oy = 0, ox = 0;  // output coordinate (NCHW)
  int64_t origin_y = 0, origin_x = 0;     // top-left tap in input coordinates; negative in padding
  int64_t group = 0, ic_begin = 0;  // input channels ic_begin .. ic_begin + c_in_per_group - 1
  std::vector<double> partials;     // one per input channel of the group, in order
  double bias = 0;
  double value = 0;  // == ((0 + partials[0]) + partials[1] + ...) + bias, exactly, in the dtype
};

// The full record of a convolution. Memory: outputs × (C_in/groups) partial sums (rows padded
// for aligned stores by at most a third) plus copies of the operands; taps are recomputed on
// demand in the engine's order, bit for bit.
// Summation order (the same in conv2d_reference): for each channel of the group in order,
// p = 0; for ky, for kx: p += x·w; then acc = 0; acc += p for each channel; value = acc + bias.
class ConvTrace {
 public:
  const ConvGeometry& geometry() const { return m_geo; }
  const Conv2dParams& params() const { return m_params; }
  DType dtype() const { return m_output.dtype(); }
  // Operands in PyTorch order whatever the layout: input NCHW, weight OIHW, output NCHW.
  const Tensor& input() const { return m_input; }
  const Tensor& weight() const { return m_weight; }
  const std::optional<Tensor>& bias() const { return m_bias; }
  const Tensor& output() const { return m_output; }
  // The output in the layout the user asked for (NHWC for nhwc).
  Tensor output_in_layout() const;

  int64_t window_count() const { return m_geo.outputs(); }
  int64_t taps_per_window() const { return m_geo.c_in_per_group * m_geo.taps_per_channel(); }
  // Window index of output (n, oc, oy, ox): NCHW flat order.
  int64_t window_index(int64_t n, int64_t oc, int64_t oy, int64_t ox) const;
  Window window(int64_t index) const;
  double partial(int64_t window_index, int64_t channel_in_group) const;
  // Bytes held for the partial sums: outputs × C_in/groups values, rows padded by at most a third.
  std::size_t partial_bytes() const { return m_partials.nbytes(); }
  // tap in [0, taps_per_window()): channel-major, then ky, then kx. Replays the tap's channel up
  // to it.
  Tap tap(int64_t window_index, int64_t tap_index) const;
  // Every tap of `window` (from window()) in that order, each channel replayed once: bit for bit
  // what tap() gives one by one.
  std::vector<Tap> taps(const Window& window) const;
  // Value the padded input reads at padded coordinate (iy, ix) of channel ic (of batch n).
  double padded_value(int64_t n, int64_t ic, int64_t iy, int64_t ix) const;

 private:
  friend Result<ConvTrace> conv2d_trace(const Tensor&, const Tensor&, const Tensor*,
                                        const Conv2dParams&);
  ConvGeometry m_geo;
  Conv2dParams m_params;
  Tensor m_input, m_weight, m_output;
  std::optional<Tensor> m_bias;
  // [N, C_out, OH, C_in/groups, m_partial_row], in the dtype; rows may be padded past OW.
  Tensor m_partials;
  int64_t m_partial_row = 0;
};

Result<ConvTrace> conv2d_trace(const Tensor& input, const Tensor& weight, const Tensor* bias,
                               const Conv2dParams& params);

}  // namespace cs
