// The trace views (see trace.hpp): conv2d and pooling traces behind one interface, and the one
// place where a window's running values and its explanation are worked out. Max pooling's
// running maximum follows core/pool2d.cpp exactly (the first cell inside the input, then a
// strictly larger value or any NaN), so the stepper never disagrees with the engine.
#include "core/trace.hpp"

#include "core/conv_transpose_trace.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <string>

namespace cs {

const char* trace_op_name(TraceOp op) {
  switch (op) {
    case TraceOp::conv2d:
      return "conv2d";
    case TraceOp::max_pool2d:
      return "max_pool2d";
    case TraceOp::avg_pool2d:
      return "avg_pool2d";
    case TraceOp::conv_transpose2d:
      return "conv_transpose2d";
  }
  return "?";
}

StepperGeometry TraceView::stepper_geometry() const {
  const TraceShape& s = shape();
  return {s.n, s.c_out, s.out_h, s.out_w, s.taps_per_window()};
}

TraceTap TraceView::tap(int64_t window, int64_t tap) const {
  assert(tap >= 0 && tap < taps_per_window());
  return taps(window)[static_cast<std::size_t>(tap)];
}

int64_t TraceView::tap_reading(const TraceWindow& w, int64_t ic, int64_t iy, int64_t ix) const {
  const TraceShape& s = shape();
  const int64_t icg = ic - w.ic_begin;
  if (icg < 0 || icg >= s.c_in_per_group) return -1;
  const int64_t ky = s.tap_ky(w.oy, iy), kx = s.tap_kx(w.ox, ix);
  if (ky < 0 || kx < 0) return -1;
  return (icg * s.k_h + ky) * s.k_w + kx;
}

// ---- conv2d ----

ConvTraceView::ConvTraceView(ConvTrace trace) : m_trace(std::move(trace)) {
  const ConvGeometry& g = m_trace.geometry();
  TraceShape& s = m_shape;
  static_cast<WindowGeometry&>(s) = g;
  s.padding_mode = g.padding_mode;
  s.groups = g.groups;
  s.c_in_per_group = g.c_in_per_group;
  s.c_out_per_group = g.c_out_per_group;
  s.grid_h = g.padded_h();
  s.grid_w = g.padded_w();
}

std::string ConvTraceView::formula() const {
  return conv2d_formula(m_trace.geometry());
}

std::string ConvTraceView::settings_line() const {
  const Conv2dParams& p = m_trace.params();
  const Pad4& pad = m_trace.geometry().pad;
  return "Parameters: stride " + std::to_string(p.stride_h) + "," + std::to_string(p.stride_w) +
         "  padding " + padding_spec_to_string(p.padding) + " (top " + std::to_string(pad.top) +
         ", bottom " + std::to_string(pad.bottom) + ", left " + std::to_string(pad.left) +
         ", right " + std::to_string(pad.right) + ")  dilation " + std::to_string(p.dilation_h) +
         "," + std::to_string(p.dilation_w) + "  groups " + std::to_string(p.groups) +
         "  padding mode " + padding_mode_name(p.padding_mode);
}

namespace {

// A window's place: its index, output cell (NCHW) and origin in the input.
TraceWindow placed(int64_t index, const int64_t (&nchw)[4], int64_t origin_y, int64_t origin_x) {
  TraceWindow t;
  t.index = index;
  t.n = nchw[0];
  t.oc = nchw[1];
  t.oy = nchw[2];
  t.ox = nchw[3];
  t.origin_y = origin_y;
  t.origin_x = origin_x;
  return t;
}

TraceWindow from_conv_window(const Window& w, int64_t index, bool has_bias) {
  TraceWindow t = placed(index, {w.n, w.oc, w.oy, w.ox}, w.origin_y, w.origin_x);
  t.group = w.group;
  t.ic_begin = w.ic_begin;
  t.partials = w.partials;
  t.has_bias = has_bias;
  t.bias = w.bias;
  t.value = w.value;
  return t;
}

TraceTap from_conv_tap(const Tap& c, int64_t index) {
  TraceTap t;
  t.index = index;
  t.ic = c.ic;
  t.ky = c.ky;
  t.kx = c.kx;
  t.iy = c.iy;
  t.ix = c.ix;
  t.source = c.in_padding ? TapSource::padding : TapSource::input;
  t.src_y = c.src_y;
  t.src_x = c.src_x;
  t.x = c.x;
  t.has_weight = true;
  t.w = c.w;
  t.product = c.product;
  t.channel_running = c.channel_running;
  t.running = c.running;
  return t;
}

}  // namespace

std::shared_ptr<const WindowRecord> ConvTraceView::record(int64_t index) const {
  return m_cache.get(index, [&] {
    const Window w = m_trace.window(index);
    const std::vector<Tap> taps = m_trace.taps(w);
    WindowRecord r;
    r.index = index;
    r.window = from_conv_window(w, index, m_trace.geometry().has_bias);
    r.taps.reserve(taps.size());
    for (std::size_t k = 0; k < taps.size(); ++k)
      r.taps.push_back(from_conv_tap(taps[k], static_cast<int64_t>(k)));
    return r;
  });
}

TraceTap ConvTraceView::tap(int64_t window, int64_t tap) const {
  assert(tap >= 0 && tap < taps_per_window());
  return record(window)->taps[static_cast<std::size_t>(tap)];
}

ExplainLine channel_sum_line(const TraceWindow& w, const std::vector<TraceTap>& taps, int64_t c,
                             int64_t taps_per_channel) {
  ExplainLine line;
  line.kind = ExplainLine::Kind::channel_sum;
  line.channel = w.ic_begin + c;
  for (int64_t k = 0; k < taps_per_channel; ++k) {
    const TraceTap& t = taps[static_cast<std::size_t>(c * taps_per_channel + k)];
    line.terms.push_back({t.index, t.x, t.source, true, t.w});
  }
  line.result = w.partials[static_cast<std::size_t>(c)];
  line.last_tap = (c + 1) * taps_per_channel - 1;
  return line;
}

ExplainLine total_line(const TraceWindow& w, int64_t taps_per_window) {
  ExplainLine total;
  total.kind = ExplainLine::Kind::total;
  total.operands = w.partials;
  total.has_bias = w.has_bias;
  total.bias = w.bias;
  total.result = w.value;
  total.last_tap = taps_per_window;
  return total;
}

// One line per channel of the group (its products and partial sum), then partials + bias.
Explanation ConvTraceView::explain(int64_t window) const {
  const std::shared_ptr<const WindowRecord> r = record(window);
  Explanation e;
  for (int64_t c = 0; c < m_shape.c_in_per_group; ++c)
    e.lines.push_back(channel_sum_line(r->window, r->taps, c, m_shape.taps_per_channel()));
  e.lines.push_back(total_line(r->window, taps_per_window()));
  return e;
}

double ConvTraceView::padded_value(int64_t n, int64_t ic, int64_t iy, int64_t ix) const {
  return m_trace.padded_value(n, ic, iy, ix);
}

// ---- pooling ----

PoolTraceView::PoolTraceView(PoolTrace trace) : m_trace(std::move(trace)) {
  const PoolGeometry& g = m_trace.geometry();
  TraceShape& s = m_shape;
  static_cast<WindowGeometry&>(s) = g;
  s.ceil_mode = g.ceil_mode;
  s.count_include_pad = g.count_include_pad;
  s.groups = g.c_in;
  s.c_in_per_group = s.c_out_per_group = 1;
  // NOTE: with ceil_mode the last window may reach past the bottom/right padding.
  s.grid_h =
      std::max<int64_t>(g.padded_h(), g.window_origin_y(g.out_h - 1) + g.pad.top + g.span_h());
  s.grid_w =
      std::max<int64_t>(g.padded_w(), g.window_origin_x(g.out_w - 1) + g.pad.left + g.span_w());
}

TraceOp PoolTraceView::op() const {
  return m_trace.geometry().op == PoolOp::max ? TraceOp::max_pool2d : TraceOp::avg_pool2d;
}

std::string PoolTraceView::formula() const {
  return pool2d_formula(m_trace.geometry());
}

std::string PoolTraceView::settings_line() const {
  const PoolGeometry& g = m_trace.geometry();
  std::string s = std::string("Pooling: ") + pool_op_name(g.op) + " over " + std::to_string(g.k_h) +
                  "\xC3\x97" + std::to_string(g.k_w) + " windows, stride " +
                  std::to_string(g.stride_h) + "," + std::to_string(g.stride_w) + ", padding " +
                  std::to_string(g.pad.top) + "," + std::to_string(g.pad.left) + ", dilation " +
                  std::to_string(g.dilation_h) + "," + std::to_string(g.dilation_w);
  if (g.ceil_mode) s += ", ceil_mode";
  if (g.op == PoolOp::avg) {
    s += g.count_include_pad ? ", padding counted in the average" : ", padding not counted";
  }
  return s;
}

namespace {

TraceWindow from_pool_window(const PoolWindow& w, int64_t index) {
  TraceWindow t = placed(index, {w.n, w.oc, w.oy, w.ox}, w.origin_y, w.origin_x);
  t.group = w.oc;
  t.ic_begin = w.oc;
  t.sum = w.sum;
  t.divisor = w.divisor;
  t.argmax_tap = w.argmax_tap;
  t.argmax_y = w.argmax_y;
  t.argmax_x = w.argmax_x;
  t.value = w.value;
  return t;
}

// The window's taps with their sources, what enters the result, and the running maximum or sum.
std::vector<TraceTap> pool_taps(const PoolGeometry& g, const PoolWindow& w) {
  const bool is_max = g.op == PoolOp::max;
  std::vector<TraceTap> out;
  out.reserve(w.taps.size());
  double running = 0;
  int64_t best = -1;
  for (std::size_t k = 0; k < w.taps.size(); ++k) {
    const PoolTap& p = w.taps[k];
    TraceTap t;
    t.index = static_cast<int64_t>(k);
    t.ic = w.oc;
    t.ky = p.ky;
    t.kx = p.kx;
    t.iy = p.iy;
    t.ix = p.ix;
    const bool past = p.iy < -g.pad.top || p.iy >= g.in_h + g.pad.bottom || p.ix < -g.pad.left ||
                      p.ix >= g.in_w + g.pad.right;
    t.source = !p.in_padding ? TapSource::input : past ? TapSource::outside : TapSource::padding;
    if (t.source == TapSource::input) {
      t.src_y = p.iy;
      t.src_x = p.ix;
    }
    t.x = p.x;
    t.counted = t.source == TapSource::input ||
                (!is_max && g.count_include_pad && t.source == TapSource::padding);
    if (is_max && t.source == TapSource::input && (best < 0 || p.x > running || std::isnan(p.x))) {
      running = p.x;
      best = t.index;
    } else if (!is_max && t.source == TapSource::input) {
      running += p.x;  // NOTE: in double here; the value itself is the engine's, in the dtype
    }
    t.running = running;
    t.best_tap = is_max ? best : -1;
    out.push_back(t);
  }
  return out;
}

std::string divisor_note(const PoolGeometry& g, int64_t divisor, int64_t outside) {
  std::string s = "Divisor " + std::to_string(divisor) + ": ";
  if (!g.count_include_pad) return s + "only the cells inside the input (count_include_pad off).";
  if (outside == 0) return s + "every cell of the window, padding included.";
  return s + "the cells inside the input or its padding; the " + std::to_string(outside) +
         (outside == 1 ? " cell" : " cells") +
         " past the padding (ceil_mode's last window) are neither read nor counted.";
}

}  // namespace

std::shared_ptr<const WindowRecord> PoolTraceView::record(int64_t index) const {
  return m_cache.get(index, [&] {
    const PoolWindow w = m_trace.window(index);
    return WindowRecord{index, from_pool_window(w, index), pool_taps(m_trace.geometry(), w)};
  });
}

TraceTap PoolTraceView::tap(int64_t window, int64_t tap) const {
  assert(tap >= 0 && tap < taps_per_window());
  return record(window)->taps[static_cast<std::size_t>(tap)];
}

// One reduce line over the counted values, then a note on the divisor (avg) or the arg-max.
Explanation PoolTraceView::explain(int64_t window) const {
  const PoolGeometry& g = m_trace.geometry();
  const std::shared_ptr<const WindowRecord> r = record(window);
  const TraceWindow& w = r->window;
  const std::vector<TraceTap>& all = r->taps;
  const bool is_max = g.op == PoolOp::max;
  Explanation e;
  ExplainLine line;
  line.kind = ExplainLine::Kind::reduce;
  line.channel = w.oc;
  line.is_max = is_max;
  int64_t outside = 0;
  for (const TraceTap& t : all) {
    if (t.source == TapSource::outside) ++outside;
    if (t.counted) line.terms.push_back({t.index, t.x, t.source, false, 0});
  }
  line.sum = w.sum;
  line.divisor = w.divisor;
  line.result = w.value;
  line.last_tap = taps_per_window();
  e.lines.push_back(std::move(line));
  ExplainLine note;
  if (is_max) {
    if (w.argmax_tap < 0) return e;
    note.text = "Arg-max: input cell (y " + std::to_string(w.argmax_y) + ", x " +
                std::to_string(w.argmax_x) + "), PyTorch index " +
                std::to_string(w.argmax_y * g.in_w + w.argmax_x) + " (= y·W + x).";
  } else {
    note.text = divisor_note(g, w.divisor, outside);
  }
  note.last_tap = is_max ? taps_per_window() : -1;  // the divisor is known from the start
  e.lines.push_back(std::move(note));
  return e;
}

double PoolTraceView::padded_value(int64_t n, int64_t ic, int64_t iy, int64_t ix) const {
  if (in_padding(iy, ix)) return 0.0;
  const TraceShape& s = m_shape;
  return m_trace.input().get(s.input_index(n, ic, iy, ix));
}

Result<TraceViewPtr> trace_conv2d(const Tensor& input, const Tensor& weight, const Tensor* bias,
                                  const Conv2dParams& params) {
  auto trace = conv2d_trace(input, weight, bias, params);
  if (!trace) return trace.error();
  return TraceViewPtr(std::make_shared<ConvTraceView>(std::move(trace).value()));
}

Result<TraceViewPtr> trace_pool2d(const Tensor& input, const Pool2dParams& params) {
  auto trace = pool2d_trace(input, params);
  if (!trace) return trace.error();
  return TraceViewPtr(std::make_shared<PoolTraceView>(std::move(trace).value()));
}

Result<TraceViewPtr> trace_lesson(const Lesson& asked) {
  auto run = lesson_as_run(asked);  // Keras's rules: the padding resolved per side
  if (!run) return run.error();
  const Lesson& lesson = *run;
  if (lesson.op == LessonOp::pool) return trace_pool2d(lesson.input, lesson.pool);
  if (lesson.op == LessonOp::conv_transpose) {
    return trace_conv_transpose2d(lesson.input, lesson.weight,
                                  lesson.bias ? &*lesson.bias : nullptr, lesson.transpose);
  }
  const Tensor weight =
      lesson.flip_kernel ? flip_kernel(lesson.weight, lesson.conv.layout) : lesson.weight;
  return trace_conv2d(lesson.input, weight, lesson.bias ? &*lesson.bias : nullptr, lesson.conv);
}

}  // namespace cs
