// The engine's and the lessons' limits (limits.hpp): the process's EngineLimits, the environment
// variables that move them, the machine's free memory, each operation's cost from its geometry
// (mirroring what conv2d.cpp, conv2d_fast.cpp, conv2d_trace.cpp and pool2d.cpp allocate) and the
// sentences that refuse.
#include "limits.hpp"
#include "sentence.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <thread>

#include "conv2d_fast.hpp"
#include "conv_transpose.hpp"
#include "row_pack.hpp"

namespace cs {

namespace {

EngineLimits g_engine_limits;

using namespace sentence;

// NOTE: a window's explanation (core/trace.hpp) holds a TraceTap and an ExplainTerm per tap; 128
// bytes covers both with room for their vectors' slack.
constexpr double kExplainBytesPerTap = 128;
// A PoolWindow's PoolTap (pool2d.hpp): ky, kx, iy, ix, in_padding, x.
constexpr double kPoolTapBytes = 48;

int threads_used(int threads) {
  int t = threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency());
  if (const unsigned hw_threads = std::thread::hardware_concurrency(); hw_threads > 0) {
    t = std::min(t, static_cast<int>(hw_threads));
  }
  return std::max(t, 1);
}

std::string shape_words(int64_t n, int64_t c, int64_t h, int64_t w, DType dtype) {
  std::string s = shape_to_string(Shape{n, c, h, w});
  s += ' ';
  s += dtype_name(dtype);
  return s;
}

// What to blame when a convolution or pooling is too big: padding several times the input, a
// dilation that spreads the window past the input, or else the input (and its channels).
void blame(OpCost& c, bool pad_big, bool dilation_big, const char* input_fix) {
  if (pad_big && dilation_big) {
    c.field = "padding";
    c.fix = "use less padding and a smaller dilation";
  } else if (pad_big) {
    c.field = "padding";
    c.fix = "use less padding";
  } else if (dilation_big) {
    c.field = "dilation";
    c.fix = "use a smaller dilation";
  } else {
    c.field = "input";
    c.fix = input_fix;
  }
}

void blame_conv(OpCost& c, const ConvGeometry& g) {
  const bool pad_big =
      int64_t{g.pad.top} + g.pad.bottom > g.in_h || int64_t{g.pad.left} + g.pad.right > g.in_w;
  const bool dilation_big =
      (g.dilation_h > 1 && g.span_h() > g.in_h) || (g.dilation_w > 1 && g.span_w() > g.in_w);
  blame(c, pad_big, dilation_big, "use a smaller input or fewer channels");
}

void blame_pool(OpCost& c, const PoolGeometry& g) {
  const bool dilation_big =
      (g.dilation_h > 1 && g.span_h() > g.in_h) || (g.dilation_w > 1 && g.span_w() > g.in_w);
  blame(c, false, dilation_big, "use a smaller input");
}

// Adds a part of the peak; the largest part names the sentence's example.
void add_part(OpCost& c, double bytes, const std::string& name) {
  c.bytes += bytes;
  if (bytes > c.largest_bytes) {
    c.largest_bytes = bytes;
    c.largest = name;
  }
}

// The fast path's own buffers (conv2d_fast.cpp): per thread, a band of packed rows (about
// kFastBandBytes, at least one output row plus the halo rows a window spans) and its vector
// lists; once, the packed weights, the tap offsets and the packer's column map.
double fast_path_bytes(const ConvGeometry& g, double es, int threads) {
  const double row_len = static_cast<double>(detail::RowPack::row_length(g));
  const double extra = static_cast<double>(detail::RowPack::band_extra_rows(g));
  const double row_bytes =
      static_cast<double>(g.c_in_per_group) * g.stride_h * g.stride_w * row_len * es;
  const double band_h = std::clamp(std::floor(detail::kFastBandBytes / std::max(row_bytes, 1.0)),
                                   1.0, static_cast<double>(g.out_h));
  const double lanes = 16 / es;  // the narrowest vectors (SSE2) make the most of them
  const double buffer = (band_h + extra) * row_bytes + 256 * es;
  const double vectors = 16 * band_h * (row_len / lanes + 1);
  const double k_total = static_cast<double>(g.c_in_per_group) * g.k_h * g.k_w;
  const double tables = (g.stride_w * row_len + 2.0 * g.stride_w + g.k_h * g.k_w) * 8 +
                        static_cast<double>(g.c_out) * (k_total + 1) * es + k_total * 8;
  const double macs = static_cast<double>(g.outputs()) * k_total;
  const int t = macs < 65536 ? 1 : threads_used(threads);
  return t * (buffer + vectors) + tables;
}

// The trace's per-thread row buffer (one output row's taps, conv2d_trace.cpp) and the packer's
// column map.
double trace_rows_bytes(const ConvGeometry& g, double es, double partial_row) {
  const double row_len = static_cast<double>(detail::RowPack::row_length(g));
  const double buf = static_cast<double>(g.c_in_per_group) * g.k_h * g.stride_w * row_len;
  return threads_used(0) * (buf + partial_row) * es +
         (g.stride_w * row_len + 2.0 * g.stride_w + g.k_h * g.k_w) * 8;
}

// conv2d_trace's partial-sum rows: padded to 64 bytes when that costs at most a third more.
double partial_row_length(const ConvGeometry& g, double es) {
  const double lanes = std::max(1.0, 64 / es);
  const double padded = std::ceil(static_cast<double>(g.out_w) / lanes) * lanes;
  return padded * 3 <= static_cast<double>(g.out_w) * 4 ? padded : static_cast<double>(g.out_w);
}

std::string fixed1(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

}  // namespace

EngineLimits engine_limits() {
  return g_engine_limits;
}

void set_engine_limits(const EngineLimits& limits) {
  g_engine_limits = limits;
}

Result<int64_t> parse_limit(const std::string& variable, const std::string& text, bool bytes) {
  const std::string example = bytes ? "e.g. 512M or 8G" : "e.g. 500G";
  auto refuse = [&] {
    return make_error(variable + "=" + text +
                      " is not a limit; give a whole number above 0, optionally followed by K, M, "
                      "G or T (" +
                      example + ")");
  };
  std::size_t i = 0;
  int64_t value = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    const int digit = text[i] - '0';
    if (value > (std::numeric_limits<int64_t>::max() - digit) / 10) return refuse();
    value = value * 10 + digit;
    ++i;
  }
  if (i == 0 || value == 0) return refuse();
  int64_t scale = 1;
  if (i + 1 == text.size()) {
    const std::string units = "KMGT";
    const auto u = units.find(static_cast<char>(std::toupper(static_cast<unsigned char>(text[i]))));
    if (u == std::string::npos) return refuse();
    for (std::size_t k = 0; k <= u; ++k)
      scale *= bytes ? 1024 : 1000;
  } else if (i != text.size()) {
    return refuse();
  }
  if (value > std::numeric_limits<int64_t>::max() / scale) return refuse();
  return value * scale;
}

