// Shared pieces of the command line: option rows, failing with one sentence, reading operands
// and expanding unbatched ones, and round-trip number printing.
// Depends on core/ only (no GL, no ImGui).
#include "app/cli/cli_common.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/conv2d.hpp"
#include "core/npy.hpp"

namespace cs::cli {

std::vector<OptionSpec> conv_geometry_options() {
  return {
      {"--stride", "S|SH,SW", "step between windows: one number or rows,columns (default 1)"},
      {"--padding", "P|PH,PW|same|valid|full",
       "PH rows top/bottom, PW columns left/right; 'same' keeps the size; 'full': "
       "dilation\xC2\xB7(k \xE2\x88\x92 1) on every side (default 0)"},
      {"--dilation", "D|DH,DW", "spacing between kernel taps (default 1)"},
      {"--groups", "G", "split channels into G independent groups (default 1)"},
      {"--padding-mode", "zeros|reflect|replicate|circular",
       "what the padding reads (default zeros)"},
      {"--layout", "nchw|nhwc",
       "nchw: PyTorch order, weight OIHW (default); nhwc: Keras order, weight HWIO"},
      {"--flip", nullptr,
       "rotate the kernel 180 degrees: a true convolution (scipy.signal.convolve)"},
  };
}

std::vector<OptionSpec> pool_geometry_options() {
  return {
      {"--op", "max|avg", "max pooling or average pooling"},
      {"--kernel", "K|KH,KW", "window size: one number or rows,columns"},
      {"--stride", "S|SH,SW", "step between windows (default: the kernel size, like PyTorch)"},
      {"--padding", "P|PH,PW",
       "implicit padding on each side, at most half the kernel (default 0)"},
      {"--dilation", "D|DH,DW", "spacing between window taps, max pooling only (default 1)"},
      {"--ceil-mode", nullptr, "round the output size up (the last window may hang over)"},
      {"--exclude-pad", nullptr, "avg: divide by the cells inside the input, not the window size"},
      {"--layout", "nchw|nhwc", "nchw: [N, C, H, W] (PyTorch); nhwc: [N, H, W, C] (Keras)"},
  };
}

std::vector<OptionSpec> conv_transpose_geometry_options() {
  std::vector<OptionSpec> rows;
  for (const OptionSpec& o : conv_geometry_options()) {
    const std::string n = o.name;
    if (n == "--padding") {
      rows.push_back({"--padding", "P|PH,PW", "rows, columns cropped from each side (default 0)"});
      rows.push_back({"--output-padding", "OP|OPH,OPW",
                      "rows, columns added at the bottom/right (default 0)"});
    } else if (n == "--stride") {
      rows.push_back({"--stride", "S|SH,SW", "step between stamps on the output (default 1)"});
    } else if (n == "--layout") {
      rows.push_back({"--layout", "nchw|nhwc", "nchw: PyTorch order (default); nhwc: Keras order"});
    } else if (n == "--dilation" || n == "--groups") {
      rows.push_back(o);
    }
  }
  return rows;
}

std::vector<OptionSpec> conv1d_geometry_options() {
  return {
      {"--stride", "S", "step between windows (default 1)"},
      {"--padding", "P|same|valid|full",
       "P values at each end; 'same' keeps the length (stride 1); 'full': "
       "dilation\xC2\xB7(k \xE2\x88\x92 1) at each end (default 0)"},
      {"--dilation", "D", "spacing between kernel taps (default 1)"},
      {"--groups", "G", "split channels into G independent groups (default 1)"},
      {"--padding-mode", "zeros|reflect|replicate|circular",
       "what the padding reads (default zeros)"},
      {"--flip", nullptr,
       "reverse the kernel: a true convolution (np.convolve on 1-D arrays, with full/same/valid)"},
  };
}

OptionSpec framework_option(const char* layer) {
  const std::string l = layer;
  if (l == "pool") {
    return {"--framework", "pytorch|keras",
            "keras: --padding valid (default) or same, TensorFlow's for any stride; max never "
            "picks the padding, avg divides by the real cells (default pytorch)"};
  }
  if (l == "conv-transpose") {
    return {"--framework", "pytorch|keras",
            "keras: Conv2DTranspose's --padding valid (default) or same and its output size "
            "(default pytorch)"};
  }
  return {"--framework", "pytorch|keras",
          "keras: --padding valid (default) or same, TensorFlow's for any stride, the odd "
          "row/column at the bottom/right (default pytorch)"};
}

Error with_keras_hint(Error error, const Conv2dParams& params) {
  if (params.padding.kind == PaddingSpec::Kind::same && error.field == "padding" &&
      (params.stride_h != 1 || params.stride_w != 1)) {
    error.message += " (with --framework keras it is allowed)";
  }
  return error;
}

int fail(const std::string& command, const std::string& message) {
  std::fprintf(stderr, "convscope %s: %s\n", command.c_str(), message.c_str());
  return kExitError;
}

int fail(const std::string& command, const Error& error) {
  return fail(command, error.message);
}

int print_usage(const CommandSpec& spec) {
  const std::string text = usage_text(spec);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

Status no_positional(const Args& args, const CommandSpec& spec) {
  if (args.positional().empty()) return ok();
  return make_error("unexpected argument '" + args.positional().front() +
                    "'; options start with --, e.g. --input X.npy (see `convscope " + spec.name +
                    " --help`)");
}

Result<Tensor> load_npy(const std::string& option, const std::string& path) {
  auto t = read_npy(path);
  if (!t) {
    std::string message = t.error().message;
    if (message.find(path) == std::string::npos) message = option + " " + path + ": " + message;
    return make_error(message, option);
  }
  return t;
}

Result<Tensor> expand_input(Tensor input, Layout layout, const std::string& what) {
  const Shape s = input.shape();
  if (s.size() == 3) return input.reshaped({1, s[0], s[1], s[2]});
  if (s.size() == 2) {
    if (layout == Layout::nchw) return input.reshaped({1, 1, s[0], s[1]});
    return input.reshaped({1, s[0], s[1], 1});
  }
  if (s.size() != 4) {
    const char* form = layout == Layout::nchw ? "[N, C, H, W] (or [C, H, W], or [H, W])"
                                              : "[N, H, W, C] (or [H, W, C], or [H, W])";
    return make_error("the " + what + " has shape " + shape_list(s) + " (" +
                      std::to_string(s.size()) + " dimensions); it must be " + form);
  }
  return input;
}

Result<Tensor> expand_weight(Tensor weight, Layout layout, bool transposed) {
  const Shape s = weight.shape();
  if (s.size() == 2) {
    if (layout == Layout::nchw) return weight.reshaped({1, 1, s[0], s[1]});
    return weight.reshaped({s[0], s[1], 1, 1});
  }
  if (s.size() != 4) {
    const bool nchw = layout == Layout::nchw;
    const char* form = transposed
                           ? (nchw ? "[C_in, C_out/groups, KH, KW] (or one [KH, KW] kernel)"
                                   : "[KH, KW, C_out/groups, C_in] (or one [KH, KW] kernel)")
                           : (nchw ? "[C_out, C_in/groups, KH, KW] (or one [KH, KW] kernel)"
                                   : "[KH, KW, C_in/groups, C_out] (or one [KH, KW] kernel)");
    return make_error("the weight has shape " + shape_list(s) + " (" + std::to_string(s.size()) +
                      " dimensions); it must be " + form);
  }
  return weight;
}

namespace {

// --input, --weight and --bias read and expanded to 4-D in `layout`'s order, the weight and bias
// in the input's dtype.
Status load_layer_tensors(const Args& args, Layout layout, bool transposed, ConvOperands& ops) {
  auto input = load_npy("--input", *args.get("--input"));
  if (!input) return input.error();
  auto weight = load_npy("--weight", *args.get("--weight"));
  if (!weight) return weight.error();
  ops.input_rank = input->ndim();
  ops.input_given = input->shape();
  ops.weight_given = weight->shape();
  auto in4 = expand_input(std::move(*input), layout, "input");
  if (!in4) return in4.error();
  ops.input = std::move(*in4);
  auto w4 = expand_weight(std::move(*weight), layout, transposed);
  if (!w4) return w4.error();
  // NOTE: np.array([[1, 0, -1], ...], dtype=float) is float64 while images are often float32;
  // PyTorch would refuse the mix. We compute in the input's dtype, which is what the output is.
  ops.weight = w4->to(ops.input.dtype());
  auto bias = load_bias(args, ops.input.dtype());
  if (!bias) return bias.error();
  ops.bias = std::move(*bias);
  return ok();
}

}  // namespace

Result<std::optional<Tensor>> load_bias(const Args& args, DType dtype) {
  const std::string* bias_path = args.get("--bias");
  if (!bias_path) return std::optional<Tensor>();
  auto bias = load_npy("--bias", *bias_path);
  if (!bias) return bias.error();
  if (bias->ndim() == 0) {
    auto b1 = bias->reshaped({1});
    if (!b1) return b1.error();
    *bias = std::move(*b1);
  }
  if (bias->ndim() != 1) {
    return make_error("the bias has shape " + shape_list(bias->shape()) +
                          "; it must be one number per output channel, shape [C_out]",
                      "--bias");
  }
  return std::optional<Tensor>(bias->to(dtype));
}

Result<ConvOperands> load_conv_transpose_operands(const Args& args, Layout layout) {
  ConvOperands ops;
  if (auto st = load_layer_tensors(args, layout, true, ops); !st) return st.error();
  return ops;
}

Result<ConvOperands> load_conv_operands(const Args& args) {
  ConvOperands ops;
  auto params = conv_params_from(args);
  if (!params) return params.error();
  ops.params = *params;
  if (auto st = load_layer_tensors(args, ops.params.layout, false, ops); !st) return st.error();
  if (args.has("--flip")) {
    ops.weight = flip_kernel(ops.weight, ops.params.layout);
    ops.flipped = true;
  }
  return ops;
}

Shape squeezed_shape(const Shape& s, int input_rank, Layout layout) {
  if (input_rank >= 4 || s.size() != 4) return s;
  if (input_rank == 3) return {s[1], s[2], s[3]};
  if (layout == Layout::nchw) {  // [1, C, H, W]
    return s[1] == 1 ? Shape{s[2], s[3]} : Shape{s[1], s[2], s[3]};
  }
  return s[3] == 1 ? Shape{s[1], s[2]} : Shape{s[1], s[2], s[3]};  // [1, H, W, C]
}

Tensor squeeze_output(const Tensor& output, int input_rank, Layout layout) {
  const Shape out = squeezed_shape(output.shape(), input_rank, layout);
  if (out == output.shape()) return output;
  auto r = output.reshaped(out);
  return r ? std::move(*r) : output;
}

namespace {
// The shortest text that reads back as the same value of `dtype` (a finite value).
std::string shortest_text(double value, DType dtype) {
  char buf[64];
  const std::to_chars_result r =
      dtype == DType::f32 ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(value))
                          : std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, r.ptr);
}
}  // namespace

