// Option tables, strict number parsing and the conv/pool parameter options of the command line.
// Every message names the option and the text the user typed, and shows a form that works.
// Depends on core/params.hpp and core/layers.hpp's padding reader only (no I/O).
#include "app/cli/cli_args.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <limits>

#include "core/layers.hpp"

namespace cs::cli {
namespace {

const OptionSpec* find_option(const CommandSpec& spec, const std::string& name) {
  for (const OptionSpec& o : spec.options) {
    if (name == o.name) return &o;
  }
  return nullptr;
}

// Levenshtein distance, for "did you mean --stride?".
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string suggestion(const CommandSpec& spec, const std::string& name) {
  const OptionSpec* best = nullptr;
  std::size_t best_d = 3;  // farther than 2 edits is a different word, not a typo
  for (const OptionSpec& o : spec.options) {
    const std::size_t d = edit_distance(name, o.name);
    if (d < best_d) {
      best_d = d;
      best = &o;
    }
  }
  if (best) return std::string(" (did you mean ") + best->name + "?)";
  return "; `convscope " + std::string(spec.name) + " --help` lists the options";
}

Error unknown_argument(const CommandSpec& spec, const std::string& arg, const std::string& name) {
  if (spec.unknown_hint) {
    return make_error("Unknown option '" + arg + "'. " + spec.unknown_hint, name);
  }
  return make_error("unknown option " + name + suggestion(spec, name), name);
}

Error missing_value(const OptionSpec& o) {
  if (o.needs) return make_error(o.needs, o.name);
  return make_error(std::string(o.name) + " needs a value, like " + o.name + " " + o.value, o.name);
}

std::string lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = text.find(sep, start);
    parts.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) break;
    start = at + 1;
  }
  return parts;
}

// Parses the whole of `text` as a decimal integer; false when it is not one or is out of range.
template <class Int>
bool to_int(const std::string& text, Int& out, bool& out_of_range) {
  out_of_range = false;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;  // "+2" reads as 2; from_chars takes only '-'
  if (begin == end) return false;
  auto [ptr, ec] = std::from_chars(begin, end, out);
  if (ec == std::errc::result_out_of_range) {
    out_of_range = true;
    return false;
  }
  return ec == std::errc() && ptr == end;
}

// --framework keras given (a wrong name is reported by framework_from).
bool is_keras(const Args& args) {
  const std::string* v = args.get("--framework");
  if (!v) return false;
  auto f = parse_framework(*v);
  return f && *f == Framework::keras;
}

bool is_keras_word(const std::string& padding) {
  const std::string l = lower(padding);
  return l == "same" || l == "valid";
}

}  // namespace

const std::string* Args::get(const std::string& name) const {
  auto it = m_values.find(name);
  return it == m_values.end() ? nullptr : &it->second;
}

std::string usage_text(const CommandSpec& spec) {
  std::string s = "usage: convscope " + std::string(spec.name) + " " + spec.synopsis + "\n\n";
  s += spec.summary;
  s += "\n\noptions:\n";
  // Options longer than the column get their help on the next line, so the column stays narrow.
  constexpr std::size_t kMaxColumn = 30;
  std::size_t width = std::strlen("--help");
  for (const OptionSpec& o : spec.options) {
    const std::size_t w = std::strlen(o.name) + (o.value ? std::strlen(o.value) + 1 : 0);
    if (w <= kMaxColumn) width = std::max(width, w);
  }
  auto line = [&](const char* name, const char* value, const char* help) {
    std::string left = name;
    if (value) left += std::string(" ") + value;
    if (left.size() > width) {
      s += "  " + left + "\n" + std::string(width + 4, ' ') + help + "\n";
    } else {
      s += "  " + left + std::string(width + 2 - left.size(), ' ') + help + "\n";
    }
  };
  for (const OptionSpec& o : spec.options)
    line(o.name, o.value, o.help);
  line("--help", nullptr, "print this help and exit");
  if (spec.examples) {
    s += "\nexamples:\n";
    s += spec.examples;
  }
  return s;
}