Result<EngineLimits> engine_limits_from_environment() {
  EngineLimits limits;
  if (const char* v = std::getenv("CONVSCOPE_MAX_BYTES"); v != nullptr && *v != '\0') {
    auto n = parse_limit("CONVSCOPE_MAX_BYTES", v, true);
    if (!n) return n.error();
    limits.max_bytes = *n;
  }
  if (const char* v = std::getenv("CONVSCOPE_MAX_WORK"); v != nullptr && *v != '\0') {
    auto n = parse_limit("CONVSCOPE_MAX_WORK", v, false);
    if (!n) return n.error();
    limits.max_work = *n;
  }
  return limits;
}

int64_t available_memory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  int64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  const long pages = ::sysconf(_SC_AVPHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0) return static_cast<int64_t>(pages) * page;
  return -1;
}

std::string format_bytes(double bytes) {
  static const char* const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(static_cast<int64_t>(bytes)) + " bytes";
  double v = bytes / 1024;
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  if (v >= 1e4) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return std::string(buf) + " " + units[u];
  }
  return fixed1(v) + " " + units[u];
}

std::string format_count(double count) {
  if (!(count < 9e15)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "about %.2g", count);
    return buf;
  }
  const std::string digits = std::to_string(static_cast<int64_t>(std::llround(count)));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// [N, C_in, H, W] * [C_out, C_in/g, KH, KW] => [N, C_out, OH, OW], as conv2d() runs it.
