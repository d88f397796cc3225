// conv1d with exactly torch.nn.functional.conv1d's semantics (input [N, C_in, L], unbatched
// [C_in, L], or one signal [L]; weight [C_out, C_in/groups, K] or one kernel [K]; stride,
// padding, dilation, groups, Conv1d's padding_mode), computed by the 2-D engine as a conv2d of
// height 1, so the fast path, the GPU and the limits are conv2d's. Beyond PyTorch: padding
// 'full' and `flip`, a true convolution, which with 1-D arrays is np.convolve exactly.
// Validation answers in 1-D words. Depends on nothing but the standard library.
#pragma once

#include <string>

#include "conv2d.hpp"
#include "geometry.hpp"
#include "params.hpp"
#include "result.hpp"
#include "tensor.hpp"

namespace cs {

struct Conv1dParams {
  int stride = 1;
  int dilation = 1;
  int groups = 1;
  // explicit_: `w` values added at each end (`h` is ignored); same, valid or full. (A pair or
  // sides are 2-D settings: refused.)
  PaddingSpec padding;
  PaddingMode padding_mode = PaddingMode::zeros;
  // A true convolution: the kernel is reversed before it slides, and 'same' puts the odd
  // padding value at the start instead of the end.
  // NOTE: that mirrored split is NumPy's: np.convolve(a, v, 'same') is the 'full' result from
  // index ⌊(K − 1) / 2⌋ on, while reversing the kernel of PyTorch's split (the extra value at the
  // end) would start one later for an even K. Odd kernels agree either way.
  bool flip = false;
};

// How a conv1d runs on the 2-D engine.
// NOTE: NumPy's rule: "If v is longer than a, the arrays are swapped before computation"
// (numpy.convolve's documentation). np.convolve(a, v, mode) with len(v) > len(a) is
// np.convolve(v, a, mode): the output of 'same' has len(v) values and 'valid' len(v) − len(a)
// + 1. conv1d does the same when it computes np.convolve: both arrays 1-D, flip, padding full,
// same or valid, zeros, stride 1, dilation 1, and the kernel longer than the signal.
struct Conv1dPlan {
  Shape input, weight;  // [N, C_in, L] and [C_out, C_in/groups, K] after the expansion and swap
  bool swapped = false;
  bool flip = false;      // the kernel is reversed (Conv1dParams::flip)
  Conv2dParams params;    // for [N, C_in, 1, L] and [C_out, C_in/groups, 1, K], padding resolved
  ConvGeometry geometry;  // height 1: in_w is L, k_w is K, out_w the output length
  Shape output;           // in the rank the user gave: [N, C_out, L_out], [C_out, L_out] or [L_out]
};

// `input` and `weight` as the user gave them; bias_len = C_out or -1.
Result<Conv1dPlan> conv1d_plan(const Shape& input, const Shape& weight, int64_t bias_len,
                               const Conv1dParams& params);

// The operands as the 2-D engine takes them: input [N, C_in, 1, L] and weight
// [C_out, C_in/groups, 1, K], swapped and the kernel reversed as the plan says. `input` and
// `weight` must have the shapes the plan was made from.
struct Conv1dOperands {
  Tensor input, weight;
};
Conv1dOperands conv1d_operands(const Tensor& input, const Tensor& weight, const Conv1dPlan& plan);

// [N, C_in, L] * [C_out, C_in/groups, K] (+ [C_out]) => [N, C_out, L_out] (and the unbatched and
// 1-D forms), in the input's dtype (the weight and bias must match it).
Result<Tensor> conv1d(const Tensor& input, const Tensor& weight, const Tensor* bias,
                      const Conv1dParams& params, const ExecOptions& exec = {});

// The output-length arithmetic with the user's numbers (g: the plan's geometry):
//   out_l = ⌊(in_l + pad_left + pad_right − dilation·(k − 1) − 1) / stride⌋ + 1
//         = ⌊(3 + 2 + 2 − 1·(3 − 1) − 1) / 1⌋ + 1 = 5
std::string conv1d_formula(const ConvGeometry& g);

}  // namespace cs