bool wants_help(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) return true;
  }
  return false;
}

Result<Args> parse_args(int argc, char** argv, int first, const CommandSpec& spec) {
  Args args;
  for (int i = first; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
      const std::size_t eq = arg.find('=');
      const std::string name = arg.substr(0, eq);
      const OptionSpec* o = find_option(spec, name);
      if (!o) return unknown_argument(spec, arg, name);
      if (!o->value) {
        if (eq != std::string::npos) {
          return make_error(name + " is a switch and takes no value; write just " + name, name);
        }
        args.set(name, "");
        continue;
      }
      std::string value;
      if (eq != std::string::npos) {
        value = arg.substr(eq + 1);
      } else if (i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0) {
        value = argv[++i];
      } else {
        return missing_value(*o);
      }
      if (value.empty()) return missing_value(*o);
      args.set(name, std::move(value));
    } else if (spec.unknown_hint) {
      return unknown_argument(spec, arg, arg);
    } else if (arg.size() > 1 && arg[0] == '-' &&
               !std::isdigit(static_cast<unsigned char>(arg[1]))) {
      return make_error(
          "unknown option " + arg + "; options start with two dashes, like --stride 2", arg);
    } else {
      args.add_positional(arg);
    }
  }
  return args;
}

Status require(const Args& args, const CommandSpec& spec, const std::vector<const char*>& names) {
  for (const char* name : names) {
    if (args.has(name)) continue;
    const OptionSpec* o = find_option(spec, name);
    std::string form = name;
    if (o && o->value) form += std::string(" ") + o->value;
    return make_error(std::string(spec.name) + " needs " + form + (o ? ": " : "") +
                          (o ? o->help : "") + "; see `convscope " + spec.name + " --help`",
                      name);
  }
  return ok();
}

Result<int> parse_int(const std::string& option, const std::string& text) {
  int v = 0;
  bool out_of_range = false;
  if (to_int(text, v, out_of_range)) return v;
  if (out_of_range) {
    return make_error(option + " " + text +
                          " is out of range; numbers here fit in 32 bits (at most " +
                          std::to_string(std::numeric_limits<int>::max()) + ")",
                      option);
  }
  return make_error(option + " " + text + " is not a whole number like 2", option);
}

Result<int64_t> parse_int64(const std::string& option, const std::string& text) {
  int64_t v = 0;
  bool out_of_range = false;
  if (to_int(text, v, out_of_range)) return v;
  if (out_of_range) return make_error(option + " " + text + " is out of range", option);
  return make_error(option + " " + text + " is not a whole number like 2", option);
}

Result<std::pair<int, int>> parse_pair(const std::string& option, const std::string& text) {
  const std::vector<std::string> parts = split(text, ',');
  int v[2] = {0, 0};
  bool good = parts.size() == 1 || parts.size() == 2;
  for (std::size_t i = 0; good && i < parts.size(); ++i) {
    bool out_of_range = false;
    if (!to_int(parts[i], v[i], out_of_range)) {
      if (out_of_range) {
        return make_error(option + " " + text + " is out of range; each number must fit in 32 bits",
                          option);
      }
      good = false;
    }
  }
  if (!good) {
    return make_error(option + " " + text + " is not a number or pair of numbers like 2 or 2,1",
                      option);
  }
  if (parts.size() == 1) v[1] = v[0];
  return std::make_pair(v[0], v[1]);
}

Result<Shape> parse_shape(const std::string& option, const std::string& text, int count) {
  const std::vector<std::string> parts = split(text, ',');
  Shape shape;
  bool good = static_cast<int>(parts.size()) == count;
  for (std::size_t i = 0; good && i < parts.size(); ++i) {
    int64_t d = 0;
    bool out_of_range = false;
    good = to_int(parts[i], d, out_of_range);
    shape.push_back(d);
  }
  if (!good) {
    const char* example = count == 4 ? "1,3,224,224" : "3,3";
    return make_error(option + " " + text + " is not " + std::to_string(count) +
                          " comma-separated whole numbers like " + example,
                      option);
  }
  return shape;
}

