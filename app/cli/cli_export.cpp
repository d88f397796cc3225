// `convscope export --to pytorch|keras COMMAND OPTIONS...` and the generator behind it and the
// window's "Copy as PyTorch / Keras": a Python script that loads the same operands, builds the
// torch.nn or keras.layers layer with convscope's weights and settings, runs it and np.saves the
// result. The command's options go through the command's own table and parsers, so a mistake
// reads the same sentence `convscope COMMAND` prints. Depends on core/ and cli_common (no ImGui).
#include "app/cli/cli_export.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "app/cli/cli_common.hpp"
#include "app/cli/cli_prepare.hpp"
#include "core/conv2d.hpp"

namespace cs::cli {
namespace {

// ---- Python text ----

// A single-quoted Python string literal.
std::string py_str(const std::string& s) {
  std::string out = "'";
  for (unsigned char c : s) {
    if (c == '\\' || c == '\'') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

std::string py_tuple(const Shape& s) {
  std::string out = "(";
  for (std::size_t i = 0; i < s.size(); ++i)
    out += (i ? ", " : "") + std::to_string(s[i]);
  return out + (s.size() == 1 ? ",)" : ")");
}

std::string py_pair(int64_t a, int64_t b) {
  std::string out = "(";  // NOTE: appended, not "(" + ...: g++ 12 warns (-Wrestrict) on that
  out += std::to_string(a);
  out += ", ";
  out += std::to_string(b);
  return out + ")";
}

const char* np_dtype(DType d) {
  return d == DType::f64 ? "np.float64" : "np.float32";
}

std::string py_number(double v, DType d) {
  if (std::isnan(v)) return "np.nan";
  if (std::isinf(v)) return v > 0 ? "np.inf" : "-np.inf";
  return json_number(v, d);
}

// Nested lists of the tensor's values, row by row.
void nested(const Tensor& t, std::size_t axis, int64_t& flat, std::string& out) {
  out += '[';
  const int64_t n = t.shape()[axis];
  for (int64_t i = 0; i < n; ++i) {
    if (i) out += ", ";
    if (axis + 1 == t.shape().size()) {
      out += py_number(t.get(flat++), t.dtype());
    } else {
      nested(t, axis + 1, flat, out);
    }
  }
  out += ']';
}

std::string array_literal(const Tensor& t) {
  std::string values;
  int64_t flat = 0;
  if (t.ndim() == 0) {
    values = py_number(t.get(0), t.dtype());
  } else {
    nested(t, 0, flat, values);
  }
  return "np.array(" + values + ", dtype=" + np_dtype(t.dtype()) + ")";
}

const char* np_pad_mode(PaddingMode m) {
  switch (m) {
    case PaddingMode::zeros:
      return "constant";
    case PaddingMode::reflect:
      return "reflect";  // mirrors without repeating the edge, as PyTorch's reflect
    case PaddingMode::replicate:
      return "edge";
    case PaddingMode::circular:
      return "wrap";
  }
  return "constant";
}

// ---- The script, line by line ----

struct Script {
  std::vector<std::string> lines;
  void add(const std::string& line) { lines.push_back(line); }
  void blank() { lines.emplace_back(); }
  std::string text() const {
    std::string out;
    for (const std::string& l : lines)
      out += l + "\n";
    return out;
  }
};

void header(Script& s, const ExportLayer& l, const char* what, bool keras) {
  s.add("#!/usr/bin/python3");
  s.add(std::string("# ") + what + " with convscope's weights and settings" +
        (l.command.empty() ? "." : ", made by:"));
  if (!l.command.empty()) s.add("#   " + l.command);
  s.add("# It writes the numbers convscope writes (float rounding aside).");
  s.add("import numpy as np");
  s.add(keras ? "import keras  # Keras 3 (TensorFlow 2.16+ ships it as tf.keras)" : "import torch");
  s.blank();
}

// `name = np.load(...)` or an inline array; operands after the input in the input's dtype.
void load(Script& s, const char* name, const ScriptTensor& t, const std::string& what, bool cast) {
  std::string rhs = t.value ? array_literal(*t.value) : "np.load(" + py_str(t.path) + ")";
  if (cast) rhs += ".astype(x.dtype)";
  if (std::strcmp(name, "b") == 0) rhs += ".reshape(-1)";
  s.add(std::string(name) + " = " + rhs + "  # " + what);
}

void load_operands(Script& s, const ExportLayer& l, const char* x_what, const char* w_what) {
  load(s, "x", l.input, x_what, false);
  if (l.weight.present())
    load(s, "w", l.weight, std::string(w_what) + ", in the input's dtype as convscope computes",
         true);
  if (l.bias.present()) load(s, "b", l.bias, "bias [C_out]", true);
}

// A [H, W] or unbatched input, a [KH, KW] weight: to 4-D as convscope reads them.
void expand_4d(Script& s, const ExportLayer& l) {
  if (l.input.shape.size() != 4) {
    s.add("x = x.reshape(" + py_tuple(l.input4) + ")  # " +
          (l.input.shape.size() == 3 ? "an unbatched input: a batch of 1"
                                     : "[H, W]: one image of one channel") +
          ", as convscope reads it");
  }
  if (l.weight.present() && l.weight.shape.size() != 4) {
    s.add("w = w.reshape(" + py_tuple(l.weight4) + ")  # one [KH, KW] kernel");
  }
}

// The 4-D result back to the rank convscope writes.
void squeeze(Script& s, const Shape& out4, const Shape& output) {
  if (output != out4) s.add("y = y.reshape(" + py_tuple(output) + ")  # the rank convscope writes");
}

void save(Script& s, const ExportLayer& l) {
  s.add("np.save(" + py_str(l.out_path) + ", y)");
  s.add("print('wrote', " + py_str(l.out_path) + ", y.dtype, list(y.shape))");
}

// np.pad of the spatial axes (2-D: H and W at `h_axis`, `h_axis` + 1; 1-D: W only).
std::string np_pad(int rank, int h_axis, const Pad4& p, bool one_d, const std::string& mode) {
  std::string widths = "(";
  for (int a = 0; a < rank; ++a) {
    std::string w = "(0, 0)";
    if (!one_d && a == h_axis) w = py_pair(p.top, p.bottom);
    if (a == (one_d ? h_axis : h_axis + 1)) w = py_pair(p.left, p.right);
    widths += (a ? ", " : "") + w;
  }
  return "np.pad(x, " + widths + "), mode=" + mode + ")";
}

bool symmetric(const Pad4& p) {
  return p.top == p.bottom && p.left == p.right;
}
bool no_padding(const Pad4& p) {
  return p.top == 0 && p.bottom == 0 && p.left == 0 && p.right == 0;
}
// Padding 'same' splits dilation·(k − 1) with the extra row/column at the bottom/right, in
// PyTorch (stride 1) and TensorFlow (any stride) alike.
bool keras_same(const WindowGeometry& g, bool one_d) {
  const SameAxis h = keras_same_axis(g.in_h, g.k_h, g.stride_h, g.dilation_h);
  const SameAxis w = keras_same_axis(g.in_w, g.k_w, g.stride_w, g.dilation_w);
  const bool rows = one_d || (g.pad.top == h.before && g.pad.bottom == h.after);
  return rows && g.pad.left == w.before && g.pad.right == w.after;
}
bool torch_same(const WindowGeometry& g, bool one_d) {
  return g.stride_h == 1 && g.stride_w == 1 && keras_same(g, one_d);
}

// How the script pads a conv: a name the framework knows, numbers, or an explicit np.pad step.
struct PadChoice {
  std::string argument;  // "'same'", "(1, 2)", "2" ...
  std::string step;      // an np.pad line before the layer, or ""
  std::string comment;   // after the argument, or ""
  bool mode_in_step = false;
};

PadChoice torch_conv_padding(const ConvGeometry& g, const PaddingSpec& asked, bool one_d,
                             int rank) {
  PadChoice c;
  const Pad4& p = g.pad;
  if (asked.kind == PaddingSpec::Kind::valid) {
    c.argument = "'valid'";
  } else if (asked.kind == PaddingSpec::Kind::same && torch_same(g, one_d)) {
    c.argument = "'same'";
  } else if (symmetric(p)) {
    c.argument = one_d ? std::to_string(p.left) : py_pair(p.top, p.left);
    if (asked.kind == PaddingSpec::Kind::full) {
      c.comment = "'full': dilation\xC2\xB7(k \xE2\x88\x92 1) on every side";
    }
  } else {
    c.argument = "0";
    c.step = "x = " + np_pad(rank, 2, p, one_d, py_str(np_pad_mode(g.padding_mode))) +
             "  # padding per side (top, bottom, left, right) = " + std::to_string(p.top) + ", " +
             std::to_string(p.bottom) + ", " + std::to_string(p.left) + ", " +
             std::to_string(p.right) + ": torch.nn pads both sides alike";
    c.mode_in_step = true;
  }
  return c;
}

PadChoice keras_conv_padding(const ConvGeometry& g, bool one_d, int rank) {
  PadChoice c;
  if (no_padding(g.pad)) {
    c.argument = "'valid'";
  } else if (g.padding_mode == PaddingMode::zeros && keras_same(g, one_d)) {
    c.argument = "'same'";
  } else {
    c.argument = "'valid'";
    // channels_last: H is axis 1 of [N, H, W, C], L axis 1 of [N, L, C]
    c.step = "x = " + np_pad(rank, 1, g.pad, one_d, py_str(np_pad_mode(g.padding_mode))) +
             "  # Keras pads only with zeros and only 'same'/'valid': the padding, explicitly";
    c.mode_in_step = true;
  }
  return c;
}

Error keras_refuses(const std::string& what) {
  return make_error("--to keras: " + what, "--to");
}

// ---- PyTorch ----

std::string torch_dtype(DType d) {
  return d == DType::f64 ? "torch.float64" : "torch.float32";
}

void torch_run(Script& s, const ExportLayer& l, bool weights) {
  s.add("with torch.no_grad():");
  if (weights) {
    s.add("    layer.weight.copy_(torch.from_numpy(w))");
    if (l.bias.present()) s.add("    layer.bias.copy_(torch.from_numpy(b))");
  }
  s.add("    y = layer(torch.from_numpy(x)).numpy()");
}

std::string torch_conv2d(const ExportLayer& l) {
  Script s;
  const ConvGeometry& g = l.conv;
  const bool nhwc = l.layout == Layout::nhwc;
  header(s, l, "torch.nn.Conv2d", false);
  load_operands(
      s, l, nhwc ? "input [N, H, W, C_in]" : "input [N, C_in, H, W]",
      nhwc ? "weight [KH, KW, C_in/groups, C_out]" : "weight [C_out, C_in/groups, KH, KW]");
  expand_4d(s, l);
  if (nhwc) {
    s.add("x = x.transpose(0, 3, 1, 2)  # NHWC -> NCHW, PyTorch's order");
    s.add(
        "w = w.transpose(3, 2, 0, 1)  # [KH, KW, C_in/groups, C_out] -> [C_out, C_in/groups, "
        "KH, KW]");
  }
  if (l.flip) {
    s.add(
        "w = w[:, :, ::-1, ::-1].copy()  # --flip: a true convolution turns "
        "the kernel 180 degrees");
  }
  const PadChoice pad = torch_conv_padding(g, l.conv_asked.padding, false, 4);
  if (!pad.step.empty()) s.add(pad.step);
  s.blank();
  s.add("layer = torch.nn.Conv2d(in_channels=" + std::to_string(g.c_in) + ", out_channels=" +
        std::to_string(g.c_out) + ", kernel_size=" + py_pair(g.k_h, g.k_w) + ",");
  s.add("                        stride=" + py_pair(g.stride_h, g.stride_w) +
        ", padding=" + pad.argument + ", dilation=" + py_pair(g.dilation_h, g.dilation_w) + ",");
  s.add("                        groups=" + std::to_string(g.groups) +
        ", bias=" + (l.bias.present() ? "True" : "False") +
        ", padding_mode=" + py_str(pad.mode_in_step ? "zeros" : padding_mode_name(g.padding_mode)) +
        ", dtype=" + torch_dtype(l.dtype) + ")" +
        (pad.comment.empty() ? "" : "  # " + pad.comment));
  torch_run(s, l, true);
  const Shape out4 =
      nhwc ? Shape{g.n, g.out_h, g.out_w, g.c_out} : Shape{g.n, g.c_out, g.out_h, g.out_w};
  if (nhwc) s.add("y = y.transpose(0, 2, 3, 1)  # back to NHWC");
  squeeze(s, out4, l.output);
  save(s, l);
  return s.text();
}

void conv1d_prelude(Script& s, const ExportLayer& l) {
  const Conv1dPlan& plan = *l.conv1d;
  load_operands(s, l, "input [N, C_in, L], [C_in, L] or [L]",
                "weight [C_out, C_in/groups, K] or [K]");
  if (plan.swapped) {
    s.add("x, w = w, x  # np.convolve's rule: a kernel longer than the signal swaps the two");
  }
  if (l.input.shape.size() != 3)
    s.add("x = x.reshape(" + py_tuple(plan.input) + ")  # [N, C_in, L]");
  if (l.weight.shape.size() != 3) {
    s.add("w = w.reshape(" + py_tuple(plan.weight) + ")  # [C_out, C_in/groups, K]");
  }
}

std::string torch_conv1d(const ExportLayer& l) {
  Script s;
  const Conv1dPlan& plan = *l.conv1d;
  const ConvGeometry& g = plan.geometry;
  header(s, l, "torch.nn.Conv1d", false);
  conv1d_prelude(s, l);
  if (plan.flip) {
    s.add(
        "w = w[:, :, ::-1].copy()  # --flip: a true convolution reverses the "
        "kernel");
  }
  const PadChoice pad = torch_conv_padding(g, l.conv1d_asked.padding, true, 3);
  if (!pad.step.empty()) s.add(pad.step);
  s.blank();
  s.add("layer = torch.nn.Conv1d(in_channels=" + std::to_string(g.c_in) +
        ", out_channels=" + std::to_string(g.c_out) + ", kernel_size=" + std::to_string(g.k_w) +
        ", stride=" + std::to_string(g.stride_w) + ",");
  s.add("                        padding=" + pad.argument +
        ", dilation=" + std::to_string(g.dilation_w) + ", groups=" + std::to_string(g.groups) +
        ", bias=" + (l.bias.present() ? "True" : "False") + ",");
  s.add("                        padding_mode=" +
        py_str(pad.mode_in_step ? "zeros" : padding_mode_name(g.padding_mode)) + ", dtype=" +
        torch_dtype(l.dtype) + ")" + (pad.comment.empty() ? "" : "  # " + pad.comment));
  torch_run(s, l, true);
  squeeze(s, {g.n, g.c_out, g.out_w}, l.output);
  save(s, l);
  return s.text();
}

std::string torch_conv_transpose2d(const ExportLayer& l) {
  Script s;
  const ConvTransposeGeometry& g = l.transpose_geo;
  const bool nhwc = l.layout == Layout::nhwc;
  header(s, l, "torch.nn.ConvTranspose2d", false);
  load_operands(s, l, nhwc ? "input [N, H, W, C_in]" : "input [N, C_in, H, W]",
                nhwc ? "weight [KH, KW, C_out/groups, C_in] (Keras's)"
                     : "weight [C_in, C_out/groups, KH, KW]");
  expand_4d(s, l);
  if (nhwc) {
    s.add("x = x.transpose(0, 3, 1, 2)  # NHWC -> NCHW, PyTorch's order");
    s.add(
        "w = w.transpose(3, 2, 0, 1)  # [KH, KW, C_out/groups, C_in] -> [C_in, C_out/groups, "
        "KH, KW]");
  }
  s.blank();
  s.add("layer = torch.nn.ConvTranspose2d(in_channels=" + std::to_string(g.c_in) +
        ", out_channels=" + std::to_string(g.c_out) + ", kernel_size=" + py_pair(g.k_h, g.k_w) +
        ",");
  s.add("                                 stride=" + py_pair(g.stride_h, g.stride_w) +
        ", padding=" + py_pair(g.pad_h, g.pad_w) +
        ", output_padding=" + py_pair(g.output_padding_h, g.output_padding_w) + ",");
  s.add("                                 groups=" + std::to_string(g.groups) +
        ", bias=" + (l.bias.present() ? "True" : "False") + ", dilation=" +
        py_pair(g.dilation_h, g.dilation_w) + ", dtype=" + torch_dtype(l.dtype) + ")");
  torch_run(s, l, true);
  int64_t out_h = g.out_h, out_w = g.out_w;
  if (l.keras_transpose) {
    out_h = l.keras_transpose->out_h;
    out_w = l.keras_transpose->out_w;
    if (out_h != g.out_h || out_w != g.out_w) {
      s.add("y = y[:, :, :" + std::to_string(out_h) + ", :" + std::to_string(out_w) +
            "]  # Keras's output size: the last row/column of the stamps dropped");
    }
  }
  if (nhwc) s.add("y = y.transpose(0, 2, 3, 1)  # back to NHWC");
  const Shape out4 = nhwc ? Shape{g.n, out_h, out_w, g.c_out} : Shape{g.n, g.c_out, out_h, out_w};
  squeeze(s, out4, l.output);
  save(s, l);
  return s.text();
}

std::string torch_pool2d(const ExportLayer& l) {
  Script s;
  const PoolGeometry& g = l.pool;
  const bool nhwc = l.layout == Layout::nhwc;
  const bool is_max = g.op == PoolOp::max;
  header(s, l, is_max ? "torch.nn.MaxPool2d" : "torch.nn.AvgPool2d", false);
  load_operands(s, l, nhwc ? "input [N, H, W, C]" : "input [N, C, H, W]", "");
  expand_4d(s, l);
  if (nhwc) s.add("x = x.transpose(0, 3, 1, 2)  # NHWC -> NCHW, PyTorch's order");
  const bool sym = symmetric(g.pad);
  std::string padding = py_pair(g.pad.top, g.pad.left);
  const std::string common =
      "kernel_size=" + py_pair(g.k_h, g.k_w) + ", stride=" + py_pair(g.stride_h, g.stride_w);
  const std::string ceil = std::string(", ceil_mode=") + (g.ceil_mode ? "True" : "False");
  if (!sym) {  // Keras's 'same': one more row/column at the bottom/right than at the top/left
    padding = "0";
    s.add("pads = ((0, 0), (0, 0), " + py_pair(g.pad.top, g.pad.bottom) + ", " +
          py_pair(g.pad.left, g.pad.right) + ")  # Keras's 'same': padding per side");
    if (is_max) s.add("x = np.pad(x, pads, constant_values=-np.inf)  # max never picks it");
  }
  s.blank();
  if (is_max) {
    s.add("layer = torch.nn.MaxPool2d(" + common + ", padding=" + padding +
          ", dilation=" + py_pair(g.dilation_h, g.dilation_w) + ceil + ")");
    s.add("y = layer(torch.from_numpy(x)).numpy()");
  } else if (sym) {
    s.add("layer = torch.nn.AvgPool2d(" + common + ", padding=" + padding + ceil +
          ", count_include_pad=" + (g.count_include_pad ? "True" : "False") + ")");
    s.add("y = layer(torch.from_numpy(x)).numpy()");
  } else {
    s.add(
        "# window sums (divisor 1) of the zero-padded input, divided by the real cells each "
        "window holds, as Keras's 'same' does");
    s.add("layer = torch.nn.AvgPool2d(" + common + ", padding=0" + ceil + ", divisor_override=1)");
    s.add("sums = layer(torch.from_numpy(np.pad(x, pads)))");
    s.add("cells = layer(torch.from_numpy(np.pad(np.ones_like(x), pads)))");
    s.add("y = (sums / cells).numpy()");
  }
  if (nhwc) s.add("y = y.transpose(0, 2, 3, 1)  # back to NHWC");
  const Shape out4 =
      nhwc ? Shape{g.n, g.out_h, g.out_w, g.c_out} : Shape{g.n, g.c_out, g.out_h, g.out_w};
  squeeze(s, out4, l.output);
  save(s, l);
  return s.text();
}

// ---- Keras ----

const char* keras_dtype(DType d) {
  return d == DType::f64 ? "'float64'" : "'float32'";
}

void keras_run(Script& s, const ExportLayer& l, const std::string& input_shape) {
  s.add("layer.build(" + input_shape + ")");
  if (l.weight.present())
    s.add(l.bias.present() ? "layer.set_weights([w, b])" : "layer.set_weights([w])");
  s.add("y = np.asarray(layer(x))");
}

Status keras_stride_dilation(int sh, int sw, int dh, int dw, const char* layer) {
  if ((sh > 1 || sw > 1) && (dh > 1 || dw > 1)) {
    return keras_refuses(std::string("Keras's ") + layer +
                         " refuses strides > 1 together with dilation_rate > 1 (stride " +
                         std::to_string(sh) + "\xC3\x97" + std::to_string(sw) + ", dilation " +
                         std::to_string(dh) + "\xC3\x97" + std::to_string(dw) +
                         "); export to PyTorch, or use stride 1 or dilation 1");
  }
  return ok();
}

Result<std::string> keras_conv2d(const ExportLayer& l) {
  const ConvGeometry& g = l.conv;
  if (auto st = keras_stride_dilation(g.stride_h, g.stride_w, g.dilation_h, g.dilation_w, "Conv2D");
      !st) {
    return st.error();
  }
  Script s;
  const bool nchw = l.layout == Layout::nchw;
  header(s, l, "keras.layers.Conv2D", true);
  load_operands(
      s, l, nchw ? "input [N, C_in, H, W]" : "input [N, H, W, C_in]",
      nchw ? "weight [C_out, C_in/groups, KH, KW]" : "weight [KH, KW, C_in/groups, C_out]");
  expand_4d(s, l);
  if (nchw) {
    s.add("x = x.transpose(0, 2, 3, 1)  # NCHW -> NHWC: Keras's channels_last");
    s.add(
        "w = w.transpose(2, 3, 1, 0)  # [C_out, C_in/groups, KH, KW] -> Keras's kernel [KH, KW, "
        "C_in/groups, C_out]");
  }
  if (l.flip) {
    s.add(
        "w = w[::-1, ::-1].copy()  # --flip: a true convolution turns the kernel "
        "180 degrees");
  }
  const PadChoice pad = keras_conv_padding(g, false, 4);
  if (!pad.step.empty()) s.add(pad.step);
  s.blank();
  s.add("layer = keras.layers.Conv2D(filters=" + std::to_string(g.c_out) +
        ", kernel_size=" + py_pair(g.k_h, g.k_w) + ", strides=" + py_pair(g.stride_h, g.stride_w) +
        ", padding=" + pad.argument + ",");
  s.add("                            dilation_rate=" + py_pair(g.dilation_h, g.dilation_w) +
        ", groups=" + std::to_string(g.groups) + ", use_bias=" +
        (l.bias.present() ? "True" : "False") + ", dtype=" + keras_dtype(l.dtype) + ")");
  keras_run(s, l, "x.shape");
  if (nchw) s.add("y = y.transpose(0, 3, 1, 2)  # back to NCHW");
  const Shape out4 =
      nchw ? Shape{g.n, g.c_out, g.out_h, g.out_w} : Shape{g.n, g.out_h, g.out_w, g.c_out};
  squeeze(s, out4, l.output);
  save(s, l);
  return s.text();
}

Result<std::string> keras_conv1d(const ExportLayer& l) {
  const Conv1dPlan& plan = *l.conv1d;
  const ConvGeometry& g = plan.geometry;
  if (auto st = keras_stride_dilation(1, g.stride_w, 1, g.dilation_w, "Conv1D"); !st) {
    return st.error();
  }
  Script s;
  header(s, l, "keras.layers.Conv1D", true);
  conv1d_prelude(s, l);
  s.add("x = x.transpose(0, 2, 1)  # [N, C_in, L] -> [N, L, C_in]: Keras's channels_last");
  s.add(
      "w = w.transpose(2, 1, 0)  # [C_out, C_in/groups, K] -> Keras's kernel [K, C_in/groups, "
      "C_out]");
  if (plan.flip) {
    s.add("w = w[::-1].copy()  # --flip: a true convolution reverses the kernel");
  }
  const PadChoice pad = keras_conv_padding(g, true, 3);
  if (!pad.step.empty()) s.add(pad.step);
  s.blank();
  s.add("layer = keras.layers.Conv1D(filters=" + std::to_string(g.c_out) +
        ", kernel_size=" + std::to_string(g.k_w) + ", strides=" + std::to_string(g.stride_w) +
        ", padding=" + pad.argument + ",");
  s.add("                            dilation_rate=" + std::to_string(g.dilation_w) + ", groups=" +
        std::to_string(g.groups) + ", use_bias=" + (l.bias.present() ? "True" : "False") +
        ", dtype=" + keras_dtype(l.dtype) + ")");
  keras_run(s, l, "x.shape");
  s.add("y = y.transpose(0, 2, 1)  # back to [N, C_out, L_out]");
  squeeze(s, {g.n, g.c_out, g.out_w}, l.output);
  save(s, l);
  return s.text();
}

Result<std::string> keras_conv_transpose2d(const ExportLayer& l) {
  const ConvTransposeGeometry& g = l.transpose_geo;
  if (g.groups != 1) {
    return keras_refuses("Keras's Conv2DTranspose has no groups (this layer has " +
                         std::to_string(g.groups) + "); export to PyTorch, or use groups 1");
  }
  if (auto st = keras_stride_dilation(g.stride_h, g.stride_w, g.dilation_h, g.dilation_w,
                                      "Conv2DTranspose");
      !st) {
    return st.error();
  }
  const KerasTransposePlan* plan = l.keras_transpose ? &*l.keras_transpose : nullptr;
  if (!plan && (g.output_padding_h >= g.stride_h || g.output_padding_w >= g.stride_w)) {
    return keras_refuses(
        "Keras's Conv2DTranspose needs output_padding smaller than the stride "
        "(output_padding " +
        std::to_string(g.output_padding_h) + "\xC3\x97" + std::to_string(g.output_padding_w) +
        ", stride " + std::to_string(g.stride_h) + "\xC3\x97" + std::to_string(g.stride_w) +
        "); export to PyTorch");
  }
  Script s;
  const bool nchw = l.layout == Layout::nchw;
  header(s, l, "keras.layers.Conv2DTranspose", true);
  load_operands(s, l, nchw ? "input [N, C_in, H, W]" : "input [N, H, W, C_in]",
                nchw ? "weight [C_in, C_out, KH, KW]" : "weight [KH, KW, C_out, C_in]");
  expand_4d(s, l);
  if (nchw) {
    s.add("x = x.transpose(0, 2, 3, 1)  # NCHW -> NHWC: Keras's channels_last");
    s.add(
        "w = w.transpose(2, 3, 1, 0)  # [C_in, C_out, KH, KW] -> Keras's kernel [KH, KW, C_out, "
        "C_in]");
  }
  std::string padding = "'valid'", output_padding;
  if (plan) {
    padding = plan->padding == KerasPadding::same ? "'same'" : "'valid'";
    output_padding = plan->has_output_padding
                         ? py_pair(plan->output_padding_h, plan->output_padding_w)
                         : std::string("None");
  } else {
    // PyTorch's padding crops the full stamps; Keras's 'valid' with output_padding keeps them.
    output_padding = py_pair(g.output_padding_h, g.output_padding_w);
  }
  s.blank();
  s.add("layer = keras.layers.Conv2DTranspose(filters=" + std::to_string(g.c_out) +
        ", kernel_size=" + py_pair(g.k_h, g.k_w) + ", strides=" + py_pair(g.stride_h, g.stride_w) +
        ",");
  s.add("                                     padding=" + padding + ", output_padding=" +
        output_padding + ", dilation_rate=" + py_pair(g.dilation_h, g.dilation_w) + ",");
  s.add(std::string("                                     use_bias=") +
        (l.bias.present() ? "True" : "False") + ", dtype=" + keras_dtype(l.dtype) + ")");
  keras_run(s, l, "x.shape");
  int64_t out_h = g.out_h, out_w = g.out_w;
  if (plan) {
    out_h = plan->out_h;
    out_w = plan->out_w;
  } else if (g.pad_h || g.pad_w) {
    s.add("y = y[:, " + std::to_string(g.pad_h) + ":" + std::to_string(g.pad_h + g.out_h) + ", " +
          std::to_string(g.pad_w) + ":" + std::to_string(g.pad_w + g.out_w) +
          ", :]  # PyTorch's padding crops the stamps on every side");
  }
  if (nchw) s.add("y = y.transpose(0, 3, 1, 2)  # back to NCHW");
  const Shape out4 = nchw ? Shape{g.n, g.c_out, out_h, out_w} : Shape{g.n, out_h, out_w, g.c_out};
  squeeze(s, out4, l.output);
  save(s, l);
  return s.text();
}

Result<std::string> keras_pool2d(const ExportLayer& l) {
  const PoolGeometry& g = l.pool;
  const bool is_max = g.op == PoolOp::max;
  const char* name = is_max ? "MaxPooling2D" : "AveragePooling2D";
  if (g.dilation_h > 1 || g.dilation_w > 1) {
    return keras_refuses(std::string("Keras's MaxPooling2D has no dilation (dilation ") +
                         std::to_string(g.dilation_h) + "\xC3\x97" + std::to_string(g.dilation_w) +
                         "); export to PyTorch, or use dilation 1");
  }
  if (g.ceil_mode) {
    Pool2dParams floor = l.pool_asked;
    floor.ceil_mode = false;
    floor.pad_h = g.pad.top;
    floor.pad_w = g.pad.left;
    floor.pad_bottom = g.pad.bottom;
    floor.pad_right = g.pad.right;
    floor.stride_h = g.stride_h;
    floor.stride_w = g.stride_w;
    floor.layout = Layout::nchw;
    auto f = pool2d_geometry({g.n, g.c_in, g.in_h, g.in_w}, floor);
    if (!f || f->out_h != g.out_h || f->out_w != g.out_w) {
      return keras_refuses(std::string("Keras's ") + name +
                           " has no ceil_mode, and here it adds a last window; export to "
                           "PyTorch, or leave out --ceil-mode");
    }
  }
  Script s;
  const bool nchw = l.layout == Layout::nchw;
  std::string padding = "'valid'", step;
  if (!no_padding(g.pad)) {
    // TensorFlow's 'same': max never picks the padding, avg divides by the real cells only.
    const bool same = keras_same(g, false) && (is_max || !g.count_include_pad);
    if (same) {
      padding = "'same'";
    } else if (is_max) {
      step = "x = " + np_pad(4, 1, g.pad, false, "'constant', constant_values=-np.inf") +
             "  # PyTorch's padding, which max never picks: Keras has 'same' and 'valid' only";
    } else if (g.count_include_pad) {
      step = "x = " + np_pad(4, 1, g.pad, false, "'constant'") +
             "  # PyTorch's padding, counted in every average: Keras has 'same' and 'valid' only";
    } else {
      return keras_refuses(
          "Keras's AveragePooling2D pads only as 'same', and this padding (" +
          std::to_string(g.pad.top) + ", " + std::to_string(g.pad.left) +
          ") left out of the count is not Keras's 'same' for this input; export to PyTorch");
    }
  }
  header(s, l, (std::string("keras.layers.") + name).c_str(), true);
  load_operands(s, l, nchw ? "input [N, C, H, W]" : "input [N, H, W, C]", "");
  expand_4d(s, l);
  if (nchw) s.add("x = x.transpose(0, 2, 3, 1)  # NCHW -> NHWC: Keras's channels_last");
  if (!step.empty()) s.add(step);
  s.blank();
  s.add(std::string("layer = keras.layers.") + name + "(pool_size=" + py_pair(g.k_h, g.k_w) +
        ", strides=" + py_pair(g.stride_h, g.stride_w) + ", padding=" + padding +
        ", dtype=" + keras_dtype(l.dtype) + ")");
  s.add("y = np.asarray(layer(x))");
  if (nchw) s.add("y = y.transpose(0, 3, 1, 2)  # back to NCHW");
  const Shape out4 =
      nchw ? Shape{g.n, g.c_out, g.out_h, g.out_w} : Shape{g.n, g.out_h, g.out_w, g.c_out};
  squeeze(s, out4, l.output);
  save(s, l);
  return s.text();
}

}  // namespace

Result<ExportTarget> parse_export_target(const std::string& text) {
  if (text == "pytorch") return ExportTarget::pytorch;
  if (text == "keras") return ExportTarget::keras;
  return make_error("--to " + text +
                        " is not a framework ConvScope exports to; use --to pytorch or "
                        "--to keras",
                    "--to");
}

Result<std::string> export_script(const ExportLayer& layer, ExportTarget target) {
  const bool torch = target == ExportTarget::pytorch;
  switch (layer.op) {
    case ExportOp::conv2d:
      return torch ? Result<std::string>(torch_conv2d(layer)) : keras_conv2d(layer);
    case ExportOp::conv1d:
      return torch ? Result<std::string>(torch_conv1d(layer)) : keras_conv1d(layer);
    case ExportOp::conv_transpose2d:
      return torch ? Result<std::string>(torch_conv_transpose2d(layer))
                   : keras_conv_transpose2d(layer);
    case ExportOp::pool2d:
      return torch ? Result<std::string>(torch_pool2d(layer)) : keras_pool2d(layer);
  }
  return make_error("unknown layer");
}

namespace {

// ---- `convscope export`: the command's own parsing, then the script ----

const CommandSpec& export_spec() {
  static const CommandSpec spec{
      "export",
      "--to pytorch|keras COMMAND OPTIONS...",
      "Prints a Python script that computes what `convscope COMMAND OPTIONS...` computes (COMMAND\n"
      "is conv, conv1d, conv-transpose or pool, with exactly its options): it loads the same .npy\n"
      "files with NumPy, builds the torch.nn layer (or the keras.layers layer, with Keras's "
      "kernel\n"
      "layout and its padding rules) with those weights and settings, runs it and saves the\n"
      "result with np.save to the given --out. What Keras cannot express (padding modes, padding\n"
      "per side) is an explicit np.pad step; what it refuses (groups in Conv2DTranspose, strides\n"
      "with dilation, ...) is refused in a sentence. --backend, --repeat, --threads and --quiet\n"
      "are checked as the command checks them and do not change the script.",
      {
          {"--to", "pytorch|keras", "which framework the script uses",
           "--to needs pytorch or keras."},
      },
      "  convscope export --to pytorch conv --input x.npy --weight w.npy --bias b.npy --padding 1 "
      "--out y.npy > layer.py\n"
      "  /usr/bin/python3 layer.py   # writes y.npy, the numbers convscope writes\n"
      "  convscope export --to keras pool --input x.npy --op max --kernel 2 --out p.npy\n"
      "  convscope export --to pytorch conv1d --input a.npy --weight v.npy --flip --padding full "
      "--out y.npy\n"};
  return spec;
}

std::string shell_word(const std::string& w) {
  if (!w.empty() && w.find_first_of(" \t'\"\\$`;&|<>()*?") == std::string::npos) return w;
  std::string out = "'";
  for (char c : w)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

ScriptTensor file_operand(const Args& args, const char* option, const Shape& shape) {
  ScriptTensor t;
  if (const std::string* p = args.get(option)) t.path = *p;
  t.shape = shape;
  return t;
}

// The layer each command's prepared front half (cli_prepare.hpp) describes: the operands as
// their files give them, the settings as the command resolved them.
ExportLayer conv_layer(const Args& args, const PreparedConv& p) {
  const ConvGeometry& g = p.geo;
  ExportLayer l;
  l.op = ExportOp::conv2d;
  l.input = file_operand(args, "--input", p.ops.input_given);
  l.weight = file_operand(args, "--weight", p.ops.weight_given);
  if (p.ops.bias) l.bias = file_operand(args, "--bias", p.ops.bias->shape());
  l.dtype = p.ops.input.dtype();
  l.layout = p.ops.params.layout;
  l.framework = p.framework;
  l.input4 = p.ops.input.shape();
  l.weight4 = p.ops.weight.shape();
  const bool nchw = l.layout == Layout::nchw;
  l.output = squeezed_shape(
      nchw ? Shape{g.n, g.c_out, g.out_h, g.out_w} : Shape{g.n, g.out_h, g.out_w, g.c_out},
      p.ops.input_rank, l.layout);
  l.conv_asked = p.asked;
  l.conv = g;
  l.flip = p.ops.flipped;
  return l;
}

ExportLayer conv1d_layer(const Args& args, const PreparedConv1d& p) {
  ExportLayer l;
  l.op = ExportOp::conv1d;
  l.input = file_operand(args, "--input", p.input.shape());
  l.weight = file_operand(args, "--weight", p.weight.shape());
  if (p.bias) l.bias = file_operand(args, "--bias", p.bias->shape());
  l.dtype = p.input.dtype();
  l.output = p.plan.output;
  l.conv1d_asked = p.asked;
  l.conv1d = p.plan;
  return l;
}

ExportLayer conv_transpose_layer(const Args& args, const PreparedConvTranspose& p) {
  const ConvTransposeGeometry& g = p.geo;
  ExportLayer l;
  l.keras_transpose = p.plan;
  l.op = ExportOp::conv_transpose2d;
  l.input = file_operand(args, "--input", p.ops.input_given);
  l.weight = file_operand(args, "--weight", p.ops.weight_given);
  if (p.ops.bias) l.bias = file_operand(args, "--bias", p.ops.bias->shape());
  l.dtype = p.ops.input.dtype();
  l.layout = p.params.layout;
  l.framework = p.framework;
  l.input4 = p.ops.input.shape();
  l.weight4 = p.ops.weight.shape();
  l.output = squeezed_shape(l.layout == Layout::nchw ? Shape{g.n, g.c_out, p.out_h(), p.out_w()}
                                                     : Shape{g.n, p.out_h(), p.out_w(), g.c_out},
                            p.ops.input_rank, l.layout);
  l.transpose = p.params;
  l.transpose_geo = g;
  return l;
}

ExportLayer pool_layer(const Args& args, const PreparedPool& p) {
  const PoolGeometry& g = p.geo;
  ExportLayer l;
  l.pool_asked = p.asked;
  if (p.framework == Framework::keras) l.keras_padding = p.keras_padding;
  l.op = ExportOp::pool2d;
  l.input = file_operand(args, "--input", p.given);
  l.dtype = p.input.dtype();
  l.layout = p.params.layout;
  l.framework = p.framework;
  l.input4 = p.input.shape();
  const bool nchw = l.layout == Layout::nchw;
  l.output = squeezed_shape(
      nchw ? Shape{g.n, g.c_out, g.out_h, g.out_w} : Shape{g.n, g.out_h, g.out_w, g.c_out},
      static_cast<int>(p.given.size()), l.layout);
  l.pool = g;
  return l;
}

// `prepare` (the command's front half), then `layer` on what it prepared.
template <class Prepared>
Result<ExportLayer> read_layer(const Args& args, Result<Prepared> (*prepare)(const Args&),
                               ExportLayer (*layer)(const Args&, const Prepared&)) {
  auto p = prepare(args);
  if (!p) return p.error();
  return layer(args, *p);
}
Result<ExportLayer> read_conv(const Args& a) {
  return read_layer(a, prepare_conv, conv_layer);
}
Result<ExportLayer> read_conv1d(const Args& a) {
  return read_layer(a, prepare_conv1d, conv1d_layer);
}
Result<ExportLayer> read_conv_transpose(const Args& a) {
  return read_layer(a, prepare_conv_transpose, conv_transpose_layer);
}
Result<ExportLayer> read_pool(const Args& a) {
  return read_layer(a, prepare_pool, pool_layer);
}

}  // namespace

Result<ExportLayer> lesson_export_layer(LessonOp op, const Tensor& input, const Tensor& weight,
                                        const Tensor* bias, const Conv2dParams& conv,
                                        const Pool2dParams& pool,
                                        const ConvTranspose2dParams& transpose, bool flip,
                                        const std::string& out_path, InlineOperands& keep) {
  ExportLayer l;
  l.layout = op == LessonOp::conv   ? conv.layout
             : op == LessonOp::pool ? pool.layout
                                    : transpose.layout;
  const bool nhwc = l.layout == Layout::nhwc;
  keep.input = nhwc ? nchw_to_nhwc(input) : input;
  l.dtype = keep.input.dtype();
  l.out_path = out_path;
  auto inline_tensor = [](const Tensor& t) {
    ScriptTensor s;
    s.value = &t;
    s.shape = t.shape();
    return s;
  };
  l.input = inline_tensor(keep.input);
  l.input4 = keep.input.shape();
  if (op == LessonOp::pool) {
    auto geo = pool2d_geometry_for(keep.input.shape(), pool);
    if (!geo) return geo.error();
    l.op = ExportOp::pool2d;
    l.pool_asked = pool;
    l.pool = *geo;
    l.output = nhwc ? Shape{geo->n, geo->out_h, geo->out_w, geo->c_out}
                    : Shape{geo->n, geo->c_out, geo->out_h, geo->out_w};
    return l;
  }
  const Tensor w = weight.to(l.dtype);
  if (op == LessonOp::conv_transpose) {
    keep.weight = nhwc ? torch_to_keras_transpose_kernel(w) : w;
  } else {
    keep.weight = nhwc ? oihw_to_hwio(w) : w;
  }
  l.weight = inline_tensor(keep.weight);
  l.weight4 = keep.weight.shape();
  if (bias) {
    keep.bias = bias->to(l.dtype);
    l.bias = inline_tensor(keep.bias);
  }
  const int64_t bias_len = bias ? bias->numel() : -1;
  if (op == LessonOp::conv_transpose) {
    auto geo =
        conv_transpose2d_geometry_for(keep.input.shape(), keep.weight.shape(), bias_len, transpose);
    if (!geo) return geo.error();
    l.op = ExportOp::conv_transpose2d;
    l.transpose = transpose;
    l.transpose_geo = *geo;
    l.output = nhwc ? Shape{geo->n, geo->out_h, geo->out_w, geo->c_out}
                    : Shape{geo->n, geo->c_out, geo->out_h, geo->out_w};
    return l;
  }
  auto geo = conv2d_geometry_for(keep.input.shape(), keep.weight.shape(), bias_len, conv);
  if (!geo) return geo.error();
  l.op = ExportOp::conv2d;
  l.conv_asked = conv;
  l.conv = *geo;
  l.flip = flip;
  l.output = nhwc ? Shape{geo->n, geo->out_h, geo->out_w, geo->c_out}
                  : Shape{geo->n, geo->c_out, geo->out_h, geo->out_w};
  return l;
}

int run_export(int argc, char** argv) {
  const std::string cmd = "export";
  const CommandSpec& spec = export_spec();
  std::optional<std::string> to;
  int i = 2;
  for (; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") return print_usage(spec);
    if (a.rfind("--to=", 0) == 0) {
      to = a.substr(5);
    } else if (a == "--to") {
      if (i + 1 >= argc) return fail(cmd, "--to needs pytorch or keras.");
      to = argv[++i];
    } else if (a.rfind("-", 0) == 0) {
      return fail(cmd, "unknown option " + a +
                           " before the command; the form is `convscope export --to "
                           "pytorch|keras COMMAND OPTIONS...`");
    } else {
      break;
    }
  }
  if (!to) {
    return fail(cmd,
                "--to is required (the framework: --to pytorch or --to keras), e.g. `convscope "
                "export --to pytorch conv --input x.npy --weight w.npy --out y.npy`");
  }
  auto target = parse_export_target(*to);
  if (!target) return fail(cmd, target.error());
  if (i >= argc) {
    return fail(cmd,
                "which command? Give conv, conv1d, conv-transpose or pool with its options "
                "after --to " +
                    *to + ", e.g. `convscope export --to " + *to +
                    " conv --input x.npy --weight w.npy --out y.npy`");
  }
  const std::string name = argv[i];
  if (wants_help(argc, argv, i + 1)) return print_usage(spec);
  struct Kind {
    const char* name;
    const CommandSpec& (*spec)();
    std::vector<const char*> required;
    Result<ExportLayer> (*layer)(const Args&);
  };
  const Kind kinds[] = {
      {"conv", conv_spec, {"--input", "--weight", "--out"}, read_conv},
      {"conv1d", conv1d_spec, {"--input", "--weight", "--out"}, read_conv1d},
      {"conv-transpose",
       conv_transpose_spec,
       {"--input", "--weight", "--out"},
       read_conv_transpose},
      {"pool", pool_spec, {"--input", "--out", "--op", "--kernel"}, read_pool},
  };
  for (const Kind& k : kinds) {
    if (name != k.name) continue;
    const std::string sub = name;  // errors read as the command's own
    auto args = parse_command(argc, argv, i + 1, k.spec(), k.required);
    if (!args) return fail(sub, args.error());
    // (They do not change the script, but a wrong one is the command's error here too.)
    if (auto run = run_options_from(*args); !run) return fail(sub, run.error());
    auto layer = k.layer(*args);
    if (!layer) return fail(sub, layer.error());
    layer->out_path = *args->get("--out");
    layer->command = "convscope export --to " + *to;
    for (int a = i; a < argc; ++a)
      layer->command += " " + shell_word(argv[a]);
    auto script = export_script(*layer, *target);
    if (!script) return fail(cmd, script.error());
    std::fputs(script->c_str(), stdout);
    return kExitOk;
  }
  return fail(cmd, "there is no command '" + name +
                       "' to export; use conv, conv1d, conv-transpose or pool");
}

}  // namespace cs::cli
