// Transposed convolution: validation with PyTorch 1.13's checks as sentences, the output-size
// formula, the scatter reference loop and the gather fast path. Both sum in the order
// conv_transpose.hpp documents, so they agree bit for bit (the project builds with
// -ffp-contract=off: no fused multiply-add changes a rounding).
// Must not depend on GL, GLFW or ImGui.
#include "conv_transpose.hpp"
#include "limits.hpp"
#include "operands.hpp"
#include "sentence.hpp"

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "parallel.hpp"
#include "thread_pool.hpp"

namespace cs {

namespace {

using namespace sentence;

// The numbers PyTorch refuses before looking at shapes.
Status check_params(const ConvTranspose2dParams& p) {
  if (p.stride_h < 1 || p.stride_w < 1) {
    return make_error("stride must be at least 1 in each direction; got " +
                          hw(p.stride_h, p.stride_w) + " (height" + kTimes + "width)",
                      "stride");
  }
  if (p.dilation_h < 1 || p.dilation_w < 1) {
    return make_error("dilation must be at least 1 in each direction; got " +
                          hw(p.dilation_h, p.dilation_w) + " (height" + kTimes + "width)",
                      "dilation");
  }
  if (p.pad_h < 0 || p.pad_w < 0) {
    return make_error(
        "padding cannot be negative; got " + hw(p.pad_h, p.pad_w) + " (rows" + kTimes + "columns)",
        "padding");
  }
  if (p.output_padding_h < 0 || p.output_padding_w < 0) {
    return make_error("output_padding cannot be negative; got " +
                          hw(p.output_padding_h, p.output_padding_w) + " (rows" + kTimes +
                          "columns)",
                      "output_padding");
  }
  // NOTE: PyTorch's rule, per axis: output_padding < stride or output_padding < dilation. It only
  // picks among the input sizes a strided (or dilated) conv maps to the same output size.
  struct Axis {
    int op, stride, dilation;
    const char* word;
  };
  for (const Axis& a : {Axis{p.output_padding_h, p.stride_h, p.dilation_h, "rows"},
                        Axis{p.output_padding_w, p.stride_w, p.dilation_w, "columns"}}) {
    if (a.op < a.stride || a.op < a.dilation) continue;
    const int most = std::max(a.stride, a.dilation) - 1;
    return make_error("output_padding of " + s(a.op) + " " + a.word +
                          " must be smaller than the stride (" + s(a.stride) +
                          ") or the dilation (" + s(a.dilation) + ") along the " + a.word +
                          ", as PyTorch requires; use at most " + s(most) +
                          (a.stride == 1 && a.dilation == 1
                               ? " (with stride 1 there is only one output size to pick)"
                               : ""),
                      "output_padding");
  }
  if (p.groups < 1) {
    return make_error("groups must be at least 1; got " + s(p.groups), "groups");
  }
  return ok();
}

// Shapes as the user gave them, with their axis names, for messages.
struct UserShapes {
  Shape input, weight;
  std::string input_names, weight_names;
};

UserShapes user_shapes(const Shape& x, const Shape& wt, Layout layout) {
  if (layout == Layout::nhwc) {
    return {Shape{x[0], x[2], x[3], x[1]}, Shape{wt[2], wt[3], wt[1], wt[0]}, "[N, H, W, C_in]",
            "[KH, KW, C_out/groups, C_in]"};
  }
  return {x, wt, "[N, C_in, H, W]", "[C_in, C_out/groups, KH, KW]"};
}

Status check_not_empty(const UserShapes& u) {
  for (int64_t d : u.input) {
    if (d < 1) {
      return make_error("input of shape " + shape_to_string(u.input) + " " + u.input_names +
                            " has an empty dimension; every dimension must be at least 1",
                        "input");
    }
  }
  for (int64_t d : u.weight) {
    if (d < 1) {
      return make_error("weight of shape " + shape_to_string(u.weight) + " " + u.weight_names +
                            " has an empty dimension; every dimension must be at least 1",
                        "kernel");
    }
  }
  return ok();
}

// Channels, groups and bias: PyTorch's check_shape_forward for transposed=True.
Status check_channels(const ConvTransposeGeometry& g, int64_t weight_c_in, const UserShapes& u,
                      int64_t bias_len) {
  if (weight_c_in % g.groups != 0) {
    return make_error("groups " + s(g.groups) + " must divide the " + s(weight_c_in) +
                          " input channels the weight of shape " + shape_to_string(u.weight) + " " +
                          u.weight_names + " is made for; choose a divisor of " + s(weight_c_in),
                      "groups");
  }
  if (weight_c_in != g.c_in) {
    return make_error("weight of shape " + shape_to_string(u.weight) + " " + u.weight_names +
                          " is made for " + plural(weight_c_in, "input channel") +
                          ", but the input has " + s(g.c_in) +
                          " (a transposed convolution's weight is [C_in, C_out/groups, KH, KW], "
                          "not conv2d's [C_out, C_in/groups, KH, KW])",
                      "kernel");
  }
  if (bias_len >= 0 && bias_len != g.c_out) {
    return make_error("bias has " + plural(bias_len, "value") + " but the layer has " +
                          plural(g.c_out, "output channel") + " (" + s(g.c_out_per_group) +
                          " per group " + kTimes + " " + plural(g.groups, "group") +
                          "); give one bias per output channel",
                      "bias");
  }
  return ok();
}

// out = (in − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1 must be at least 1:
// the padding crops 2·padding rows (columns) of what the stamps cover.
Status check_output_size(const ConvTransposeGeometry& g) {
  if (g.out_h >= 1 && g.out_w >= 1) return ok();
  const bool rows = g.out_h < 1;
  const int64_t in = rows ? g.in_h : g.in_w;
  const int pad = rows ? g.pad_h : g.pad_w;
  const int64_t covered = rows ? (g.in_h - 1) * g.stride_h + g.span_h() + g.output_padding_h
                               : (g.in_w - 1) * g.stride_w + g.span_w() + g.output_padding_w;
  const char* word = rows ? "rows" : "columns";
  return make_error("padding " + s(pad) + " crops " + s(2 * int64_t{pad}) + " " + word +
                        " from the " + s(covered) + " " + word + " the kernel stamps cover (from " +
                        s(in) + " input " + word + "), leaving none; use padding at most " +
                        s((covered - 1) / 2) + ", or a larger input or kernel",
                    "padding");
}

Result<int64_t> checked_mul_all(std::initializer_list<int64_t> dims, const std::string& what) {
  return checked_numel(Shape(dims), what);
}

// x: [N, C_in, H, W], wt: [C_in, C_out/g, KH, KW] (PyTorch order); `layout` only names axes in
// messages.
Result<ConvTransposeGeometry> geometry_impl(const Shape& x, const Shape& wt, int64_t bias_len,
                                            const ConvTranspose2dParams& p, Layout layout) {
  if (auto st = check_params(p); !st) return st.error();
  const UserShapes u = user_shapes(x, wt, layout);
  if (auto st = check_not_empty(u); !st) return st.error();
  ConvTransposeGeometry g;
  g.n = x[0];
  g.c_in = x[1];
  g.in_h = x[2];
  g.in_w = x[3];
  g.k_h = wt[2];
  g.k_w = wt[3];
  g.groups = p.groups;
  g.c_in_per_group = g.c_in / g.groups;
  g.c_out_per_group = wt[1];
  g.c_out = wt[1] * g.groups;
  g.stride_h = p.stride_h;
  g.stride_w = p.stride_w;
  g.dilation_h = p.dilation_h;
  g.dilation_w = p.dilation_w;
  g.pad_h = p.pad_h;
  g.pad_w = p.pad_w;
  g.output_padding_h = p.output_padding_h;
  g.output_padding_w = p.output_padding_w;
  g.has_bias = bias_len >= 0;
  if (auto st = check_channels(g, wt[0], u, bias_len); !st) return st.error();
  // Shapes are checked for overflow before any product of them is formed.
  if (auto r = checked_numel(u.input, "input"); !r) return r.error();
  if (auto r = checked_numel(u.weight, "weight"); !r) return r.error();
  if (auto r = checked_mul_all({wt[1], g.groups}, "output channels"); !r) return r.error();
  if (auto r = checked_mul_all({g.in_h, g.stride_h}, "output"); !r) return r.error();
  if (auto r = checked_mul_all({g.in_w, g.stride_w}, "output"); !r) return r.error();
  if (auto r = checked_mul_all({g.k_h, g.dilation_h}, "kernel span"); !r) return r.error();
  if (auto r = checked_mul_all({g.k_w, g.dilation_w}, "kernel span"); !r) return r.error();
  g.out_h =
      (g.in_h - 1) * g.stride_h - 2 * int64_t{g.pad_h} + g.span_h() - 1 + g.output_padding_h + 1;
  g.out_w =
      (g.in_w - 1) * g.stride_w - 2 * int64_t{g.pad_w} + g.span_w() - 1 + g.output_padding_w + 1;
  if (auto st = check_output_size(g); !st) return st.error();
  if (auto r = checked_mul_all({g.n, g.c_out, g.out_h, g.out_w}, "output"); !r) return r.error();
  // The trace keeps C_in/groups partial sums per output when it is asked for them.
  if (auto r = checked_mul_all({g.n, g.c_out, g.out_h, g.out_w, g.c_in_per_group}, "trace"); !r) {
    return r.error();
  }
  return g;
}

Error rank_error(const char* what, const Shape& shape, const char* names, const char* field,
                 const char* hint) {
  return make_error(std::string(what) + " must have 4 dimensions " + names + "; got " +
                        s(static_cast<int64_t>(shape.size())) + " (" + shape_to_string(shape) +
                        ")" + hint,
                    field);
}
const char* kBatchHint = ": add a batch dimension, e.g. x[None]";

}  // namespace

Result<ConvTransposeGeometry> conv_transpose2d_geometry(const Shape& input_nchw,
                                                        const Shape& weight_iohw, int64_t bias_len,
                                                        const ConvTranspose2dParams& params) {
  if (input_nchw.size() != 4)
    return rank_error("input", input_nchw, "[N, C_in, H, W]", "input", kBatchHint);
  if (weight_iohw.size() != 4) {
    return rank_error("weight", weight_iohw, "[C_in, C_out/groups, KH, KW]", "kernel", "");
  }
  return geometry_impl(input_nchw, weight_iohw, bias_len, params, Layout::nchw);
}

Result<ConvTransposeGeometry> conv_transpose2d_geometry_for(const Shape& input, const Shape& weight,
                                                            int64_t bias_len,
                                                            const ConvTranspose2dParams& params) {
  if (params.layout == Layout::nchw) {
    return conv_transpose2d_geometry(input, weight, bias_len, params);
  }
  if (input.size() != 4) {
    return rank_error("input", input, "[N, H, W, C_in] (layout nhwc)", "input", kBatchHint);
  }
  if (weight.size() != 4) {
    return rank_error("weight", weight, "[KH, KW, C_out/groups, C_in] (layout nhwc)", "kernel", "");
  }
  const Shape x{input[0], input[3], input[1], input[2]};
  const Shape w{weight[3], weight[2], weight[0], weight[1]};
  return geometry_impl(x, w, bias_len, params, Layout::nhwc);
}

std::string conv_transpose2d_formula(const ConvTransposeGeometry& g) {
  const char* minus = " \xE2\x88\x92 ";
  const char* dot = "\xC2\xB7";
  auto line = [&](const char* out, const char* in, const char* k, int64_t in_v, int st, int pad,
                  int d, int64_t k_v, int op, int64_t out_v) {
    return std::string(out) + " = (" + in + minus + "1)" + dot + "stride" + minus + "2" + dot +
           "padding + dilation" + dot + "(" + k + minus + "1) + output_padding + 1 = (" + s(in_v) +
           minus + "1)" + dot + s(st) + minus + "2" + dot + s(pad) + " + " + s(d) + dot + "(" +
           s(k_v) + minus + "1) + " + s(op) + " + 1 = " + s(out_v);
  };
  return line("out_h", "in_h", "k_h", g.in_h, g.stride_h, g.pad_h, g.dilation_h, g.k_h,
              g.output_padding_h, g.out_h) +
         "\n" +
         line("out_w", "in_w", "k_w", g.in_w, g.stride_w, g.pad_w, g.dilation_w, g.k_w,
              g.output_padding_w, g.out_w);
}

Tensor keras_to_torch_transpose_kernel(const Tensor& kernel) {
  return hwio_to_oihw(kernel);  // [KH, KW, C_out/g, C_in] => [C_in, C_out/g, KH, KW]
}

Tensor torch_to_keras_transpose_kernel(const Tensor& weight) {
  return oihw_to_hwio(weight);
}

namespace {

using Canonical = CanonicalOperands<ConvTransposeGeometry>;

Result<Canonical> canonicalise(const Tensor& input, const Tensor& weight, const Tensor* bias,
                               const ConvTranspose2dParams& params) {
  if (auto st = check_conv2d_operands(input, weight, bias); !st) return st.error();
  auto geo = conv_transpose2d_geometry_for(input.shape(), weight.shape(), bias ? bias->dim(0) : -1,
                                           params);
  if (!geo) return geo.error();
  // Memory and work against the limits before the output is allocated (core/limits.hpp).
  const ConvTransposeGeometry& g = *geo;
  if (auto st = check_cost(conv_transpose2d_cost(g.n, g.c_in, g.in_h, g.in_w, g.c_out, g.out_h,
                                                 g.out_w, g.c_in_per_group * g.k_h * g.k_w,
                                                 input.dtype(), params.layout));
      !st) {
    return st.error();
  }
  return Canonical::make(*geo, input, weight, params.layout, keras_to_torch_transpose_kernel);
}

// [N, C_in, H, W] * [C_in, C_out/g, KH, KW] (+ [C_out]) => [N, C_out, OH, OW]
// The scatter form: every input cell adds x·w to the output cells its kernel covers, into one
// partial plane per (output channel, input channel); the planes are then summed per output.
template <class T>
void scatter_loop(const ConvTransposeGeometry& g, const T* in, const T* w, const T* b, T* out) {
  const int64_t plane = g.out_h * g.out_w;
  std::vector<T> partial(static_cast<std::size_t>(plane)), acc(static_cast<std::size_t>(plane));
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t oc = 0; oc < g.c_out; ++oc) {
      const int64_t group = oc / g.c_out_per_group, ocg = oc % g.c_out_per_group;
      std::fill(acc.begin(), acc.end(), T(0));
      for (int64_t icg = 0; icg < g.c_in_per_group; ++icg) {
        const int64_t ic = group * g.c_in_per_group + icg;
        std::fill(partial.begin(), partial.end(), T(0));
        for (int64_t iy = 0; iy < g.in_h; ++iy)
          for (int64_t ix = 0; ix < g.in_w; ++ix) {
            const T x = in[g.input_index(n, ic, iy, ix)];
            for (int64_t ky = 0; ky < g.k_h; ++ky)
              for (int64_t kx = 0; kx < g.k_w; ++kx) {
                const int64_t oy = g.output_y(iy, ky), ox = g.output_x(ix, kx);
                if (!g.inside_output(oy, ox)) continue;  // cropped by the padding
                T& p = partial[static_cast<std::size_t>(oy * g.out_w + ox)];
                const T prod = x * w[g.weight_index(ic, ocg, ky, kx)];
                p = p + prod;
              }
          }
        for (int64_t i = 0; i < plane; ++i)
          acc[static_cast<std::size_t>(i)] = acc[static_cast<std::size_t>(i)] + partial[i];
      }
      T* dst = out + g.output_index(n, oc, 0, 0);
      for (int64_t i = 0; i < plane; ++i)
        dst[i] = b ? T(acc[static_cast<std::size_t>(i)] + b[oc]) : acc[static_cast<std::size_t>(i)];
    }
}

// The kernel rows that reach output row oy: (ky, iy) pairs with oy = iy·stride − pad + ky·dilation,
// ky descending so that iy ascends (the summation order).
struct Reach {
  int64_t k, i;
};

void reach_rows(const ConvTransposeGeometry& g, int64_t oy, std::vector<Reach>& out) {
  out.clear();
  for (int64_t ky = g.k_h - 1; ky >= 0; --ky) {
    const int64_t t = oy + g.pad_h - ky * g.dilation_h;  // = iy·stride_h
    if (t < 0 || t % g.stride_h != 0 || t / g.stride_h >= g.in_h) continue;
    out.push_back({ky, t / g.stride_h});
  }
}

// Input columns [begin, end) whose tap kx lands inside the output: ox = ix·stride − pad +
// kx·dilation in [0, out_w).
void reach_columns(const ConvTransposeGeometry& g, int64_t kx, int64_t& begin, int64_t& end) {
  const int64_t shift = kx * g.dilation_w - g.pad_w;  // ox = ix·stride_w + shift
  const int64_t st = g.stride_w;
  begin = shift >= 0 ? 0 : (-shift + st - 1) / st;
  const int64_t last = g.out_w - 1 - shift;  // ix·stride_w <= last
  end = last < 0 ? 0 : std::min<int64_t>(g.in_w, last / st + 1);
  begin = std::min(begin, end);
}

constexpr int64_t kSerialProducts = int64_t{1} << 16;

// The gather fast path, one task per output row (n, oc, oy): per input channel of the group a
// row of partial sums p, filled by the input rows that reach oy (iy ascending) and, in each, by
// the kernel columns kx descending (so ix ascends for every output: the reference's order),
// each a stride_w-strided run over contiguous input; then acc += p and the bias.
template <class T>
void gather_rows(const ConvTransposeGeometry& g, const T* in, const T* w, const T* b, T* out,
                 int threads) {
  std::vector<int64_t> col_begin(static_cast<std::size_t>(g.k_w)),
      col_end(static_cast<std::size_t>(g.k_w));
  for (int64_t kx = 0; kx < g.k_w; ++kx)
    reach_columns(g, kx, col_begin[static_cast<std::size_t>(kx)],
                  col_end[static_cast<std::size_t>(kx)]);
  // Small layers are not worth waking the pool for; more threads than cores only add waiting.
  const int64_t products = g.n * g.c_in * g.in_h * g.in_w * g.c_out_per_group * g.k_h * g.k_w;
  if (products < kSerialProducts) threads = 1;
  if (const unsigned hw = std::thread::hardware_concurrency(); hw > 0) {
    threads = std::min(threads, static_cast<int>(hw));
  }
  const int64_t rows = g.n * g.c_out * g.out_h;
  detail::run_tasks(rows, std::max(threads, 1), [&](int64_t task) {
    const int64_t oy = task % g.out_h, oc = (task / g.out_h) % g.c_out,
                  n = task / (g.out_h * g.c_out);
    const int64_t group = oc / g.c_out_per_group, ocg = oc % g.c_out_per_group;
    thread_local std::vector<Reach> reach;
    thread_local std::vector<T> p_row, acc_row;
    reach_rows(g, oy, reach);
    p_row.resize(static_cast<std::size_t>(g.out_w));
    acc_row.assign(static_cast<std::size_t>(g.out_w), T(0));
    T* p = p_row.data();
    T* acc = acc_row.data();
    for (int64_t icg = 0; icg < g.c_in_per_group; ++icg) {
      const int64_t ic = group * g.c_in_per_group + icg;
      std::fill(p_row.begin(), p_row.end(), T(0));
      for (const Reach& r : reach) {
        const T* x_row = in + g.input_index(n, ic, r.i, 0);
        const T* w_row = w + g.weight_index(ic, ocg, r.k, 0);
        for (int64_t kx = g.k_w - 1; kx >= 0; --kx) {
          const T wv = w_row[kx];
          const int64_t shift = kx * g.dilation_w - g.pad_w;  // ox = ix·stride_w + shift
          const int64_t ix1 = col_end[static_cast<std::size_t>(kx)];
          for (int64_t ix = col_begin[static_cast<std::size_t>(kx)]; ix < ix1; ++ix) {
            const T prod = x_row[ix] * wv;
            T& dst = p[ix * g.stride_w + shift];
            dst = dst + prod;
          }
        }
      }
      for (int64_t ox = 0; ox < g.out_w; ++ox)
        acc[ox] = acc[ox] + p[ox];
    }
    T* dst = out + g.output_index(n, oc, oy, 0);
    for (int64_t ox = 0; ox < g.out_w; ++ox)
      dst[ox] = b ? T(acc[ox] + b[oc]) : acc[ox];
  });
}

template <class T>
const T* bias_ptr(const Tensor* bias) {
  return bias ? bias->data<T>() : nullptr;
}

// Runs `loop` on the canonical operands in the input's dtype and returns the output in the
// user's layout.
template <class Loop>
Result<Tensor> run_in_layout(const Tensor& input, const Tensor& weight, const Tensor* bias,
                             const ConvTranspose2dParams& params, Loop loop) {
  auto c = canonicalise(input, weight, bias, params);
  if (!c) return c.error();
  const ConvTransposeGeometry& g = c->geo;
  Tensor out = Tensor::uninitialized(input.dtype(), {g.n, g.c_out, g.out_h, g.out_w});
  if (input.dtype() == DType::f32) {
    loop(g, c->input().data<float>(), c->weight().data<float>(), bias_ptr<float>(bias),
         out.data<float>());
  } else {
    loop(g, c->input().data<double>(), c->weight().data<double>(), bias_ptr<double>(bias),
         out.data<double>());
  }
  return params.layout == Layout::nhwc ? nchw_to_nhwc(out) : out;
}

}  // namespace

Result<Tensor> conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor* bias,
                                const ConvTranspose2dParams& params, const ExecOptions& exec) {
  const int threads = resolve_threads(exec.threads);
  return run_in_layout(
      input, weight, bias, params,
      [threads](const ConvTransposeGeometry& g, const auto* in, const auto* w, const auto* b,
                auto* out) { gather_rows(g, in, w, b, out, threads); });
}

Result<Tensor> conv_transpose2d_reference(const Tensor& input, const Tensor& weight,
                                          const Tensor* bias, const ConvTranspose2dParams& params) {
  return run_in_layout(input, weight, bias, params,
                       [](const ConvTransposeGeometry& g, const auto* in, const auto* w,
                          const auto* b, auto* out) { scatter_loop(g, in, w, b, out); });
}

}  // namespace cs