OpCost conv2d_cost(const ConvGeometry& g, DType dtype, Layout layout, int threads) {
  const double es = static_cast<double>(dtype_size(dtype));
  OpCost c;
  c.what = "this convolution";
  const double out = static_cast<double>(g.outputs()) * es;
  add_part(c, out, "its output " + shape_words(g.n, g.c_out, g.out_h, g.out_w, dtype));
  add_part(c, fast_path_bytes(g, es, threads), "the padded input rows it copies");
  if (layout == Layout::nhwc) {  // the operands permuted to NCHW, and the output back
    add_part(c, static_cast<double>(g.n * g.c_in * g.in_h * g.in_w) * es, "its NCHW input");
    add_part(c, out, "its output in NHWC");
  }
  c.outputs = static_cast<double>(g.outputs());
  c.work_each = static_cast<double>(g.c_in_per_group * g.k_h * g.k_w);
  blame_conv(c, g);
  return c;
}

OpCost conv_transpose2d_cost(int64_t n, int64_t c_in, int64_t in_h, int64_t in_w, int64_t c_out,
                             int64_t out_h, int64_t out_w, int64_t taps_each, DType dtype,
                             Layout layout) {
  const double es = static_cast<double>(dtype_size(dtype));
  OpCost c;
  c.what = "this transposed convolution";
  const double outputs = static_cast<double>(n) * c_out * out_h * out_w;
  add_part(c, outputs * es, "its output " + shape_words(n, c_out, out_h, out_w, dtype));
  if (layout == Layout::nhwc) {  // the operands permuted to NCHW, and the output back
    add_part(c, static_cast<double>(n) * c_in * in_h * in_w * es, "its NCHW input");
    add_part(c, outputs * es, "its output in NHWC");
  }
  c.outputs = outputs;
  c.work_each = static_cast<double>(taps_each);
  // Its output grows with the stride, the kernel's span and output_padding.
  c.field = "stride";
  c.fix = "use a smaller stride, kernel or dilation, or a smaller input";
  return c;
}

// conv2d_trace: its own input, weight, output and partial sums, the row buffers and one window's
// explanation.
OpCost conv2d_trace_cost(const ConvGeometry& g, DType dtype, Layout layout) {
  const double es = static_cast<double>(dtype_size(dtype));
  OpCost c;
  c.what = "this convolution's trace";
  const double partial_row = partial_row_length(g, es);
  add_part(c, static_cast<double>(g.n) * g.c_out * g.out_h * g.c_in_per_group * partial_row * es,
           "its partial sums (" + format_count(static_cast<double>(g.outputs())) + " outputs " +
               kTimes + " " + std::to_string(g.c_in_per_group) + " channels)");
  add_part(c, static_cast<double>(g.outputs()) * es,
           "its output " + shape_words(g.n, g.c_out, g.out_h, g.out_w, dtype));
  const double input = static_cast<double>(g.n * g.c_in * g.in_h * g.in_w) * es;
  add_part(c, input, "its copy of the input");
  add_part(c, static_cast<double>(g.c_out * g.c_in_per_group * g.k_h * g.k_w) * es,
           "its copy of the weight");
  if (layout == Layout::nhwc) add_part(c, input, "the input permuted to NCHW");
  add_part(c, trace_rows_bytes(g, es, partial_row), "the padded input rows it copies");
  add_part(c, static_cast<double>(g.c_in_per_group * g.k_h * g.k_w) * kExplainBytesPerTap,
           "one window's explanation");
  c.outputs = static_cast<double>(g.outputs());
  c.work_each = static_cast<double>(g.c_in_per_group * g.k_h * g.k_w);
  blame_conv(c, g);
  return c;
}