std::string format_number(double value, DType dtype) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  std::string s = shortest_text(value, dtype);
  if (s == "-0") s = "0";  // -0 and 0 compare equal; students should not wonder about the sign
  return s;
}

std::string json_number(double value, DType dtype) {
  if (!std::isfinite(value)) return "null";
  return shortest_text(value, dtype);
}

Result<Args> parse_command(int argc, char** argv, int first, const CommandSpec& spec,
                           const std::vector<const char*>& required) {
  auto args = parse_args(argc, argv, first, spec);
  if (!args) return args.error();
  if (auto s = no_positional(*args, spec); !s) return s.error();
  if (auto s = require(*args, spec, required); !s) return s.error();
  return args;
}

const char* backend_name(Backend b) {
  switch (b) {
    case Backend::cpu:
      return "cpu";
    case Backend::gpu:
      return "gpu";
    case Backend::automatic:
      return "auto";
  }
  return "cpu";
}

namespace {

Result<Backend> parse_backend(const Args& args) {
  const std::string* v = args.get("--backend");
  if (!v || *v == "cpu") return Backend::cpu;
  if (*v == "gpu") return Backend::gpu;
  if (*v == "auto") return Backend::automatic;
  return make_error("--backend " + *v + " is not a backend; use cpu, gpu or auto", "--backend");
}

}  // namespace