Result<Conv2dParams> conv_params_from(const Args& args) {
  Conv2dParams p;
  if (const std::string* v = args.get("--stride")) {
    auto r = parse_pair("--stride", *v);
    if (!r) return r.error();
    p.stride_h = r->first;
    p.stride_w = r->second;
  }
  if (const std::string* v = args.get("--dilation")) {
    auto r = parse_pair("--dilation", *v);
    if (!r) return r.error();
    p.dilation_h = r->first;
    p.dilation_w = r->second;
  }
  if (const std::string* v = args.get("--padding")) {
    auto r = padding_from_text("--padding", *v);
    if (!r) return r.error();
    p.padding = *r;
  }
  if (const std::string* v = args.get("--groups")) {
    auto r = parse_int("--groups", *v);
    if (!r) return r.error();
    p.groups = *r;
  }
  if (const std::string* v = args.get("--padding-mode")) {
    auto r = parse_padding_mode(lower(*v));
    if (!r) return r.error();
    p.padding_mode = *r;
  }
  if (const std::string* v = args.get("--layout")) {
    auto r = parse_layout(lower(*v));
    if (!r) return r.error();
    p.layout = *r;
  }
  return p;
}

Result<ConvTranspose2dParams> conv_transpose_params_from(const Args& args) {
  ConvTranspose2dParams p;
  struct PairOption {
    const char* name;
    int *h, *w;
  };
  for (const PairOption& o :
       {PairOption{"--stride", &p.stride_h, &p.stride_w},
        PairOption{"--output-padding", &p.output_padding_h, &p.output_padding_w},
        PairOption{"--dilation", &p.dilation_h, &p.dilation_w}}) {
    const std::string* v = args.get(o.name);
    if (!v) continue;
    auto r = parse_pair(o.name, *v);
    if (!r) return r.error();
    *o.h = r->first;
    *o.w = r->second;
  }
  const bool keras = is_keras(args);
  if (const std::string* v = args.get("--padding"); v && !(keras && is_keras_word(*v))) {
    const std::string l = lower(*v);
    if (l == "same" || l == "valid" || l == "full") {
      return make_error("--padding " + *v +
                            " is a conv option; torch.nn.ConvTranspose2d takes a number or pair "
                            "like 1 or 1,0 (the rows and columns cropped from each side), and "
                            "Keras's Conv2DTranspose 'same' or 'valid' with --framework keras",
                        "--padding");
    }
    auto r = parse_pair("--padding", *v);
    if (!r) return r.error();
    p.pad_h = r->first;
    p.pad_w = r->second;
  }
  if (const std::string* v = args.get("--groups")) {
    auto r = parse_int("--groups", *v);
    if (!r) return r.error();
    p.groups = *r;
  }
  if (const std::string* v = args.get("--layout")) {
    auto r = parse_layout(lower(*v));
    if (!r) return r.error();
    p.layout = *r;
  }
  return p;
}

