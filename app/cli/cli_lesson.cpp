// `convscope lesson [NAME]`: a built-in lesson printed for a student on a terminal: the input
// per channel, the kernels, the output-size formula with the numbers, then every window (the
// cells it covers, padding marked; x·w + x·w + ... per channel; partials + bias = value) and the
// output. Depends on core/ only (lessons, the trace).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "app/cli/cli_common.hpp"
#include "core/conv_transpose_trace.hpp"
#include "core/lessons.hpp"
#include "core/trace.hpp"

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
  if (lesson.framework == Framework::keras) {
    std::printf("(Keras's rules: padding '%s', resolved per side as TensorFlow does.)\n",
                keras_padding_name(lesson.keras_padding));
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

// "  origin (row -1, column -1) = (0·1 − 1, 0·1 − 1); covers rows -1..1, columns -1..1"
void print_origin(const TraceView& v, const TraceWindow& w) {
  const TraceShape& s = v.shape();
  std::string how;
  if (v.has_weights()) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  " = (%lld\xC2\xB7%d \xE2\x88\x92 %d, %lld\xC2\xB7%d \xE2\x88\x92 %d)",
                  static_cast<long long>(w.oy), s.stride_h, s.pad.top, static_cast<long long>(w.ox),
                  s.stride_w, s.pad.left);
    how = buf;
  }
  std::printf("  origin (row %lld, column %lld)%s; covers rows %s, columns %s\n",
              static_cast<long long>(w.origin_y), static_cast<long long>(w.origin_x), how.c_str(),
              range_words(w.origin_y, s.k_h, s.dilation_h).c_str(),
              range_words(w.origin_x, s.k_w, s.dilation_w).c_str());
}

// The cells channel c (of the group) reads, with its kernel slice beside them for conv. (v)
// marks a cell in the padding, "pad" one that max ignores, "--" one past the padding.
void print_cells(const TraceView& v, const TraceWindow& w, const std::vector<TraceTap>& taps,
                 int64_t c) {
  const TraceShape& s = v.shape();
  const DType dt = v.dtype();
  const bool is_max = v.op() == TraceOp::max_pool2d;
  const int64_t first = c * s.taps_per_channel();
  auto tap_at = [&](int64_t ky, int64_t kx) -> const TraceTap& {
    return taps[static_cast<std::size_t>(first + ky * s.k_w + kx)];
  };
  Lines cells = grid(s.k_h, s.k_w, [&](int64_t ky, int64_t kx) {
    const TraceTap& tap = tap_at(ky, kx);
    if (tap.source == TapSource::input) return format_number(tap.x, dt);
    if (tap.source == TapSource::outside) return std::string("--");
    return is_max ? std::string("pad") : parens(format_number(tap.x, dt));
  });
  if (!v.has_weights()) {
    print_lines("    ", cells);
    return;
  }
  Lines kernel = grid(s.k_h, s.k_w,
                      [&](int64_t ky, int64_t kx) { return format_number(tap_at(ky, kx).w, dt); });
  print_side_by_side("  ", {"channel " + std::to_string(w.ic_begin + c) + " cells", "kernel"},
                     {cells, kernel});
}

// "(v)" for a negative number, so sums read unambiguously.
std::string signed_operand(double value, DType dt) {
  const std::string v = format_number(value, dt);
  return v[0] == '-' ? parens(v) : v;
}