// [N, C, H, W] => [N, C, OH, OW], as pool2d() runs it.
OpCost pool2d_cost(const PoolGeometry& g, DType dtype, Layout layout) {
  const double es = static_cast<double>(dtype_size(dtype));
  OpCost c;
  c.what = "this pooling";
  const double out = static_cast<double>(g.outputs()) * es;
  add_part(c, out, "its output " + shape_words(g.n, g.c_in, g.out_h, g.out_w, dtype));
  if (layout == Layout::nhwc) {
    add_part(c, static_cast<double>(g.n * g.c_in * g.in_h * g.in_w) * es, "its NCHW input");
    add_part(c, out, "its output in NHWC");
  }
  c.outputs = static_cast<double>(g.outputs());
  c.work_each = static_cast<double>(g.k_h) * g.k_w;
  c.work_unit = "taps";
  blame_pool(c, g);
  return c;
}

OpCost pool2d_trace_cost(const PoolGeometry& g, DType dtype, Layout layout) {
  OpCost c = pool2d_cost(g, dtype, Layout::nchw);
  c.what = "this pooling's trace";
  const double es = static_cast<double>(dtype_size(dtype));
  add_part(c, static_cast<double>(g.n * g.c_in * g.in_h * g.in_w) * es, "its copy of the input");
  if (layout == Layout::nhwc) add_part(c, static_cast<double>(g.outputs()) * es, "its NHWC output");
  add_part(c, static_cast<double>(g.k_h) * g.k_w * (kPoolTapBytes + kExplainBytesPerTap),
           "one window's taps (" + hw(g.k_h, g.k_w) + ")");
  return c;
}

Status check_cost(const OpCost& c, const EngineLimits& limits, int64_t available) {
  const std::string needs = c.what + " would need " + format_bytes(c.bytes) + " of memory (" +
                            c.largest + ": " + format_bytes(c.largest_bytes) + ")";
  if (c.bytes > static_cast<double>(limits.max_bytes)) {
    return make_error(
        needs + ", more than the " + format_bytes(static_cast<double>(limits.max_bytes)) +
            " one operation may use; " + c.fix + ", or raise the limit with CONVSCOPE_MAX_BYTES",
        c.field);
  }
  if (available >= 0 && c.bytes > static_cast<double>(available)) {
    return make_error(needs + ", more than the " + format_bytes(static_cast<double>(available)) +
                          " this machine has free now; " + c.fix + ", or close other programs",
                      c.field);
  }
  if (c.work() > static_cast<double>(limits.max_work)) {
    const bool window_big = c.work_each > c.outputs;
    return make_error(c.what + " would take " + format_count(c.work()) + " " + c.work_unit + " (" +
                          format_count(c.outputs) + (c.outputs == 1 ? " output " : " outputs ") +
                          kTimes + " " + format_count(c.work_each) + " each), more than the " +
                          format_count(static_cast<double>(limits.max_work)) +
                          " one operation may do; " +
                          (window_big ? std::string("use a smaller kernel") : c.fix) +
                          ", or raise the limit with CONVSCOPE_MAX_WORK",
                      window_big ? "kernel" : c.field);
  }
  return ok();
}

Status check_cost(const OpCost& cost) {
  // NOTE: reading /proc/meminfo costs tens of microseconds, as much as a small convolution (the
  // live preview and the benchmarks call the engine thousands of times); below 64 MiB the
  // machine's free memory never decides, so it is read only above.
  constexpr double kAskTheMachineAbove = 64.0 * 1024 * 1024;
  return check_cost(cost, engine_limits(),
                    cost.bytes > kAskTheMachineAbove ? available_memory() : -1);
}

