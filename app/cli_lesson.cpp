// `convscope lesson [NAME]`: a built-in lesson printed for a student on a terminal: the input
// per channel, the kernels, the output-size formula with the numbers, then every window (the
// cells it covers, padding marked; x·w + x·w + ... per channel; partials + bias = value) and the
// output. Depends on core/ only (lessons, the trace).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "app/cli_common.hpp"
#include "core/conv2d.hpp"
#include "core/lessons.hpp"
#include "core/pool2d.hpp"

namespace cs::cli {
namespace {

using Lines = std::vector<std::string>;

std::string pad_left(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

// A rows×cols grid of right-aligned cells, one string per row.
template <class Cell>
Lines grid(int64_t rows, int64_t cols, Cell cell) {
  std::vector<std::string> text;
  std::size_t width = 1;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      text.push_back(cell(r, c));
      width = std::max(width, text.back().size());
    }
  }
  Lines lines;
  for (int64_t r = 0; r < rows; ++r) {
    std::string line;
    for (int64_t c = 0; c < cols; ++c) {
      if (c) line += ' ';
      line += pad_left(text[static_cast<std::size_t>(r * cols + c)], width);
    }
    lines.push_back(line);
  }
  return lines;
}

// Prints blocks side by side: titles on the first line, then the grids.
void print_side_by_side(const std::string& indent, const std::vector<std::string>& titles,
                        const std::vector<Lines>& blocks) {
  std::vector<std::size_t> widths;
  std::size_t height = 0;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    std::size_t w = titles[b].size();
    for (const std::string& l : blocks[b])
      w = std::max(w, l.size());
    widths.push_back(w);
    height = std::max(height, blocks[b].size());
  }
  auto row = [&](auto get) {
    std::string line = indent;
    for (std::size_t b = 0; b < blocks.size(); ++b) {
      std::string cell = get(b);
      if (b + 1 < blocks.size()) cell += std::string(widths[b] - cell.size() + 4, ' ');
      line += cell;
    }
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    std::printf("%s\n", line.c_str());
  };
  row([&](std::size_t b) { return titles[b]; });
  for (std::size_t r = 0; r < height; ++r) {
    row([&](std::size_t b) { return r < blocks[b].size() ? blocks[b][r] : std::string(); });
  }
}

void print_lines(const std::string& indent, const Lines& lines) {
  for (const std::string& l : lines)
    std::printf("%s%s\n", indent.c_str(), l.c_str());
}

// [N, C, H, W] tensor => the (n, c) plane as grid lines.
Lines plane(const Tensor& t, int64_t n, int64_t c) {
  const int64_t ch = t.dim(1), h = t.dim(2), w = t.dim(3);
  return grid(h, w, [&](int64_t y, int64_t x) {
    return format_number(t.get(((n * ch + c) * h + y) * w + x), t.dtype());
  });
}

std::string range_words(int64_t first, int64_t count, int64_t step) {
  if (count == 1) return std::to_string(first);
  if (step == 1) return std::to_string(first) + ".." + std::to_string(first + count - 1);
  std::string s;
  for (int64_t i = 0; i < count; ++i)
    s += (i ? ", " : "") + std::to_string(first + i * step);
  return s;
}

// "(v)". NOTE: built by appending: g++ 12 warns falsely (-Wrestrict) on "(" + std::string&&.
std::string parens(const std::string& v) {
  std::string r;
  r.reserve(v.size() + 2);
  r += '(';
  r += v;
  r += ')';
  return r;
}

// "a·b" with the negative factor in parentheses, padding values in parentheses too.
std::string product_words(const std::string& x, bool x_padding, const std::string& w) {
  std::string s = x_padding || x[0] == '-' ? parens(x) : x;
  s += "\xC2\xB7";  // ·
  s += w[0] == '-' ? parens(w) : w;
  return s;
}

