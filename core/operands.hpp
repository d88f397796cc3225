// Validated operands of a convolution in PyTorch's order (NCHW input, the operation's own
// weight order), shared by conv2d and conv_transpose2d. For NCHW the caller's tensors are used in
// place (no copy: a 1080p photo is 25 MB); NHWC input and Keras kernels are permuted once.
// Internal to core/ (no GL, GLFW or ImGui).
#pragma once

#include "params.hpp"
#include "tensor.hpp"

namespace cs {

template <class Geometry>
struct CanonicalOperands {
  Geometry geo;
  const Tensor* user_input = nullptr;
  const Tensor* user_weight = nullptr;
  bool permuted = false;                 // NHWC: the operands below were made
  Tensor input_storage, weight_storage;  // used only when permuted

  const Tensor& input() const { return permuted ? input_storage : *user_input; }
  const Tensor& weight() const { return permuted ? weight_storage : *user_weight; }

  // `to_torch_weight` turns the Keras kernel into PyTorch's order (used only for NHWC).
  static CanonicalOperands make(const Geometry& geo, const Tensor& input, const Tensor& weight,
                                Layout layout, Tensor (*to_torch_weight)(const Tensor&)) {
    CanonicalOperands c;
    c.geo = geo;
    c.user_input = &input;
    c.user_weight = &weight;
    c.permuted = layout == Layout::nhwc;
    if (c.permuted) {
      c.input_storage = nhwc_to_nchw(input);
      c.weight_storage = to_torch_weight(weight);
    }
    return c;
  }
};

}  // namespace cs