// One line of the window's explanation (the same lines the arithmetic panel draws).
void print_line(const ExplainLine& line, const TraceWindow& w, DType dt) {
  switch (line.kind) {
    case ExplainLine::Kind::channel_sum: {
      std::string products;
      for (const ExplainTerm& t : line.terms) {
        if (!products.empty()) products += " + ";
        products += product_words(format_number(t.x, dt), t.source != TapSource::input,
                                  format_number(t.w, dt));
      }
      std::printf("  channel %lld: %s = %s\n", static_cast<long long>(line.channel),
                  products.c_str(), format_number(line.result, dt).c_str());
      break;
    }
    case ExplainLine::Kind::total: {
      std::string sum;
      for (double p : line.operands)
        sum += (sum.empty() ? "" : " + ") + signed_operand(p, dt);
      std::printf("  partials + bias: %s + %s = %s\n\n", sum.c_str(),
                  signed_operand(line.bias, dt).c_str(), format_number(line.result, dt).c_str());
      break;
    }
    case ExplainLine::Kind::reduce: {
      std::string terms;
      for (const ExplainTerm& t : line.terms) {
        if (!terms.empty()) terms += line.is_max ? ", " : " + ";
        const std::string v = format_number(t.x, dt);
        terms += (t.source != TapSource::input || (!line.is_max && v[0] == '-')) ? parens(v) : v;
      }
      if (line.is_max) {
        std::printf("  max(%s) = %s, read at row %lld, column %lld\n\n", terms.c_str(),
                    format_number(line.result, dt).c_str(), static_cast<long long>(w.argmax_y),
                    static_cast<long long>(w.argmax_x));
      } else {
        std::printf("  (%s) / %lld = %s / %lld = %s\n\n", terms.c_str(),
                    static_cast<long long>(line.divisor), format_number(line.sum, dt).c_str(),
                    static_cast<long long>(line.divisor), format_number(line.result, dt).c_str());
      }
      break;
    }
    case ExplainLine::Kind::note:  // the panel's sentences; the terminal's legend says as much
      break;
  }
}

void print_window(const TraceView& v, int64_t index) {
  const TraceWindow w = v.window(index);
  std::printf("Window %lld: y[%lld, %lld, %lld, %lld]\n", static_cast<long long>(index),
              static_cast<long long>(w.n), static_cast<long long>(w.oc),
              static_cast<long long>(w.oy), static_cast<long long>(w.ox));
  print_origin(v, w);
  // Each line of the explanation after the cells it sums: a channel's cells before its
  // products, the pooled window's cells before the reduction.
  const std::vector<TraceTap> taps = v.taps(index);
  for (const ExplainLine& line : v.explain(index).lines) {
    if (line.kind == ExplainLine::Kind::channel_sum)
      print_cells(v, w, taps, line.channel - w.ic_begin);
    if (line.kind == ExplainLine::Kind::reduce) print_cells(v, w, taps, 0);
    // The transposed convolution's notes read the window the other way (scatter): worth a line.
    if (line.kind == ExplainLine::Kind::note && v.op() == TraceOp::conv_transpose2d) {
      std::printf("  %s\n", line.text.c_str());
    }
    print_line(line, w, v.dtype());
  }
}

// The operands of a conv lesson: the kernel (as written and as it slides, when flipped) and bias.
void print_conv_operands(const Lesson& lesson, const TraceView& v) {
  const int64_t c_out_per_group = v.shape().c_out_per_group;
  if (lesson.flip_kernel) {
    const Tensor written =
        lesson.conv.layout == Layout::nhwc ? hwio_to_oihw(lesson.weight) : lesson.weight;
    print_kernels("Kernel as written", written, c_out_per_group);
    std::printf(
        "A true convolution (scipy.signal.convolve) slides the kernel rotated by 180"
        "\xC2\xB0; PyTorch's conv2d does not rotate, so the lesson rotates it first.\n\n");
    print_kernels("Kernel w, rotated 180\xC2\xB0 (what slides)", *v.weight(), c_out_per_group);
  } else {
    print_kernels("Kernel w", *v.weight(), c_out_per_group);
  }
  if (const Tensor* b = v.bias()) {
    std::string text;
    for (int64_t i = 0; i < b->numel(); ++i)
      text += (i ? ", " : "") + format_number(b->get(i), v.dtype());
    std::printf("Bias b: [%s]\n", text.c_str());
  } else {
    std::printf("Bias b: none (0)\n");
  }
}

