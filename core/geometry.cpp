// Validation and output-size arithmetic for conv2d and pooling. Every error is a sentence that
// names the user's numbers and, where there is one, the fix. Mirrors PyTorch 1.13's checks.
#include "geometry.hpp"
#include "sentence.hpp"

#include <algorithm>
#include <string>

namespace cs {

namespace {

using namespace sentence;

Status check_positive_pair(int h, int w, const char* what, const char* field) {
  if (h < 1 || w < 1) {
    return make_error(std::string(what) + " must be at least 1 in each direction; got " + hw(h, w) +
                          " (height" + kTimes + "width)",
                      field);
  }
  return ok();
}

std::string axis_word(bool rows) {
  return rows ? "rows" : "columns";
}

// Padding-mode limits on one side of one axis (PyTorch's F.pad rules).
Status check_mode_padding(PaddingMode mode, int64_t pad, int64_t size, bool rows) {
  if (pad == 0) return ok();
  if (mode == PaddingMode::reflect && pad >= size) {
    return make_error("reflect padding of " + s(pad) + " " + axis_word(rows) +
                          " needs an input with more than " + s(pad) + " " + axis_word(rows) +
                          ", but it has " + s(size) +
                          " (reflection does not repeat the edge); use less padding or "
                          "padding mode replicate",
                      "padding_mode");
  }
  if (mode == PaddingMode::circular && pad > size) {
    return make_error("circular padding of " + s(pad) + " " + axis_word(rows) +
                          " would wrap around the " + s(size) + " " + axis_word(rows) +
                          " of the input more than once; use at most " + s(size),
                      "padding_mode");
  }
  return ok();
}

Result<int64_t> checked_mul_all(std::initializer_list<int64_t> dims, const std::string& what) {
  return checked_numel(Shape(dims), what);
}

// The padding per side that `p.padding` means for geometry g (its kernel, dilation and stride
// already set), checked against what the padding mode can read.
Status resolve_conv_padding(ConvGeometry& g, const Conv2dParams& p) {
  const int64_t span_h = g.span_h(), span_w = g.span_w();
  switch (p.padding.kind) {
    case PaddingSpec::Kind::valid:
      break;
    case PaddingSpec::Kind::explicit_:
      g.pad = {p.padding.h, p.padding.h, p.padding.w, p.padding.w};
      break;
    case PaddingSpec::Kind::same: {
      if (g.stride_h != 1 || g.stride_w != 1) {
        return make_error(
            "padding 'same' needs stride 1 (PyTorch refuses it for strided "
            "convolutions), but the stride is " +
                hw(g.stride_h, g.stride_w) + "; give the padding as numbers",
            "padding");
      }
      // NOTE: PyTorch's uneven split: the extra row/column goes to the bottom/right.
      const int64_t th = span_h - 1, tw = span_w - 1;
      g.pad = {static_cast<int>(th / 2), static_cast<int>(th - th / 2), static_cast<int>(tw / 2),
               static_cast<int>(tw - tw / 2)};
      break;
    }
    case PaddingSpec::Kind::full: {  // every position where kernel and input overlap at all
      const int fh = static_cast<int>(span_h - 1), fw = static_cast<int>(span_w - 1);
      g.pad = {fh, fh, fw, fw};
      break;
    }
    case PaddingSpec::Kind::sides:
      g.pad = {p.padding.top, p.padding.bottom, p.padding.left, p.padding.right};
      break;
  }
  struct Side {
    int64_t pad, size;
    bool rows;
  };
  for (const Side& side : {Side{g.pad.top, g.in_h, true}, Side{g.pad.bottom, g.in_h, true},
                           Side{g.pad.left, g.in_w, false}, Side{g.pad.right, g.in_w, false}}) {
    if (auto st = check_mode_padding(g.padding_mode, side.pad, side.size, side.rows); !st) {
      return st.error();
    }
  }

  return ok();
}

Result<ConvGeometry> conv2d_geometry_impl(const Shape& x, const Shape& wt, int64_t bias_len,
                                          const Conv2dParams& p) {
  const bool nhwc = p.layout == Layout::nhwc;
  const std::string in_names = nhwc ? "[N, H, W, C]" : "[N, C, H, W]";
  const std::string w_names =
      nhwc ? "[KH, KW, C_in/groups, C_out]" : "[C_out, C_in/groups, KH, KW]";
  // Shapes as the user gave them, for messages.
  const Shape user_x = nhwc ? Shape{x[0], x[2], x[3], x[1]} : x;
  const Shape user_w = nhwc ? Shape{wt[2], wt[3], wt[1], wt[0]} : wt;

  if (auto st = check_positive_pair(p.stride_h, p.stride_w, "stride", "stride"); !st) {
    return st.error();
  }
  if (auto st = check_positive_pair(p.dilation_h, p.dilation_w, "dilation", "dilation"); !st) {
    return st.error();
  }
  if (p.groups < 1) {
    return make_error("groups must be at least 1; got " + s(p.groups), "groups");
  }
  if (p.padding.kind == PaddingSpec::Kind::explicit_ && (p.padding.h < 0 || p.padding.w < 0)) {
    return make_error("padding cannot be negative; got " + hw(p.padding.h, p.padding.w) + " (rows" +
                          kTimes + "columns)",
                      "padding");
  }
  if (p.padding.kind == PaddingSpec::Kind::sides &&
      std::min({p.padding.top, p.padding.bottom, p.padding.left, p.padding.right}) < 0) {
    return make_error("padding cannot be negative; got top " + s(p.padding.top) + ", bottom " +
                          s(p.padding.bottom) + ", left " + s(p.padding.left) + ", right " +
                          s(p.padding.right),
                      "padding");
  }
  for (int64_t d : x) {
    if (d < 1) {
      return make_error("input of shape " + shape_to_string(user_x) + " " + in_names +
                            " has an empty dimension; every dimension must be at least 1",
                        "input");
    }
  }
  for (int64_t d : wt) {
    if (d < 1) {
      return make_error("weight of shape " + shape_to_string(user_w) + " " + w_names +
                            " has an empty dimension; every dimension must be at least 1",
                        "kernel");
    }
  }
  ConvGeometry g;
  g.n = x[0];
  g.c_in = x[1];
  g.in_h = x[2];
  g.in_w = x[3];
  g.c_out = wt[0];
  g.k_h = wt[2];
  g.k_w = wt[3];
  g.groups = p.groups;
  g.stride_h = p.stride_h;
  g.stride_w = p.stride_w;
  g.dilation_h = p.dilation_h;
  g.dilation_w = p.dilation_w;
  g.padding_mode = p.padding_mode;
  g.has_bias = bias_len >= 0;

  if (g.c_in % g.groups != 0) {
    return make_error("groups " + s(g.groups) + " must divide the " + s(g.c_in) +
                          " input channels; choose a divisor of " + s(g.c_in),
                      "groups");
  }
  if (g.c_out % g.groups != 0) {
    return make_error("groups " + s(g.groups) + " must divide the " + s(g.c_out) +
                          " output channels (the weight has " + s(g.c_out) +
                          " filters); choose a divisor of both",
                      "groups");
  }
  g.c_in_per_group = g.c_in / g.groups;
  g.c_out_per_group = g.c_out / g.groups;
  if (wt[1] != g.c_in_per_group) {
    return make_error("weight of shape " + shape_to_string(user_w) + " " + w_names + " expects " +
                          s(wt[1]) + " input channel" + (wt[1] == 1 ? "" : "s") +
                          " per group, but the input has " + s(g.c_in) + " channel" +
                          (g.c_in == 1 ? "" : "s") + " / " + s(g.groups) + " group" +
                          (g.groups == 1 ? "" : "s") + " = " + s(g.c_in_per_group),
                      "kernel");
  }
  if (bias_len >= 0 && bias_len != g.c_out) {
    return make_error("bias has " + s(bias_len) + " value" + (bias_len == 1 ? "" : "s") +
                          " but the weight has " + s(g.c_out) +
                          " filters; give one bias per output channel",
                      "bias");
  }

  if (auto st = resolve_conv_padding(g, p); !st) return st.error();
  const int64_t span_h = g.span_h(), span_w = g.span_w();
  const std::string kdesc =
      "kernel " + hw(g.k_h, g.k_w) +
      (g.dilation_h == 1 && g.dilation_w == 1 ? std::string()
                                              : " with dilation " + hw(g.dilation_h, g.dilation_w));
  if (span_h > g.padded_h()) {
    return make_error(kdesc + " spans " + s(span_h) + " rows, but the padded input has only " +
                          s(g.padded_h()) + "; use a smaller kernel or dilation, or more padding",
                      "kernel");
  }
  if (span_w > g.padded_w()) {
    return make_error(kdesc + " spans " + s(span_w) + " columns, but the padded input has only " +
                          s(g.padded_w()) + "; use a smaller kernel or dilation, or more padding",
                      "kernel");
  }
  g.out_h = (g.padded_h() - span_h) / g.stride_h + 1;
  g.out_w = (g.padded_w() - span_w) / g.stride_w + 1;

  if (auto r = checked_numel(user_x, "input"); !r) return r.error();
  if (auto r = checked_numel(user_w, "weight"); !r) return r.error();
  if (auto r = checked_mul_all({g.n, g.c_out, g.out_h, g.out_w}, "output"); !r) return r.error();
  // The trace keeps C_in/groups partial sums per output.
  if (auto r = checked_mul_all({g.n, g.c_out, g.out_h, g.out_w, g.c_in_per_group}, "trace"); !r) {
    return r.error();
  }
  return g;
}

}  // namespace

Result<ConvGeometry> conv2d_geometry(const Shape& input_nchw, const Shape& weight_oihw,
                                     int64_t bias_len, const Conv2dParams& params) {
  Conv2dParams p = params;
  p.layout = Layout::nchw;
  if (input_nchw.size() != 4) {
    return make_error("input must have 4 dimensions [N, C, H, W]; got " +
                          s(static_cast<int64_t>(input_nchw.size())) + " (" +
                          shape_to_string(input_nchw) + "): add a batch dimension, e.g. x[None]",
                      "input");
  }
  if (weight_oihw.size() != 4) {
    return make_error("weight must have 4 dimensions [C_out, C_in/groups, KH, KW]; got " +
                          s(static_cast<int64_t>(weight_oihw.size())) + " (" +
                          shape_to_string(weight_oihw) + ")",
                      "kernel");
  }
  return conv2d_geometry_impl(input_nchw, weight_oihw, bias_len, p);
}

Result<ConvGeometry> conv2d_geometry_for(const Shape& input, const Shape& weight, int64_t bias_len,
                                         const Conv2dParams& params) {
  if (params.layout == Layout::nchw) return conv2d_geometry(input, weight, bias_len, params);
  if (input.size() != 4) {
    return make_error("input must have 4 dimensions [N, H, W, C] (layout nhwc); got " +
                          s(static_cast<int64_t>(input.size())) + " (" + shape_to_string(input) +
                          "): add a batch dimension, e.g. x[None]",
                      "input");
  }
  if (weight.size() != 4) {
    return make_error(
        "weight must have 4 dimensions [KH, KW, C_in/groups, C_out] (layout nhwc); "
        "got " +
            s(static_cast<int64_t>(weight.size())) + " (" + shape_to_string(weight) + ")",
        "kernel");
  }
  const Shape x{input[0], input[3], input[1], input[2]};
  const Shape w{weight[3], weight[2], weight[0], weight[1]};
  return conv2d_geometry_impl(x, w, bias_len, params);
}

std::string conv2d_formula(const ConvGeometry& g) {
  auto line = [](const char* out, const char* in, const char* pb, const char* pa, const char* k,
                 int64_t in_v, int pb_v, int pa_v, int d, int64_t k_v, int st, int64_t out_v) {
    return std::string(out) + " = \xE2\x8C\x8A(" + in + " + " + pb + " + " + pa +
           " \xE2\x88\x92 dilation\xC2\xB7(" + k + " \xE2\x88\x92 1) \xE2\x88\x92 1) / stride" +
           "\xE2\x8C\x8B + 1 = \xE2\x8C\x8A(" + s(in_v) + " + " + s(pb_v) + " + " + s(pa_v) +
           " \xE2\x88\x92 " + s(d) + "\xC2\xB7(" + s(k_v) + " \xE2\x88\x92 1) \xE2\x88\x92 1) / " +
           s(st) + "\xE2\x8C\x8B + 1 = " + s(out_v);
  };
  return line("out_h", "in_h", "pad_top", "pad_bottom", "k_h", g.in_h, g.pad.top, g.pad.bottom,
              g.dilation_h, g.k_h, g.stride_h, g.out_h) +
         "\n" +
         line("out_w", "in_w", "pad_left", "pad_right", "k_w", g.in_w, g.pad.left, g.pad.right,
              g.dilation_w, g.k_w, g.stride_w, g.out_w);
}

namespace {

// PyTorch's pooling_output_shape, with floor division rounding toward −∞. `before`/`after`: the
// padding at the top/left and at the bottom/right; `span`: the window's extent.
int64_t pool_out_size(int64_t in, int before, int after, int64_t span, int stride, bool ceil_mode) {
  int64_t num = in + before + after - span + (ceil_mode ? stride - 1 : 0);
  int64_t out = detail::floor_div(num, stride) + 1;
  // NOTE: ceil_mode's last window must start inside the input or its left padding.
  if (ceil_mode && (out - 1) * stride >= in + before) --out;
  return out;
}

}  // namespace

Result<PoolGeometry> pool2d_geometry(const Shape& x, const Pool2dParams& p) {
  if (x.size() != 4) {
    return make_error("input must have 4 dimensions [N, C, H, W]; got " +
                          s(static_cast<int64_t>(x.size())) + " (" + shape_to_string(x) +
                          "): add a batch dimension, e.g. x[None]",
                      "input");
  }
  for (int64_t d : x) {
    if (d < 1) {
      return make_error("input of shape " + shape_to_string(x) +
                            " has an empty dimension; every dimension must be at least 1",
                        "input");
    }
  }
  if (auto st = check_positive_pair(p.k_h, p.k_w, "pooling kernel", "kernel"); !st) {
    return st.error();
  }
  const int sh = p.stride_h == 0 ? p.k_h : p.stride_h, sw = p.stride_w == 0 ? p.k_w : p.stride_w;
  if (auto st = check_positive_pair(sh, sw, "stride", "stride"); !st) return st.error();
  if (auto st = check_positive_pair(p.dilation_h, p.dilation_w, "dilation", "dilation"); !st) {
    return st.error();
  }
  if (p.op == PoolOp::avg && (p.dilation_h != 1 || p.dilation_w != 1)) {
    return make_error(
        "average pooling has no dilation in PyTorch (F.avg_pool2d); set dilation "
        "to 1 or use max pooling",
        "dilation");
  }
  if (p.pad_h < 0 || p.pad_w < 0) {
    return make_error("padding cannot be negative; got " + hw(p.pad_h, p.pad_w), "padding");
  }
  if (p.pad_h > p.k_h / 2 || p.pad_w > p.k_w / 2) {
    return make_error("pooling padding " + hw(p.pad_h, p.pad_w) + " is more than half the kernel " +
                          hw(p.k_h, p.k_w) + " (at most " + hw(p.k_h / 2, p.k_w / 2) +
                          "); PyTorch refuses it",
                      "padding");
  }
  // Bottom/right padding of their own only come from Keras's 'same' (core/keras.cpp), which
  // never pads more than half the window either.
  const int pad_bottom = p.pad_bottom < 0 ? p.pad_h : p.pad_bottom;
  const int pad_right = p.pad_right < 0 ? p.pad_w : p.pad_right;
  if (pad_bottom > p.k_h / 2 || pad_right > p.k_w / 2) {
    return make_error("pooling padding of " + hw(pad_bottom, pad_right) +
                          " at the bottom, right is more than half the kernel " + hw(p.k_h, p.k_w) +
                          " (at most " + hw(p.k_h / 2, p.k_w / 2) + ")",
                      "padding");
  }
  PoolGeometry g;
  g.n = x[0];
  g.c_in = g.c_out = x[1];  // pooling keeps the channels
  g.in_h = x[2];
  g.in_w = x[3];
  g.k_h = p.k_h;
  g.k_w = p.k_w;
  g.stride_h = sh;
  g.stride_w = sw;
  g.pad = {p.pad_h, pad_bottom, p.pad_w, pad_right};
  g.dilation_h = p.dilation_h;
  g.dilation_w = p.dilation_w;
  g.ceil_mode = p.ceil_mode;
  g.count_include_pad = p.count_include_pad;
  g.op = p.op;
  g.out_h = pool_out_size(g.in_h, g.pad.top, g.pad.bottom, g.span_h(), sh, g.ceil_mode);
  g.out_w = pool_out_size(g.in_w, g.pad.left, g.pad.right, g.span_w(), sw, g.ceil_mode);
  if (g.out_h < 1 || g.out_w < 1) {
    const bool rows = g.out_h < 1;
    return make_error(std::string("pooling window ") + hw(g.k_h, g.k_w) +
                          (g.dilation_h == 1 && g.dilation_w == 1
                               ? std::string()
                               : " with dilation " + hw(g.dilation_h, g.dilation_w)) +
                          " spans " + s(rows ? g.span_h() : g.span_w()) + " " + axis_word(rows) +
                          ", but the padded input has only " +
                          s(rows ? g.padded_h() : g.padded_w()) +
                          "; use a smaller window or a larger input",
                      "kernel");
  }
  if (auto r = checked_numel(x, "input"); !r) return r.error();
  if (auto r = checked_mul_all({g.n, g.c_out, g.out_h, g.out_w}, "output"); !r) return r.error();
  return g;
}

Result<PoolGeometry> pool2d_geometry_for(const Shape& input, const Pool2dParams& params) {
  if (params.layout == Layout::nchw || input.size() != 4) return pool2d_geometry(input, params);
  return pool2d_geometry(Shape{input[0], input[3], input[1], input[2]}, params);
}

std::string pool2d_formula(const PoolGeometry& g) {
  // `before`/`after`: the padding at the top/left and at the bottom/right; equal (PyTorch's) is
  // written 2·pad_h, unequal (Keras's 'same') as pad_top + pad_bottom.
  auto line = [&](const char* out, const char* in, const char* pad, const char* pad_names,
                  const char* k, int64_t in_v, int before, int after, int d, int k_v, int st,
                  int64_t out_v) {
    const char* open = g.ceil_mode ? "\xE2\x8C\x88" : "\xE2\x8C\x8A";   // ⌈ or ⌊
    const char* close = g.ceil_mode ? "\xE2\x8C\x89" : "\xE2\x8C\x8B";  // ⌉ or ⌋
    const bool even = before == after;
    const std::string pad_text = even ? " + 2\xC2\xB7" + std::string(pad) : pad_names;
    const std::string pad_nums =
        even ? " + 2\xC2\xB7" + s(before) : " + " + s(before) + " + " + s(after);
    std::string r = std::string(out) + " = " + open + "(" + in + pad_text +
                    " \xE2\x88\x92 dilation\xC2\xB7(" + k +
                    " \xE2\x88\x92 1) \xE2\x88\x92 1) / stride" + close + " + 1 = " + open + "(" +
                    s(in_v) + pad_nums + " \xE2\x88\x92 " + s(d) + "\xC2\xB7(" + s(k_v) +
                    " \xE2\x88\x92 1) \xE2\x88\x92 1) / " + s(st) + close + " + 1";
    if (g.ceil_mode) {
      const int64_t up =
          (in_v + before + after - static_cast<int64_t>(d) * (k_v - 1) - 1 + st - 1) / st + 1;
      r += " = " + s(up);
      if (up != out_v) {
        r += ", minus 1 because the last window would start in the right padding = " + s(out_v);
      }
    } else {
      r += " = " + s(out_v);
    }
    return r;
  };
  return line("out_h", "in_h", "pad_h", " + pad_top + pad_bottom", "k_h", g.in_h, g.pad.top,
              g.pad.bottom, g.dilation_h, g.k_h, g.stride_h, g.out_h) +
         "\n" +
         line("out_w", "in_w", "pad_w", " + pad_left + pad_right", "k_w", g.in_w, g.pad.left,
              g.pad.right, g.dilation_w, g.k_w, g.stride_w, g.out_w);
}

}  // namespace cs
