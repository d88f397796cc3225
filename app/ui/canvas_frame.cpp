// The canvas's frame, names and layout; see canvas_frame.hpp.
#include "app/ui/canvas_frame.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "app/ui/canvas_paint.hpp"
#include "app/ui/ui_theme.hpp"
#include "core/conv_transpose_trace.hpp"

namespace cs::ui::canvas {
namespace {

double max_abs(const Tensor& t) {
  double m = 0;
  for (int64_t i = 0; i < t.numel(); ++i)
    m = std::max(m, std::fabs(t.get(i)));
  return m;
}

const char* padding_mode_words(PaddingMode mode) {
  switch (mode) {
    case PaddingMode::zeros:
      return "zeros: reads 0";
    case PaddingMode::reflect:
      return "reflect: mirrors, edge not repeated";
    case PaddingMode::replicate:
      return "replicate: repeats the edge";
    case PaddingMode::circular:
      return "circular: wraps around";
  }
  return "";
}

// The widest number of `t` as the cells write it (at most 4096 values looked at, evenly spread).
int widest_number(const Tensor& t) {
  const int64_t count = t.numel(), step = std::max<int64_t>(1, count / 4096);
  int widest = 1;
  for (int64_t i = 0; i < count; i += step)
    widest = std::max(widest, chars_of(fmt(t.get(i), 3)));
  return widest;
}

bool all_integers(const Tensor& t) {
  for (int64_t i = 0; i < t.numel() && i < 100000; ++i) {
    const double v = t.get(i);
    if (v != std::round(v) || std::fabs(v) > 99999) return false;
  }
  return true;
}

// The widest text a partial-sum box holds, in characters.
int box_chars(const Frame& f) {
  const double m = std::max(
      {f.in_max * f.w_max * static_cast<double>(f.g.taps_per_channel()), f.out_max, f.in_max});
  return (f.conv ? 5 : 6) + (f.stats->integers ? chars_of(fmt(-m)) : 7);
}

}  // namespace

bool quiz_hides_shape(const AppState& s) {
  return s.quiz.hides_shape();
}

bool build_frame(const AppState& s, Frame& f) {
  const Stepper& st = s.stepper;
  if (!s.has_trace() || st.empty()) return false;
  const TraceView& v = *s.trace;
  f.view = &v;
  f.g = v.shape();
  f.conv = v.has_weights();  // conv, and a transposed conv's gather reading
  f.transposed = v.op() == TraceOp::conv_transpose2d;
  f.is_max = v.op() == TraceOp::max_pool2d;
  f.nhwc = v.layout() == Layout::nhwc;
  f.win = st.window();
  f.tap = st.tap();
  f.at_result = st.at_result();
  f.w = v.window(f.win);
  f.n = f.w.n;
  f.taps = v.taps(f.win);
  f.explain = v.explain(f.win);
  const int64_t per_ch = f.g.taps_per_channel();
  f.cur_ch = f.at_result ? f.g.c_in_per_group : f.tap / per_ch;
  f.stats = &tensor_stats(s.trace);
  f.hide_shape = quiz_hides_shape(s);
  f.hide_window = s.quiz.hides_window();
  f.in_max = f.stats->in_max;
  f.out_max = f.stats->out_max;
  f.w_max = f.stats->w_max;
  return true;
}

// "[n, c, y, x]" in NCHW, "[n, y, x, c]" in NHWC: indices in the order of the user's layout.
std::string at4(const Frame& f, int64_t n, int64_t c, int64_t y, int64_t x) {
  const int64_t order[4] = {n, f.nhwc ? y : c, f.nhwc ? x : y, f.nhwc ? c : x};
  std::string out = "[";
  for (int i = 0; i < 4; ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(order[i]);
  }
  return out + "]";
}

// The filter slice's name: w[oc, i] (OIHW) or, with NHWC (Keras' HWIO kernel), w[:, :, i, oc].
std::string slice_name(const Frame& f, int64_t oc, int64_t i) {
  const std::string o = std::to_string(oc), c = std::to_string(i);
  return f.nhwc ? "w[:, :, " + c + ", " + o + "]" : "w[" + o + ", " + c + "]";
}

// One output map's name: y[0, oc] (NCHW) or y[0, :, :, oc] (NHWC).
std::string map_name(const Frame& f, const char* letter, int64_t c) {
  const std::string n = std::to_string(f.n), k = std::to_string(c);
  return f.nhwc ? std::string(letter) + "[" + n + ", :, :, " + k + "]"
                : std::string(letter) + "[" + n + ", " + k + "]";
}

// An output map's label: "y[0, 1]  3×3", and its group when there are groups.
std::string output_label(const Frame& f, int64_t oc, bool with_group) {
  std::string label = map_name(f, "y", oc) + "  " +
                      (f.hide_shape ? std::string("?×?")
                                    : std::to_string(f.g.out_h) + "×" + std::to_string(f.g.out_w));
  if (with_group && f.conv && f.g.groups > 1) {
    label += " · group " + std::to_string(oc / f.g.c_out_per_group);
  }
  return label;
}

std::string padding_words(const Frame& sc) {
  const Pad4& pad = sc.g.pad;
  if (pad.top == 0 && pad.bottom == 0 && pad.left == 0 && pad.right == 0) return "no padding";
  if (!sc.conv) {
    return "padding " + std::to_string(pad.top) + ", " + std::to_string(pad.left) +
           (sc.is_max ? " (ignored by max)"
                      : (sc.g.count_include_pad ? " (counts as 0)" : " (not counted)"));
  }
  std::string p = pad.top == pad.bottom && pad.left == pad.right && pad.top == pad.left
                      ? std::to_string(pad.top)
                      : "top " + std::to_string(pad.top) + " bottom " + std::to_string(pad.bottom) +
                            " left " + std::to_string(pad.left) + " right " +
                            std::to_string(pad.right);
  return "padding " + p + " (" + padding_mode_words(sc.g.padding_mode) + ") → " +
         std::to_string(sc.g.in_h + pad.top + pad.bottom) + "×" +
         std::to_string(sc.g.in_w + pad.left + pad.right);
}

const TensorStats& tensor_stats(const TraceViewPtr& view) {
  // NOTE: the cache holds the view itself, so its address cannot be reused by a new trace.
  static TraceViewPtr cached_view;
  static TensorStats cached;
  if (view == cached_view) return cached;
  cached_view = view;
  cached = TensorStats{};
  const Tensor* w = view->weight();
  cached.in_max = max_abs(view->input());
  cached.out_max = max_abs(view->output());
  cached.w_max = w ? max_abs(*w) : 0.0;
  cached.in_chars = widest_number(view->input());
  cached.out_chars = widest_number(view->output());
  cached.w_chars = w ? widest_number(*w) : 1;
  cached.integers = all_integers(view->input()) && (!w || all_integers(*w));
  return cached;
}

// Input and output numbers share one size (the cells are the same); the filter's or the pooling
// window's follow its own cells.
NumberSizes number_sizes(const AppState& s, const Frame& sc, const FlowLayout& L) {
  NumberSizes n;
  if (!s.show_values) return n;
  const float font_big = mono_big_font()->FontSize;
  const TensorStats& t = *sc.stats;
  n.in = n.out = number_size(L.cell, std::max(t.in_chars, t.out_chars), font_big);
  n.k = number_size(L.kcell, sc.conv ? t.w_chars : t.in_chars, font_big);
  // Snap to a size the atlas holds: crisp glyphs under nearest filtering.
  auto snap = [](float size) {
    if (size <= 0) return 0.0f;
    const float native = number_font(size)->FontSize;
    return size >= native ? native : size;
  };
  n.in = n.out = snap(n.in);
  n.k = snap(n.k);
  return n;
}

// "x 1×3×5×5 ⊛ w 2×3×3×3 → y 1×2×3×3 (N×C×H×W)", or with pooling "x … → max 2×2 → y …".
std::string shapes_line(const Frame& f) {
  const auto d = [](std::initializer_list<int64_t> v) {
    std::string s;
    for (int64_t x : v)
      s += (s.empty() ? "" : "×") + std::to_string(x);
    return s;
  };
  const TraceShape& g = f.g;
  if (f.transposed) {
    // The layer's own shapes (the input before stuffing, the weight as PyTorch stores it).
    const Tensor& in = f.view->input();
    const auto& tv = static_cast<const ConvTransposeTraceView&>(*f.view);
    return "x " + d({in.dim(0), in.dim(1), in.dim(2), in.dim(3)}) + ", w " +
           d({tv.layer_weight().dim(0), tv.layer_weight().dim(1), tv.layer_weight().dim(2),
              tv.layer_weight().dim(3)}) +
           " → y " + (f.hide_shape ? std::string("?") : d({g.n, g.c_out, g.out_h, g.out_w})) +
           "  (N×C×H×W, weight I×O×H×W)";
  }
  const std::string x =
      f.nhwc ? d({g.n, g.in_h, g.in_w, g.c_in}) : d({g.n, g.c_in, g.in_h, g.in_w});
  const std::string y = f.hide_shape ? std::string("?")
                        : f.nhwc     ? d({g.n, g.out_h, g.out_w, g.c_out})
                                     : d({g.n, g.c_out, g.out_h, g.out_w});
  std::string mid;
  if (f.conv) {
    mid = ", w " + (f.nhwc ? d({g.k_h, g.k_w, g.c_in_per_group, g.c_out})
                           : d({g.c_out, g.c_in_per_group, g.k_h, g.k_w}));
  } else {
    mid = std::string(" → ") + (f.is_max ? "max " : "mean ") + d({g.k_h, g.k_w});
  }
  std::string s = "x " + x + mid + " → y " + y + (f.nhwc ? "  (N×H×W×C" : "  (N×C×H×W");
  if (f.conv)
    s += f.nhwc ? ", kernel H×W×I×O)" : ", weight O×I×H×W)";
  else
    s += ")";
  return s;
}

// "padding 1 (zeros: reads 0) → 7×7 · stride 1,1 · dilation 1,1 · groups 1".
std::string settings_words(const Frame& f) {
  if (f.transposed) return f.view->settings_line();  // (several lines, wrapped by the header)
  std::string s = padding_words(f) + " · stride " + std::to_string(f.g.stride_h) + "," +
                  std::to_string(f.g.stride_w);
  if (f.g.dilation_h > 1 || f.g.dilation_w > 1 || f.conv) {
    s += " · dilation " + std::to_string(f.g.dilation_h) + "," + std::to_string(f.g.dilation_w);
  }
  if (f.conv && f.g.groups > 1) s += " · groups " + std::to_string(f.g.groups);
  if (!f.conv && f.g.ceil_mode) s += " · ceil_mode";
  return s;
}

FlowLayout layout_for(const AppState& s, const Frame& f) {
  FlowContent c;
  c.conv = f.conv;
  c.rows = f.g.c_in;
  c.folded = f.conv && f.g.groups > 1 ? f.g.c_in - f.g.c_in_per_group : 0;
  c.grid_h = f.g.grid_h;
  c.grid_w = f.g.grid_w;
  c.k_h = f.g.k_h;
  c.k_w = f.g.k_w;
  c.out_h = f.g.out_h;
  c.out_w = f.g.out_w;
  c.c_out = f.g.c_out;
  c.box_chars = box_chars(f);
  c.out_label_chars = chars_of(output_label(f, f.g.c_out - 1, true));
  c.out_label_chars_short = chars_of(output_label(f, f.g.c_out - 1, false));
  c.k_label_chars = f.conv ? chars_of(slice_name(f, f.g.c_out - 1, f.g.c_in_per_group - 1)) : 0;
  FlowFonts t;
  t.line_h = ImGui::GetTextLineHeight();
  ImFont* mono = mono_font();
  t.char_w = mono->CalcTextSizeA(mono->FontSize, 1e9f, 0, "0").x;
  ImFont* small = mono_small_font();
  t.small_char_w = small->CalcTextSizeA(small->FontSize, 1e9f, 0, "0").x;
  t.scale = ui_scale(s);
  t.max_cell = std::round(s.cell_size * 2.2f * t.scale);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  // NOTE: leave room for the scrollbars the child shows when the flow is bigger.
  const float bar = ImGui::GetStyle().ScrollbarSize + 2.0f;
  return fit_flow(c, t, std::max(avail.x - bar, 100.0f), std::max(avail.y - bar, 60.0f));
}

}  // namespace cs::ui::canvas
