// `convscope shape`: the output shape of a conv, a pooling or (`shape conv-transpose`) a transposed
// convolution and the output-size arithmetic with the user's numbers, from shapes alone
// (--input-shape/--kernel-shape) or from .npy files.
// Depends on core/ only.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "app/cli/cli_common.hpp"
#include "core/conv_transpose.hpp"
#include "core/geometry.hpp"
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

void print_result(const std::string& what, const Shape& in, const char* in_names,
                  const Shape* weight, const char* weight_names, const Shape& out,
                  const char* out_names, const Pad4& pad, const std::string& formula, bool json) {
  const std::vector<std::string> lines = lines_of(formula);
  if (json) {
    nlohmann::ordered_json j;
    j["op"] = what;
    j["input_shape"] = in;
    if (weight) j["weight_shape"] = *weight;
    j["output_shape"] = out;
    j["padding"] = {pad.top, pad.bottom, pad.left, pad.right};
    j["formula"] = lines;
    std::printf("%s\n", j.dump().c_str());
    return;
  }
  std::printf("%s: input %s %s", what.c_str(), shape_list(in).c_str(), in_names);
  if (weight) std::printf(", weight %s %s", shape_list(*weight).c_str(), weight_names);
  std::printf("\noutput shape: %s %s\n", shape_list(out).c_str(), out_names);
  std::printf("padding: top %d, bottom %d, left %d, right %d\n", pad.top, pad.bottom, pad.left,
              pad.right);
  for (const std::string& l : lines)
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
        "--input X.npy / --weight W.npy may stand in for --input-shape / --kernel-shape.",
        {
            {"--input-shape", "N,C,H,W", "input shape (nhwc: N,H,W,C)"},
            {"--kernel-shape", "I,O,KH,KW", "weight shape (nhwc: KH,KW,O,I)"},
            {"--input", "X.npy", "take the input shape from this file instead"},
            {"--weight", "W.npy", "take the weight shape from this file instead"},
        },
        "  convscope shape conv-transpose --input-shape 1,16,3,3 --kernel-shape 16,8,3,3 "
        "--stride 2 --padding 1\n"
        "  convscope shape conv-transpose --input-shape 1,16,3,3 --kernel-shape 16,8,3,3 "
        "--stride 2 --padding 1 --output-padding 1\n"};
    for (const OptionSpec& o : conv_transpose_geometry_options())
      s.options.push_back(o);
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
  auto params = conv_transpose_params_from(*args);
  if (!params) return fail(cmd, params.error());
  auto in = shape_from(*args, "--input-shape", "--input");
  if (!in) return fail(cmd, in.error());
  auto w = shape_from(*args, "--kernel-shape", "--weight");
  if (!w) return fail(cmd, w.error());
  Shape in4 = *in, w4 = *w;
  expand_shapes(in4, w4, params->layout);
  auto geo = conv_transpose2d_geometry_for(in4, w4, -1, *params);
  if (!geo) return fail(cmd, geo.error());
  const bool nchw = params->layout == Layout::nchw;
  const Shape out = nchw ? Shape{geo->n, geo->c_out, geo->out_h, geo->out_w}
                         : Shape{geo->n, geo->out_h, geo->out_w, geo->c_out};
  // "padding" reports what is cropped from each side of the stamps' full extent.
  const Pad4 crop{geo->pad_h, geo->pad_h, geo->pad_w, geo->pad_w};
  print_result("conv_transpose2d", in4, nchw ? "(N, C_in, H, W)" : "(N, H, W, C_in)", &w4,
               nchw ? "(C_in, C_out/groups, KH, KW)" : "(KH, KW, C_out/groups, C_in)", out,
               nchw ? "(N, C_out, out_h, out_w)" : "(N, out_h, out_w, C_out)", crop,
               conv_transpose2d_formula(*geo), args->has("--json"));
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
        "formula with your numbers. Shapes follow --layout: NCHW/OIHW (default) or NHWC/HWIO.\n"
        "--input X.npy / --weight W.npy may stand in for --input-shape / --kernel-shape.\n"
        "`convscope shape conv-transpose --help`: the same for a transposed convolution.",
        {
            {"--input-shape", "N,C,H,W", "input shape (nhwc: N,H,W,C)"},
            {"--kernel-shape", "O,I,KH,KW", "conv weight shape (nhwc: KH,KW,I,O)"},
            {"--input", "X.npy", "take the input shape from this file instead"},
            {"--weight", "W.npy", "take the weight shape from this file instead"},
            {"--groups", "G", "conv: channel groups (default 1)"},
            {"--padding-mode", "zeros|reflect|replicate|circular", "conv: padding values"},
            {"--flip", nullptr, "conv: accepted for symmetry with conv (does not change shapes)"},
            {"--op", "max|avg", "pooling instead of conv"},
            {"--kernel", "K|KH,KW", "pooling window size"},
            {"--stride", "S|SH,SW", "step between windows (pool default: the kernel)"},
            {"--padding", "P|PH,PW|same|valid", "padding ('same'/'valid': conv only)"},
            {"--dilation", "D|DH,DW", "spacing between taps (default 1)"},
            {"--ceil-mode", nullptr, "pool: round the output size up"},
            {"--exclude-pad", nullptr, "pool (avg): accepted, does not change shapes"},
            {"--layout", "nchw|nhwc", "order of the shapes (default nchw)"},
            {"--json", nullptr, "print one JSON object instead of text"},
        },
        "  convscope shape --input-shape 1,3,224,224 --kernel-shape 64,3,7,7 --stride 2 "
        "--padding 3\n"
        "  convscope shape --input-shape 1,64,112,112 --op max --kernel 3 --stride 2 --padding 1\n"
        "  convscope shape --input-shape 1,28,28,1 --kernel-shape 3,3,1,32 --layout nhwc "
        "--padding same\n"};
    return s;
  }();
  return spec;
}

