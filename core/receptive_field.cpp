// Receptive fields, one axis at a time: a cell's field (an interval, mapped back layer by layer
// as if every input went on for ever) and its exact dependence (a set of rows mapped back layer
// by layer with the geometry's own index formula and padding sources). Depends on core only.
#include "receptive_field.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

namespace cs {

namespace {

using detail::ceil_div;
using detail::floor_div;

const RfAxis& axis_of(const RfLayer& layer, bool rows) {
  return rows ? layer.h : layer.w;
}

// The field of the cells `s` of a layer's output, in the layer's input (padding rows counted).
Span field_back(RfKind kind, const RfAxis& a, Span s) {
  if (s.empty()) return s;
  switch (kind) {
    case RfKind::relu:
      return s;
    case RfKind::conv:
    case RfKind::pool:
      return {s.lo * a.stride - a.pad_before,
              s.hi * a.stride - a.pad_before + (a.k - 1) * a.dilation};
    case RfKind::conv_transpose: {
      // Input row i adds to output row i·stride − pad + k·dilation: per tap k the rows i that
      // land in [s.lo, s.hi].
      Span r{std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()};
      for (int64_t k = 0; k < a.k; ++k) {
        const int64_t lo = ceil_div(s.lo + a.pad_before - k * a.dilation, a.stride);
        const int64_t hi = floor_div(s.hi + a.pad_before - k * a.dilation, a.stride);
        if (lo > hi) continue;
        r.lo = std::min(r.lo, lo);
        r.hi = std::max(r.hi, hi);
      }
      return r.lo > r.hi ? Span{} : r;
    }
  }
  return s;
}

// The input rows whose value reaches any of the output rows marked in `outs` ([a.out]).
// [a.out] => [a.in]
std::vector<char> reads_back(RfKind kind, const RfAxis& a, const std::vector<char>& outs) {
  std::vector<char> ins(static_cast<std::size_t>(a.in), 0);
  for (int64_t o = 0; o < a.out; ++o) {
    if (!outs[o]) continue;
    for (int64_t k = 0; k < (kind == RfKind::relu ? 1 : a.k); ++k) {
      int64_t i = -1;
      if (kind == RfKind::relu) {
        i = o;
      } else if (kind == RfKind::conv_transpose) {
        const int64_t t = o + a.pad_before - k * a.dilation;
        if (t >= 0 && t % a.stride == 0 && t / a.stride < a.in) i = t / a.stride;
      } else {
        // NOTE: pooling's padding (−∞ for max, 0 for avg) and ceil_mode's rows past it read
        // nothing; conv's reflect/replicate/circular padding reads a real row.
        const int64_t p = o * a.stride - a.pad_before + k * a.dilation;
        i = p < -a.pad_before || p >= a.in + a.pad_after ? -1 : pad_source_index(p, a.in, a.mode);
      }
      if (i >= 0) ins[i] = 1;
    }
  }
  return ins;
}

Span span_of(const std::vector<char>& set) {
  const auto first = std::find(set.begin(), set.end(), 1);
  if (first == set.end()) return {};
  const auto last = std::find(set.rbegin(), set.rend(), 1);
  return {first - set.begin(), static_cast<int64_t>(set.size()) - 1 - (last - set.rbegin())};
}

// One axis of rf_boxes: boxes[l] for l < layer.
std::vector<RfAxisBox> axis_boxes(const std::vector<RfLayer>& stack, std::size_t layer,
                                  int64_t cell, bool rows) {
  std::vector<RfAxisBox> boxes(layer);
  Span field{cell, cell};
  std::vector<char> set(static_cast<std::size_t>(axis_of(stack[layer - 1], rows).out), 0);
  set[cell] = 1;
  for (std::size_t l = layer; l-- > 0;) {
    const RfAxis& a = axis_of(stack[l], rows);
    field = field_back(stack[l].kind, a, field);
    set = reads_back(stack[l].kind, a, set);
    RfAxisBox& b = boxes[l];
    b.field = field;
    b.depends = span_of(set);
    if (!field.empty()) {
      b.pad_before = std::max<int64_t>(0, -field.lo);
      b.pad_after = std::max<int64_t>(0, field.hi - (a.in - 1));
    }
  }
  return boxes;
}

// The field in the stack's input of cell `cell` of layer `layer`'s output (1-based).
Span field_of(const std::vector<RfLayer>& stack, std::size_t layer, int64_t cell, bool rows) {
  Span field{cell, cell};
  for (std::size_t l = layer; l-- > 0;)
    field = field_back(stack[l].kind, axis_of(stack[l], rows), field);
  return field;
}

Ratio reduced(int64_t num, int64_t den) {
  const int64_t g = std::gcd(num, den);
  return {num / g, den / g};
}

RfAxisRow axis_row(const std::vector<RfLayer>& stack, std::size_t index, bool rows) {
  RfAxisRow r;
  r.out = axis_of(stack[index], rows).out;
  // Fields repeat (shifted) every `period` cells: a transposed layer of stride s maps s output
  // cells onto one input cell's worth of shift.
  int64_t period = 1;
  for (std::size_t l = 0; l <= index; ++l) {
    const RfAxis& a = axis_of(stack[l], rows);
    if (stack[l].kind == RfKind::conv || stack[l].kind == RfKind::pool) {
      r.jump = reduced(r.jump.num * a.stride, r.jump.den);
    } else if (stack[l].kind == RfKind::conv_transpose) {
      r.jump = reduced(r.jump.num, r.jump.den * a.stride);
      period = std::min(r.out, period * a.stride);
    }
  }
  r.field0 = field_of(stack, index + 1, 0, rows);
  r.size_min = r.size_max = r.field0.size();
  for (int64_t o = 1; o < std::min(r.out, period); ++o) {
    const int64_t size = field_of(stack, index + 1, o, rows).size();
    r.size_min = std::min(r.size_min, size);
    r.size_max = std::max(r.size_max, size);
  }
  return r;
}

RfAxis window_axis(int64_t in, int64_t out, int64_t k, int stride, int dilation, int before,
                   int after) {
  return {in, out, k, stride, dilation, before, after, PaddingMode::zeros};
}

// The sizes an axis of the stack can reach, before anything is multiplied out: every
// coordinate stays far inside int64.
Status check_extent(const std::vector<RfLayer>& stack, bool rows, const std::string& file) {
  constexpr int64_t kMaxExtent = int64_t{1} << 40;
  double extent = 1;  // (a double: a huge stride must not overflow the check itself)
  for (const RfLayer& l : stack) {
    const RfAxis& a = axis_of(l, rows);
    const std::string where = file.empty() ? l.name : file + " " + l.name;
    if (a.out > kRfMaxSide) {
      return make_error(where + " makes " + std::to_string(a.out) + (rows ? " rows" : " columns") +
                            "; receptive fields are worked out for feature maps up to " +
                            std::to_string(kRfMaxSide) + (rows ? " rows" : " columns") +
                            "; give a smaller input",
                        "layers");
    }
    const double span = double(a.k - 1) * double(a.dilation) + 1.0 + double(a.pad_before);
    extent = (l.kind == RfKind::conv_transpose ? extent : extent * double(a.stride)) + span;
    if (extent > double(kMaxExtent)) {
      return make_error("the stack's receptive field grows past " + std::to_string(kMaxExtent) +
                            (rows ? " rows" : " columns") + " at " + where +
                            "; use fewer or less strided layers",
                        "layers");
    }
  }
  return ok();
}

}  // namespace

std::string signed_text(int64_t v) {
  // NOTE: appended, not "−" + std::to_string(...): g++ 12 warns falsely (-Wrestrict) on that.
  std::string t = v < 0 ? "\xE2\x88\x92" : "";
  t += std::to_string(v < 0 ? -v : v);
  return t;
}

const char* rf_kind_name(RfKind kind) {
  switch (kind) {
    case RfKind::conv:
      return "conv";
    case RfKind::pool:
      return "pool";
    case RfKind::conv_transpose:
      return "conv-transpose";
    case RfKind::relu:
      return "relu";
  }
  return "?";
}

RfLayer rf_layer(const ConvGeometry& g, std::string name) {
  RfLayer l{RfKind::conv, std::move(name), g.c_out, {}, {}};
  l.h = window_axis(g.in_h, g.out_h, g.k_h, g.stride_h, g.dilation_h, g.pad.top, g.pad.bottom);
  l.w = window_axis(g.in_w, g.out_w, g.k_w, g.stride_w, g.dilation_w, g.pad.left, g.pad.right);
  l.h.mode = l.w.mode = g.padding_mode;
  return l;
}

RfLayer rf_layer(const PoolGeometry& g, std::string name) {
  RfLayer l{RfKind::pool, std::move(name), g.c_out, {}, {}};
  l.h = window_axis(g.in_h, g.out_h, g.k_h, g.stride_h, g.dilation_h, g.pad.top, g.pad.bottom);
  l.w = window_axis(g.in_w, g.out_w, g.k_w, g.stride_w, g.dilation_w, g.pad.left, g.pad.right);
  return l;
}

RfLayer rf_layer(const ConvTransposeGeometry& g, std::string name) {
  RfLayer l{RfKind::conv_transpose, std::move(name), g.c_out, {}, {}};
  l.h = window_axis(g.in_h, g.out_h, g.k_h, g.stride_h, g.dilation_h, g.pad_h, g.output_padding_h);
  l.w = window_axis(g.in_w, g.out_w, g.k_w, g.stride_w, g.dilation_w, g.pad_w, g.output_padding_w);
  return l;
}

RfLayer rf_relu(int64_t channels, int64_t h, int64_t w, std::string name) {
  return {RfKind::relu, std::move(name), channels, {h, h}, {w, w}};
}

namespace {

// One layer of a layers file on an input of `shape`; `where` names it in sentences.
Result<RfLayer> rf_layer_of(const Layer& layer, const Shape& shape, const std::string& where,
                            const std::string& file) {
  const auto fail = [&](const std::string& m) { return make_error(where + ": " + m, "layers"); };
  const auto operand_fail = [&](const std::string& m) {
    return make_error(file.empty() ? m : file + " " + m, "layers");
  };
  switch (layer.kind) {
    case LayerKind::relu:
      return rf_relu(shape[1], shape[2], shape[3], layer.name);
    case LayerKind::pool: {
      Result<PoolGeometry> g = pool2d_geometry(shape, layer.pool);
      if (!g) return fail(g.error().message);
      return rf_layer(*g, layer.name);
    }
    case LayerKind::conv_transpose: {
      Result<ConvTransposeOperands> op = conv_transpose_operands(layer, shape[1]);
      if (!op) return operand_fail(op.error().message);
      const int64_t bias_len = op->bias ? op->bias->numel() : -1;
      Result<ConvTransposeGeometry> g =
          conv_transpose2d_geometry(shape, op->weight.shape(), bias_len, op->params);
      if (!g) return fail(g.error().message);
      return rf_layer(*g, layer.name);
    }
    case LayerKind::conv:
      break;
  }
  Result<ConvOperands> op = conv_operands(layer, shape[1]);
  if (!op) return operand_fail(op.error().message);
  const int64_t bias_len = op->bias ? op->bias->numel() : -1;
  Result<ConvGeometry> g = conv2d_geometry(shape, op->weight.shape(), bias_len, op->params);
  if (!g) return fail(g.error().message);
  return rf_layer(*g, layer.name);
}

}  // namespace

Result<std::vector<RfLayer>> rf_layers(const std::vector<Layer>& layers, const Shape& input_nchw,
                                       const std::string& file) {
  if (input_nchw.size() != 4) {
    return make_error("the input shape needs four numbers N,C,H,W, like 1,3,224,224", "input");
  }
  std::vector<RfLayer> stack;
  Shape shape = input_nchw;
  for (const Layer& layer : layers) {
    const std::string where = file.empty() ? layer.name : file + " " + layer.name;
    Result<RfLayer> next = rf_layer_of(layer, shape, where, file);
    if (!next) return next.error();
    stack.push_back(std::move(*next));
    const RfLayer& l = stack.back();
    shape = {shape[0], l.channels, l.h.out, l.w.out};
  }
  for (bool rows : {true, false}) {
    Status s = check_extent(stack, rows, file);
    if (!s) return s.error();
  }
  return stack;
}

std::vector<RfRow> rf_table(const std::vector<RfLayer>& stack) {
  std::vector<RfRow> table;
  bool exact = true;
  for (std::size_t i = 0; i < stack.size(); ++i) {
    exact = exact && stack[i].kind != RfKind::conv_transpose;
    table.push_back({stack[i].name, stack[i].kind, stack[i].channels, axis_row(stack, i, true),
                     axis_row(stack, i, false), exact});
  }
  return table;
}

std::string rf_recurrence_text(const std::vector<RfLayer>& stack, std::size_t index, bool rows) {
  // The recurrence on layer index's input: size, jump and start of the previous level.
  int64_t size = 1, jump = 1, start = 0;
  if (index > 0) {
    const RfAxisRow prev = axis_row(stack, index - 1, rows);
    size = prev.size_max;
    jump = prev.jump.num;
    start = prev.field0.lo;
  }
  const RfLayer& l = stack[index];
  const RfAxis& a = axis_of(l, rows);
  if (l.kind == RfKind::relu) {
    return "size " + signed_text(size) + ", jump " + signed_text(jump) + ", start " +
           signed_text(start) + " (ReLU works cell by cell)";
  }
  const char* dot = "\xC2\xB7";
  const char* minus = " \xE2\x88\x92 ";
  return "size = " + signed_text(size) + " + (" + signed_text(a.k) + minus + "1)" + dot +
         signed_text(a.dilation) + dot + signed_text(jump) + " = " +
         signed_text(size + (a.k - 1) * a.dilation * jump) + "; jump = " + signed_text(jump) + dot +
         signed_text(a.stride) + " = " + signed_text(jump * a.stride) +
         "; start = " + signed_text(start) + minus + signed_text(a.pad_before) + dot +
         signed_text(jump) + " = " + signed_text(start - a.pad_before * jump);
}

std::vector<RfBox> rf_boxes(const std::vector<RfLayer>& stack, std::size_t layer, int64_t y,
                            int64_t x) {
  const std::vector<RfAxisBox> ys = axis_boxes(stack, layer, y, true);
  const std::vector<RfAxisBox> xs = axis_boxes(stack, layer, x, false);
  std::vector<RfBox> boxes(layer);
  for (std::size_t l = 0; l < layer; ++l)
    boxes[l] = {ys[l], xs[l]};
  return boxes;
}

RfBox rf_box(const std::vector<RfLayer>& stack, int64_t y, int64_t x) {
  return rf_boxes(stack, stack.size(), y, x).front();
}

}  // namespace cs