std::string params_words(const Conv2dParams& p, const ConvGeometry& g) {
  return "stride " + std::to_string(p.stride_h) + "," + std::to_string(p.stride_w) + "  padding " +
         padding_spec_to_string(p.padding) + " (top " + std::to_string(g.pad.top) + ", bottom " +
         std::to_string(g.pad.bottom) + ", left " + std::to_string(g.pad.left) + ", right " +
         std::to_string(g.pad.right) + ")  dilation " + std::to_string(p.dilation_h) + "," +
         std::to_string(p.dilation_w) + "  groups " + std::to_string(p.groups) + "  padding mode " +
         padding_mode_name(p.padding_mode);
}

int window_out_of_range(int64_t k, int64_t count) {
  const std::string which =
      count == 1 ? "1 window (number 0)"
                 : std::to_string(count) + " windows (0 to " + std::to_string(count - 1) + ")";
  return fail("lesson",
              "--window " + std::to_string(k) + " is out of range; this lesson has " + which);
}

void print_header(const Lesson& lesson) {
  std::printf("Lesson %s: %s\n", lesson.name.c_str(), lesson.title.c_str());
  if (!lesson.description.empty()) std::printf("%s\n", lesson.description.c_str());
  if (lesson.conv.layout == Layout::nhwc && lesson.op == LessonOp::conv) {
    std::printf(
        "(The operands are given in Keras order, NHWC input and HWIO weight; below they "
        "are shown per channel.)\n");
  }
  std::printf("\n");
}

void print_input(const Tensor& x) {
  std::printf(
      "Input x: %s (N\xC3\x97"
      "C\xC3\x97H\xC3\x97W), %s\n",
      shape_to_string(x.shape()).c_str(), dtype_name(x.dtype()));
  for (int64_t n = 0; n < x.dim(0); ++n) {
    for (int64_t c = 0; c < x.dim(1); ++c) {
      if (x.dim(0) > 1) {
        std::printf("  image %lld, channel %lld:\n", static_cast<long long>(n),
                    static_cast<long long>(c));
      } else {
        std::printf("  channel %lld:\n", static_cast<long long>(c));
      }
      print_lines("    ", plane(x, n, c));
    }
  }
  std::printf("\n");
}

// [C_out, C_in/g, KH, KW]: one block per filter, its channels side by side.
void print_kernels(const char* title, const Tensor& w, int64_t c_out_per_group) {
  std::printf(
      "%s: %s (C_out\xC3\x97"
      "C_in\xC3\x97KH\xC3\x97KW)\n",
      title, shape_to_string(w.shape()).c_str());
  for (int64_t o = 0; o < w.dim(0); ++o) {
    std::vector<std::string> titles;
    std::vector<Lines> blocks;
    for (int64_t c = 0; c < w.dim(1); ++c) {
      const int64_t ic = (o / std::max<int64_t>(1, c_out_per_group)) * w.dim(1) + c;
      titles.push_back("channel " + std::to_string(ic));
      blocks.push_back(plane(w, o, c));
    }
    std::printf("  filter %lld:\n", static_cast<long long>(o));
    print_side_by_side("    ", titles, blocks);
  }
  std::printf("\n");
}

void print_formula(const std::string& formula, const Shape& out) {
  std::printf("Output size:\n");
  std::size_t start = 0;
  while (start < formula.size()) {
    std::size_t end = formula.find('\n', start);
    if (end == std::string::npos) end = formula.size();
    if (end > start) std::printf("  %s\n", formula.substr(start, end - start).c_str());
    start = end + 1;
  }
  std::printf("so the output is %s.\n\n", shape_to_string(out).c_str());
}

void print_output(const Tensor& y, const char* channel_word) {
  std::printf("Output y: %s\n", shape_to_string(y.shape()).c_str());
  for (int64_t n = 0; n < y.dim(0); ++n) {
    for (int64_t c = 0; c < y.dim(1); ++c) {
      if (y.dim(0) > 1) {
        std::printf("  image %lld, %s %lld:\n", static_cast<long long>(n), channel_word,
                    static_cast<long long>(c));
      } else {
        std::printf("  %s %lld:\n", channel_word, static_cast<long long>(c));
      }
      print_lines("    ", plane(y, n, c));
    }
  }
}