int run_shape(int argc, char** argv) {
  const std::string cmd = "shape";
  if (argc > 2 && std::string(argv[2]) == "conv-transpose") {
    return run_shape_conv_transpose(argc, argv);
  }
  const CommandSpec& spec = shape_spec();
  if (wants_help(argc, argv, 2)) return print_usage(spec);
  auto args = parse_args(argc, argv, 2, spec);
  if (!args) return fail(cmd, args.error());
  if (auto s = no_positional(*args, spec); !s) return fail(cmd, s.error());
  const bool json = args->has("--json");
  const bool pool = args->has("--op") || args->has("--kernel");

  if (pool) {
    if (auto s =
            reject(*args, {"--kernel-shape", "--weight", "--groups", "--padding-mode", "--flip"},
                   "is a conv option; a pooling (--op/--kernel) has no weight");
        !s) {
      return fail(cmd, s.error());
    }
    auto params = pool_params_from(*args);
    if (!params) return fail(cmd, params.error());
    auto in = shape_from(*args, "--input-shape", "--input");
    if (!in) return fail(cmd, in.error());
    Shape in4 = *in;
    if (in4.size() == 3) in4.insert(in4.begin(), 1);
    if (in4.size() == 2) {
      in4 = params->layout == Layout::nchw ? Shape{1, 1, in4[0], in4[1]}
                                           : Shape{1, in4[0], in4[1], 1};
    }
    auto geo = pool2d_geometry_for(in4, *params);
    if (!geo) return fail(cmd, geo.error());
    const bool nchw = params->layout == Layout::nchw;
    const Shape out = nchw ? Shape{geo->n, geo->c_out, geo->out_h, geo->out_w}
                           : Shape{geo->n, geo->out_h, geo->out_w, geo->c_out};
    print_result(std::string(pool_op_name(params->op)) + "_pool2d", in4,
                 nchw ? "(N, C, H, W)" : "(N, H, W, C)", nullptr, "", out,
                 nchw ? "(N, C, out_h, out_w)" : "(N, out_h, out_w, C)", geo->pad,
                 pool2d_formula(*geo), json);
    return kExitOk;
  }

  if (auto s = reject(*args, {"--ceil-mode", "--exclude-pad"},
                      "is a pooling option; add --op max|avg and --kernel K for a pooling");
      !s) {
    return fail(cmd, s.error());
  }
  auto params = conv_params_from(*args);
  if (!params) return fail(cmd, params.error());
  auto in = shape_from(*args, "--input-shape", "--input");
  if (!in) return fail(cmd, in.error());
  auto w = shape_from(*args, "--kernel-shape", "--weight");
  if (!w) return fail(cmd, w.error());
  // Same expansion as `conv` (which works on tensors): an unbatched input, a single kernel.
  Shape in4 = *in, w4 = *w;
  const bool nchw = params->layout == Layout::nchw;
  expand_shapes(in4, w4, params->layout);
  auto geo = conv2d_geometry_for(in4, w4, -1, *params);
  if (!geo) return fail(cmd, geo.error());
  const Shape out = nchw ? Shape{geo->n, geo->c_out, geo->out_h, geo->out_w}
                         : Shape{geo->n, geo->out_h, geo->out_w, geo->c_out};
  print_result("conv2d", in4, nchw ? "(N, C_in, H, W)" : "(N, H, W, C_in)", &w4,
               nchw ? "(C_out, C_in/groups, KH, KW)" : "(KH, KW, C_in/groups, C_out)", out,
               nchw ? "(N, C_out, out_h, out_w)" : "(N, out_h, out_w, C_out)", geo->pad,
               conv2d_formula(*geo), json);
  return kExitOk;
}

}  // namespace cs::cli
