// What the command-line subcommands share: the option tables, the subcommands' entry points,
// failing with one sentence and exit status 2, reading operands (.npy) with unbatched inputs
// expanded PyTorch's way, and printing numbers so they round-trip. Depends on core/ only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/cli/cli_args.hpp"
#include "core/params.hpp"
#include "core/result.hpp"
#include "core/tensor.hpp"

namespace cs::cli {

constexpr int kExitOk = 0;
constexpr int kExitError = 2;

// Subcommands. Each takes the whole argv (argv[1] is the subcommand's name).
int run_conv(int argc, char** argv);
int run_conv1d(int argc, char** argv);
int run_conv_transpose(int argc, char** argv);
int run_pool(int argc, char** argv);
int run_trace(int argc, char** argv);
int run_shape(int argc, char** argv);
int run_lesson(int argc, char** argv);

const CommandSpec& conv_spec();
const CommandSpec& conv1d_spec();
const CommandSpec& conv_transpose_spec();
const CommandSpec& pool_spec();
const CommandSpec& trace_spec();
const CommandSpec& shape_spec();
const CommandSpec& lesson_spec();

// Option rows shared by several tables.
std::vector<OptionSpec> conv_geometry_options();  // --stride .. --layout, --flip
std::vector<OptionSpec> pool_geometry_options();  // --op .. --layout
// --stride, --padding, --output-padding, --dilation, --groups, --layout (conv's rows where they
// mean the same).
std::vector<OptionSpec> conv_transpose_geometry_options();
// conv1d's: --stride, --padding (one number, same, valid or full), --dilation, --groups,
// --padding-mode, --flip.
std::vector<OptionSpec> conv1d_geometry_options();
// --framework pytorch|keras, with what keras changes for `layer` ("conv", "pool",
// "conv-transpose").
OptionSpec framework_option(const char* layer);

// PyTorch's refusal of 'same' with a stride, with the hint that Keras's rules allow it (the
// error as it was for any other error or parameters).
Error with_keras_hint(Error error, const Conv2dParams& params);

// The front half every compute command shares (and `export`, which reads their options): the
// table's parsing from argv[first], no positional arguments, the required options.
Result<Args> parse_command(int argc, char** argv, int first, const CommandSpec& spec,
                           const std::vector<const char*>& required);

// Where a compute command runs: --backend cpu|gpu|auto (auto: the GPU if it works).
enum class Backend { cpu, gpu, automatic };
const char* backend_name(Backend b);  // "cpu", "gpu", "auto"

// --backend, --repeat N (1 <= N <= kMaxRepeat), --threads N (0 <= N <= kMaxThreads; 0 means
// every hardware thread) and --quiet. The caps keep a typo (--repeat 1000000000) from running
// for days.
constexpr int kMaxRepeat = 10000;
constexpr int kMaxThreads = 1024;
struct RunOptions {
  Backend backend = Backend::cpu;
  int repeat = 1;
  int threads = 0;
  bool quiet = false;
};
Result<RunOptions> run_options_from(const Args& args);

// Prints "convscope <command>: <message>" to stderr and returns kExitError.
int fail(const std::string& command, const std::string& message);
int fail(const std::string& command, const Error& error);
// Prints the usage to stdout and returns kExitOk.
int print_usage(const CommandSpec& spec);
// Fails on positional arguments a subcommand does not take.
Status no_positional(const Args& args, const CommandSpec& spec);

// Reads a .npy file for option `option` (messages name the file).
Result<Tensor> load_npy(const std::string& option, const std::string& path);

// The operands of a convolution, ready for the engine: 4-D in params.layout's order, weight and
// bias in the input's dtype, the kernel flipped when --flip was given.
struct ConvOperands {
  Tensor input, weight;
  std::optional<Tensor> bias;
  Conv2dParams params;
  bool flipped = false;
  int input_rank = 4;               // the rank the user gave: 2 ([H, W]), 3 (unbatched) or 4
  Shape input_given, weight_given;  // the shapes in the .npy files, before the expansion
  const Tensor* bias_ptr() const { return bias ? &*bias : nullptr; }
};

// Like PyTorch, an unbatched input ([C, H, W], or [H, W, C] for nhwc) gets a batch of 1; beyond
// PyTorch, a 2-D input [H, W] is one single-channel image and a 2-D weight [KH, KW] one filter.
Result<ConvOperands> load_conv_operands(const Args& args);
// The same for a transposed convolution (whose weight is [C_in, C_out/groups, KH, KW], or Keras's
// [KH, KW, C_out/groups, C_in] for nhwc); `params` and `flipped` are left as they are.
Result<ConvOperands> load_conv_transpose_operands(const Args& args, Layout layout);
// --bias read (a 0-D value becomes [1]), 1-D, in `dtype`; nullopt without --bias.
Result<std::optional<Tensor>> load_bias(const Args& args, DType dtype);
Result<Tensor> expand_input(Tensor input, Layout layout, const std::string& what);
// `transposed` only changes the axis names an error shows.
Result<Tensor> expand_weight(Tensor weight, Layout layout, bool transposed = false);
// The 4-D output back to the rank the input had (3: batch dropped; 2: batch dropped and the
// channel dropped too when there is only one).
Tensor squeeze_output(const Tensor& output, int input_rank, Layout layout);
// The shape squeeze_output gives a 4-D output of `shape`.
Shape squeezed_shape(const Shape& shape, int input_rank, Layout layout);

// Shortest text that reads back to the same float32 / float64 ("0.1", "-2", "1e-07", "nan").
std::string format_number(double value, DType dtype);
// The same for JSON: non-finite values become null (JSON has no NaN or infinity).
std::string json_number(double value, DType dtype);

}  // namespace cs::cli
