// Transposed convolution with exactly torch.nn.ConvTranspose2d's semantics (stride, padding,
// output_padding, dilation, groups, bias), in NCHW with PyTorch's weight [C_in, C_out/groups,
// KH, KW] or NHWC with Keras Conv2DTranspose's kernel [KH, KW, C_out/groups, C_in]. Its geometry
// and validation (sentences like conv2d's), the scatter reference loop and a gather fast path
// that sum in one order, bit for bit. Depends on nothing but the standard library.
#pragma once

#include <cstdint>
#include <string>

#include "conv2d.hpp"
#include "params.hpp"
#include "result.hpp"
#include "tensor.hpp"

namespace cs {

// What the user asked for, as torch.nn.ConvTranspose2d names it. padding crops `padding` rows
// (columns) from each side of the full output; output_padding adds rows (columns) at the
// bottom (right) only, to pick one of the input sizes a strided conv maps to the same size.
struct ConvTranspose2dParams {
  int stride_h = 1, stride_w = 1;
  int pad_h = 0, pad_w = 0;
  int output_padding_h = 0, output_padding_w = 0;
  int dilation_h = 1, dilation_w = 1;
  int groups = 1;
  Layout layout = Layout::nchw;
};

// Everything the engine, the trace and the CLI need to index a transposed convolution.
// Scatter (the definition): input cell (iy, ix) tap (ky, kx) adds x·w to output
//   oy = iy * stride_h − pad_h + ky * dilation_h = output_y(iy, ky)
//   ox = ix * stride_w − pad_w + kx * dilation_w = output_x(ix, kx)
// Gather (the same sums read per output): a stride-1 convolution with the kernel rotated 180°
// over the zero-stuffed input ((stride − 1) zeros between neighbours, stuffed_h × stuffed_w)
// padded by gather_pad (dilation·(k − 1) − padding on each side, plus output_padding at the
// bottom/right). Stuffed row u holds input row u / stride_h when u % stride_h == 0.
// NOTE: when padding > dilation·(k − 1) the gather padding is negative: the stuffed input's
// outer rows are cropped and no window reaches them.
struct ConvTransposeGeometry {
  int64_t n = 0, c_in = 0, in_h = 0, in_w = 0;
  int64_t c_out = 0, k_h = 0, k_w = 0;
  int64_t out_h = 0, out_w = 0;
  int64_t groups = 1;
  int64_t c_in_per_group = 0, c_out_per_group = 0;
  int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int pad_h = 0, pad_w = 0, output_padding_h = 0, output_padding_w = 0;
  bool has_bias = false;

  int64_t outputs() const { return n * c_out * out_h * out_w; }
  int64_t taps_per_channel() const { return k_h * k_w; }
  // Rows/columns one kernel stamp covers on the output: dilation·(k − 1) + 1.
  int64_t span_h() const { return int64_t{dilation_h} * (k_h - 1) + 1; }
  int64_t span_w() const { return int64_t{dilation_w} * (k_w - 1) + 1; }

  // Scatter: the output row/column tap ky/kx of input row iy/column ix adds to (may fall in
  // the rows `padding` crops: < 0 or >= out_h).
  int64_t output_y(int64_t iy, int64_t ky) const { return iy * stride_h - pad_h + ky * dilation_h; }
  int64_t output_x(int64_t ix, int64_t kx) const { return ix * stride_w - pad_w + kx * dilation_w; }
  bool inside_output(int64_t oy, int64_t ox) const {
    return oy >= 0 && oy < out_h && ox >= 0 && ox < out_w;
  }

  // Gather: the zero-stuffed input, its padding, and the window of output row oy / column ox.
  int64_t stuffed_h() const { return (in_h - 1) * stride_h + 1; }
  int64_t stuffed_w() const { return (in_w - 1) * stride_w + 1; }
  int64_t gather_pad_top() const { return span_h() - 1 - pad_h; }
  int64_t gather_pad_left() const { return span_w() - 1 - pad_w; }
  int64_t gather_pad_bottom() const { return gather_pad_top() + output_padding_h; }
  int64_t gather_pad_right() const { return gather_pad_left() + output_padding_w; }
  // Stuffed row/column of tap (0, 0) of output row oy / column ox (stride 1).
  int64_t window_origin_y(int64_t oy) const { return oy - gather_pad_top(); }
  int64_t window_origin_x(int64_t ox) const { return ox - gather_pad_left(); }

  // Flat indices: input [N, C_in, H, W], output [N, C_out, OH, OW], weight
  // [C_in, C_out/groups, KH, KW] (ocg: the output channel within ic's group).
  int64_t input_index(int64_t batch, int64_t ic, int64_t iy, int64_t ix) const {
    return nchw_index(batch, ic, iy, ix, c_in, in_h, in_w);
  }
  int64_t output_index(int64_t batch, int64_t oc, int64_t oy, int64_t ox) const {
    return nchw_index(batch, oc, oy, ox, c_out, out_h, out_w);
  }
  int64_t weight_index(int64_t ic, int64_t ocg, int64_t ky, int64_t kx) const {
    return nchw_index(ic, ocg, ky, kx, c_out_per_group, k_h, k_w);
  }
};

// Shapes in PyTorch order: input [N, C_in, H, W], weight [C_in, C_out/groups, KH, KW],
// bias_len = C_out or -1 for no bias. The errors are PyTorch 1.13's checks, in sentences.
Result<ConvTransposeGeometry> conv_transpose2d_geometry(const Shape& input_nchw,
                                                        const Shape& weight_iohw, int64_t bias_len,
                                                        const ConvTranspose2dParams& params);
// Same, for shapes in the layout params.layout names (NHWC input with Keras's [KH, KW, C_out/g,
// C_in] kernel for nhwc).
Result<ConvTransposeGeometry> conv_transpose2d_geometry_for(const Shape& input, const Shape& weight,
                                                            int64_t bias_len,
                                                            const ConvTranspose2dParams& params);

// The output-size arithmetic with the user's numbers, one line per spatial axis:
//   out_h = (in_h − 1)·stride − 2·padding + dilation·(k_h − 1) + output_padding + 1
//         = (5 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 10
std::string conv_transpose2d_formula(const ConvTransposeGeometry& g);

// Keras's kernel [KH, KW, C_out/g, C_in] => PyTorch's [C_in, C_out/g, KH, KW] and back (the same
// permutation as hwio_to_oihw, with the roles of the two channel axes swapped).
Tensor keras_to_torch_transpose_kernel(const Tensor& kernel);
Tensor torch_to_keras_transpose_kernel(const Tensor& weight);

// input [N, C_in, H, W] (nchw) or [N, H, W, C_in] (nhwc); weight [C_in, C_out/g, KH, KW] (nchw)
// or [KH, KW, C_out/g, C_in] (nhwc); bias [C_out] or null. Output in the input's layout and
// dtype. The gather fast path on `exec.threads` threads; bit for bit the reference's sums.
Result<Tensor> conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor* bias,
                                const ConvTranspose2dParams& params, const ExecOptions& exec = {});

// The scatter loop, the definition: each input cell stamps its weight-scaled kernel onto the
// output. Summation order (the gather path and the trace use the same): for each output, per
// input channel of its group in order a partial p = 0; p += x·w for the real input cells that
// reach it in (iy, ix) row-major order (stuffed zeros and padding add nothing); then acc = 0;
// acc += p per channel; value = acc + bias. All in the dtype, like conv2d_reference.
Result<Tensor> conv_transpose2d_reference(const Tensor& input, const Tensor& weight,
                                          const Tensor* bias, const ConvTranspose2dParams& params);

}  // namespace cs