void print_conv_window(const ConvTrace& t, int64_t index) {
  const ConvGeometry& g = t.geometry();
  const DType dt = t.dtype();
  const Window w = t.window(index);
  std::printf("Window %lld: y[%lld, %lld, %lld, %lld]\n", static_cast<long long>(index),
              static_cast<long long>(w.n), static_cast<long long>(w.o), static_cast<long long>(w.y),
              static_cast<long long>(w.x));
  std::printf(
      "  origin (row %lld, column %lld) = (%lld\xC2\xB7%d \xE2\x88\x92 %d, %lld\xC2\xB7%d "
      "\xE2\x88\x92 %d); covers rows %s, columns %s\n",
      static_cast<long long>(w.origin_y), static_cast<long long>(w.origin_x),
      static_cast<long long>(w.y), g.stride_h, g.pad.top, static_cast<long long>(w.x), g.stride_w,
      g.pad.left, range_words(w.origin_y, g.k_h, g.dilation_h).c_str(),
      range_words(w.origin_x, g.k_w, g.dilation_w).c_str());
  const int64_t taps = g.taps_per_channel();
  std::string sum_line;
  for (int64_t c = 0; c < g.c_in_per_group; ++c) {
    const int64_t ic = w.ic_begin + c;
    // The cells this channel's taps read, with the kernel beside them.
    Lines cells = grid(g.k_h, g.k_w, [&](int64_t ky, int64_t kx) {
      const Tap tap = t.tap(index, c * taps + ky * g.k_w + kx);
      const std::string v = format_number(tap.x, dt);
      return tap.in_padding ? parens(v) : v;
    });
    Lines kernel = grid(g.k_h, g.k_w, [&](int64_t ky, int64_t kx) {
      return format_number(t.weight().get(((w.o * g.c_in_per_group + c) * g.k_h + ky) * g.k_w + kx),
                           dt);
    });
    print_side_by_side("  ", {"channel " + std::to_string(ic) + " cells", "kernel"},
                       {cells, kernel});
    std::string products;
    for (int64_t k = 0; k < taps; ++k) {
      const Tap tap = t.tap(index, c * taps + k);
      if (k) products += " + ";
      products += product_words(format_number(tap.x, dt), tap.in_padding, format_number(tap.w, dt));
    }
    const std::string partial = format_number(w.partials[static_cast<std::size_t>(c)], dt);
    std::printf("  channel %lld: %s = %s\n", static_cast<long long>(ic), products.c_str(),
                partial.c_str());
    if (c) sum_line += " + ";
    sum_line += partial[0] == '-' ? parens(partial) : partial;
  }
  const std::string bias = format_number(w.bias, dt);
  std::printf("  partials + bias: %s + %s = %s\n\n", sum_line.c_str(),
              (bias[0] == '-' ? parens(bias) : bias).c_str(), format_number(w.value, dt).c_str());
}

int print_conv_lesson(const Lesson& lesson, int64_t only_window) {
  const Tensor weight =
      lesson.flip_kernel ? flip_kernel(lesson.weight, lesson.conv.layout) : lesson.weight;
  const Tensor* bias = lesson.bias ? &*lesson.bias : nullptr;
  auto trace = conv2d_trace(lesson.input, weight, bias, lesson.conv);
  if (!trace) return fail("lesson", trace.error());
  const ConvTrace& t = *trace;
  const ConvGeometry& g = t.geometry();
  if (only_window >= t.window_count()) return window_out_of_range(only_window, t.window_count());
  print_header(lesson);
  print_input(t.input());
  if (lesson.flip_kernel) {
    const Tensor written =
        lesson.conv.layout == Layout::nhwc ? hwio_to_oihw(lesson.weight) : lesson.weight;
    print_kernels("Kernel as written", written, g.c_out_per_group);
    std::printf(
        "A true convolution (scipy.signal.convolve) slides the kernel rotated by 180"
        "\xC2\xB0; PyTorch's conv2d does not rotate, so the lesson rotates it first.\n\n");
    print_kernels("Kernel w, rotated 180\xC2\xB0 (what slides)", t.weight(), g.c_out_per_group);
  } else {
    print_kernels("Kernel w", t.weight(), g.c_out_per_group);
  }
  if (t.bias()) {
    std::string b;
    for (int64_t i = 0; i < t.bias()->numel(); ++i) {
      b += (i ? ", " : "") + format_number(t.bias()->get(i), t.dtype());
    }
    std::printf("Bias b: [%s]\n", b.c_str());
  } else {
    std::printf("Bias b: none (0)\n");
  }
  std::printf("Parameters: %s\n\n", params_words(t.params(), g).c_str());
  print_formula(conv2d_formula(g), t.output().shape());

  if (only_window >= 0) {
    print_conv_window(t, only_window);
  } else {
    std::printf(
        "Windows: one per output value (%lld), in order image n, filter o, row y, column x."
        "\n(v) marks a cell in the padding (it reads v).\n\n",
        static_cast<long long>(t.window_count()));
    for (int64_t i = 0; i < t.window_count(); ++i)
      print_conv_window(t, i);
  }
  print_output(t.output(), "filter");
  if (!lesson.expected.empty()) {
    std::printf("\nExpected (from the notebook): %s\n", lesson.expected.c_str());
  }
  return kExitOk;
}

