// `convscope conv`, `conv1d`, `conv-transpose` and `pool`: read .npy operands, validate with the
// engine (PyTorch's rules, or Keras's with --framework keras), compute on the CPU engine or the
// GPU module, write the output .npy only after everything succeeded.
// Depends on core/ and app/gpu/compute.hpp (no ImGui).
#include <chrono>
#include <cstdio>
#include <string>

#include "app/cli/cli_common.hpp"
#include "app/cli/cli_prepare.hpp"
#include "app/gpu/compute.hpp"
#include "core/conv1d.hpp"
#include "core/conv2d.hpp"
#include "core/conv_transpose.hpp"
#include "core/geometry.hpp"
#include "core/keras.hpp"
#include "core/limits.hpp"
#include "core/npy.hpp"
#include "core/pool2d.hpp"

namespace cs::cli {
namespace {

std::vector<OptionSpec> run_option_rows(bool with_threads) {
  std::vector<OptionSpec> rows = {
      {"--backend", "cpu|gpu|auto", "where to compute (default cpu; auto: the GPU if it works)"},
      {"--repeat", "N", "compute N times (timing) and write the last result (default 1)"},
  };
  if (with_threads) rows.push_back({"--threads", "N", "CPU threads (default 0: all of them)"});
  rows.push_back({"--quiet", nullptr, "print nothing on success"});
  return rows;
}

// Runs `compute(backend)` `repeat` times, timing each run. With --backend auto a failing GPU
// falls back to the CPU once (with a note on stderr); with --backend gpu the error is final.
template <class Compute>
Result<Tensor> run_repeated(const std::string& command, const RunOptions& opt, Compute compute,
                            Backend& used, double& best_ms, double& mean_ms) {
  used = opt.backend == Backend::automatic ? Backend::gpu : opt.backend;
  std::optional<Tensor> last;
  double total = 0;
  best_ms = 0;
  for (int i = 0; i < opt.repeat; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = compute(used);
    const auto t1 = std::chrono::steady_clock::now();
    if (!r) {
      if (opt.backend == Backend::automatic && used == Backend::gpu) {
        std::fprintf(stderr, "convscope %s: note: the GPU did not run (%s); computing on the CPU\n",
                     command.c_str(), r.error().message.c_str());
        used = Backend::cpu;
        --i;
        continue;
      }
      return r.error();
    }
    const double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    total += ms;
    best_ms = i == 0 ? ms : std::min(best_ms, ms);
    last = std::move(*r);
  }
  mean_ms = total / opt.repeat;
  return std::move(*last);
}

void print_summary(const std::string& command, const std::string& path, const Tensor& out,
                   Backend used, const RunOptions& opt, double best_ms, double mean_ms) {
  if (opt.quiet) return;
  std::printf("convscope %s: wrote %s: %s %s on %s", command.c_str(), path.c_str(),
              dtype_name(out.dtype()), shape_list(out.shape()).c_str(), backend_name(used));
  if (opt.repeat == 1) {
    std::printf(" in %.3f ms\n", best_ms);
  } else {
    std::printf(", %d runs: best %.3f ms, mean %.3f ms\n", opt.repeat, best_ms, mean_ms);
  }
}

// A compute command's parsed options: the arguments and the run options (backend, repeat,
// threads, quiet), checked before any file is read.
struct Invocation {
  Args args;
  RunOptions opt;
};

Result<Invocation> parse_invocation(int argc, char** argv, const CommandSpec& spec,
                                    const std::vector<const char*>& required) {
  auto args = parse_command(argc, argv, 2, spec, required);
  if (!args) return args.error();
  auto opt = run_options_from(*args);
  if (!opt) return opt.error();
  return Invocation{std::move(*args), *opt};
}

// Runs `compute(backend)` as the run options say, shapes the engine's 4-D result back into the
// user's rank with `finish`, writes it to --out and prints the summary line.
template <class Compute, class Finish>
int compute_and_write(const std::string& cmd, const Invocation& inv, Compute compute,
                      Finish finish) {
  Backend used = Backend::cpu;
  double best_ms = 0, mean_ms = 0;
  auto out = run_repeated(cmd, inv.opt, compute, used, best_ms, mean_ms);
  if (!out) return fail(cmd, out.error());
  Result<Tensor> result = finish(std::move(*out));
  if (!result) return fail(cmd, result.error());
  const std::string& path = *inv.args.get("--out");
  if (auto w = write_npy(path, *result); !w) return fail(cmd, w.error());
  print_summary(cmd, path, *result, used, inv.opt, best_ms, mean_ms);
  return kExitOk;
}

}  // namespace

const CommandSpec& conv_spec() {
  static const CommandSpec spec = [] {
    CommandSpec s{
        "conv",
        "--input X.npy --weight W.npy [--bias B.npy] --out Y.npy [options]",
        "Computes torch.nn.functional.conv2d(input, weight, bias, stride, padding, dilation,\n"
        "groups) -- a cross-correlation, as in every deep-learning library -- and writes the\n"
        "output as .npy in the input's layout and dtype. [C, H, W] inputs get a batch of 1 like\n"
        "PyTorch; a 2-D [H, W] input is one single-channel image, a 2-D [KH, KW] weight one "
        "filter.",
        {
            {"--input", "X.npy", "input [N, C_in, H, W] (nhwc: [N, H, W, C_in]), float32/float64"},
            {"--weight", "W.npy",
             "kernels [C_out, C_in/G, KH, KW] (nhwc: [KH, KW, C_in/G, C_out])"},
            {"--bias", "B.npy", "one number per output channel, [C_out] (default: none)"},
            {"--out", "Y.npy", "where to write the output (only when everything succeeded)"},
        },
        "  convscope conv --input x.npy --weight w.npy --out y.npy\n"
        "  convscope conv --input x.npy --weight w.npy --bias b.npy --stride 2 --padding 1 "
        "--out y.npy\n"
        "  # scipy.signal.convolve(a, lap, mode='same'):\n"
        "  convscope conv --input a.npy --weight lap.npy --padding same --flip --out y.npy\n"
        "  # Keras Conv2D (padding='valid'): NHWC input, HWIO kernel\n"
        "  convscope conv --input img.npy --weight k.npy --layout nhwc --out y.npy\n"
        "  # Keras Conv2D(strides=2, padding='same'), which PyTorch refuses:\n"
        "  convscope conv --input img.npy --weight k.npy --layout nhwc --framework keras "
        "--stride 2 --padding same --out y.npy\n"
        "  # scipy.signal.convolve2d(a, k, mode='full'):\n"
        "  convscope conv --input a.npy --weight k.npy --padding full --flip --out y.npy\n"};
    for (const OptionSpec& o : conv_geometry_options())
      s.options.push_back(o);
    s.options.push_back(framework_option("conv"));
    for (const OptionSpec& o : run_option_rows(true))
      s.options.push_back(o);
    return s;
  }();
  return spec;
}

const CommandSpec& conv_transpose_spec() {
  static const CommandSpec spec = [] {
    CommandSpec s{
        "conv-transpose",
        "--input X.npy --weight W.npy [--bias B.npy] --out Y.npy [options]",
        "Computes torch.nn.ConvTranspose2d: each input cell stamps its weight-scaled kernel onto\n"
        "the output, overlapping stamps add, and --padding crops the border. The output has\n"
        "(in \xE2\x88\x92 1)\xC2\xB7stride \xE2\x88\x92 2\xC2\xB7padding + "
        "dilation\xC2\xB7(k \xE2\x88\x92 1) + output_padding + 1 rows (and columns),\n"
        "written as .npy in the input's layout and dtype. The weight is [C_in, C_out/G, KH, KW],\n"
        "not conv2d's order. --backend gpu computes it with a compute shader (gather form), in\n"
        "float64 too where the GPU has double precision.",
        {
            {"--input", "X.npy", "input [N, C_in, H, W] (nhwc: [N, H, W, C_in]), float32/float64"},
            {"--weight", "W.npy",
             "kernels [C_in, C_out/G, KH, KW] (nhwc: [KH, KW, C_out/G, C_in])"},
            {"--bias", "B.npy", "one number per output channel, [C_out] (default: none)"},
            {"--out", "Y.npy", "where to write the output (only when everything succeeded)"},
        },
        "  convscope conv-transpose --input x.npy --weight w.npy --out y.npy\n"
        "  # upsample 2x, giving back the 5x5 a stride-2 conv with padding 1 made 3x3:\n"
        "  convscope conv-transpose --input x.npy --weight w.npy --stride 2 --padding 1 --out "
        "y.npy\n"
        "  # Keras Conv2DTranspose (padding='valid'): NHWC input, [KH, KW, C_out, C_in] kernel\n"
        "  convscope conv-transpose --input f.npy --weight k.npy --stride 2 --layout nhwc --out "
        "y.npy\n"
        "  # Keras Conv2DTranspose(strides=2, padding='same'): exactly twice the size\n"
        "  convscope conv-transpose --input f.npy --weight k.npy --stride 2 --layout nhwc "
        "--framework keras --padding same --out y.npy\n"};
    for (const OptionSpec& o : conv_transpose_geometry_options())
      s.options.push_back(o);
    s.options.push_back(framework_option("conv-transpose"));
    for (const OptionSpec& o : run_option_rows(true))
      s.options.push_back(o);
    return s;
  }();
  return spec;
}

const CommandSpec& pool_spec() {
  static const CommandSpec spec = [] {
    CommandSpec s{
        "pool",
        "--input X.npy --out Y.npy --op max|avg --kernel K|KH,KW [options]",
        "Computes torch.nn.functional.max_pool2d / avg_pool2d and writes the output as .npy in\n"
        "the input's layout and dtype. The stride defaults to the kernel size, as in PyTorch.",
        {
            {"--input", "X.npy", "input [N, C, H, W] (nhwc: [N, H, W, C]), float32/float64"},
            {"--out", "Y.npy", "where to write the output (only when everything succeeded)"},
        },
        "  convscope pool --input x.npy --op max --kernel 2 --out y.npy\n"
        "  convscope pool --input x.npy --op avg --kernel 3 --stride 2 --padding 1 --exclude-pad "
        "--out y.npy\n"
        "  # Keras MaxPool2D((2, 2), strides=1) on NHWC features:\n"
        "  convscope pool --input f.npy --op max --kernel 2 --stride 1 --layout nhwc --out "
        "y.npy\n"
        "  # Keras AveragePooling2D(3, strides=2, padding='same'):\n"
        "  convscope pool --input f.npy --op avg --kernel 3 --stride 2 --layout nhwc --framework "
        "keras --padding same --out y.npy\n"};
    for (const OptionSpec& o : pool_geometry_options())
      s.options.push_back(o);
    s.options.push_back(framework_option("pool"));
    for (const OptionSpec& o : run_option_rows(false))
      s.options.push_back(o);
    return s;
  }();
  return spec;
}

const CommandSpec& conv1d_spec() {
  static const CommandSpec spec = [] {
    CommandSpec s{
        "conv1d",
        "--input X.npy --weight W.npy [--bias B.npy] --out Y.npy [options]",
        "Computes torch.nn.functional.conv1d(input, weight, bias, stride, padding, dilation,\n"
        "groups) and writes the output as .npy in the input's dtype. The input is [N, C_in, L],\n"
        "[C_in, L] or one signal [L]; the weight [C_out, C_in/G, K] or one kernel [K]. With\n"
        "--flip it is a true convolution: on 1-D arrays, --padding full, same or valid is\n"
        "np.convolve(a, v, mode) exactly, NumPy's swap of a kernel longer than the signal\n"
        "included.",
        {
            {"--input", "X.npy", "input [N, C_in, L], [C_in, L] or [L], float32/float64"},
            {"--weight", "W.npy", "kernels [C_out, C_in/G, K], or one kernel [K]"},
            {"--bias", "B.npy", "one number per output channel, [C_out] (default: none)"},
            {"--out", "Y.npy", "where to write the output (only when everything succeeded)"},
        },
        "  convscope conv1d --input x.npy --weight w.npy --stride 2 --padding 1 --out y.npy\n"
        "  # np.convolve(a, v, mode='full'):\n"
        "  convscope conv1d --input a.npy --weight v.npy --flip --padding full --out y.npy\n"};
    for (const OptionSpec& o : conv1d_geometry_options())
      s.options.push_back(o);
    for (const OptionSpec& o : run_option_rows(true))
      s.options.push_back(o);
    return s;
  }();
  return spec;
}

// conv1d: [N, C_in, L] * [C_out, C_in/G, K] (+ [C_out]) => [N, C_out, L_out] (and the unbatched
// and 1-D forms), on the 2-D engine as [N, C_in, 1, L] * [C_out, C_in/G, 1, K].
int run_conv1d(int argc, char** argv) {
  const std::string cmd = "conv1d";
  const CommandSpec& spec = conv1d_spec();
  if (wants_help(argc, argv, 2)) return print_usage(spec);
  auto inv = parse_invocation(argc, argv, spec, {"--input", "--weight", "--out"});
  if (!inv) return fail(cmd, inv.error());
  auto prep = prepare_conv1d(inv->args);
  if (!prep) return fail(cmd, prep.error());
  const Conv1dPlan& plan = prep->plan;
  if (plan.swapped && !inv->opt.quiet) {
    std::fprintf(stderr,
                 "convscope conv1d: note: the kernel (%lld values) is longer than the signal "
                 "(%lld), so the two are swapped, as np.convolve does\n",
                 static_cast<long long>(prep->weight.numel()),
                 static_cast<long long>(prep->input.numel()));
  }
  const int threads = inv->opt.threads;
  if (auto st = check_cost(conv2d_cost(plan.geometry, prep->input.dtype(), Layout::nchw, threads));
      !st) {
    return fail(cmd, st.error());
  }
  const Conv1dOperands ops = conv1d_operands(prep->input, prep->weight, plan);
  const Tensor* bias_ptr = prep->bias_ptr();
  ExecOptions exec;
  exec.threads = threads;
  return compute_and_write(
      cmd, *inv,
      [&](Backend b) -> Result<Tensor> {
        if (b == Backend::gpu) return gpu::conv2d(ops.input, ops.weight, bias_ptr, plan.params);
        return conv2d(ops.input, ops.weight, bias_ptr, plan.params, exec);
      },
      [&](Tensor out) { return out.reshaped(plan.output); });
}

// conv: [N, C_in, H, W] * [C_out, C_in/G, KH, KW] (+ [C_out]) => [N, C_out, OH, OW] (or NHWC/HWIO)
int run_conv(int argc, char** argv) {
  const std::string cmd = "conv";
  const CommandSpec& spec = conv_spec();
  if (wants_help(argc, argv, 2)) return print_usage(spec);
  auto inv = parse_invocation(argc, argv, spec, {"--input", "--weight", "--out"});
  if (!inv) return fail(cmd, inv.error());
  auto prep = prepare_conv(inv->args);
  if (!prep) return fail(cmd, prep.error());
  const ConvOperands& ops = prep->ops;
  const ConvGeometry& geo = prep->geo;
  // Memory and work against the limits before either backend starts (core/limits.hpp).
  const int threads = inv->opt.threads;
  const OpCost cost = conv2d_cost(geo, ops.input.dtype(), ops.params.layout, threads);
  if (auto st = check_cost(cost); !st) return fail(cmd, st.error());

  ExecOptions exec;
  exec.threads = threads;
  return compute_and_write(
      cmd, *inv,
      [&](Backend b) -> Result<Tensor> {
        if (b == Backend::gpu) {
          return gpu::conv2d(ops.input, ops.weight, ops.bias_ptr(), ops.params);
        }
        return conv2d(ops.input, ops.weight, ops.bias_ptr(), ops.params, exec);
      },
      [&](Tensor out) -> Result<Tensor> {
        return squeeze_output(out, ops.input_rank, ops.params.layout);
      });
}

// conv-transpose: [N, C_in, H, W] * [C_in, C_out/G, KH, KW] (+ [C_out]) => [N, C_out, OH, OW]
// (or NHWC with Keras's [KH, KW, C_out/G, C_in] kernel), on the CPU or the GPU.
int run_conv_transpose(int argc, char** argv) {
  const std::string cmd = "conv-transpose";
  const CommandSpec& spec = conv_transpose_spec();
  if (wants_help(argc, argv, 2)) return print_usage(spec);
  auto inv = parse_invocation(argc, argv, spec, {"--input", "--weight", "--out"});
  if (!inv) return fail(cmd, inv.error());
  auto prep = prepare_conv_transpose(inv->args);
  if (!prep) return fail(cmd, prep.error());
  const ConvOperands& ops = prep->ops;
  const ConvTranspose2dParams& params = prep->params;
  const std::optional<KerasTransposePlan>& plan = prep->plan;
  // Memory and work against the limits before either backend starts (core/limits.hpp).
  const ConvTransposeGeometry& g = prep->geo;
  if (auto st = check_cost(conv_transpose2d_cost(g.n, g.c_in, g.in_h, g.in_w, g.c_out, g.out_h,
                                                 g.out_w, g.c_in_per_group * g.k_h * g.k_w,
                                                 ops.input.dtype(), params.layout));
      !st) {
    return fail(cmd, st.error());
  }

  ExecOptions exec;
  exec.threads = inv->opt.threads;
  return compute_and_write(
      cmd, *inv,
      [&](Backend b) -> Result<Tensor> {
        if (b == Backend::gpu) {
          return plan ? gpu::keras_conv_transpose2d(ops.input, ops.weight, ops.bias_ptr(), *plan)
                      : gpu::conv_transpose2d(ops.input, ops.weight, ops.bias_ptr(), params);
        }
        if (plan) return keras_conv_transpose2d(ops.input, ops.weight, ops.bias_ptr(), *plan, exec);
        return conv_transpose2d(ops.input, ops.weight, ops.bias_ptr(), params, exec);
      },
      [&](Tensor out) -> Result<Tensor> {
        return squeeze_output(out, ops.input_rank, params.layout);
      });
}

// pool: [N, C, H, W] => [N, C, OH, OW] (or NHWC)
int run_pool(int argc, char** argv) {
  const std::string cmd = "pool";
  const CommandSpec& spec = pool_spec();
  if (wants_help(argc, argv, 2)) return print_usage(spec);
  auto inv = parse_invocation(argc, argv, spec, {"--input", "--out", "--op", "--kernel"});
  if (!inv) return fail(cmd, inv.error());
  auto prep = prepare_pool(inv->args);
  if (!prep) return fail(cmd, prep.error());
  const Tensor& in4 = prep->input;
  const Pool2dParams& params = prep->params;
  const PoolGeometry& geo = prep->geo;
  const int input_rank = static_cast<int>(prep->given.size());
  if (auto st = check_cost(pool2d_cost(geo, in4.dtype(), params.layout)); !st) {
    return fail(cmd, st.error());
  }
  return compute_and_write(
      cmd, *inv,
      [&](Backend b) -> Result<Tensor> {
        if (b == Backend::gpu) return gpu::pool2d(in4, params);
        return pool2d(in4, params);
      },
      [&](Tensor out) -> Result<Tensor> { return squeeze_output(out, input_rank, params.layout); });
}

}  // namespace cs::cli
