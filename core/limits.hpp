// What one engine operation and one lesson may cost, checked before anything is allocated: the
// bytes an operation will hold at its peak (output, padded copies, trace records) against a
// documented limit and against the memory the machine has free, its work (multiply-adds for conv,
// taps for pooling) against a documented limit, and a lesson's size against what the canvas can
// draw. Every refusal is one sentence that names the numbers and what to change. The engine
// (conv2d, pool2d and their traces), the command line, scenes and the window all call these, so
// they refuse the same things. Depends on core's geometry and tensor headers only.
#pragma once

#include <cstdint>
#include <string>

#include "geometry.hpp"
#include "result.hpp"
#include "tensor.hpp"

namespace cs {

// The engine's limits for one operation (one conv2d, pool2d or trace call).
// NOTE: the defaults keep a typo from taking the machine: 4 GiB is a 3840×2160 photo through 64
// filters in float64 with room to spare, and 10^11 multiply-adds take 1-3 s of the fast path on
// two cores (a pooling's taps run slower: about 2 minutes).
struct EngineLimits {
  int64_t max_bytes = int64_t{4} << 30;  // CONVSCOPE_MAX_BYTES
  int64_t max_work = 100'000'000'000;    // CONVSCOPE_MAX_WORK: multiply-adds or taps
};

// The process's limits: the defaults until set_engine_limits() (main() calls it once, from the
// environment, before any work starts; not meant to change while the engine runs).
EngineLimits engine_limits();
void set_engine_limits(const EngineLimits& limits);

// The defaults with CONVSCOPE_MAX_BYTES and CONVSCOPE_MAX_WORK applied when set: a whole number,
// optionally followed by K, M, G or T (bytes: KiB, MiB, GiB, TiB; work: thousand, million,
// billion, trillion). A value that is not one is refused with a sentence naming the variable.
Result<EngineLimits> engine_limits_from_environment();
// One such value; `bytes` chooses the suffixes' base (1024 or 1000).
Result<int64_t> parse_limit(const std::string& variable, const std::string& text, bool bytes);

// Bytes the machine can give this process now: MemAvailable in /proc/meminfo, else the free
// physical pages (sysconf); -1 when neither is known.
int64_t available_memory();

// What one operation will cost, estimated from its geometry before anything is allocated.
// Sizes are doubles: what a typo asks for (a 4·10⁹-column padded row) does not fit an int64.
struct OpCost {
  std::string what;          // "this convolution", "this pooling's trace", ...
  double bytes = 0;          // held at once, at the peak
  double largest_bytes = 0;  // the largest single part of that, and its name
  std::string largest;       // "its output 1×1×2000003×2000003 float32"
  double outputs = 0;        // output values (windows)
  double work_each = 0;      // multiply-adds (conv) or taps (pooling) per output
  const char* work_unit = "multiply-adds";
  std::string field;  // the parameter most to blame ("padding", "kernel", ...) for a UI to point at
  std::string fix;    // "use less padding", "use a smaller kernel", ...
  double work() const { return outputs * work_each; }
};

// threads: the CPU threads the call will use (0: every hardware thread).
OpCost conv2d_cost(const ConvGeometry& g, DType dtype, Layout layout, int threads = 0);
OpCost conv2d_trace_cost(const ConvGeometry& g, DType dtype, Layout layout);
OpCost pool2d_cost(const PoolGeometry& g, DType dtype, Layout layout);
OpCost pool2d_trace_cost(const PoolGeometry& g, DType dtype, Layout layout);
// A transposed convolution (core/conv_transpose.hpp), from its sizes: input [n, c_in, in_h, in_w],
// output [n, c_out, out_h, out_w], `taps_each` multiply-adds per output (c_in/groups · KH · KW).
OpCost conv_transpose2d_cost(int64_t n, int64_t c_in, int64_t in_h, int64_t in_w, int64_t c_out,
                             int64_t out_h, int64_t out_w, int64_t taps_each, DType dtype,
                             Layout layout);

// The cost against the limits and against `available` bytes (-1: not checked). The sentence:
// "this convolution would need 14.6 TiB of memory (its output 1×1×2000003×2000003 float32:
// 14.6 TiB), more than the 4.0 GiB one operation may use; use less padding, or raise the limit
// with CONVSCOPE_MAX_BYTES".
Status check_cost(const OpCost& cost, const EngineLimits& limits, int64_t available);
// With the process's limits and the machine's free memory (read only for costs above 64 MiB).
Status check_cost(const OpCost& cost);

// What a lesson (the window's canvas and trace, `convscope lesson`) may hold: the canvas draws
// every cell of every grid (each input channel with its padding, each kernel slice, each output
// channel of one batch item) and the arithmetic panel every tap of a window; past these a lesson
// is unreadable and slow, and belongs in the full-resolution preview.
struct LessonLimits {
  int64_t max_values = int64_t{1} << 20;        // values in one tensor (input, weight)
  int64_t max_grid_side = 4096;                 // rows or columns of one grid
  int64_t max_grid_cells = int64_t{1} << 20;    // cells of one grid (e.g. 1024×1024)
  int64_t max_grids = 1024;                     // input or output channels (grids in a column)
  int64_t max_canvas_cells = int64_t{1} << 22;  // cells of all grids together
  int64_t max_window_taps = 65536;              // taps one window's explanation lists
  int64_t max_partials = 40'000'000;            // values the trace keeps (conv: partial sums)
  int64_t max_work = 10'000'000'000;            // multiply-adds or taps of one recompute
};

// The lesson's geometry against the limits: "this lesson's padded input would be 2000005×5
// cells per channel, more than the 1,048,576 cells one grid of the canvas shows; use less
// padding (a large picture belongs in the live preview)". `field` names the parameter to blame.
Status check_lesson_size(const ConvGeometry& g, const LessonLimits& limits = {});
Status check_lesson_size(const PoolGeometry& g, const LessonLimits& limits = {});
struct ConvTransposeGeometry;  // core/conv_transpose.hpp
// A transposed convolution's gather reading: the canvas draws the zero-stuffed, padded input
// ((in − 1)·stride + 1 cells plus the gather padding), so a large stride is blamed first.
Status check_lesson_size(const ConvTransposeGeometry& g, const LessonLimits& limits = {});
// A tensor of `values` values (input, weight) against limits.max_values.
Status check_lesson_values(const std::string& what, int64_t values,
                           const LessonLimits& limits = {});

// "512 bytes", "4.0 KiB", "14.6 TiB": a size for a sentence.
std::string format_bytes(double bytes);
// "1,000,000,000,000", or "about 6.4e+19" past what a double counts exactly.
std::string format_count(double count);

}  // namespace cs