void print_pool_window(const PoolTrace& t, int64_t index) {
  const PoolGeometry& g = t.geometry();
  const DType dt = t.output().dtype();
  const PoolWindow w = t.window(index);
  const bool is_max = g.op == PoolOp::max;
  std::printf("Window %lld: y[%lld, %lld, %lld, %lld]\n", static_cast<long long>(index),
              static_cast<long long>(w.n), static_cast<long long>(w.c), static_cast<long long>(w.y),
              static_cast<long long>(w.x));
  std::printf("  origin (row %lld, column %lld); covers rows %s, columns %s\n",
              static_cast<long long>(w.origin_y), static_cast<long long>(w.origin_x),
              range_words(w.origin_y, g.k_h, g.dilation_h).c_str(),
              range_words(w.origin_x, g.k_w, g.dilation_w).c_str());
  // NOTE: with ceil_mode the last window may hang past the padding too; PyTorch neither reads
  // nor counts those cells (not even with count_include_pad), so they are shown as "--".
  auto past_padding = [&](const PoolTap& tap) {
    return tap.iy < -g.pad.top || tap.iy >= g.in_h + g.pad.bottom || tap.ix < -g.pad.left ||
           tap.ix >= g.in_w + g.pad.right;
  };
  Lines cells = grid(g.k_h, g.k_w, [&](int64_t ky, int64_t kx) {
    const PoolTap& tap = w.taps[static_cast<std::size_t>(ky * g.k_w + kx)];
    if (!tap.in_padding) return format_number(tap.x, dt);
    if (past_padding(tap)) return std::string("--");
    return is_max ? std::string("pad") : parens(format_number(tap.x, dt));
  });
  print_lines("    ", cells);
  std::string terms;
  for (const PoolTap& tap : w.taps) {
    if (tap.in_padding && (is_max || !g.count_include_pad || past_padding(tap))) continue;
    if (!terms.empty()) terms += is_max ? ", " : " + ";
    const std::string v = format_number(tap.x, dt);
    terms += (tap.in_padding || (!is_max && v[0] == '-')) ? parens(v) : v;
  }
  if (is_max) {
    std::printf("  max(%s) = %s, read at row %lld, column %lld\n\n", terms.c_str(),
                format_number(w.value, dt).c_str(), static_cast<long long>(w.argmax_y),
                static_cast<long long>(w.argmax_x));
  } else {
    std::printf("  (%s) / %lld = %s / %lld = %s\n\n", terms.c_str(),
                static_cast<long long>(w.divisor), format_number(w.sum, dt).c_str(),
                static_cast<long long>(w.divisor), format_number(w.value, dt).c_str());
  }
}

