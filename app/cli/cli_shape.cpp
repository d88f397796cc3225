// `convscope shape`: the output shape of a conv, a pooling, (`shape conv-transpose`) a transposed
// convolution or (`shape conv1d`) a 1-D convolution and the output-size arithmetic with the
// user's numbers, PyTorch's or (--framework keras) Keras's, from shapes alone
// (--input-shape/--kernel-shape) or from .npy files.
// Depends on core/ only.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "app/cli/cli_common.hpp"
#include "core/conv1d.hpp"
#include "core/conv_transpose.hpp"
#include "core/cost.hpp"
#include "core/geometry.hpp"
#include "core/keras.hpp"
#include "core/npy.hpp"

namespace cs::cli {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// The shape from --<name>-shape, else from the .npy file given by --<file_option>.
Result<Shape> shape_from(const Args& args, const std::string& shape_option,
                         const std::string& file_option) {
  if (const std::string* v = args.get(shape_option)) {
    auto four = parse_shape(shape_option, *v, 4);
    if (four) return four;
    auto two = parse_shape(shape_option, *v, 2);  // one [KH, KW] kernel / one [H, W] image
    if (two) return two;
    auto three = parse_shape(shape_option, *v, 3);  // unbatched input
    if (three && shape_option == "--input-shape") return three;
    return make_error(
        shape_option + " " + *v + " is not a shape like 1,3,224,224 (four comma-separated numbers)",
        shape_option);
  }
  if (const std::string* path = args.get(file_option)) {
    auto t = load_npy(file_option, *path);
    if (!t) return t.error();
    return t->shape();
  }
  return make_error("missing " + shape_option + " (e.g. " + shape_option +
                        (shape_option == "--input-shape" ? " 1,3,224,224" : " 64,3,7,7") + ") or " +
                        file_option + " FILE.npy; see `convscope shape --help`",
                    shape_option);
}

// Options that belong to the other kind of shape question.
Status reject(const Args& args, const std::vector<const char*>& names, const char* why) {
  for (const char* n : names) {
    if (args.has(n)) return make_error(std::string(n) + " " + why, n);
  }
  return ok();
}

// What `shape` prints, as text or one JSON object.
struct Report {
  std::string op;  // "conv2d", "max_pool2d", ...
  Framework framework = Framework::pytorch;
  Shape input;
  const char* input_names = "";
  const Shape* weight = nullptr;
  const char* weight_names = "";
  Shape output;
  const char* output_names = "";
  // The padding per side as the text names it; JSON gets the numbers in this order.
  std::vector<std::pair<const char*, int64_t>> padding;
  std::string formula;
  std::string note;  // a last sentence, or empty
  // What the layer costs (core/cost.hpp): the lines printed after the formula, and for --json
  // the counts.
  std::vector<std::string> cost_lines;
  nlohmann::ordered_json cost;
};

nlohmann::ordered_json cost_json(const LayerCost& c) {
  nlohmann::ordered_json j;
  j["parameters"] = c.parameters();
  j["weights"] = c.weights;
  j["biases"] = c.biases;
  j["operations"] = c.work;
  j["operation"] = c.work_unit;
  return j;
}

// The cost of a conv (conv1d: its plan's geometry) and, with groups 1, of its depthwise-separable
// equivalent. `bias`: the layer has one (torch.nn.Conv2d's default; --no-bias: not).
void add_conv_cost(Report& r, ConvGeometry g, bool bias) {
  g.has_bias = bias;
  r.cost_lines = conv2d_cost_lines(g, true);
  const LayerCost c = conv2d_layer_cost(g);
  r.cost = cost_json(c);
  if (g.groups != 1) return;
  const SeparableCost s = separable_cost(g);
  nlohmann::ordered_json sep;
  sep["depthwise"] = cost_json(s.depthwise);
  sep["pointwise"] = cost_json(s.pointwise);
  sep["parameters"] = s.parameters();
  sep["operations"] = s.work();
  sep["parameter_ratio"] =
      static_cast<double>(s.parameters()) / static_cast<double>(c.parameters());
  sep["operation_ratio"] = static_cast<double>(s.work()) / static_cast<double>(c.work);
  r.cost["separable"] = sep;
}

// --no-bias: the layer has no bias (bias=False), so its parameters are the weights alone.
OptionSpec no_bias_option() {
  return {"--no-bias", nullptr, "the layer has no bias (bias=False): count the weights alone"};
}

std::vector<std::pair<const char*, int64_t>> sides_of(const Pad4& pad) {
  return {{"top", pad.top}, {"bottom", pad.bottom}, {"left", pad.left}, {"right", pad.right}};
}

void print_report(const Report& r, bool json) {
  const std::vector<std::string> lines = lines_of(r.formula);
  if (json) {
    nlohmann::ordered_json j;
    j["op"] = r.op;
    if (r.framework == Framework::keras) j["framework"] = "keras";
    j["input_shape"] = r.input;
    if (r.weight) j["weight_shape"] = *r.weight;
    j["output_shape"] = r.output;
    j["padding"] = nlohmann::ordered_json::array();
    for (const auto& side : r.padding)
      j["padding"].push_back(side.second);
    j["formula"] = lines;
    if (!r.note.empty()) j["note"] = r.note;
    j["cost"] = r.cost;
    std::printf("%s\n", j.dump().c_str());
    return;
  }
  std::printf("%s%s: input %s %s", r.op.c_str(),
              r.framework == Framework::keras ? " (Keras's rules)" : "",
              shape_list(r.input).c_str(), r.input_names);
  if (r.weight) std::printf(", weight %s %s", shape_list(*r.weight).c_str(), r.weight_names);
  std::printf("\noutput shape: %s %s\npadding:", shape_list(r.output).c_str(), r.output_names);
  for (std::size_t i = 0; i < r.padding.size(); ++i) {
    std::printf("%s %s %lld", i ? "," : "", r.padding[i].first,
                static_cast<long long>(r.padding[i].second));
  }
  std::printf("\n");
  for (const std::string& l : lines)
    std::printf("%s\n", l.c_str());
  if (!r.note.empty()) std::printf("%s\n", r.note.c_str());
  for (const std::string& l : r.cost_lines)
    std::printf("%s\n", l.c_str());
}

// The input and kernel shapes expanded like `conv` expands tensors: an unbatched input, a
// single [KH, KW] kernel.
void expand_shapes(Shape& in4, Shape& w4, Layout layout) {
  const bool nchw = layout == Layout::nchw;
  if (in4.size() == 3) in4.insert(in4.begin(), 1);
  if (in4.size() == 2) in4 = nchw ? Shape{1, 1, in4[0], in4[1]} : Shape{1, in4[0], in4[1], 1};
  if (w4.size() == 2) w4 = nchw ? Shape{1, 1, w4[0], w4[1]} : Shape{w4[0], w4[1], 1, 1};
}

const CommandSpec& shape_conv_transpose_spec() {
  static const CommandSpec spec = [] {
    CommandSpec s{
        "shape conv-transpose",
        "--input-shape N,C,H,W --kernel-shape I,O,KH,KW [options]",
        "Prints the output shape of torch.nn.ConvTranspose2d and the output-size formula with\n"
        "your numbers: (in \xE2\x88\x92 1)\xC2\xB7stride \xE2\x88\x92 2\xC2\xB7padding + "
        "dilation\xC2\xB7(k \xE2\x88\x92 1) + output_padding + 1.\nThe kernel shape is "
        "[C_in, C_out/groups, KH, KW] (nhwc: Keras's [KH, KW, C_out/groups, C_in]).\n"
        "--input X.npy / --weight W.npy may stand in for --input-shape / --kernel-shape.\n"
        "With --framework keras, Keras's Conv2DTranspose: --padding valid or same, its output\n"
        "size and what is cropped from the stamps.",
        {
            {"--input-shape", "N,C,H,W", "input shape (nhwc: N,H,W,C)"},
            {"--kernel-shape", "I,O,KH,KW", "weight shape (nhwc: KH,KW,O,I)"},
            {"--input", "X.npy", "take the input shape from this file instead"},
            {"--weight", "W.npy", "take the weight shape from this file instead"},
        },
        "  convscope shape conv-transpose --input-shape 1,16,3,3 --kernel-shape 16,8,3,3 "
        "--stride 2 --padding 1\n"
        "  convscope shape conv-transpose --input-shape 1,16,3,3 --kernel-shape 16,8,3,3 "
        "--stride 2 --padding 1 --output-padding 1\n"
        "  convscope shape conv-transpose --input-shape 1,3,3,16 --kernel-shape 3,3,8,16 "
        "--layout nhwc --stride 2 --framework keras --padding same\n"};
    for (const OptionSpec& o : conv_transpose_geometry_options())
      s.options.push_back(o);
    s.options.push_back(framework_option("conv-transpose"));
    s.options.push_back(no_bias_option());
    s.options.push_back({"--json", nullptr, "print one JSON object instead of text"});
    return s;
  }();
  return spec;
}

int run_shape_conv_transpose(int argc, char** argv) {
  const std::string cmd = "shape conv-transpose";
  const CommandSpec& spec = shape_conv_transpose_spec();
  if (wants_help(argc, argv, 3)) return print_usage(spec);
  auto args = parse_args(argc, argv, 3, spec);
  if (!args) return fail(cmd, args.error());
  if (auto s = no_positional(*args, spec); !s) return fail(cmd, s.error());
  auto framework = framework_from(*args);
  if (!framework) return fail(cmd, framework.error());
  const bool keras = *framework == Framework::keras;
  auto keras_padding = keras_padding_from(*args);
  if (keras && !keras_padding) return fail(cmd, keras_padding.error());
  auto params = conv_transpose_params_from(*args);
  if (!params) return fail(cmd, params.error());
  auto in = shape_from(*args, "--input-shape", "--input");
  if (!in) return fail(cmd, in.error());
  auto w = shape_from(*args, "--kernel-shape", "--weight");
  if (!w) return fail(cmd, w.error());
  Shape in4 = *in, w4 = *w;
  expand_shapes(in4, w4, params->layout);
  std::optional<KerasTransposePlan> plan;
  if (keras) {
    auto made = keras_conv_transpose2d_plan(*params, *keras_padding, args->has("--output-padding"),
                                            in4, w4);
    if (!made) return fail(cmd, made.error());
    plan = *made;
    *params = plan->torch;
  }
  auto geo = conv_transpose2d_geometry_for(in4, w4, -1, *params);
  if (!geo) return fail(cmd, geo.error());
  const bool nchw = params->layout == Layout::nchw;
  const int64_t out_h = plan ? plan->out_h : geo->out_h, out_w = plan ? plan->out_w : geo->out_w;
  Report r;
  r.op = "conv_transpose2d";
  r.framework = *framework;
  r.input = in4;
  r.input_names = nchw ? "(N, C_in, H, W)" : "(N, H, W, C_in)";
  r.weight = &w4;
  r.weight_names = nchw ? "(C_in, C_out/groups, KH, KW)" : "(KH, KW, C_out/groups, C_in)";
  r.output =
      nchw ? Shape{geo->n, geo->c_out, out_h, out_w} : Shape{geo->n, out_h, out_w, geo->c_out};
  r.output_names = nchw ? "(N, C_out, out_h, out_w)" : "(N, out_h, out_w, C_out)";
  // "padding" reports what is cropped from each side of the stamps' full extent (Keras: a
  // negative number is rows or columns of zeros added).
  const int64_t covered_h = (geo->in_h - 1) * geo->stride_h + geo->span_h();
  const int64_t covered_w = (geo->in_w - 1) * geo->stride_w + geo->span_w();
  r.padding = sides_of(Pad4{geo->pad_h, geo->pad_h, geo->pad_w, geo->pad_w});
  if (plan) {
    r.padding[1].second = covered_h - geo->pad_h - out_h;
    r.padding[3].second = covered_w - geo->pad_w - out_w;
  }
  r.formula = plan ? keras_conv_transpose2d_formula(*geo, *plan) : conv_transpose2d_formula(*geo);
  ConvTransposeGeometry costed = *geo;
  costed.has_bias = !args->has("--no-bias");
  r.cost_lines = conv_transpose2d_cost_lines(costed);
  r.cost = cost_json(conv_transpose2d_layer_cost(costed));
  print_report(r, args->has("--json"));
  return kExitOk;
}

// --input-shape / --kernel-shape of conv1d: 1 to 3 comma-separated numbers (or the .npy file).
Result<Shape> shape1d_from(const Args& args, const std::string& shape_option,
                           const std::string& file_option) {
  if (const std::string* v = args.get(shape_option)) {
    for (int count : {3, 2, 1}) {
      auto shape = parse_shape(shape_option, *v, count);
      if (shape) return shape;
    }
    return make_error(shape_option + " " + *v +
                          " is not a shape like 1,3,100 (one to three comma-separated numbers)",
                      shape_option);
  }
  if (args.has(file_option)) return shape_from(args, shape_option, file_option);
  return make_error("missing " + shape_option + " (e.g. " + shape_option +
                        (shape_option == "--input-shape" ? " 1,3,100" : " 8,3,5") + ") or " +
                        file_option + " FILE.npy; see `convscope shape conv1d --help`",
                    shape_option);
}

const CommandSpec& shape_conv1d_spec() {
  static const CommandSpec spec = [] {
    CommandSpec s{
        "shape conv1d",
        "--input-shape N,C,L --kernel-shape O,I,K [options]",
        "Prints the output shape of torch.nn.functional.conv1d and the output-length formula\n"
        "with your numbers. The input is [N, C_in, L], [C_in, L] or [L]; the kernel\n"
        "[C_out, C_in/groups, K] or [K]. --input X.npy / --weight W.npy may stand in for\n"
        "--input-shape / --kernel-shape.",
        {
            {"--input-shape", "N,C,L", "input shape (or C,L, or L)"},
            {"--kernel-shape", "O,I,K", "weight shape (or K)"},
            {"--input", "X.npy", "take the input shape from this file instead"},
            {"--weight", "W.npy", "take the weight shape from this file instead"},
        },
        "  convscope shape conv1d --input-shape 1,16,100 --kernel-shape 32,16,5 --stride 2 "
        "--padding 2\n"
        "  # np.convolve(a, v, mode='full') with len(a) = 3, len(v) = 3:\n"
        "  convscope shape conv1d --input-shape 3 --kernel-shape 3 --flip --padding full\n"};
    for (const OptionSpec& o : conv1d_geometry_options())
      s.options.push_back(o);
    s.options.push_back(no_bias_option());
    s.options.push_back({"--json", nullptr, "print one JSON object instead of text"});
    return s;
  }();
  return spec;
}

int run_shape_conv1d(int argc, char** argv) {
  const std::string cmd = "shape conv1d";
  const CommandSpec& spec = shape_conv1d_spec();
  if (wants_help(argc, argv, 3)) return print_usage(spec);
  auto args = parse_args(argc, argv, 3, spec);
  if (!args) return fail(cmd, args.error());
  if (auto s = no_positional(*args, spec); !s) return fail(cmd, s.error());
  auto params = conv1d_params_from(*args);
  if (!params) return fail(cmd, params.error());
  auto in = shape1d_from(*args, "--input-shape", "--input");
  if (!in) return fail(cmd, in.error());
  auto w = shape1d_from(*args, "--kernel-shape", "--weight");
  if (!w) return fail(cmd, w.error());
  auto plan = conv1d_plan(*in, *w, -1, *params);
  if (!plan) return fail(cmd, plan.error());
  Report r;
  r.op = "conv1d";
  r.input = plan->input;
  r.input_names = "(N, C_in, L)";
  r.weight = &plan->weight;
  r.weight_names = "(C_out, C_in/groups, K)";
  r.output = {plan->geometry.n, plan->geometry.c_out, plan->geometry.out_w};
  r.output_names = "(N, C_out, L_out)";
  r.padding = {{"left", plan->geometry.pad.left}, {"right", plan->geometry.pad.right}};
  r.formula = conv1d_formula(plan->geometry);
  if (plan->swapped) {
    r.note =
        "The kernel is longer than the signal, so the two are swapped, as np.convolve does; "
        "the output is " +
        shape_list(plan->output) + ".";
  }
  add_conv_cost(r, plan->geometry, !args->has("--no-bias"));
  print_report(r, args->has("--json"));
  return kExitOk;
}

// `shape --op ...`: a pooling layer.
int shape_pool(const Args& args, Framework framework) {
  const std::string cmd = "shape";
  if (auto s = reject(
          args, {"--kernel-shape", "--weight", "--groups", "--padding-mode", "--flip", "--no-bias"},
          "is a conv option; a pooling (--op/--kernel) has no weight");
      !s) {
    return fail(cmd, s.error());
  }
  auto keras_padding = keras_padding_from(args);
  if (framework == Framework::keras && !keras_padding) return fail(cmd, keras_padding.error());
  auto params = pool_params_from(args);
  if (!params) return fail(cmd, params.error());
  auto in = shape_from(args, "--input-shape", "--input");
  if (!in) return fail(cmd, in.error());
  Shape in4 = *in;
  if (in4.size() == 3) in4.insert(in4.begin(), 1);
  if (in4.size() == 2) {
    in4 =
        params->layout == Layout::nchw ? Shape{1, 1, in4[0], in4[1]} : Shape{1, in4[0], in4[1], 1};
  }
  if (framework == Framework::keras) {
    auto p = keras_pool2d_params(*params, *keras_padding, in4);
    if (!p) return fail(cmd, p.error());
    *params = *p;
  }
  auto geo = pool2d_geometry_for(in4, *params);
  if (!geo) return fail(cmd, geo.error());
  const bool nchw = params->layout == Layout::nchw;
  Report r;
  r.op = std::string(pool_op_name(params->op)) + "_pool2d";
  r.framework = framework;
  r.input = in4;
  r.input_names = nchw ? "(N, C, H, W)" : "(N, H, W, C)";
  r.output = nchw ? Shape{geo->n, geo->c_in, geo->out_h, geo->out_w}
                  : Shape{geo->n, geo->out_h, geo->out_w, geo->c_in};
  r.output_names = nchw ? "(N, C, out_h, out_w)" : "(N, out_h, out_w, C)";
  r.padding = sides_of(geo->pad);
  r.formula = framework == Framework::keras ? keras_pool2d_formula(*geo, *keras_padding)
                                            : pool2d_formula(*geo);
  r.cost_lines = pool2d_cost_lines(*geo);
  r.cost = cost_json(pool2d_layer_cost(*geo));
  print_report(r, args.has("--json"));
  return kExitOk;
}

// `shape` without --op: a conv layer.
int shape_conv(const Args& args, Framework framework) {
  const std::string cmd = "shape";
  if (auto s = reject(args, {"--ceil-mode", "--exclude-pad"},
                      "is a pooling option; add --op max|avg and --kernel K for a pooling");
      !s) {
    return fail(cmd, s.error());
  }
  auto keras_padding = keras_padding_from(args);
  if (framework == Framework::keras && !keras_padding) return fail(cmd, keras_padding.error());
  auto params = conv_params_from(args);
  if (!params) return fail(cmd, params.error());
  auto in = shape_from(args, "--input-shape", "--input");
  if (!in) return fail(cmd, in.error());
  auto w = shape_from(args, "--kernel-shape", "--weight");
  if (!w) return fail(cmd, w.error());
  // Same expansion as `conv` (which works on tensors): an unbatched input, a single kernel.
  Shape in4 = *in, w4 = *w;
  const bool nchw = params->layout == Layout::nchw;
  expand_shapes(in4, w4, params->layout);
  if (framework == Framework::keras) {
    auto p = keras_conv2d_params(*params, in4, w4);
    if (!p) return fail(cmd, p.error());
    *params = *p;
  }
  auto geo = conv2d_geometry_for(in4, w4, -1, *params);
  if (!geo) return fail(cmd, with_keras_hint(geo.error(), *params));
  Report r;
  r.op = "conv2d";
  r.framework = framework;
  r.input = in4;
  r.input_names = nchw ? "(N, C_in, H, W)" : "(N, H, W, C_in)";
  r.weight = &w4;
  r.weight_names = nchw ? "(C_out, C_in/groups, KH, KW)" : "(KH, KW, C_in/groups, C_out)";
  r.output = nchw ? Shape{geo->n, geo->c_out, geo->out_h, geo->out_w}
                  : Shape{geo->n, geo->out_h, geo->out_w, geo->c_out};
  r.output_names = nchw ? "(N, C_out, out_h, out_w)" : "(N, out_h, out_w, C_out)";
  r.padding = sides_of(geo->pad);
  r.formula = framework == Framework::keras ? keras_conv2d_formula(*geo, *keras_padding)
                                            : conv2d_formula(*geo);
  add_conv_cost(r, *geo, !args.has("--no-bias"));
  print_report(r, args.has("--json"));
  return kExitOk;
}

}  // namespace

