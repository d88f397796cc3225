// Keras's padding rules resolved into PyTorch-style parameters, Keras's refusals as sentences,
// the transposed convolution's crop, and the output-size arithmetic as Keras computes it.
// Must not depend on GL, GLFW or ImGui.
#include "keras.hpp"
#include "sentence.hpp"

#include <algorithm>
#include <climits>
#include <string>
#include <tuple>

namespace cs {

namespace {

using namespace sentence;

// Keras's Conv layers refuse a stride above 1 along with a dilation above 1 (either axis).
Status check_stride_dilation(int sh, int sw, int dh, int dw, const char* layer) {
  if (std::max(sh, sw) > 1 && std::max(dh, dw) > 1) {
    return make_error(std::string("Keras's ") + layer +
                          " refuses strides > 1 together with dilation_rate > 1 (strides " +
                          hw(sh, sw) + ", dilation " + hw(dh, dw) +
                          "); use one of them, or PyTorch's rules",
                      "dilation");
  }
  return ok();
}

Error numbers_refused(const std::string& layer, const std::string& given) {
  return make_error("Keras's " + layer + " takes padding 'valid' or 'same', not " + given +
                        "; that padding follows PyTorch's rules (framework pytorch)",
                    "padding");
}

// A padding per side that fits the engine's int.
Status check_fits(const SameAxis& a, bool rows) {
  if (a.before <= INT_MAX && a.after <= INT_MAX) return ok();
  return make_error("Keras's 'same' padding of " + s(a.total) + (rows ? " rows" : " columns") +
                        " is too large to compute; use a smaller kernel or dilation",
                    "padding");
}

}  // namespace

const char* framework_name(Framework framework) {
  return framework == Framework::keras ? "keras" : "pytorch";
}

Result<Framework> parse_framework(const std::string& text) {
  std::string l = text;
  for (char& c : l)
    c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (l == "pytorch" || l == "torch") return Framework::pytorch;
  if (l == "keras" || l == "tensorflow" || l == "tf") return Framework::keras;
  return make_error("unknown framework '" + text +
                        "'; choose pytorch (PyTorch's padding rules, the default) or keras "
                        "(Keras's and TensorFlow's)",
                    "framework");
}

SameAxis keras_same_axis(int64_t in, int64_t k, int64_t stride, int64_t dilation) {
  SameAxis a;
  a.out = (in + stride - 1) / stride;
  a.total = std::max<int64_t>((a.out - 1) * stride + dilation * (k - 1) + 1 - in, 0);
  a.before = a.total / 2;
  a.after = a.total - a.before;
  return a;
}

Result<Conv2dParams> keras_conv2d_params(const Conv2dParams& asked, const Shape& input,
                                         const Shape& weight) {
  const PaddingSpec::Kind kind = asked.padding.kind;
  if (kind == PaddingSpec::Kind::full) return numbers_refused("Conv2D", "'full'");
  if (kind == PaddingSpec::Kind::explicit_ || kind == PaddingSpec::Kind::sides) {
    return numbers_refused("Conv2D", "numbers like " + padding_spec_to_string(asked.padding));
  }
  if (asked.padding_mode != PaddingMode::zeros) {
    return make_error(std::string("Keras's Conv2D pads with zeros only; padding mode ") +
                          padding_mode_name(asked.padding_mode) +
                          " is PyTorch's (framework pytorch)",
                      "padding_mode");
  }
  if (auto st = check_stride_dilation(asked.stride_h, asked.stride_w, asked.dilation_h,
                                      asked.dilation_w, "Conv2D");
      !st) {
    return st.error();
  }
  if (kind == PaddingSpec::Kind::valid || input.size() != 4 || weight.size() != 4 ||
      asked.stride_h < 1 || asked.stride_w < 1 || asked.dilation_h < 1 || asked.dilation_w < 1) {
    return asked;  // the geometry names what is wrong with the shapes or numbers
  }
  const bool nhwc = asked.layout == Layout::nhwc;
  const int64_t in_h = nhwc ? input[1] : input[2], in_w = nhwc ? input[2] : input[3];
  const int64_t k_h = nhwc ? weight[0] : weight[2], k_w = nhwc ? weight[1] : weight[3];
  const SameAxis rows = keras_same_axis(in_h, k_h, asked.stride_h, asked.dilation_h);
  const SameAxis cols = keras_same_axis(in_w, k_w, asked.stride_w, asked.dilation_w);
  if (auto st = check_fits(rows, true); !st) return st.error();
  if (auto st = check_fits(cols, false); !st) return st.error();
  Conv2dParams p = asked;
  p.padding = PaddingSpec::sides(static_cast<int>(rows.before), static_cast<int>(rows.after),
                                 static_cast<int>(cols.before), static_cast<int>(cols.after));
  return p;
}

Result<Pool2dParams> keras_pool2d_params(const Pool2dParams& asked, KerasPadding padding,
                                         const Shape& input) {
  const std::string layer =
      asked.op == PoolOp::max ? "MaxPooling2D" : std::string("AveragePooling2D");
  if (asked.pad_h != 0 || asked.pad_w != 0) {
    return numbers_refused(layer, "numbers like " + hw(asked.pad_h, asked.pad_w));
  }
  if (asked.dilation_h != 1 || asked.dilation_w != 1) {
    return make_error("Keras's " + layer + " has no dilation (got " +
                          hw(asked.dilation_h, asked.dilation_w) +
                          "); dilated max pooling is PyTorch's (framework pytorch)",
                      "dilation");
  }
  if (asked.ceil_mode) {
    return make_error("Keras's " + layer +
                          " has no ceil_mode; its padding 'same' keeps \xE2\x8C\x88in / "
                          "stride\xE2\x8C\x89 outputs instead",
                      "ceil_mode");
  }
  if (!asked.count_include_pad) {
    return make_error(
        "Keras's AveragePooling2D never counts the padding, so it has no exclude-pad "
        "setting; leave it out",
        "count_include_pad");
  }
  Pool2dParams p = asked;
  p.count_include_pad = false;  // TensorFlow divides by the real cells of each window
  const int stride_h = p.stride_h == 0 ? p.k_h : p.stride_h;
  const int stride_w = p.stride_w == 0 ? p.k_w : p.stride_w;
  if (padding == KerasPadding::valid || input.size() != 4 || stride_h < 1 || stride_w < 1 ||
      p.k_h < 1 || p.k_w < 1) {
    return p;  // the geometry names what is wrong with the shape or numbers
  }
  const bool nhwc = p.layout == Layout::nhwc;
  const int64_t in_h = nhwc ? input[1] : input[2], in_w = nhwc ? input[2] : input[3];
  const SameAxis rows = keras_same_axis(in_h, p.k_h, stride_h, 1);
  const SameAxis cols = keras_same_axis(in_w, p.k_w, stride_w, 1);
  // NOTE: total ≤ k − 1, so each side is at most half the window, as pool2d_geometry requires.
  p.pad_h = static_cast<int>(rows.before);
  p.pad_bottom = static_cast<int>(rows.after);
  p.pad_w = static_cast<int>(cols.before);
  p.pad_right = static_cast<int>(cols.after);
  return p;
}

Result<Conv2dParams> conv2d_params_under(Framework framework, KerasPadding padding,
                                         const Conv2dParams& params, const Shape& input,
                                         const Shape& weight) {
  if (framework == Framework::pytorch) return params;
  Conv2dParams asked = params;
  asked.padding = padding == KerasPadding::same ? PaddingSpec::same() : PaddingSpec::valid();
  return keras_conv2d_params(asked, input, weight);
}

Result<Pool2dParams> pool2d_params_under(Framework framework, KerasPadding padding,
                                         const Pool2dParams& params, const Shape& input) {
  if (framework == Framework::pytorch) return params;
  Pool2dParams asked = params;
  asked.pad_h = asked.pad_w = 0;
  asked.pad_bottom = asked.pad_right = -1;
  return keras_pool2d_params(asked, padding, input);
}

const char* keras_padding_name(KerasPadding padding) {
  return padding == KerasPadding::same ? "same" : "valid";
}

std::string keras_padding_reason(KerasPadding padding, int stride_h, int stride_w,
                                 const SameAxis& rows, const SameAxis& cols) {
  if (padding == KerasPadding::valid) {
    return std::string("Keras 'valid': no padding, so out = ") + kCeilL + "(in" + kMinus +
           "dilation" + kDot + "(k" + kMinus + "1)) / stride" + kCeilR;
  }
  const char* arrow = " \xE2\x86\x92 ";  // →
  return std::string("Keras 'same', stride ") +
         (stride_h == stride_w ? s(stride_h) : hw(stride_h, stride_w)) + ": rows total " +
         s(rows.total) + arrow + "top " + s(rows.before) + ", bottom " + s(rows.after) +
         "; columns total " + s(cols.total) + arrow + "left " + s(cols.before) + ", right " +
         s(cols.after);
}

int64_t keras_conv_transpose_length(int64_t in, int64_t k_span, int stride, KerasPadding padding,
                                    bool has_output_padding, int output_padding) {
  if (!has_output_padding) {
    return padding == KerasPadding::valid ? in * stride + std::max<int64_t>(k_span - stride, 0)
                                          : in * stride;
  }
  const int64_t pad = padding == KerasPadding::same ? k_span / 2 : 0;
  return (in - 1) * stride + k_span - 2 * pad + output_padding;
}

namespace {

struct TransposeAxis {
  int pad = 0, output_padding = 0, crop = 0;
  int64_t out = 0;
};

// One axis of the plan: Keras's length, the forward conv's top padding, PyTorch's numbers.
TransposeAxis transpose_axis(int64_t in, int64_t k, int stride, int dilation, KerasPadding padding,
                             bool has_op, int op) {
  const int64_t span = int64_t{dilation} * (k - 1) + 1;
  TransposeAxis a;
  a.out = keras_conv_transpose_length(in, span, stride, padding, has_op, op);
  const int64_t covered = (in - 1) * stride + span;
  const int64_t top =
      padding == KerasPadding::same ? std::max<int64_t>(covered - a.out, 0) / 2 : int64_t{0};
  const int64_t extra = a.out - (covered - 2 * top);
  a.pad = static_cast<int>(top);
  a.output_padding = static_cast<int>(std::max<int64_t>(extra, 0));
  a.crop = static_cast<int>(std::max<int64_t>(-extra, 0));
  return a;
}

}  // namespace

Result<KerasTransposePlan> keras_conv_transpose2d_plan(const ConvTranspose2dParams& asked,
                                                       KerasPadding padding,
                                                       bool has_output_padding, const Shape& input,
                                                       const Shape& weight) {
  if (asked.pad_h != 0 || asked.pad_w != 0) {
    return numbers_refused("Conv2DTranspose", "numbers like " + hw(asked.pad_h, asked.pad_w));
  }
  if (auto st = check_stride_dilation(asked.stride_h, asked.stride_w, asked.dilation_h,
                                      asked.dilation_w, "Conv2DTranspose");
      !st) {
    return st.error();
  }
  const int op_h = has_output_padding ? asked.output_padding_h : 0;
  const int op_w = has_output_padding ? asked.output_padding_w : 0;
  if (op_h < 0 || op_w < 0) {
    return make_error(
        "output_padding cannot be negative; got " + hw(op_h, op_w) + " (rows" + kTimes + "columns)",
        "output_padding");
  }
  if (has_output_padding && (op_h >= asked.stride_h || op_w >= asked.stride_w)) {
    return make_error(
        "Keras's Conv2DTranspose needs output_padding smaller than the stride; got "
        "output_padding " +
            hw(op_h, op_w) + " with strides " + hw(asked.stride_h, asked.stride_w),
        "output_padding");
  }
  KerasTransposePlan plan;
  plan.torch = asked;
  plan.torch.output_padding_h = plan.torch.output_padding_w = 0;
  plan.padding = padding;
  plan.has_output_padding = has_output_padding;
  plan.output_padding_h = op_h;
  plan.output_padding_w = op_w;
  if (input.size() != 4 || weight.size() != 4 || asked.stride_h < 1 || asked.stride_w < 1 ||
      asked.dilation_h < 1 || asked.dilation_w < 1) {
    return plan;  // the geometry names what is wrong with the shapes or numbers
  }
  const bool nhwc = asked.layout == Layout::nhwc;
  const int64_t in_h = nhwc ? input[1] : input[2], in_w = nhwc ? input[2] : input[3];
  const int64_t k_h = nhwc ? weight[0] : weight[2], k_w = nhwc ? weight[1] : weight[3];
  const TransposeAxis rows = transpose_axis(in_h, k_h, asked.stride_h, asked.dilation_h, padding,
                                            has_output_padding, op_h);
  const TransposeAxis cols = transpose_axis(in_w, k_w, asked.stride_w, asked.dilation_w, padding,
                                            has_output_padding, op_w);
  for (const auto& [axis, in, rows_word] :
       {std::tuple{&rows, in_h, "row"}, std::tuple{&cols, in_w, "column"}}) {
    if (axis->out >= 1) continue;
    return make_error("Keras's Conv2DTranspose would give " + s(axis->out) + " output " +
                          rows_word + "s for " + s(in) + " input " + rows_word +
                          (in == 1 ? "" : "s") +
                          " with this kernel, stride and output_padding, and refuses it; use a "
                          "larger input or output_padding",
                      "output_padding");
  }
  plan.torch.pad_h = rows.pad;
  plan.torch.pad_w = cols.pad;
  plan.torch.output_padding_h = rows.output_padding;
  plan.torch.output_padding_w = cols.output_padding;
  plan.crop_bottom = rows.crop;
  plan.crop_right = cols.crop;
  plan.out_h = rows.out;
  plan.out_w = cols.out;
  return plan;
}

namespace {

// [A0, A1, A2, A3] => [B0, B1, B2, B3], each B ≤ A: the leading block (for NCHW the top-left
// out_h × out_w of every plane; for NHWC the same rows and columns with every channel).
template <class T>
void crop_copy(const Tensor& from, Tensor& to) {
  const T* x = from.data<T>();
  T* y = to.data<T>();
  const Shape& a = from.shape();
  const Shape& b = to.shape();
  const int64_t d0 = b[0], d1 = b[1], d2 = b[2], d3 = b[3];
  for (int64_t i0 = 0; i0 < d0; ++i0)
    for (int64_t i1 = 0; i1 < d1; ++i1)
      for (int64_t i2 = 0; i2 < d2; ++i2) {
        const T* src = x + ((i0 * a[1] + i1) * a[2] + i2) * a[3];
        T* dst = y + ((i0 * d1 + i1) * d2 + i2) * d3;
        std::copy(src, src + d3, dst);
      }
}

}  // namespace

Result<Tensor> keras_conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor* bias,
                                      const KerasTransposePlan& plan, const ExecOptions& exec) {
  auto full = conv_transpose2d(input, weight, bias, plan.torch, exec);
  if (!full) return full.error();
  if (plan.crop_bottom == 0 && plan.crop_right == 0) return full;
  const bool nhwc = plan.torch.layout == Layout::nhwc;
  Shape kept = full->shape();
  if (nhwc) {
    kept[1] -= plan.crop_bottom;
    kept[2] -= plan.crop_right;
  } else {
    kept[2] -= plan.crop_bottom;
    kept[3] -= plan.crop_right;
  }
  Tensor out(full->dtype(), kept);
  if (full->dtype() == DType::f32) {
    crop_copy<float>(*full, out);
  } else {
    crop_copy<double>(*full, out);
  }
  return out;
}