Result<RunOptions> run_options_from(const Args& args) {
  RunOptions r;
  auto backend = parse_backend(args);
  if (!backend) return backend.error();
  r.backend = *backend;
  if (const std::string* v = args.get("--repeat")) {
    auto n = parse_int("--repeat", *v);
    if (!n) return n.error();
    if (*n < 1) {
      return make_error("--repeat " + *v + " must be at least 1 (the number of times to compute)",
                        "--repeat");
    }
    if (*n > kMaxRepeat) {
      return make_error("--repeat " + *v + " is more than the " + std::to_string(kMaxRepeat) +
                            " runs ConvScope times; use at most " + std::to_string(kMaxRepeat),
                        "--repeat");
    }
    r.repeat = *n;
  }
  if (const std::string* v = args.get("--threads")) {
    auto n = parse_int("--threads", *v);
    if (!n) return n.error();
    if (*n < 0) {
      return make_error("--threads " + *v + " must be 0 (every hardware thread) or more",
                        "--threads");
    }
    if (*n > kMaxThreads) {
      return make_error("--threads " + *v + " is more than " + std::to_string(kMaxThreads) +
                            " threads; use 0 for every hardware thread",
                        "--threads");
    }
    r.threads = *n;
  }
  r.quiet = args.has("--quiet");
  return r;
}

}  // namespace cs::cli