const CommandSpec& shape_spec() {
  static const CommandSpec spec = [] {
    CommandSpec s{
        "shape",
        "--input-shape N,C,H,W --kernel-shape O,I,KH,KW [conv options]\n"
        "       convscope shape --input-shape N,C,H,W --op max|avg --kernel K [pool options]",
        "Prints the output shape of a conv (or, with --op, of a pooling) and the output-size\n"
        "formula with your numbers, then what the layer costs: its parameters (weights + bias)\n"
        "and multiply-adds (pooling: compares or adds) for this input, and for a conv with\n"
        "groups 1 its depthwise-separable equivalent (depthwise k\xC3\x97k with groups C_in, then\n"
        "pointwise 1\xC3\x97"
        "1) with the ratio. Shapes follow --layout: NCHW/OIHW (default) or "
        "NHWC/HWIO.\n"
        "--input X.npy / --weight W.npy may stand in for --input-shape / --kernel-shape.\n"
        "`convscope shape conv-transpose --help` and `convscope shape conv1d --help`: the same\n"
        "for a transposed convolution and a 1-D convolution.",
        {
            {"--input-shape", "N,C,H,W", "input shape (nhwc: N,H,W,C)"},
            {"--kernel-shape", "O,I,KH,KW", "conv weight shape (nhwc: KH,KW,I,O)"},
            {"--input", "X.npy", "take the input shape from this file instead"},
            {"--weight", "W.npy", "take the weight shape from this file instead"},
            {"--groups", "G", "conv: channel groups (default 1)"},
            {"--padding-mode", "zeros|reflect|replicate|circular", "conv: padding values"},
            {"--flip", nullptr, "conv: accepted for symmetry with conv (does not change shapes)"},
            {"--no-bias", nullptr, "conv: the layer has no bias (bias=False)"},
            {"--op", "max|avg", "pooling instead of conv"},
            {"--kernel", "K|KH,KW", "pooling window size"},
            {"--stride", "S|SH,SW", "step between windows (pool default: the kernel)"},
            {"--padding", "P|PH,PW|same|valid|full",
             "padding ('same'/'valid'/'full': conv; keras: 'same'/'valid' for both)"},
            {"--dilation", "D|DH,DW", "spacing between taps (default 1)"},
            {"--ceil-mode", nullptr, "pool: round the output size up"},
            {"--exclude-pad", nullptr, "pool (avg): accepted, does not change shapes"},
            {"--layout", "nchw|nhwc", "order of the shapes (default nchw)"},
            {"--framework", "pytorch|keras",
             "whose padding rules (default pytorch); keras: 'same' for any stride, with Keras's "
             "formula"},
            {"--json", nullptr, "print one JSON object instead of text"},
        },
        "  convscope shape --input-shape 1,3,224,224 --kernel-shape 64,3,7,7 --stride 2 "
        "--padding 3\n"
        "  convscope shape --input-shape 1,64,112,112 --op max --kernel 3 --stride 2 --padding 1\n"
        "  convscope shape --input-shape 1,28,28,1 --kernel-shape 3,3,1,32 --layout nhwc "
        "--padding same\n"
        "  convscope shape --input-shape 1,28,28,1 --kernel-shape 3,3,1,32 --layout nhwc "
        "--framework keras --stride 2 --padding same\n"};
    return s;
  }();
  return spec;
}

int run_shape(int argc, char** argv) {
  const std::string cmd = "shape";
  if (argc > 2 && std::string(argv[2]) == "conv-transpose") {
    return run_shape_conv_transpose(argc, argv);
  }
  if (argc > 2 && std::string(argv[2]) == "conv1d") return run_shape_conv1d(argc, argv);
  const CommandSpec& spec = shape_spec();
  if (wants_help(argc, argv, 2)) return print_usage(spec);
  auto args = parse_args(argc, argv, 2, spec);
  if (!args) return fail(cmd, args.error());
  if (auto s = no_positional(*args, spec); !s) return fail(cmd, s.error());
  auto framework = framework_from(*args);
  if (!framework) return fail(cmd, framework.error());
  if (args->has("--op") || args->has("--kernel")) return shape_pool(*args, *framework);
  return shape_conv(*args, *framework);
}

}  // namespace cs::cli
