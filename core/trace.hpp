// TraceView: one interface over every traced layer (conv2d, max/avg pooling, the transposed
// convolution in conv_transpose_trace.hpp), so the stepper, the canvas, the arithmetic panel, the
// timeline, `convscope trace` and `convscope lesson` handle one kind of trace. It answers, for any
// output cell, where its window sits, every tap (source cell, padding, value read, weight, product,
// running value, arg-max so far) and the explanation of the window as structured lines that a
// renderer (ImGui or a terminal) formats. Depends on the engine's types only (no GL, no ImGui).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "conv2d.hpp"
#include "geometry.hpp"
#include "lessons.hpp"
#include "params.hpp"
#include "pool2d.hpp"
#include "stepper.hpp"
#include "tensor.hpp"

namespace cs {

enum class TraceOp { conv2d, max_pool2d, avg_pool2d, conv_transpose2d };
// "conv2d", "max_pool2d", "avg_pool2d", "conv_transpose2d"
const char* trace_op_name(TraceOp op);

// The layer's shape in PyTorch order (NCHW), the same for every kind of trace: the layer's
// WindowGeometry (sizes, window, padding, index formula) plus what conv and pooling add. For
// pooling, c_out = c_in, groups = c_in and each window reads one channel (c_in_per_group = 1).
// NOTE: a transposed convolution's windows are its gather reading, a stride-1 convolution over
// the zero-stuffed input: in_h/in_w, stride, pad and grid below describe that convolution (the
// stuffed input (in − 1)·up + 1 rows, a real cell every up_h rows and up_w columns; pad may be
// negative when the layer's padding crops more than dilation·(k − 1)). The layer's own numbers
// are in ConvTransposeTraceView::geometry().
struct TraceShape : WindowGeometry {
  PaddingMode padding_mode = PaddingMode::zeros;     // what conv's padding reads (pooling: zeros)
  bool ceil_mode = false, count_include_pad = true;  // pooling
  int64_t groups = 1, c_in_per_group = 1, c_out_per_group = 1;
  // Rows and columns the windows can reach, from -pad.top / -pad.left: the padded input, or
  // more when ceil_mode's last window hangs past the bottom/right padding.
  int64_t grid_h = 0, grid_w = 0;

