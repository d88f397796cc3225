// Command-line argument parsing for `convscope <subcommand>` and the window's options: option
// tables (which also print the usage), strict numbers, pairs and shapes, and the conv/pool/
// transposed-conv parameter options shared by conv, pool, conv-transpose, trace and shape.
// Depends on the parameter types of core/params.hpp, core/conv_transpose.hpp, core/conv1d.hpp
// and core/keras.hpp only: no I/O, no engine calls, no ImGui.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/conv1d.hpp"
#include "core/conv_transpose.hpp"
#include "core/keras.hpp"
#include "core/params.hpp"
#include "core/result.hpp"
#include "core/tensor.hpp"

namespace cs::cli {

// One option of a subcommand. `value` is the placeholder shown in the usage ("S|SH,SW"), or
// nullptr for a flag that takes no value.
struct OptionSpec {
  const char* name;   // "--stride"
  const char* value;  // "S|SH,SW" or nullptr
  const char* help;   // one line
  // The sentence when the value is missing ("--lesson needs a lesson name."); nullptr: "--out
  // needs a value, like --out Y.npy".
  const char* needs = nullptr;
};

// A subcommand's description: what `convscope <name> --help` prints. The window's options
// (`convscope [options]`, app/ui/window_options.cpp) are a table of this kind too.
struct CommandSpec {
  const char* name;      // "conv"
  const char* synopsis;  // "--input X.npy --weight W.npy [--bias B.npy] --out Y.npy [options]"
  const char* summary;   // one sentence
  std::vector<OptionSpec> options;
  const char* examples;  // pasteable lines, or nullptr
  // nullptr: positional arguments are kept, and an unknown option reads "unknown option --strid
  // (did you mean --stride?)". Set: the table takes no positional arguments, and anything that
  // is not one of its options reads "Unknown option 'ARG'. " followed by this hint (the window).
  const char* unknown_hint = nullptr;
};

std::string usage_text(const CommandSpec& spec);

// Options as given: `--name value`, `--name=value` or a bare `--flag`. A later occurrence of an
// option overrides an earlier one. Positional arguments are kept in order.
class Args {
 public:
  bool has(const std::string& name) const { return m_values.count(name) != 0; }
  // The value of an option that takes one; nullptr when absent.
  const std::string* get(const std::string& name) const;
  const std::vector<std::string>& positional() const { return m_positional; }

  void set(const std::string& name, std::string value) { m_values[name] = std::move(value); }
  void add_positional(std::string value) { m_positional.push_back(std::move(value)); }

 private:
  std::map<std::string, std::string> m_values;
  std::vector<std::string> m_positional;
};

// True when argv[first..] holds --help or -h (help wins over every other problem).
bool wants_help(int argc, char** argv, int first);

// Parses argv[first..] against the spec. Errors name the option: "unknown option --strid (did you
// mean --stride?)", "--out needs a value, like --out Y.npy" (or the option's own `needs`).
Result<Args> parse_args(int argc, char** argv, int first, const CommandSpec& spec);

// Errors unless every named option is present: "--weight is required (the kernel as a .npy
// file, e.g. --weight W.npy)".
Status require(const Args& args, const CommandSpec& spec, const std::vector<const char*>& names);

// Strict integer: the whole text, optional sign, decimal digits, within int's range.
Result<int> parse_int(const std::string& option, const std::string& text);
Result<int64_t> parse_int64(const std::string& option, const std::string& text);
// "2" => (2, 2); "2,1" => (2, 1) as (height, width).
Result<std::pair<int, int>> parse_pair(const std::string& option, const std::string& text);
// (--padding: core/layers.hpp's padding_from_text, the one reader of padding text.)
// Exactly `count` comma-separated dimensions ("1,3,224,224").
Result<Shape> parse_shape(const std::string& option, const std::string& text, int count);

// Conv parameters from --stride, --padding, --dilation, --groups, --padding-mode, --layout.
Result<Conv2dParams> conv_params_from(const Args& args);
// Transposed-conv parameters from --stride, --padding (numbers only: ConvTranspose2d has no
// 'same'; with --framework keras 'same' and 'valid' are left to keras_padding_from),
// --output-padding, --dilation, --groups, --layout.
Result<ConvTranspose2dParams> conv_transpose_params_from(const Args& args);
// Pool parameters from --op, --kernel, --stride, --padding, --dilation, --ceil-mode,
// --exclude-pad, --layout. --op and --kernel are required. With --framework keras, --padding
// 'same' and 'valid' are left to keras_padding_from.
Result<Pool2dParams> pool_params_from(const Args& args);
// --framework pytorch|keras (default pytorch).
Result<Framework> framework_from(const Args& args);
// With --framework keras: --padding valid (the default, as in Keras) or same; numbers and 'full'
// are refused in a sentence that names --padding.
Result<KerasPadding> keras_padding_from(const Args& args);
// conv1d parameters from --stride S, --padding P|same|valid|full, --dilation D, --groups G,
// --padding-mode and --flip (one number each: a pair is a 2-D setting).
Result<Conv1dParams> conv1d_params_from(const Args& args);

// "[1, 3, 5, 5]"
std::string shape_list(const Shape& shape);

}  // namespace cs::cli