namespace {

struct AxisWords {
  const char *out, *in, *k, *pad, *before, *after;
};
const AxisWords kRows{"out_h", "in_h", "k_h", "pad_h", "top", "bottom"};
const AxisWords kCols{"out_w", "in_w", "k_w", "pad_w", "left", "right"};

std::string ceil_of(const std::string& inside) {
  return kCeilL + inside + kCeilR;
}

// "out_h = ⌈in_h / stride⌉ = ⌈5 / 2⌉ = 3\npad_h = max(...) = max(...) = 2: top 1, bottom 1"
// `dilation` 0: pooling (k instead of dilation·(k − 1) + 1).
std::string same_lines(const AxisWords& a, int64_t in, int64_t k, int stride, int dilation,
                       int64_t out, int before, int after) {
  const bool pool = dilation == 0;
  const std::string span_words =
      pool ? std::string(" + ") + a.k
           : std::string(" + dilation") + kDot + "(" + a.k + kMinus + "1) + 1";
  const std::string span_nums =
      pool ? " + " + s(k) : " + " + s(dilation) + kDot + "(" + s(k) + kMinus + "1) + 1";
  std::string r = std::string(a.out) + " = " + ceil_of(std::string(a.in) + " / stride") + " = " +
                  ceil_of(s(in) + " / " + s(stride)) + " = " + s(out) + "\n";
  r += std::string(a.pad) + " = max((" + a.out + kMinus + "1)" + kDot + "stride" + span_words +
       kMinus + a.in + ", 0) = max((" + s(out) + kMinus + "1)" + kDot + s(stride) + span_nums +
       kMinus + s(in) + ", 0) = " + s(before + after) + ": " + a.before + " " + s(before) + ", " +
       a.after + " " + s(after);
  if (before != after) r += std::string(" (the odd one at the ") + a.after + ")";
  return r;
}

std::string valid_line(const AxisWords& a, int64_t in, int64_t k, int stride, int dilation,
                       int64_t out) {
  const bool pool = dilation == 0;
  const std::string words =
      pool ? std::string(a.in) + kMinus + a.k + " + 1"
           : std::string(a.in) + kMinus + "dilation" + kDot + "(" + a.k + kMinus + "1)";
  const std::string nums = pool ? s(in) + kMinus + s(k) + " + 1"
                                : s(in) + kMinus + s(dilation) + kDot + "(" + s(k) + kMinus + "1)";
  return std::string(a.out) + " = " + ceil_of("(" + words + ") / stride") + " = " +
         ceil_of("(" + nums + ") / " + s(stride)) + " = " + s(out);
}

}  // namespace