  int64_t taps_per_window() const { return c_in_per_group * k_h * k_w; }
  int64_t windows() const { return outputs(); }
  // Window (n, oc, oy, ox) <-> its index, NCHW order (the output's flat index).
  int64_t window_index(int64_t batch, int64_t oc, int64_t oy, int64_t ox) const {
    return output_index(batch, oc, oy, ox);
  }
  // The input channels output channel oc reads: [first, first + c_in_per_group).
  int64_t first_input_channel(int64_t oc) const { return oc / c_out_per_group * c_in_per_group; }
  // The output channels input channel ic feeds: [first, first + c_out_per_group).
  int64_t first_output_channel(int64_t ic) const { return ic / c_in_per_group * c_out_per_group; }
  // Transposed convolution: the layer's stride, i.e. how far apart the real cells of the stuffed
  // input are (1 for every other trace: no cell is stuffed).
  int up_h = 1, up_w = 1;
  // Whether cell (iy, ix) inside [0, in_h) × [0, in_w) is a stuffed zero.
  bool stuffed(int64_t iy, int64_t ix) const { return iy % up_h != 0 || ix % up_w != 0; }
};

// What a tap's cell is. NOTE: `outside` happens only in pooling with ceil_mode: the last window
// may hang past the padding; PyTorch neither reads nor counts those cells. `stuffed` only in a
// transposed convolution's gather reading: a zero stuffed between input cells (it adds nothing).
enum class TapSource { input, padding, outside, stuffed };

// One tap: a multiply-accumulate (conv) or one value compared or summed (pooling).
struct TraceTap {
  int64_t index = 0;  // in the window: channel-major, then ky, then kx
  int64_t ic = 0;     // input channel read (absolute)
  int64_t ky = 0, kx = 0;
  int64_t iy = 0, ix = 0;  // padded coordinate: origin + (ky·dilation_h, kx·dilation_w)
  TapSource source = TapSource::input;
  int64_t src_y = -1, src_x = -1;  // input cell read (-1 when no cell is read)
  double x = 0;                    // value read (the padding value, or 0 when nothing is read)
  bool has_weight = false;         // conv
  double w = 0, product = 0;       // conv: weight and x·w
  bool counted = true;  // enters the result (max: inside only; avg: as count_include_pad says)
  double channel_running = 0;  // conv: this channel's partial sum so far, this tap included
  double running = 0;          // conv: sum so far; max: largest so far; avg: sum so far
  int64_t best_tap = -1;       // max: the tap holding the largest so far (-1: none yet)
};

// One output element's window.
struct TraceWindow {
  int64_t index = 0;
  int64_t n = 0, oc = 0, oy = 0, ox = 0;  // output coordinate (NCHW)
  int64_t origin_y = 0, origin_x = 0;     // window origin in input coordinates (negative: padding)
  int64_t group = 0, ic_begin = 0;        // input channels ic_begin .. + c_in_per_group - 1
  std::vector<double> partials;           // conv: one per input channel of the group
  bool has_bias = false;
  double bias = 0;
  double sum = 0;                        // avg: sum of the counted values
  int64_t divisor = 0;                   // avg
  int64_t argmax_tap = -1;               // max: tap of the chosen value
  int64_t argmax_y = -1, argmax_x = -1;  // max: input cell chosen
  double value = 0;
};

// The explanation of one window, as lines a renderer formats (the arithmetic panel with ImGui,
// `convscope lesson` as text). Numbers stay numbers, so each renderer prints them its way.
struct ExplainTerm {
  int64_t tap = 0;  // the tap this term comes from
  double x = 0;
  TapSource source = TapSource::input;
  bool has_weight = false;
  double w = 0;
};
struct ExplainLine {
  enum class Kind {
    channel_sum,  // conv: channel `channel`'s products x·w + ... = result
    total,        // conv: partials + bias = result
    reduce,       // pooling: max(terms) = result, or (terms) / divisor = sum / divisor = result
    note,         // a sentence (text)
  };
  Kind kind = Kind::note;
  int64_t channel = -1;            // channel_sum: the input channel
  std::vector<ExplainTerm> terms;  // channel_sum, reduce: only what is summed or compared
  std::vector<double> operands;    // total: the partials
  bool has_bias = false;
  double bias = 0;
  double sum = 0;        // reduce (avg)
  int64_t divisor = 0;   // reduce (avg)
  bool is_max = false;   // reduce
  double result = 0;     // the line's value
  int64_t last_tap = 0;  // the result is known once the stepper is past this tap
  std::string text;      // note
};
struct Explanation {
  std::vector<ExplainLine> lines;
};

// The lines of a conv-like window's explanation (conv2d, and the transposed conv's gather
// reading): input channel c's products and partial sum (taps are the window's, channel-major),
// and the partials + bias total.
ExplainLine channel_sum_line(const TraceWindow& w, const std::vector<TraceTap>& taps, int64_t c,
                             int64_t taps_per_channel);
ExplainLine total_line(const TraceWindow& w, int64_t taps_per_window);

// A window worked out whole: its place and result, and every tap.
struct WindowRecord {
  int64_t index = -1;
  TraceWindow window;
  std::vector<TraceTap> taps;
};

// The last window a view worked out, so that the calls one frame makes on one window (the
// canvas's window() and tap(), the arithmetic panel's, explain()) work it out once.
// NOTE: views are shared as shared_ptr<const TraceView> and the window reads them from its one
// UI thread, but the CLI and the tests may read one view from several threads: the mutex is held
// only to read or swap the pointer, and a record never changes once made, so readers on other
// threads keep theirs.
class WindowCache {
 public:
  template <class Make>
  std::shared_ptr<const WindowRecord> get(int64_t index, Make&& make) const {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      if (m_last && m_last->index == index) return m_last;
    }
    auto fresh = std::make_shared<const WindowRecord>(make());
    std::lock_guard<std::mutex> lock(m_mutex);
    m_last = fresh;
    return fresh;
  }