namespace {

// One grid of the canvas (`what`: "padded input", "output", "kernel") against the side and
// cell limits.
Status check_grid(const std::string& what, int64_t rows, int64_t cols, const char* per,
                  const OpCost& blame_of, const LessonLimits& limits) {
  const std::string size = "this lesson's " + what + " would be " + hw(rows, cols) + " cells" + per;
  const std::string tail = "; " + blame_of.fix + " (a large picture belongs in the live preview)";
  if (rows > limits.max_grid_side || cols > limits.max_grid_side) {
    return make_error(size + ", more than the " + std::to_string(limits.max_grid_side) +
                          " rows or columns one grid of the canvas shows" + tail,
                      blame_of.field);
  }
  if (static_cast<double>(rows) * static_cast<double>(cols) >
      static_cast<double>(limits.max_grid_cells)) {
    return make_error(size + ", more than the " +
                          format_count(static_cast<double>(limits.max_grid_cells)) +
                          " cells one grid of the canvas shows" + tail,
                      blame_of.field);
  }
  return ok();
}

Status check_grids(const char* what, int64_t count, const LessonLimits& limits) {
  if (count > limits.max_grids) {
    return make_error("this lesson has " + std::to_string(count) + " " + what +
                          " channels, more than the " + std::to_string(limits.max_grids) +
                          " grids one column of the canvas shows; use fewer channels",
                      "input");
  }
  return ok();
}

// The canvas's total, the trace's records and the work of one recompute.
Status check_lesson_totals(double canvas_cells, double partials, double taps, double work,
                           const char* work_unit, const OpCost& blame_of,
                           const LessonLimits& limits) {
  if (canvas_cells > static_cast<double>(limits.max_canvas_cells)) {
    return make_error("this lesson's canvas would hold " + format_count(canvas_cells) +
                          " cells in all, more than the " +
                          format_count(static_cast<double>(limits.max_canvas_cells)) +
                          " it draws; use a smaller input or fewer channels",
                      "input");
  }
  if (taps > static_cast<double>(limits.max_window_taps)) {
    return make_error("each window of this lesson has " + format_count(taps) +
                          " taps, more than the " +
                          format_count(static_cast<double>(limits.max_window_taps)) +
                          " the arithmetic panel lists; use a smaller kernel or fewer channels",
                      "kernel");
  }
  if (partials > static_cast<double>(limits.max_partials)) {
    return make_error("this lesson would record " + format_count(partials) +
                          " values in its trace, more than the " +
                          format_count(static_cast<double>(limits.max_partials)) +
                          " a lesson keeps; use a smaller input or fewer channels (or the "
                          "full-resolution preview)",
                      "input");
  }
  if (work > static_cast<double>(limits.max_work)) {
    return make_error("this lesson would take " + format_count(work) + " " + work_unit +
                          " at every change, more than the " +
                          format_count(static_cast<double>(limits.max_work)) +
                          " a lesson computes; " + blame_of.fix,
                      blame_of.field);
  }
  return ok();
}

}  // namespace

Status check_lesson_values(const std::string& what, int64_t values, const LessonLimits& limits) {
  if (values > limits.max_values) {
    return make_error("the " + what + " has " + format_count(static_cast<double>(values)) +
                          " values, more than the " +
                          format_count(static_cast<double>(limits.max_values)) +
                          " a lesson holds; crop it, or open the picture in the live preview "
                          "instead",
                      what == "weight" ? "kernel" : what);
  }
  return ok();
}

namespace {

// A convolution's canvas, as conv2d and the transposed convolution's gather reading draw it: the
// input channels as `grid` (padded, or stuffed and padded) grids, the filters, the outputs.
struct ConvCanvas {
  const char* grid = "padded input";
  int64_t grid_h = 0, grid_w = 0;
  int64_t input_values = 0, weight_values = 0;
  int64_t c_in = 0, c_out = 0, c_in_per_group = 0, k_h = 0, k_w = 0;
  int64_t out_h = 0, out_w = 0, outputs = 0;
};

// The sizes both geometries name alike (ConvGeometry, ConvTransposeGeometry).
template <class Geometry>
ConvCanvas conv_canvas(const Geometry& g, const char* grid, int64_t grid_h, int64_t grid_w,
                       int64_t weight_values) {
  ConvCanvas z;
  z.grid = grid;
  z.grid_h = grid_h;
  z.grid_w = grid_w;
  z.input_values = g.n * g.c_in * g.in_h * g.in_w;
  z.weight_values = weight_values;
  z.c_in = g.c_in;
  z.c_out = g.c_out;
  z.c_in_per_group = g.c_in_per_group;
  z.k_h = g.k_h;
  z.k_w = g.k_w;
  z.out_h = g.out_h;
  z.out_w = g.out_w;
  z.outputs = g.outputs();
  return z;
}

Status check_conv_canvas(const ConvCanvas& z, const OpCost& blame_of, const LessonLimits& limits) {
  Status s = check_lesson_values("input", z.input_values, limits);
  if (s) s = check_lesson_values("weight", z.weight_values, limits);
  if (s) s = check_grids("input", z.c_in, limits);
  if (s) s = check_grids("output", z.c_out, limits);
  if (s) s = check_grid(z.grid, z.grid_h, z.grid_w, " per channel", blame_of, limits);
  if (s) s = check_grid("output", z.out_h, z.out_w, " per channel", blame_of, limits);
  OpCost kernel_blame;
  kernel_blame.field = "kernel";
  kernel_blame.fix = "use a smaller kernel";
  if (s) s = check_grid("kernel", z.k_h, z.k_w, "", kernel_blame, limits);
  if (!s) return s;
  const double taps = static_cast<double>(z.c_in_per_group) * z.k_h * z.k_w;
  const double canvas = static_cast<double>(z.c_in) * z.grid_h * z.grid_w + taps +
                        static_cast<double>(z.c_out) * z.out_h * z.out_w;
  const double outputs = static_cast<double>(z.outputs);
  return check_lesson_totals(canvas, outputs * z.c_in_per_group, taps, outputs * taps,
                             "multiply-adds", blame_of, limits);
}

}  // namespace

