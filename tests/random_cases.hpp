// Random layer settings for the randomized tests, shared by the CPU and GPU suites so both draw
// from the same space: conv2d (stride, dilation, groups, the four padding modes, numbers, 'same',
// 'valid', NCHW/NHWC, bias), pooling (max/avg, stride 0 = the kernel, padding, dilation for max,
// ceil_mode, count_include_pad) and transposed convolution (stride, padding, output_padding below
// stride or dilation, dilation, groups). A drawn case may be invalid (a kernel larger than the
// padded input): the caller asks the geometry and skips it, which validation tests cover. Each
// case describes itself for a failure message, with the seed to replay it.
#pragma once

#include <algorithm>
#include <random>
#include <sstream>
#include <string>

#include "core/conv_transpose.hpp"
#include "core/params.hpp"
#include "core/tensor.hpp"

namespace cs::test {

// How big the drawn inputs get, and how often they are NHWC (one case in `nhwc_one_in`; 0: never).
struct CaseSizes {
  int max_h = 20, max_w = 30;
  int nhwc_one_in = 2;
};

inline int pick(std::mt19937_64& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

inline Layout pick_layout(std::mt19937_64& rng, const CaseSizes& s) {
  return s.nhwc_one_in > 0 && pick(rng, 1, s.nhwc_one_in) == 1 ? Layout::nhwc : Layout::nchw;
}

// [N, C, H, W] in `layout`'s order.
inline Shape activation_shape(Layout layout, int64_t n, int64_t c, int64_t h, int64_t w) {
  return layout == Layout::nhwc ? Shape{n, h, w, c} : Shape{n, c, h, w};
}

struct ConvCase {
  Conv2dParams p;
  Shape x, w;  // in p.layout's order (NHWC: the HWIO kernel)
  int64_t c_out = 1;
  bool bias = false;
  std::string describe() const {
    std::ostringstream o;
    o << "x " << shape_to_string(x) << " w " << shape_to_string(w) << " stride " << p.stride_h
      << "," << p.stride_w << " dilation " << p.dilation_h << "," << p.dilation_w << " groups "
      << p.groups << " padding " << padding_spec_to_string(p.padding) << " "
      << padding_mode_name(p.padding_mode) << " " << layout_name(p.layout) << (bias ? " bias" : "");
    return o.str();
  }
};

inline ConvCase random_conv2d_case(std::mt19937_64& rng, const CaseSizes& s) {
  ConvCase c;
  Conv2dParams& p = c.p;
  const int groups = pick(rng, 1, 3);
  const int c_in = groups * pick(rng, 1, 2);
  c.c_out = groups * pick(rng, 1, 3);
  const int k_h = pick(rng, 1, 5), k_w = pick(rng, 1, 5);
  const int in_h = pick(rng, 1, s.max_h), in_w = pick(rng, 1, s.max_w), n = pick(rng, 1, 2);
  p.stride_h = pick(rng, 1, 3);
  p.stride_w = pick(rng, 1, 3);
  p.dilation_h = pick(rng, 1, 3);
  p.dilation_w = pick(rng, 1, 3);
  p.groups = groups;
  p.padding_mode = static_cast<PaddingMode>(pick(rng, 0, 3));
  switch (pick(rng, 0, 3)) {
    case 0:
      p.padding = PaddingSpec::pair(pick(rng, 0, 3), pick(rng, 0, 3));
      break;
    case 1:
      p.padding = PaddingSpec::same();
      p.stride_h = p.stride_w = 1;  // PyTorch's 'same' takes stride 1 only
      break;
    case 2:
      p.padding = PaddingSpec::valid();
      break;
    default:
      p.padding = PaddingSpec::symmetric(pick(rng, 0, 2));
  }
  p.layout = pick_layout(rng, s);
  c.bias = pick(rng, 0, 1) == 1;
  c.x = activation_shape(p.layout, n, c_in, in_h, in_w);
  c.w = p.layout == Layout::nhwc ? Shape{k_h, k_w, c_in / groups, c.c_out}
                                 : Shape{c.c_out, c_in / groups, k_h, k_w};
  return c;
}

struct PoolCase {
  Pool2dParams p;
  Shape x;  // in p.layout's order
  std::string describe() const {
    std::ostringstream o;
    o << pool_op_name(p.op) << " x " << shape_to_string(x) << " k " << p.k_h << "," << p.k_w
      << " stride " << p.stride_h << "," << p.stride_w << " pad " << p.pad_h << "," << p.pad_w
      << " dilation " << p.dilation_h << "," << p.dilation_w << (p.ceil_mode ? " ceil_mode" : "")
      << (p.count_include_pad ? " count_include_pad" : " exclude_pad") << " "
      << layout_name(p.layout);
    return o.str();
  }
};

inline PoolCase random_pool2d_case(std::mt19937_64& rng, const CaseSizes& s) {
  PoolCase c;
  Pool2dParams& p = c.p;
  p.op = pick(rng, 0, 1) == 0 ? PoolOp::max : PoolOp::avg;
  p.k_h = pick(rng, 1, 4);
  p.k_w = pick(rng, 1, 4);
  p.stride_h = pick(rng, 0, 3);  // 0: the kernel size, as PyTorch's default
  p.stride_w = pick(rng, 0, 3);
  p.pad_h = pick(rng, 0, p.k_h / 2);
  p.pad_w = pick(rng, 0, p.k_w / 2);
  if (p.op == PoolOp::max) {  // avg_pool2d has no dilation
    p.dilation_h = pick(rng, 1, 3);
    p.dilation_w = pick(rng, 1, 3);
  }
  p.ceil_mode = pick(rng, 0, 1) == 1;
  p.count_include_pad = pick(rng, 0, 1) == 1;
  p.layout = pick_layout(rng, s);
  const int n = pick(rng, 1, 2), ch = pick(rng, 1, 4);
  c.x = activation_shape(p.layout, n, ch, pick(rng, 1, s.max_h), pick(rng, 1, s.max_w));
  return c;
}

struct ConvTransposeCase {
  ConvTranspose2dParams p;
  Shape x, w;  // NCHW: w [C_in, C_out/g, KH, KW]; NHWC: Keras's [KH, KW, C_out/g, C_in]
  int64_t c_out = 1;
  bool bias = false;
  std::string describe() const {
    std::ostringstream o;
    o << "x " << shape_to_string(x) << " w " << shape_to_string(w) << " stride " << p.stride_h
      << "," << p.stride_w << " padding " << p.pad_h << "," << p.pad_w << " output_padding "
      << p.output_padding_h << "," << p.output_padding_w << " dilation " << p.dilation_h << ","
      << p.dilation_w << " groups " << p.groups << " " << layout_name(p.layout)
      << (bias ? " bias" : "");
    return o.str();
  }
};

inline ConvTransposeCase random_conv_transpose2d_case(std::mt19937_64& rng, const CaseSizes& s) {
  ConvTransposeCase c;
  ConvTranspose2dParams& p = c.p;
  p.groups = pick(rng, 1, 3);
  const int c_in = p.groups * pick(rng, 1, 3), c_out_per_group = pick(rng, 1, 3);
  c.c_out = p.groups * c_out_per_group;
  const int k_h = pick(rng, 1, 4), k_w = pick(rng, 1, 4);
  const int in_h = pick(rng, 1, s.max_h), in_w = pick(rng, 1, s.max_w), n = pick(rng, 1, 2);
  p.stride_h = pick(rng, 1, 3);
  p.stride_w = pick(rng, 1, 3);
  p.dilation_h = pick(rng, 1, 3);
  p.dilation_w = pick(rng, 1, 3);
  p.pad_h = pick(rng, 0, 3);
  p.pad_w = pick(rng, 0, 3);
  // PyTorch: output_padding smaller than the stride or the dilation.
  p.output_padding_h = pick(rng, 0, std::max(p.stride_h, p.dilation_h) - 1);
  p.output_padding_w = pick(rng, 0, std::max(p.stride_w, p.dilation_w) - 1);
  p.layout = pick_layout(rng, s);
  c.bias = pick(rng, 0, 1) == 1;
  c.x = activation_shape(p.layout, n, c_in, in_h, in_w);
  c.w = p.layout == Layout::nhwc ? Shape{k_h, k_w, c_out_per_group, c_in}
                                 : Shape{c_in, c_out_per_group, k_h, k_w};
  return c;
}

}  // namespace cs::test