 private:
  mutable std::mutex m_mutex;
  mutable std::shared_ptr<const WindowRecord> m_last;
};

// Views are read-only once made and safe to read from several threads (see WindowCache).
class TraceView {
 public:
  virtual ~TraceView() = default;
  virtual TraceOp op() const = 0;
  bool is_conv() const { return op() == TraceOp::conv2d; }
  // conv2d or conv_transpose2d: every tap multiplies by a weight (and weight() is not null).
  bool has_weights() const { return is_conv() || op() == TraceOp::conv_transpose2d; }
  virtual const TraceShape& shape() const = 0;
  virtual Layout layout() const = 0;
  virtual DType dtype() const = 0;
  // Operands in PyTorch order whatever the layout: input NCHW, weight OIHW (null for pooling;
  // for a transposed convolution the kernel that slides in the gather reading, see there).
  virtual const Tensor& input() const = 0;
  virtual const Tensor* weight() const = 0;
  virtual const Tensor* bias() const = 0;  // [C_out], or null (no bias, pooling)
  virtual const Tensor& output() const = 0;
  // The output in the layout the user asked for (NHWC for nhwc).
  virtual Tensor output_in_layout() const = 0;
  // The layer's settings in one line, for a terminal:
  //   "Parameters: stride 1,1  padding 1 (top 1, bottom 1, left 1, right 1)  dilation 1,1 ..."
  //   "Pooling: max over 2×2 windows, stride 2,2, padding 0,0, dilation 1,1"
  virtual std::string settings_line() const = 0;
  // The output-size arithmetic with the user's numbers, one line per axis.
  virtual std::string formula() const = 0;

  int64_t window_count() const { return shape().windows(); }
  int64_t taps_per_window() const { return shape().taps_per_window(); }
  StepperGeometry stepper_geometry() const;

  virtual TraceWindow window(int64_t index) const = 0;
  // Every tap of a window, in the order the engine took them; running values filled in.
  virtual std::vector<TraceTap> taps(int64_t window) const = 0;
  // One tap (tap in [0, taps_per_window())).
  virtual TraceTap tap(int64_t window, int64_t tap) const;
  virtual Explanation explain(int64_t window) const = 0;

  // What padded cell (iy, ix) of input channel ic (batch n) holds, as the padding reads it; and
  // whether it lies in the padding. Pooling's padding holds nothing: 0 is returned.
  virtual double padded_value(int64_t n, int64_t ic, int64_t iy, int64_t ix) const = 0;
  // The reverse mapping (what the input grid highlights): the output rows × columns whose windows
  // span padded cell (iy, ix), from shape()'s geometry (ceil_mode's cells past the padding
  // included); and the tap of window `w` that reads padded cell (iy, ix) of input channel ic,
  // or -1 when w does not read it (outside the window, a cell dilation skips, or a channel
  // outside w's group). Tap numbers are taps()'s.
  struct OutputRect {
    OutputRange oy, ox;
  };
  OutputRect windows_covering(int64_t iy, int64_t ix) const {
    return {shape().oy_covering(iy), shape().ox_covering(ix)};
  }
  int64_t tap_reading(const TraceWindow& w, int64_t ic, int64_t iy, int64_t ix) const;
  bool in_padding(int64_t iy, int64_t ix) const {
    return iy < 0 || ix < 0 || iy >= shape().in_h || ix >= shape().in_w;
  }
  double output_value(int64_t n, int64_t oc, int64_t oy, int64_t ox) const {
    return output().get(shape().window_index(n, oc, oy, ox));
  }
  // "o" for conv (the output channel is a filter), "c" for pooling.
  const char* channel_letter() const { return has_weights() ? "o" : "c"; }
};