Status check_lesson_size(const ConvGeometry& g, const LessonLimits& limits) {
  OpCost blame_of;
  blame_conv(blame_of, g);
  const ConvCanvas z = conv_canvas(g, "padded input", g.padded_h(), g.padded_w(),
                                   g.c_out * g.c_in_per_group * g.k_h * g.k_w);
  return check_conv_canvas(z, blame_of, limits);
}

Status check_lesson_size(const PoolGeometry& g, const LessonLimits& limits) {
  OpCost blame_of;
  blame_pool(blame_of, g);
  Status s = check_lesson_values("input", g.n * g.c_in * g.in_h * g.in_w, limits);
  if (s) s = check_grids("input", g.c_in, limits);
  if (s)
    s = check_grid("padded input", g.padded_h(), g.padded_w(), " per channel", blame_of, limits);
  if (s) s = check_grid("output", g.out_h, g.out_w, " per channel", blame_of, limits);
  if (!s) return s;
  OpCost kernel_blame;
  kernel_blame.field = "kernel";
  kernel_blame.fix = "use a smaller kernel";
  const double taps = static_cast<double>(g.k_h) * g.k_w;
  const double canvas =
      static_cast<double>(g.c_in) *
      (static_cast<double>(g.padded_h()) * g.padded_w() + static_cast<double>(g.out_h) * g.out_w);
  const double outputs = static_cast<double>(g.outputs());
  return check_lesson_totals(canvas, outputs, taps, outputs * taps, "taps",
                             taps > outputs ? kernel_blame : blame_of, limits);
}

Status check_lesson_size(const ConvTransposeGeometry& g, const LessonLimits& limits) {
  // The stuffed grid grows with the stride; the gather padding with the dilation.
  OpCost blame_of;
  const bool stride_big = g.stride_h > 1 || g.stride_w > 1;
  const bool dilation_big = g.dilation_h > 1 || g.dilation_w > 1;
  blame_of.field = stride_big ? "stride" : dilation_big ? "dilation" : "input";
  blame_of.fix = stride_big     ? "use a smaller stride or input"
                 : dilation_big ? "use a smaller dilation"
                                : "use a smaller input or fewer channels";
  const int64_t grid_h = g.stuffed_h() + std::max<int64_t>(0, g.gather_pad_top()) +
                         std::max<int64_t>(0, g.gather_pad_bottom());
  const int64_t grid_w = g.stuffed_w() + std::max<int64_t>(0, g.gather_pad_left()) +
                         std::max<int64_t>(0, g.gather_pad_right());
  const ConvCanvas z =
      conv_canvas(g, "stuffed input", grid_h, grid_w, g.c_in * g.c_out_per_group * g.k_h * g.k_w);
  return check_conv_canvas(z, blame_of, limits);
}

}  // namespace cs