Result<Pool2dParams> pool_params_from(const Args& args) {
  Pool2dParams p;
  const std::string* op = args.get("--op");
  if (!op) return make_error("pooling needs --op max or --op avg", "--op");
  const std::string l = lower(*op);
  if (l == "max") {
    p.op = PoolOp::max;
  } else if (l == "avg" || l == "average" || l == "mean") {
    p.op = PoolOp::avg;
  } else {
    return make_error("--op " + *op + " is not a pooling operation; use --op max or --op avg",
                      "--op");
  }
  const std::string* kernel = args.get("--kernel");
  if (!kernel) {
    return make_error(
        "pooling needs the window size: --kernel K or --kernel KH,KW (e.g. --kernel 2)",
        "--kernel");
  }
  {
    auto r = parse_pair("--kernel", *kernel);
    if (!r) return r.error();
    p.k_h = r->first;
    p.k_w = r->second;
  }
  if (const std::string* v = args.get("--stride")) {
    auto r = parse_pair("--stride", *v);
    if (!r) return r.error();
    p.stride_h = r->first;
    p.stride_w = r->second;
  }
  if (const std::string* v = args.get("--padding"); v && !(is_keras(args) && is_keras_word(*v))) {
    const std::string pl = lower(*v);
    if (pl == "same" || pl == "valid" || pl == "full") {
      return make_error("--padding " + *v +
                            " is a conv option; pooling takes a number or pair like 1 or 1,0 "
                            "(Keras's pooling takes 'same' or 'valid' with --framework keras)",
                        "--padding");
    }
    auto r = parse_pair("--padding", *v);
    if (!r) return r.error();
    p.pad_h = r->first;
    p.pad_w = r->second;
  }
  if (const std::string* v = args.get("--dilation")) {
    auto r = parse_pair("--dilation", *v);
    if (!r) return r.error();
    p.dilation_h = r->first;
    p.dilation_w = r->second;
  }
  p.ceil_mode = args.has("--ceil-mode");
  if (args.has("--exclude-pad")) {
    if (p.op != PoolOp::avg) {
      return make_error(
          "--exclude-pad changes what average pooling divides by; it does not apply to --op max",
          "--exclude-pad");
    }
    p.count_include_pad = false;
  }
  if (const std::string* v = args.get("--layout")) {
    auto r = parse_layout(lower(*v));
    if (!r) return r.error();
    p.layout = *r;
  }
  return p;
}

Result<Framework> framework_from(const Args& args) {
  const std::string* v = args.get("--framework");
  if (!v) return Framework::pytorch;
  auto f = parse_framework(*v);
  if (!f)
    return make_error("--framework " + *v + " is not a framework; use pytorch or keras",
                      "--framework");
  return f;
}

Result<KerasPadding> keras_padding_from(const Args& args) {
  const std::string* v = args.get("--padding");
  if (!v || lower(*v) == "valid") return KerasPadding::valid;
  if (lower(*v) == "same") return KerasPadding::same;
  return make_error("--padding " + *v +
                        ": with --framework keras the padding is 'valid' (the default) or "
                        "'same', as Keras's layers take it; numbers and 'full' follow PyTorch's "
                        "rules (--framework pytorch)",
                    "--padding");
}

Result<Conv1dParams> conv1d_params_from(const Args& args) {
  Conv1dParams p;
  struct IntOption {
    const char* name;
    int* value;
  };
  for (const IntOption& o : {IntOption{"--stride", &p.stride}, IntOption{"--dilation", &p.dilation},
                             IntOption{"--groups", &p.groups}}) {
    const std::string* v = args.get(o.name);
    if (!v) continue;
    auto r = parse_int(o.name, *v);
    if (!r) {
      if (v->find(',') == std::string::npos) return r.error();
      return make_error(std::string(o.name) + " " + *v +
                            " is a pair, a 2-D setting; conv1d takes one number like 2",
                        o.name);
    }
    *o.value = *r;
  }
  if (const std::string* v = args.get("--padding")) {
    const std::string l = lower(*v);
    if (l == "same") {
      p.padding = PaddingSpec::same();
    } else if (l == "valid") {
      p.padding = PaddingSpec::valid();
    } else if (l == "full") {
      p.padding = PaddingSpec::full();
    } else {
      int n = 0;
      bool out_of_range = false;
      if (!to_int(*v, n, out_of_range)) {
        return make_error("--padding " + *v +
                              " is not a number like 1, 'same', 'valid' or 'full' (conv1d pads "
                              "both ends by the same number)",
                          "--padding");
      }
      p.padding = PaddingSpec::symmetric(n);
    }
  }
  if (const std::string* v = args.get("--padding-mode")) {
    auto r = parse_padding_mode(lower(*v));
    if (!r) return r.error();
    p.padding_mode = *r;
  }
  p.flip = args.has("--flip");
  return p;
}

std::string shape_list(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

}  // namespace cs::cli