int print_pool_lesson(const Lesson& lesson, int64_t only_window) {
  auto trace = pool2d_trace(lesson.input, lesson.pool);
  if (!trace) return fail("lesson", trace.error());
  const PoolTrace& t = *trace;
  const PoolGeometry& g = t.geometry();
  if (only_window >= t.window_count()) return window_out_of_range(only_window, t.window_count());
  print_header(lesson);
  print_input(t.input());
  std::printf(
      "Pooling: %s over %d\xC3\x97%d windows, stride %d,%d, padding %d,%d, dilation %d,%d%s%s"
      "\n\n",
      pool_op_name(g.op), g.k_h, g.k_w, g.stride_h, g.stride_w, g.pad.top, g.pad.left, g.dilation_h,
      g.dilation_w, g.ceil_mode ? ", ceil_mode" : "",
      g.op == PoolOp::avg
          ? (g.count_include_pad ? ", padding counted in the average" : ", padding not counted")
          : "");
  print_formula(pool2d_formula(g), t.output().shape());
  if (only_window >= 0) {
    print_pool_window(t, only_window);
  } else {
    std::printf(
        "Windows: one per output value (%lld), in order image n, channel c, row y, "
        "column x.\n%s\n\n",
        static_cast<long long>(t.window_count()),
        g.op == PoolOp::max
            ? "pad marks a cell in the padding (max ignores it); -- a cell past it."
            : (g.count_include_pad
                   ? "(v) marks a cell in the padding (counted); -- a cell past it (not counted)."
                   : "(v) marks a cell in the padding; -- a cell past it (neither is counted)."));
    for (int64_t i = 0; i < t.window_count(); ++i)
      print_pool_window(t, i);
  }
  print_output(t.output(), "channel");
  if (!lesson.expected.empty()) {
    std::printf("\nExpected (from the notebook): %s\n", lesson.expected.c_str());
  }
  return kExitOk;
}

}  // namespace

const CommandSpec& lesson_spec() {
  static const CommandSpec spec{
      "lesson",
      "[NAME] [--window K] | --list",
      "Prints a built-in lesson step by step: the input per channel, the kernels, the output-\n"
      "size formula with its numbers, then every window: the cells it covers (padding marked),\n"
      "each channel's x\xC2\xB7w + x\xC2\xB7w + ... = partial, partials + bias = value, and the "
      "output.\nWithout NAME, the first lesson (the 5\xC3\x97"
      "5 vertical-edge example).",
      {
          {"--list", nullptr, "list the lessons"},
          {"--window", "K", "show only window K (0 is the first output value, in NCHW order)"},
      },
      "  convscope lesson --list\n"
      "  convscope lesson vertical-edge\n"
      "  convscope lesson vertical-edge --window 4\n"};
  return spec;
}

int run_lesson(int argc, char** argv) {
  const std::string cmd = "lesson";
  const CommandSpec& spec = lesson_spec();
  if (wants_help(argc, argv, 2)) return print_usage(spec);
  auto args = parse_args(argc, argv, 2, spec);
  if (!args) return fail(cmd, args.error());
  const std::vector<Lesson>& lessons = builtin_lessons();
  if (args->has("--list")) {
    std::size_t width = 0;
    for (const Lesson& l : lessons)
      width = std::max(width, l.name.size());
    for (const Lesson& l : lessons) {
      std::printf("%s  %s\n", (l.name + std::string(width - l.name.size(), ' ')).c_str(),
                  l.title.c_str());
    }
    return kExitOk;
  }
  if (args->positional().size() > 1) {
    return fail(cmd, "give one lesson name, not " + std::to_string(args->positional().size()) +
                         "; `convscope lesson --list` lists them");
  }
  int64_t only_window = -1;
  if (const std::string* v = args->get("--window")) {
    auto k = parse_int64("--window", *v);
    if (!k) return fail(cmd, k.error());
    if (*k < 0) return fail(cmd, "--window " + *v + " must be 0 or more (0 is the first window)");
    only_window = *k;
  }
  Lesson lesson;
  if (args->positional().empty()) {
    if (lessons.empty()) return fail(cmd, "this build has no built-in lessons");
    lesson = lessons.front();
  } else {
    auto found = find_lesson(args->positional().front());
    if (!found) return fail(cmd, found.error());
    lesson = std::move(*found);
  }
  if (lesson.op == LessonOp::pool) return print_pool_lesson(lesson, only_window);
  return print_conv_lesson(lesson, only_window);
}

}  // namespace cs::cli
