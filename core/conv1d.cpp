// conv1d on the 2-D engine: validation in 1-D words (PyTorch 1.13's checks, as conv2d's), the
// padding resolved per side, NumPy's swap, and the reshape to and from height 1.
// Must not depend on GL, GLFW or ImGui.
#include "conv1d.hpp"
#include "sentence.hpp"

#include <algorithm>
#include <string>

namespace cs {

namespace {

using namespace sentence;

// [L] => [1, 1, L]; [C, L] => [1, C, L]; [K] => [1, 1, K].
Result<Shape> expand_input(const Shape& x) {
  if (x.size() == 3) return x;
  if (x.size() == 2) return Shape{1, x[0], x[1]};
  if (x.size() == 1) return Shape{1, 1, x[0]};
  return make_error("input of shape " + shape_to_string(x) + " has " +
                        plural(static_cast<int64_t>(x.size()), "dimension") +
                        "; conv1d takes [N, C_in, L], [C_in, L] or one signal [L]",
                    "input");
}

Result<Shape> expand_weight(const Shape& w) {
  if (w.size() == 3) return w;
  if (w.size() == 1) return Shape{1, 1, w[0]};
  return make_error("weight of shape " + shape_to_string(w) + " has " +
                        plural(static_cast<int64_t>(w.size()), "dimension") +
                        "; conv1d takes [C_out, C_in/groups, K] or one kernel [K]",
                    "kernel");
}

Status check_numbers(const Conv1dParams& p) {
  if (p.stride < 1) return make_error("stride must be at least 1; got " + s(p.stride), "stride");
  if (p.dilation < 1) {
    return make_error("dilation must be at least 1; got " + s(p.dilation), "dilation");
  }
  if (p.groups < 1) return make_error("groups must be at least 1; got " + s(p.groups), "groups");
  const PaddingSpec::Kind kind = p.padding.kind;
  if (kind == PaddingSpec::Kind::sides) {
    return make_error(
        "padding per side is a 2-D setting; conv1d takes a number, 'same', "
        "'valid' or 'full'",
        "padding");
  }
  if (kind == PaddingSpec::Kind::explicit_ && p.padding.w < 0) {
    return make_error("padding cannot be negative; got " + s(p.padding.w), "padding");
  }
  if (kind == PaddingSpec::Kind::same && p.stride != 1) {
    return make_error(
        "padding 'same' needs stride 1 (PyTorch refuses it for strided convolutions), but the "
        "stride is " +
            s(p.stride) + "; give the padding as a number",
        "padding");
  }
  return ok();
}

// x: [N, C_in, L], w: [C_out, C_in/groups, K].
Status check_shapes(const Shape& x, const Shape& w, int64_t bias_len, int groups) {
  for (int64_t d : x) {
    if (d < 1) {
      return make_error("input of shape " + shape_to_string(x) +
                            " [N, C_in, L] has an empty dimension; every dimension must be at "
                            "least 1",
                        "input");
    }
  }
  for (int64_t d : w) {
    if (d < 1) {
      return make_error("weight of shape " + shape_to_string(w) +
                            " [C_out, C_in/groups, K] has an empty dimension; every dimension "
                            "must be at least 1",
                        "kernel");
    }
  }
  const int64_t c_in = x[1], c_out = w[0];
  if (c_in % groups != 0) {
    return make_error("groups " + s(groups) + " must divide the " + s(c_in) +
                          " input channels; choose a divisor of " + s(c_in),
                      "groups");
  }
  if (c_out % groups != 0) {
    return make_error("groups " + s(groups) + " must divide the " + s(c_out) +
                          " output channels (the weight has " + s(c_out) +
                          " filters); choose a divisor of both",
                      "groups");
  }
  if (w[1] != c_in / groups) {
    return make_error("weight of shape " + shape_to_string(w) +
                          " [C_out, C_in/groups, K] expects " + plural(w[1], "input channel") +
                          " per group, but the input has " + plural(c_in, "channel") + " / " +
                          plural(groups, "group") + " = " + s(c_in / groups),
                      "kernel");
  }
  if (bias_len >= 0 && bias_len != c_out) {
    return make_error("bias has " + plural(bias_len, "value") + " but the weight has " +
                          plural(c_out, "filter") + "; give one bias per output channel",
                      "bias");
  }
  return ok();
}

struct Ends {
  int64_t left = 0, right = 0;
};

// The padding at each end for a kernel spanning `span` samples.
Ends resolve_ends(const Conv1dParams& p, int64_t span) {
  switch (p.padding.kind) {
    case PaddingSpec::Kind::explicit_:
      return {p.padding.w, p.padding.w};
    case PaddingSpec::Kind::full:
      return {span - 1, span - 1};
    case PaddingSpec::Kind::same: {
      const int64_t total = span - 1;
      // PyTorch: the odd one at the end; flipped: at the start (NumPy's, see conv1d.hpp).
      return p.flip ? Ends{total - total / 2, total / 2} : Ends{total / 2, total - total / 2};
    }
    case PaddingSpec::Kind::valid:
    case PaddingSpec::Kind::sides:
      break;
  }
  return {};
}

Status check_ends(const Conv1dParams& p, const Ends& ends, int64_t length, int64_t k,
                  int64_t span) {
  for (int64_t pad : {ends.left, ends.right}) {
    if (pad == 0) continue;
    if (p.padding_mode == PaddingMode::reflect && pad >= length) {
      return make_error("reflect padding of " + s(pad) + " needs a signal longer than " + s(pad) +
                            " samples, but it has " + s(length) +
                            " (reflection does not repeat the edge); use less padding or "
                            "padding mode replicate",
                        "padding_mode");
    }
    if (p.padding_mode == PaddingMode::circular && pad > length) {
      return make_error("circular padding of " + s(pad) + " would wrap around the " +
                            plural(length, "sample") +
                            " of the signal more than once; use at most " + s(length),
                        "padding_mode");
    }
  }
  const int64_t padded = length + ends.left + ends.right;
  if (span > padded) {
    return make_error("kernel of " + plural(k, "tap") +
                          (p.dilation == 1 ? std::string() : " with dilation " + s(p.dilation)) +
                          " spans " + plural(span, "sample") + ", but the padded input has only " +
                          s(padded) + "; use a smaller kernel or dilation, or more padding",
                      "kernel");
  }
  return ok();
}

// NumPy's rule (conv1d.hpp): np.convolve swaps a and v when v is the longer.
bool numpy_swaps(const Shape& input, const Shape& weight, const Conv1dParams& p) {
  const PaddingSpec::Kind kind = p.padding.kind;
  return p.flip && input.size() == 1 && weight.size() == 1 && p.stride == 1 && p.dilation == 1 &&
         p.padding_mode == PaddingMode::zeros &&
         (kind == PaddingSpec::Kind::full || kind == PaddingSpec::Kind::same ||
          kind == PaddingSpec::Kind::valid) &&
         weight[0] > input[0];
}

}  // namespace

Result<Conv1dPlan> conv1d_plan(const Shape& input, const Shape& weight, int64_t bias_len,
                               const Conv1dParams& params) {
  auto x = expand_input(input);
  if (!x) return x.error();
  auto w = expand_weight(weight);
  if (!w) return w.error();
  if (auto st = check_numbers(params); !st) return st.error();
  Conv1dPlan plan;
  plan.swapped = numpy_swaps(input, weight, params);
  plan.flip = params.flip;
  plan.input = plan.swapped ? *w : *x;
  plan.weight = plan.swapped ? *x : *w;
  if (auto st = check_shapes(plan.input, plan.weight, bias_len, params.groups); !st) {
    return st.error();
  }
  const int64_t length = plan.input[2], k = plan.weight[2];
  const int64_t span = int64_t{params.dilation} * (k - 1) + 1;
  const Ends ends = resolve_ends(params, span);
  if (auto st = check_ends(params, ends, length, k, span); !st) return st.error();
  if (ends.left > INT32_MAX || ends.right > INT32_MAX) {
    return make_error("padding of " + s(std::max(ends.left, ends.right)) +
                          " is too large to compute; use a smaller kernel or dilation",
                      "padding");
  }
  Conv2dParams& p2 = plan.params;
  p2.stride_w = params.stride;
  p2.dilation_w = params.dilation;
  p2.groups = params.groups;
  p2.padding_mode = params.padding_mode;
  p2.padding =
      params.padding.kind == PaddingSpec::Kind::valid
          ? PaddingSpec::valid()
          : PaddingSpec::sides(0, 0, static_cast<int>(ends.left), static_cast<int>(ends.right));
  const Shape x4{plan.input[0], plan.input[1], 1, plan.input[2]};
  const Shape w4{plan.weight[0], plan.weight[1], 1, plan.weight[2]};
  auto g = conv2d_geometry(x4, w4, bias_len, p2);
  if (!g) return g.error();
  plan.geometry = *g;
  const int64_t rank = plan.swapped ? 1 : static_cast<int64_t>(input.size());
  if (rank == 3) {
    plan.output = {g->n, g->c_out, g->out_w};
  } else if (rank == 2 || g->c_out > 1) {
    plan.output = {g->c_out, g->out_w};
  } else {
    plan.output = {g->out_w};
  }
  return plan;
}

Conv1dOperands conv1d_operands(const Tensor& input, const Tensor& weight, const Conv1dPlan& plan) {
  const Tensor& x = plan.swapped ? weight : input;
  const Tensor& w = plan.swapped ? input : weight;
  auto x4 = x.reshaped({plan.input[0], plan.input[1], 1, plan.input[2]});
  auto w4 = w.reshaped({plan.weight[0], plan.weight[1], 1, plan.weight[2]});
  // (The plan was made from these tensors' shapes, so the reshapes cannot fail.)
  Conv1dOperands ops{std::move(*x4), std::move(*w4)};
  if (plan.flip) ops.weight = flip_kernel(ops.weight, Layout::nchw);
  return ops;
}

Result<Tensor> conv1d(const Tensor& input, const Tensor& weight, const Tensor* bias,
                      const Conv1dParams& params, const ExecOptions& exec) {
  auto plan = conv1d_plan(input.shape(), weight.shape(), bias ? bias->dim(0) : -1, params);
  if (!plan) return plan.error();
  Conv1dOperands ops = conv1d_operands(input, weight, *plan);
  auto out = conv2d(ops.input, ops.weight, bias, plan->params, exec);
  if (!out) return out.error();
  return out->reshaped(plan->output);
}

std::string conv1d_formula(const ConvGeometry& g) {
  const char* minus = " \xE2\x88\x92 ";
  const char* dot = "\xC2\xB7";
  return std::string("out_l = \xE2\x8C\x8A(in_l + pad_left + pad_right") + minus + "dilation" +
         dot + "(k" + minus + "1)" + minus + "1) / stride\xE2\x8C\x8B + 1 = \xE2\x8C\x8A(" +
         s(g.in_w) + " + " + s(g.pad.left) + " + " + s(g.pad.right) + minus + s(g.dilation_w) +
         dot + "(" + s(g.k_w) + minus + "1)" + minus + "1) / " + s(g.stride_w) +
         "\xE2\x8C\x8B + 1 = " + s(g.out_w);
}

}  // namespace cs