std::string keras_conv2d_formula(const ConvGeometry& g, KerasPadding padding) {
  if (padding == KerasPadding::valid) {
    return valid_line(kRows, g.in_h, g.k_h, g.stride_h, g.dilation_h, g.out_h) + "\n" +
           valid_line(kCols, g.in_w, g.k_w, g.stride_w, g.dilation_w, g.out_w);
  }
  return same_lines(kRows, g.in_h, g.k_h, g.stride_h, g.dilation_h, g.out_h, g.pad.top,
                    g.pad.bottom) +
         "\n" +
         same_lines(kCols, g.in_w, g.k_w, g.stride_w, g.dilation_w, g.out_w, g.pad.left,
                    g.pad.right);
}

std::string keras_pool2d_formula(const PoolGeometry& g, KerasPadding padding) {
  if (padding == KerasPadding::valid) {
    return valid_line(kRows, g.in_h, g.k_h, g.stride_h, 0, g.out_h) + "\n" +
           valid_line(kCols, g.in_w, g.k_w, g.stride_w, 0, g.out_w);
  }
  return same_lines(kRows, g.in_h, g.k_h, g.stride_h, 0, g.out_h, g.pad.top, g.pad.bottom) + "\n" +
         same_lines(kCols, g.in_w, g.k_w, g.stride_w, 0, g.out_w, g.pad.left, g.pad.right);
}

