// Keras's (TensorFlow's) padding rules for Conv2D, MaxPooling2D/AveragePooling2D and
// Conv2DTranspose, resolved into PyTorch-style parameters (padding per side) before the geometry
// is built, so one engine, trace and GPU path compute both frameworks. Keras's own refusals are
// sentences too. Depends on nothing but the standard library and the engine's types.
#pragma once

#include <cstdint>
#include <string>

#include "conv2d.hpp"
#include "conv_transpose.hpp"
#include "geometry.hpp"
#include "params.hpp"
#include "result.hpp"
#include "tensor.hpp"

namespace cs {

// Whose padding rules: PyTorch's (the default everywhere) or Keras's.
enum class Framework { pytorch, keras };
const char* framework_name(Framework framework);  // "pytorch" / "keras"
Result<Framework> parse_framework(const std::string& text);

// Keras's padding argument.
enum class KerasPadding { valid, same };

// TensorFlow's 'same' along one axis, for any stride:
//   out    = ⌈in / stride⌉
//   total  = max((out − 1)·stride + dilation·(k − 1) + 1 − in, 0)
//   before = ⌊total / 2⌋, after = total − before
// NOTE: like PyTorch's stride-1 'same', an odd total puts the extra row/column at the
// bottom/right. Pooling uses it with dilation 1 (k = the pool size).
struct SameAxis {
  int64_t out = 0, total = 0, before = 0, after = 0;
};
SameAxis keras_same_axis(int64_t in, int64_t k, int64_t stride, int64_t dilation);

// Conv2D. `asked`: stride, dilation, groups, layout as parsed, padding 'same' or 'valid';
// `input`/`weight`: 4-D shapes in asked.layout's order. Returns the parameters with 'same'
// resolved into PaddingSpec::sides. Refuses what Keras refuses: padding given as numbers or
// 'full', a padding mode other than zeros, strides > 1 together with dilation > 1. Shapes of
// another rank, or a stride or dilation below 1, are left for conv2d_geometry_for to name.
Result<Conv2dParams> keras_conv2d_params(const Conv2dParams& asked, const Shape& input,
                                         const Shape& weight);

// MaxPooling2D / AveragePooling2D. `asked`: op, kernel (pool_size), stride (0: the pool size, as
// in Keras) and layout, with no padding numbers, dilation, ceil_mode or exclude-pad (Keras has
// none of them: refused in sentences). 'same' pads per keras_same_axis; max pooling never picks
// the padding (TensorFlow pads with −∞) and average pooling divides by the real cells only.
Result<Pool2dParams> keras_pool2d_params(const Pool2dParams& asked, KerasPadding padding,
                                         const Shape& input);

// A layer's parameters under `framework`'s rules (the window's Rules switch, scenes, lessons):
// PyTorch's as they are; Keras's with `padding` ('valid' or 'same') in place of the PyTorch
// padding, which is ignored (the window keeps it for switching back), then resolved per side by
// keras_conv2d_params / keras_pool2d_params, whose refusals these return. Shapes in
// params.layout's order.
Result<Conv2dParams> conv2d_params_under(Framework framework, KerasPadding padding,
                                         const Conv2dParams& params, const Shape& input,
                                         const Shape& weight);
Result<Pool2dParams> pool2d_params_under(Framework framework, KerasPadding padding,
                                         const Pool2dParams& params, const Shape& input);
const char* keras_padding_name(KerasPadding padding);  // "valid" / "same"
// One line on how Keras's padding was resolved, for the window's Parameters view:
//   "Keras 'same', stride 2: rows total 1 → top 0, bottom 1; columns total 1 → left 0, right 1"
//   "Keras 'valid': no padding, so out = ⌈(in − dilation·(k − 1)) / stride⌉"
// `rows`/`cols`: keras_same_axis of each axis (unused for 'valid').
std::string keras_padding_reason(KerasPadding padding, int stride_h, int stride_w,
                                 const SameAxis& rows, const SameAxis& cols);

// Conv2DTranspose, computed as TensorFlow does: the gradient of a Conv2D with the same padding
// that maps an input of Keras's output length L back to `in` (keras_conv_transpose_length).
// The scatter's row r = i·stride − top + ky·dilation, with top = ⌊total / 2⌋ of that forward
// conv's 'same' padding (0 for 'valid'); rows outside [0, L) are dropped. As PyTorch parameters:
// padding = top, output_padding = max(extra, 0), then `crop_bottom` = max(−extra, 0) rows (0 or
// 1) dropped at the bottom, where extra = L − ((in − 1)·stride − 2·top + dilation·(k − 1) + 1).
struct KerasTransposePlan {
  ConvTranspose2dParams torch;  // what conv_transpose2d computes
  int crop_bottom = 0, crop_right = 0;
  int64_t out_h = 0, out_w = 0;  // Keras's output size
  // What the user asked for, for the formula.
  KerasPadding padding = KerasPadding::valid;
  bool has_output_padding = false;
  int output_padding_h = 0, output_padding_w = 0;
};
// Keras's output length (conv_utils.deconv_output_length), k_span = dilation·(k − 1) + 1:
//   no output_padding: valid in·stride + max(k_span − stride, 0); same in·stride
//   output_padding op: (in − 1)·stride + k_span − 2·pad + op, pad = ⌊k_span / 2⌋ (same), 0 (valid)
int64_t keras_conv_transpose_length(int64_t in, int64_t k_span, int stride, KerasPadding padding,
                                    bool has_output_padding, int output_padding);
// `asked`: stride, dilation, groups, layout and output_padding (used only when
// `has_output_padding`: Keras tells output_padding=None from 0) with padding 0; shapes 4-D in
// asked.layout's order (the kernel [KH, KW, C_out/g, C_in] for nhwc). Refuses padding numbers,
// strides > 1 with dilation > 1 and output_padding not smaller than the stride (Keras's rules).
Result<KerasTransposePlan> keras_conv_transpose2d_plan(const ConvTranspose2dParams& asked,
                                                       KerasPadding padding,
                                                       bool has_output_padding, const Shape& input,
                                                       const Shape& weight);
// The plan computed: conv_transpose2d with plan.torch, then the crop. Output in the input's
// layout: [N, C_out, L_h, L_w] or [N, L_h, L_w, C_out].
Result<Tensor> keras_conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor* bias,
                                      const KerasTransposePlan& plan, const ExecOptions& exec = {});

// Keras's output-size arithmetic with the user's numbers, for `convscope shape`:
//   same:  out_h = ⌈in_h / stride⌉ = ⌈5 / 2⌉ = 3
//          pad_h = max((out_h − 1)·stride + dilation·(k_h − 1) + 1 − in_h, 0)
//                = max((3 − 1)·2 + 1·(3 − 1) + 1 − 5, 0) = 2: top 1, bottom 1
//   valid: out_h = ⌈(in_h − dilation·(k_h − 1)) / stride⌉ = ⌈(5 − 1·(3 − 1)) / 2⌉ = 2
std::string keras_conv2d_formula(const ConvGeometry& g, KerasPadding padding);
std::string keras_pool2d_formula(const PoolGeometry& g, KerasPadding padding);
// The output length, then what the stamps cover and what is cropped from it.
// `g`: the geometry of plan.torch.
std::string keras_conv_transpose2d_formula(const ConvTransposeGeometry& g,
                                           const KerasTransposePlan& plan);

}  // namespace cs