// Views over the engine's traces (they own them).
class ConvTraceView final : public TraceView {
 public:
  explicit ConvTraceView(ConvTrace trace);
  TraceOp op() const override { return TraceOp::conv2d; }
  const TraceShape& shape() const override { return m_shape; }
  Layout layout() const override { return m_trace.params().layout; }
  DType dtype() const override { return m_trace.dtype(); }
  const Tensor& input() const override { return m_trace.input(); }
  const Tensor* weight() const override { return &m_trace.weight(); }
  const Tensor* bias() const override { return m_trace.bias() ? &*m_trace.bias() : nullptr; }
  const Tensor& output() const override { return m_trace.output(); }
  Tensor output_in_layout() const override { return m_trace.output_in_layout(); }
  std::string settings_line() const override;
  std::string formula() const override;
  TraceWindow window(int64_t index) const override { return record(index)->window; }
  std::vector<TraceTap> taps(int64_t window) const override { return record(window)->taps; }
  TraceTap tap(int64_t window, int64_t tap) const override;
  Explanation explain(int64_t window) const override;
  double padded_value(int64_t n, int64_t ic, int64_t iy, int64_t ix) const override;
  const ConvTrace& trace() const { return m_trace; }

 private:
  // Window `index` and its taps (each channel replayed once), from the cache when it is the
  // last one asked for.
  std::shared_ptr<const WindowRecord> record(int64_t index) const;

  ConvTrace m_trace;
  TraceShape m_shape;
  WindowCache m_cache;
};

class PoolTraceView final : public TraceView {
 public:
  explicit PoolTraceView(PoolTrace trace);
  TraceOp op() const override;
  const TraceShape& shape() const override { return m_shape; }
  Layout layout() const override { return m_trace.params().layout; }
  DType dtype() const override { return m_trace.output().dtype(); }
  const Tensor& input() const override { return m_trace.input(); }
  const Tensor* weight() const override { return nullptr; }
  const Tensor* bias() const override { return nullptr; }
  const Tensor& output() const override { return m_trace.output(); }
  Tensor output_in_layout() const override { return m_trace.output_in_layout(); }
  std::string settings_line() const override;
  std::string formula() const override;
  TraceWindow window(int64_t index) const override { return record(index)->window; }
  std::vector<TraceTap> taps(int64_t window) const override { return record(window)->taps; }
  TraceTap tap(int64_t window, int64_t tap) const override;
  Explanation explain(int64_t window) const override;
  double padded_value(int64_t n, int64_t ic, int64_t iy, int64_t ix) const override;
  const PoolTrace& trace() const { return m_trace; }

 private:
  // Window `index` and its taps from one pass of the engine's pooling window, from the cache
  // when it is the last one asked for.
  std::shared_ptr<const WindowRecord> record(int64_t index) const;

  PoolTrace m_trace;
  TraceShape m_shape;
  WindowCache m_cache;
};

using TraceViewPtr = std::shared_ptr<const TraceView>;

// Runs the engine's trace and wraps it. conv: operands in params.layout's order, as conv2d().
Result<TraceViewPtr> trace_conv2d(const Tensor& input, const Tensor& weight, const Tensor* bias,
                                  const Conv2dParams& params);
Result<TraceViewPtr> trace_pool2d(const Tensor& input, const Pool2dParams& params);
// A built-in lesson's trace (its kernel rotated first when the lesson is a true convolution;
// under Keras's rules, its padding resolved per side by lesson_as_run).
// trace_conv_transpose2d is in conv_transpose_trace.hpp.
Result<TraceViewPtr> trace_lesson(const Lesson& lesson);

}  // namespace cs