namespace {

std::string transpose_lines(const AxisWords& a, bool rows, int64_t in, int64_t k, int stride,
                            int dilation, int op, int64_t out, int crop_before,
                            KerasPadding padding, bool has_op) {
  const std::string span_w = std::string("dilation") + kDot + "(" + a.k + kMinus + "1) + 1";
  const std::string span_n = s(dilation) + kDot + "(" + s(k) + kMinus + "1) + 1";
  const std::string covered_w =
      std::string("(") + a.in + kMinus + "1)" + kDot + "stride + " + span_w;
  const std::string covered_n =
      std::string("(") + s(in) + kMinus + "1)" + kDot + s(stride) + " + " + span_n;
  const int64_t span = int64_t{dilation} * (k - 1) + 1;
  const int64_t covered = (in - 1) * stride + span;
  std::string r = std::string(a.out) + " = ";
  if (!has_op && padding == KerasPadding::valid) {
    r += std::string(a.in) + kDot + "stride + max(" + span_w + kMinus + "stride, 0) = " + s(in) +
         kDot + s(stride) + " + max(" + span_n + kMinus + s(stride) + ", 0)";
  } else if (!has_op) {
    r += std::string(a.in) + kDot + "stride = " + s(in) + kDot + s(stride);
  } else if (padding == KerasPadding::valid) {
    r += covered_w + " + output_padding = " + covered_n + " + " + s(op);
  } else {
    r += covered_w + kMinus + "2" + kDot + kFloorL + "(" + span_w + ") / 2" + kFloorR +
         " + output_padding = " + covered_n + kMinus + "2" + kDot + kFloorL + s(span) + " / 2" +
         kFloorR + " + " + s(op);
  }
  r += " = " + s(out) + "\n";
  const int64_t after = covered - crop_before - out;
  r += std::string(rows ? "rows" : "columns") + " the stamps cover: " + covered_w + " = " +
       covered_n + " = " + s(covered) + "; cropped: " + a.before + " ";
  if (padding == KerasPadding::same) {
    r +=
        kFloorL + std::string("max(") + s(covered) + kMinus + s(out) + ", 0) / 2" + kFloorR + " = ";
  }
  r += s(crop_before) + ", " + a.after + " " + s(covered) + kMinus + s(crop_before) + kMinus +
       s(out) + " = " + s(after);
  if (after < 0) {
    r += " (" + s(-after) + (rows ? " row" : " column") + (after == -1 ? "" : "s") +
         " of zeros added)";
  }
  return r;
}

}  // namespace

std::string keras_conv_transpose2d_formula(const ConvTransposeGeometry& g,
                                           const KerasTransposePlan& plan) {
  return transpose_lines(kRows, true, g.in_h, g.k_h, g.stride_h, g.dilation_h,
                         plan.output_padding_h, plan.out_h, g.pad_h, plan.padding,
                         plan.has_output_padding) +
         "\n" +
         transpose_lines(kCols, false, g.in_w, g.k_w, g.stride_w, g.dilation_w,
                         plan.output_padding_w, plan.out_w, g.pad_w, plan.padding,
                         plan.has_output_padding);
}

}  // namespace cs
