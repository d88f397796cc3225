// Parameters of conv2d and pooling, exactly as torch.nn.Conv2d / F.max_pool2d / F.avg_pool2d
// name them: what the user asked for. The geometry computed from them (resolved padding, output
// size, the index formula) and its validation live in geometry.hpp.
// Depends on nothing but the standard library.
#pragma once

#include <cstdint>
#include <string>

#include "result.hpp"
#include "tensor.hpp"

namespace cs {

enum class PaddingMode { zeros, reflect, replicate, circular };
enum class Layout { nchw, nhwc };  // nchw: PyTorch (weights OIHW); nhwc: Keras/TF (weights HWIO)

const char* padding_mode_name(PaddingMode mode);
Result<PaddingMode> parse_padding_mode(const std::string& text);
const char* layout_name(Layout layout);
Result<Layout> parse_layout(const std::string& text);

// How the user asked for padding: explicit rows/columns (PyTorch's int or (h, w) pair), 'same'
// or 'valid'; beyond PyTorch, 'full' (dilation·(k − 1) on every side: SciPy's and NumPy's
// mode='full') and `sides` (one number per side, what a framework's own rule resolved to before
// the geometry is built: Keras's 'same', NumPy's 'same' for a flipped even kernel).
struct PaddingSpec {
  enum class Kind { explicit_, same, valid, full, sides };
  Kind kind = Kind::explicit_;
  int h = 0;  // rows added at the top and at the bottom (explicit only)
  int w = 0;  // columns added at the left and at the right (explicit only)
  int top = 0, bottom = 0, left = 0, right = 0;  // sides only

  static PaddingSpec symmetric(int p) { return {Kind::explicit_, p, p}; }
  static PaddingSpec pair(int ph, int pw) { return {Kind::explicit_, ph, pw}; }
  static PaddingSpec same() { return {Kind::same, 0, 0}; }
  static PaddingSpec valid() { return {Kind::valid, 0, 0}; }
  static PaddingSpec full() { return {Kind::full, 0, 0}; }
  static PaddingSpec sides(int top, int bottom, int left, int right) {
    return {Kind::sides, 0, 0, top, bottom, left, right};
  }
};
// "1", "1,2", "same", "valid", "full"; sides: "top,bottom,left,right" ("0,1,0,1").
std::string padding_spec_to_string(const PaddingSpec& spec);
inline bool same_padding_spec(const PaddingSpec& a, const PaddingSpec& b) {
  return a.kind == b.kind && a.h == b.h && a.w == b.w && a.top == b.top && a.bottom == b.bottom &&
         a.left == b.left && a.right == b.right;
}

struct Conv2dParams {
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int groups = 1;
  PaddingSpec padding;
  PaddingMode padding_mode = PaddingMode::zeros;
  Layout layout = Layout::nchw;
};

// The same arithmetic on NCHW operands: every setting but the layout.
inline bool same_arithmetic(const Conv2dParams& a, const Conv2dParams& b) {
  return a.stride_h == b.stride_h && a.stride_w == b.stride_w && a.dilation_h == b.dilation_h &&
         a.dilation_w == b.dilation_w && a.groups == b.groups &&
         same_padding_spec(a.padding, b.padding) && a.padding_mode == b.padding_mode;
}

enum class PoolOp { max, avg };
const char* pool_op_name(PoolOp op);

struct Pool2dParams {
  PoolOp op = PoolOp::max;
  int k_h = 2, k_w = 2;
  int stride_h = 0, stride_w = 0;  // 0 means "same as the kernel" (PyTorch's default)
  int pad_h = 0, pad_w = 0;        // at most half the kernel
  // -1: pad_h / pad_w again (PyTorch's padding is symmetric). Keras's 'same', resolved before
  // the geometry is built (core/keras.hpp), may put one more row/column at the bottom/right.
  int pad_bottom = -1, pad_right = -1;
  int dilation_h = 1, dilation_w = 1;  // max pooling only
  bool ceil_mode = false;
  bool count_include_pad = true;  // avg pooling only
  Layout layout = Layout::nchw;
};

}  // namespace cs