// The operands of a transposed-convolution lesson: the layer's kernel as PyTorch stores it, the
// kernel that slides in the gather reading, and the bias.
void print_conv_transpose_operands(const ConvTransposeTraceView& v) {
  const Tensor& w = v.layer_weight();
  std::printf(
      "Kernel w (the layer's): %s (C_in\xC3\x97"
      "C_out\xC3\x97KH\xC3\x97KW)\n",
      shape_to_string(w.shape()).c_str());
  for (int64_t ic = 0; ic < w.dim(0); ++ic) {
    std::vector<std::string> titles;
    std::vector<Lines> blocks;
    for (int64_t ocg = 0; ocg < w.dim(1); ++ocg) {
      titles.push_back("to output " + std::to_string(v.shape().first_output_channel(ic) + ocg));
      blocks.push_back(plane(w, ic, ocg));
    }
    std::printf("  input channel %lld stamps:\n", static_cast<long long>(ic));
    print_side_by_side("    ", titles, blocks);
  }
  std::printf("\n");
  print_kernels("Kernel rotated 180\xC2\xB0 (what slides in the gather reading)", *v.weight(),
                v.shape().c_out_per_group);
  if (const Tensor* b = v.bias()) {
    std::string text;
    for (int64_t i = 0; i < b->numel(); ++i)
      text += (i ? ", " : "") + format_number(b->get(i), v.dtype());
    std::printf("Bias b: [%s]\n", text.c_str());
  } else {
    std::printf("Bias b: none (0)\n");
  }
}

const char* windows_legend(TraceOp op, bool count_include_pad) {
  switch (op) {
    case TraceOp::conv2d:
      return "(v) marks a cell in the padding (it reads v).";
    case TraceOp::max_pool2d:
      return "pad marks a cell in the padding (max ignores it); -- a cell past it.";
    case TraceOp::avg_pool2d:
      return count_include_pad
                 ? "(v) marks a cell in the padding (counted); -- a cell past it (not counted)."
                 : "(v) marks a cell in the padding; -- a cell past it (neither is counted).";
    case TraceOp::conv_transpose2d:
      return "Each window is the gather reading: the rotated kernel over the input with zeros\n"
             "stuffed between cells; (0) marks a stuffed zero or the padding (it adds nothing).";
  }
  return "";
}

int print_lesson(const Lesson& lesson, int64_t only_window) {
  auto traced = trace_lesson(lesson);  // (a Keras-rules lesson's padding resolved per side)
  if (!traced) return fail("lesson", traced.error());
  const TraceView& v = **traced;
  if (only_window >= v.window_count()) return window_out_of_range(only_window, v.window_count());
  print_header(lesson);
  print_input(v.input());
  if (v.is_conv()) print_conv_operands(lesson, v);
  if (v.op() == TraceOp::conv_transpose2d) {
    print_conv_transpose_operands(static_cast<const ConvTransposeTraceView&>(v));
  }
  std::printf("%s\n\n", v.settings_line().c_str());
  print_formula(v.formula(), v.output().shape());
  if (only_window >= 0) {
    print_window(v, only_window);
  } else {
    std::printf(
        "Windows: one per output value (%lld), in order image n, %s, row y, column x.\n%s\n\n",
        static_cast<long long>(v.window_count()), v.has_weights() ? "filter o" : "channel c",
        windows_legend(v.op(), v.shape().count_include_pad));
    for (int64_t i = 0; i < v.window_count(); ++i)
      print_window(v, i);
  }
  print_output(v.output(), v.has_weights() ? "filter" : "channel");
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
    // One "name  title" line each: the seeds' lessons, the transposed convolution's, then 1-D,
    // 'full' and Keras's 'same' (the Lesson menu's three parts).
    std::size_t width = 0;
    for (const std::vector<Lesson>* list : {&lessons, &text_lessons(), &text_conv_lessons()})
      for (const Lesson& l : *list)
        width = std::max(width, l.name.size());
    for (const std::vector<Lesson>* list : {&lessons, &text_lessons(), &text_conv_lessons()})
      for (const Lesson& l : *list) {
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
    auto found = find_any_lesson(args->positional().front());
    if (!found) return fail(cmd, found.error());
    lesson = std::move(*found);
  }
  return print_lesson(lesson, only_window);
}

}  // namespace cs::cli
