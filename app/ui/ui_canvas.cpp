// The lesson canvas (see ui_canvas.hpp), laid out as the computation flows (canvas_layout.hpp):
// one row per input channel — the channel with its padding ring, ⊙ its filter slice, → that
// channel's partial sum with its products — then the partials and the bias into Σ and the Σ into
// the output cell (conv), or each channel's window values into its max/mean and its output map
// (pooling). Everything is read from the trace view; motion.hpp moves the window and the numbers.
#include "app/ui/ui_canvas.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "app/gpu/window_gl.hpp"
#include "app/ui/canvas_layout.hpp"
#include "app/ui/motion.hpp"
#include "app/ui/ui_edit.hpp"
#include "app/ui/ui_theme.hpp"
#include "core/conv_transpose_trace.hpp"

namespace cs::ui {
namespace {

enum class GridKind { input, kernel, window, output };

// One drawn grid: where it is and which tensor slice it shows.
struct Grid {
  GridKind kind = GridKind::input;
  int64_t c = 0;    // input channel, kernel slice (channel within the group) or output channel
  ImVec2 origin{};  // top-left of cell (0, 0)
  int64_t rows = 0, cols = 0;
  float cell = 0;
  int64_t row0 = 0, col0 = 0;  // coordinate of cell (0, 0): -pad for padded inputs
};

double max_abs(const Tensor& t) {
  double m = 0;
  for (int64_t i = 0; i < t.numel(); ++i)
    m = std::max(m, std::fabs(t.get(i)));
  return m;
}

// Text size for numbers in cells of edge `cell` whose longest label has `chars` characters;
// 0 when they would be unreadable.
float number_size(float cell, int chars, float max_size) {
  const float by_width = cell * 0.92f / (0.62f * static_cast<float>(std::max(1, chars)));
  const float size = std::min({max_size, by_width, cell * 0.62f});
  return size >= 9.0f ? size : 0.0f;
}

ImVec2 cell_min(const Grid& g, int64_t r, int64_t c) {
  return ImVec2(g.origin.x + static_cast<float>(c) * g.cell,
                g.origin.y + static_cast<float>(r) * g.cell);
}
ImVec2 cell_max(const Grid& g, int64_t r, int64_t c) {
  return ImVec2(g.origin.x + static_cast<float>(c + 1) * g.cell,
                g.origin.y + static_cast<float>(r + 1) * g.cell);
}

// Outline of a block of cells [r0, r1] × [c0, c1] (grid coordinates, clamped to the grid).
void outline(ImDrawList* dl, const Grid& g, int64_t r0, int64_t c0, int64_t r1, int64_t c1,
             ImU32 col, float thick) {
  r0 = std::clamp<int64_t>(r0, 0, g.rows - 1);
  r1 = std::clamp<int64_t>(r1, 0, g.rows - 1);
  c0 = std::clamp<int64_t>(c0, 0, g.cols - 1);
  c1 = std::clamp<int64_t>(c1, 0, g.cols - 1);
  dl->AddRect(cell_min(g, r0, c0), cell_max(g, r1, c1), col, 0.0f, 0, thick);
}

void cell_outline(ImDrawList* dl, const Grid& g, int64_t r, int64_t c, ImU32 col, float thick,
                  float inset = 0.0f) {
  if (r < 0 || c < 0 || r >= g.rows || c >= g.cols) return;
  const ImVec2 a = cell_min(g, r, c), b = cell_max(g, r, c);
  dl->AddRect(ImVec2(a.x + inset, a.y + inset), ImVec2(b.x - inset, b.y - inset), col, 0.0f, 0,
              thick);
}

void cell_fill(ImDrawList* dl, const Grid& g, int64_t r, int64_t c, ImU32 col) {
  if (r < 0 || c < 0 || r >= g.rows || c >= g.cols) return;
  dl->AddRectFilled(cell_min(g, r, c), cell_max(g, r, c), col);
}

// Light grid lines over a block of cells (skipped when cells are tiny).
void grid_lines(ImDrawList* dl, const Grid& g, ImU32 col) {
  if (g.cell < 8.0f) return;  // tiny cells: the lines would hide the colours
  const ImVec2 a = g.origin;
  const ImVec2 b = cell_max(g, g.rows - 1, g.cols - 1);
  for (int64_t r = 0; r <= g.rows; ++r) {
    const float y = a.y + static_cast<float>(r) * g.cell;
    dl->AddLine(ImVec2(a.x, y), ImVec2(b.x, y), col);
  }
  for (int64_t c = 0; c <= g.cols; ++c) {
    const float x = a.x + static_cast<float>(c) * g.cell;
    dl->AddLine(ImVec2(x, a.y), ImVec2(x, b.y), col);
  }
}

// Grids whose cells are too small for numbers (a 64×64 lesson) are drawn as one texture each
// (nearest filtering: a cell is a block of pixels) instead of thousands of rectangles, because
// llvmpipe pays for every tiny triangle. The textures live in app/gpu/.
gpu::PixelTextures g_textures;

// The cell fills of one grid: a rectangle per cell, or pixels of a texture for tiny cells.
class GridFill {
 public:
  GridFill(ImDrawList* dl, const Grid& g, std::size_t slot)
      : m_dl(dl), m_g(g), m_slot(slot), m_texture(g.cell < 8.0f) {
    if (m_texture) m_px.assign(static_cast<std::size_t>(g.rows * g.cols), 0);
  }
  bool textured() const { return m_texture; }
  void set(int64_t r, int64_t c, ImU32 col) {
    if (m_texture) {
      m_px[static_cast<std::size_t>(r * m_g.cols + c)] = col;  // IM_COL32 is RGBA in memory
    } else {
      m_dl->AddRectFilled(cell_min(m_g, r, c), cell_max(m_g, r, c), col);
    }
  }
  // Uploads the pixels and draws the texture over the grid's area.
  void finish() {
    if (!m_texture) return;
    const uintptr_t tex =
        g_textures.upload(m_slot, static_cast<int>(m_g.cols), static_cast<int>(m_g.rows), m_px);
    m_dl->AddImage(reinterpret_cast<ImTextureID>(tex), m_g.origin,
                   cell_max(m_g, m_g.rows - 1, m_g.cols - 1));
  }

 private:
  ImDrawList* m_dl;
  const Grid& m_g;
  std::size_t m_slot;
  bool m_texture;
  std::vector<ImU32> m_px;
};

// Everything one frame of the canvas needs, read once from the trace view and the stepper.
struct Frame {
  const TraceView* view = nullptr;
  TraceShape g;
  bool conv = true, is_max = false, nhwc = false;
  bool transposed = false;  // a transposed conv: the input is the zero-stuffed one
  int64_t n = 0;
  int64_t win = 0, tap = 0;  // the stepper: window, and the tap being taken (taps_per_window: done)
  bool at_result = false;
  TraceWindow w;               // the current window
  std::vector<TraceTap> taps;  // its taps, in the engine's order
  Explanation explain;         // its explanation (the arithmetic panel's lines)
  int64_t cur_ch = 0;          // conv: channel of the group being summed (c_in_per_group: all done)
  double in_max = 0, out_max = 0, w_max = 0;
  const struct TensorStats* stats = nullptr;
  const TraceTap* now() const { return at_result ? nullptr : &taps[static_cast<std::size_t>(tap)]; }
};

// What the cells' colours and numbers need from the whole tensors: their largest |value|, their
// widest number and whether they hold integers. Read once per trace, not every frame.
struct TensorStats {
  double in_max = 0, out_max = 0, w_max = 0;
  int in_chars = 1, out_chars = 1, w_chars = 1;
  bool integers = true;  // input (and weight): integers, so a sum's width is known
};
const TensorStats& tensor_stats(const TraceViewPtr& view);

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
  f.in_max = f.stats->in_max;
  f.out_max = f.stats->out_max;
  f.w_max = f.stats->w_max;
  return true;
}

// "[n, c, y, x]" in NCHW, "[n, y, x, c]" in NHWC: indices in the order of the user's layout.
std::string at4(const Frame& f, int64_t n, int64_t c, int64_t y, int64_t x) {
  const auto s = [](int64_t v) { return std::to_string(v); };
  return f.nhwc ? "[" + s(n) + ", " + s(y) + ", " + s(x) + ", " + s(c) + "]"
                : "[" + s(n) + ", " + s(c) + ", " + s(y) + ", " + s(x) + "]";
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
  std::string label =
      map_name(f, "y", oc) + "  " + std::to_string(f.g.out_h) + "×" + std::to_string(f.g.out_w);
  if (with_group && f.conv && f.g.groups > 1) {
    label += " · group " + std::to_string(oc / f.g.c_out_per_group);
  }
  return label;
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

void label_at(ImDrawList* dl, ImVec2 pos, ImU32 col, const std::string& text, ImFont* font) {
  dl->AddText(font, font->FontSize, pos, col, text.c_str());
}

// `text` shortened with "…" until it fits `width` pixels in `font`.
// Where fit_text reports what it had to cut (the state's `clipped`, for --status-file).
std::vector<std::string>* g_clipped = nullptr;

std::string fit_text(const std::string& text, ImFont* font, float width) {
  auto w = [&](const std::string& t) {
    return font->CalcTextSizeA(font->FontSize, 1e9f, 0, t.c_str()).x;
  };
  if (w(text) <= width) return text;
  if (g_clipped) g_clipped->push_back("Lesson: " + text);
  std::string t = text;
  while (!t.empty()) {
    // Drop one UTF-8 character from the end: its continuation bytes, then its lead byte.
    while (!t.empty() && (static_cast<unsigned char>(t.back()) & 0xC0) == 0x80)
      t.pop_back();
    if (!t.empty()) t.pop_back();
    if (w(t + "…") <= width) return t + "…";
  }
  return {};
}

// A tap already multiplied in this window: a dot in the cell's corner (the cell keeps its
// colour); tiny cells get a tint instead.
void mark_done(ImDrawList* dl, const Grid& g, int64_t r, int64_t c, const Palette& pal) {
  if (g.cell < 10.0f) {
    cell_fill(dl, g, r, c, pal.tap_done);
    return;
  }
  const ImVec2 b = cell_max(g, r, c), a = cell_min(g, r, c);
  const float rad = std::max(2.5f, g.cell * 0.09f);
  dl->AddCircleFilled(ImVec2(b.x - rad - 2.0f, a.y + rad + 2.0f), rad, pal.frame);
}

// The input's colour scale, right-aligned on the current line: a bar from −max to +max.
void draw_legend(double max_abs, float scale) {
  const Palette& pal = palette();
  const std::string text = fmt(-max_abs, 3) + " … 0 … " + fmt(max_abs, 3);
  const float lw = 150.0f * scale;
  const float tw = ImGui::CalcTextSize(text.c_str()).x;
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  ImGui::SameLine(std::max(0.0f, ImGui::GetWindowContentRegionMax().x - lw - tw - spacing));
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float lh = ImGui::GetTextLineHeight();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (int i = 0; i < 32; ++i) {
    const float x0 = p.x + lw * static_cast<float>(i) / 32.0f;
    const float x1 = p.x + lw * static_cast<float>(i + 1) / 32.0f;
    dl->AddRectFilled(ImVec2(x0, p.y + lh * 0.2f), ImVec2(x1 + 0.5f, p.y + lh * 0.9f),
                      value_colour(-1.0 + (2.0 * i + 1) / 32.0, 1.0));
  }
  dl->AddRect(ImVec2(p.x, p.y + lh * 0.2f), ImVec2(p.x + lw, p.y + lh * 0.9f), pal.grid);
  ImGui::Dummy(ImVec2(lw, lh));
  const bool hovered = ImGui::IsItemHovered();
  ImGui::SameLine();
  ImGui::TextUnformatted(text.c_str());
  if (hovered || ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "Colour of the input's cells: blue negative, white 0, red positive, up to the largest "
        "|value|.\nThe filter and the outputs use the same colours on their own scales.");
  }
}

// Text sizes of the numbers in each column (0: too small to write).
struct NumberSizes {
  float in = 0, out = 0, k = 0;
};

int chars_of(const std::string& t) {
  // Characters, not bytes: the minus sign is three bytes of UTF-8.
  int n = 0;
  for (unsigned char ch : t)
    n += (ch & 0xC0) != 0x80;
  return n;
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

// Motion state of the canvas (UI only, lives as long as the window, like the textures).
struct Motion {
  const TraceView* view = nullptr;  // the trace the motion belongs to
  Glide window;                     // the window's origin, in input cells (kept across edits)
  Pad4 pad;                         // the padding of the trace before this one
  Pulse ring;                       // a padding ring that grew, fading in
  Pad4 ring_from;                   // the padding it grew from
  int64_t last_global = -1;
  Pulse product;  // the current tap's product flying into its partial sum
  int64_t product_win = -1, product_tap = -1;
  Pulse fill;  // the output cell just written
  int64_t fill_win = -1;
};
Motion g_motion;

void update_motion(const AppState& s, const Frame& f) {
  Motion& m = g_motion;
  const double now = s.time;
  const double secs = motion_seconds(s.reduce_motion, s.stepper.playing(), s.stepper.speed());
  if (m.view != f.view) {
    // An edit (or a new lesson): products and fills start still; the window glides on from
    // where it was; padding that grew fades in around the input.
    const Pad4& p = f.g.pad;
    const bool grew = m.view && (p.top > m.pad.top || p.bottom > m.pad.bottom ||
                                 p.left > m.pad.left || p.right > m.pad.right);
    if (grew) {
      m.ring.start(now, secs);
      m.ring_from = m.pad;
    }
    m.view = f.view;
    m.pad = p;
    m.product = Pulse{};
    m.fill = Pulse{};
    m.product_win = m.product_tap = m.fill_win = -1;
    m.last_global = -1;
  }
  m.window.to(static_cast<float>(f.w.origin_y), static_cast<float>(f.w.origin_x), now, secs);
  const int64_t global = s.stepper.global();
  if (m.last_global >= 0 && global == m.last_global + 1) {
    if (f.at_result) {
      m.fill.start(now, secs);
      m.fill_win = f.win;
    } else {
      m.product.start(now, secs);
      m.product_win = f.win;
      m.product_tap = f.tap;
    }
  }
  m.last_global = global;
}

// A small arrow from a to b (horizontal or slanted).
void arrow(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float thick) {
  dl->AddLine(a, b, col, thick);
  const float dx = b.x - a.x, dy = b.y - a.y;
  const float len = std::max(1.0f, std::sqrt(dx * dx + dy * dy));
  const float ux = dx / len, uy = dy / len, h = 4.0f + 2.5f * thick;
  dl->AddTriangleFilled(b, ImVec2(b.x - ux * h - uy * h * 0.6f, b.y - uy * h + ux * h * 0.6f),
                        ImVec2(b.x - ux * h + uy * h * 0.6f, b.y - uy * h - ux * h * 0.6f), col);
}

// Text wrapped at `width` inside [top-left, top-left + (width, height)], clipped there.
void wrapped(ImDrawList* dl, ImFont* font, ImVec2 tl, float width, float height, ImU32 col,
             const std::string& text) {
  const ImVec4 clip(tl.x, tl.y, tl.x + width, tl.y + height);
  dl->AddText(font, font->FontSize, tl, col, text.c_str(), nullptr, width, &clip);
}

// One frame of the canvas: the state, the frame's data and the layout, one method per region.
class Canvas {
 public:
  Canvas(AppState& s, const Frame& f, const FlowLayout& L)
      : m_s(s), m_f(f), m_L(L), m_pal(palette()), m_mono(mono_font()) {}
  void draw();

 private:
  bool active(int64_t ic) const {
    return m_f.conv ? ic >= m_f.w.ic_begin && ic < m_f.w.ic_begin + m_f.g.c_in_per_group
                    : ic == m_f.w.oc;
  }
  // Conv channels of the other groups are folded: drawn at fold·cell, without their filter.
  bool folded(int64_t ic) const { return m_f.conv && m_f.g.groups > 1 && !active(ic); }
  float row_top(int64_t row) const;
  float grid_top(int64_t row) const { return row_top(row) + m_L.label_h; }
  float row_mid(int64_t row) const;
  float box_top(int64_t row) const;
  void place_grids();
  void track_hover(bool hovered);
  void draw_input_grid(const Grid& g, std::size_t slot);
  void draw_window_on(const Grid& g);
  void draw_receptive_field(const Grid& g);
  void draw_row_middle(int64_t row);
  void draw_kernel(const Grid& g);
  void draw_pool_window(const Grid& g);
  void draw_box(int64_t row);
  void draw_flight();
  void draw_sigma();
  void draw_output_grid(const Grid& g, std::size_t slot);
  void draw_outputs_fed(const Grid& g);
  void draw_sum_line();
  void draw_tooltip();
  void input_tooltip(const Grid& g);
  void handle_clicks(bool clicked, bool mouse_down);
  const Grid* find(GridKind kind, int64_t c) const {
    for (const Grid& g : m_grids)
      if (g.kind == kind && g.c == c) return &g;
    return nullptr;
  }

  AppState& m_s;
  const Frame& m_f;
  const FlowLayout& m_L;
  const Palette& m_pal;
  ImFont* m_mono;
  ImDrawList* m_dl = nullptr;
  ImVec2 m_o{};  // top-left of the body
  std::vector<Grid> m_grids;
  NumberSizes m_fs;
  float m_win_dy = 0, m_win_dx = 0;  // the gliding window's offset from its cell, in cells
  const Grid* m_hover = nullptr;     // grid under the mouse and its cell
  int64_t m_hover_r = -1, m_hover_c = -1;
};

float Canvas::row_top(int64_t row) const {
  float y = m_o.y;
  for (int64_t r = 0; r < row; ++r)
    y += folded(r) ? m_L.folded_h : m_L.row_h;
  return y;
}

float Canvas::row_mid(int64_t row) const {
  if (folded(row)) {
    return grid_top(row) + static_cast<float>(m_f.g.grid_h) * m_L.cell * m_L.fold * 0.5f;
  }
  const float grid = static_cast<float>(m_f.g.grid_h) * m_L.cell;
  const float k = static_cast<float>(m_f.g.k_h) * m_L.kcell;
  return grid_top(row) + std::max({grid, k, m_L.box_h}) * 0.5f;
}

// The partial-sum box: centred on the row, lifted when the products below would not fit.
float Canvas::box_top(int64_t row) const {
  const float body = m_L.row_h - m_L.label_h - std::round(0.6f * ImGui::GetTextLineHeight());
  const float lowest = grid_top(row) + body - m_L.box_h - 2.5f * ImGui::GetTextLineHeight();
  return std::max(grid_top(row), std::min(row_mid(row) - m_L.box_h * 0.5f, lowest));
}

void Canvas::draw() {
  const FlowLayout& L = m_L;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  ImGui::BeginChild("##canvas_area", ImVec2(0, std::max(avail.y, 40.0f)), false,
                    ImGuiWindowFlags_HorizontalScrollbar);
  m_dl = ImGui::GetWindowDrawList();
  m_o = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##canvas_hit", ImVec2(std::max(L.width, 1.0f), std::max(L.height, 1.0f)));
  const bool hovered = ImGui::IsItemHovered();
  const bool clicked = ImGui::IsItemClicked(ImGuiMouseButton_Left);
  const bool mouse_down = ImGui::IsItemActive() && ImGui::IsMouseDown(ImGuiMouseButton_Left);
  float gy = 0, gx = 0;
  g_motion.window.at(m_s.time, gy, gx);
  m_win_dy = gy - static_cast<float>(m_f.w.origin_y);
  m_win_dx = gx - static_cast<float>(m_f.w.origin_x);
  place_grids();
  track_hover(hovered);
  m_fs = number_sizes(m_s, m_f, L);
  for (std::size_t gi = 0; gi < m_grids.size(); ++gi) {
    if (m_grids[gi].kind == GridKind::input) draw_input_grid(m_grids[gi], gi);
  }
  for (int64_t row = 0; row < m_f.g.c_in; ++row)
    draw_row_middle(row);
  for (std::size_t gi = 0; gi < m_grids.size(); ++gi) {
    if (m_grids[gi].kind == GridKind::output) draw_output_grid(m_grids[gi], gi);
  }
  if (m_f.conv) {
    draw_sigma();
    draw_sum_line();
  }
  draw_flight();
  if (m_hover && m_hover->kind == GridKind::input) {
    cell_outline(m_dl, *m_hover, m_hover_r, m_hover_c, m_pal.hover, 2.5f * m_pal.line);
  }
  if (m_hover) {
    draw_tooltip();
    handle_clicks(clicked, mouse_down);
  }
  report_fit(m_s, "Lesson", /*horizontal=*/true);
  ImGui::EndChild();
}

void Canvas::place_grids() {
  const Frame& f = m_f;
  const FlowLayout& L = m_L;
  const float k_px = static_cast<float>(f.g.k_h) * L.kcell;
  for (int64_t row = 0; row < f.g.c_in; ++row) {
    const float mid = row_mid(row);
    const float cell = folded(row) ? std::max(1.0f, std::floor(L.cell * L.fold)) : L.cell;
    const float px = static_cast<float>(f.g.grid_h) * cell;
    m_grids.push_back({GridKind::input, row, ImVec2(m_o.x + L.x_in, mid - px * 0.5f), f.g.grid_h,
                       f.g.grid_w, cell, -f.g.pad.top, -f.g.pad.left});
    if (active(row)) {
      const int64_t c = f.conv ? row - f.w.ic_begin : row;
      m_grids.push_back({f.conv ? GridKind::kernel : GridKind::window, c,
                         ImVec2(m_o.x + L.x_k, mid - k_px * 0.5f), f.g.k_h, f.g.k_w, L.kcell, 0,
                         0});
    }
    if (!f.conv) {
      const float out_px = static_cast<float>(f.g.out_h) * L.cell;
      m_grids.push_back({GridKind::output, row, ImVec2(m_o.x + L.x_out, mid - out_px * 0.5f),
                         f.g.out_h, f.g.out_w, L.cell, 0, 0});
    }
  }
  if (!f.conv) return;
  for (int64_t oc = 0; oc < f.g.c_out; ++oc) {
    const ImVec2 o(m_o.x + L.x_out, m_o.y + oc * L.out_block_h + L.label_h);
    m_grids.push_back({GridKind::output, oc, o, f.g.out_h, f.g.out_w, L.cell, 0, 0});
  }
}

// Which cell is under the mouse; the hovered input/output cell and the probe go to the state.
void Canvas::track_hover(bool hovered) {
  AppState& s = m_s;
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const CellRef old_hover = s.hover_output;
  s.hover_output = CellRef{};
  s.hover_input = CellRef{};
  if (hovered) {
    for (const Grid& g : m_grids) {
      const float fx = (mouse.x - g.origin.x) / g.cell, fy = (mouse.y - g.origin.y) / g.cell;
      if (fx >= 0 && fy >= 0 && fx < static_cast<float>(g.cols) &&
          fy < static_cast<float>(g.rows)) {
        m_hover = &g;
        m_hover_r = static_cast<int64_t>(fy);
        m_hover_c = static_cast<int64_t>(fx);
        break;
      }
    }
  }
  if (m_hover && m_hover->kind == GridKind::output) {
    s.hover_output = {m_f.n, m_hover->c, m_hover_r, m_hover_c};
  } else if (m_hover && m_hover->kind == GridKind::input) {
    s.hover_input = {m_f.n, m_hover->c, m_hover_r + m_hover->row0, m_hover_c + m_hover->col0};
  }
  if (old_hover.c != s.hover_output.c || old_hover.y != s.hover_output.y ||
      old_hover.x != s.hover_output.x) {
    s.mark_dirty(Dirty::status);
  }
  s.probe_out_x = s.probe_out_y = -1;
  s.probe_out_cell = 0;
  if (const Grid* g = find(GridKind::output, 0)) {
    const ImVec2 vp = ImGui::GetMainViewport()->Pos;
    s.probe_out_x = g->origin.x - vp.x;
    s.probe_out_y = g->origin.y - vp.y;
    s.probe_out_cell = g->cell;
  }
}

// One input channel with its padding ring, its label, the window and the hovered receptive field.
void Canvas::draw_input_grid(const Grid& g, std::size_t slot) {
  const Frame& f = m_f;
  const Palette& pal = m_pal;
  const int64_t ic = g.c;
  const bool on = active(ic);
  std::string group;
  if (f.conv && f.g.groups > 1) {
    group = " · group " + std::to_string(ic / f.g.c_in_per_group);
  }
  const ImVec2 label_pos(g.origin.x, row_top(ic));
  const float room = m_L.x_k - m_L.x_in - 0.4f * ImGui::GetTextLineHeight();
  const std::string n = std::to_string(ic);
  std::string label = "ch " + n;
  for (const std::string& v :
       {std::string(f.transposed ? "stuffed input channel " : "input channel ") + n + group,
        "channel " + n + group, "channel " + n}) {
    if (ui_font()->CalcTextSizeA(ui_font()->FontSize, 1e9f, 0, v.c_str()).x <= room) {
      label = v;
      break;
    }
  }
  label_at(m_dl, label_pos, on ? pal.text : pal.text_dim, fit_text(label, ui_font(), room),
           ui_font());
  GridFill fills(m_dl, g, slot);
  // Padding cells outside the padding the last trace had fade in while the ring grows.
  const float ring_alpha = ease_out(g_motion.ring.progress(m_s.time));
  const Pad4& was = g_motion.ring_from;
  const auto in_new_ring = [&](int64_t iy, int64_t ix) {
    return iy < -was.top || ix < -was.left || iy >= f.g.in_h + was.bottom ||
           ix >= f.g.in_w + was.right;
  };
  for (int64_t r = 0; r < g.rows; ++r) {
    for (int64_t c = 0; c < g.cols; ++c) {
      const int64_t iy = r + g.row0, ix = c + g.col0;
      const bool stuffed = f.transposed && !f.view->in_padding(iy, ix) && f.g.stuffed(iy, ix);
      const bool pad = f.view->in_padding(iy, ix) || stuffed;
      const double v = f.view->padded_value(f.n, ic, iy, ix);
      ImU32 fill;
      if (stuffed) {
        fill = pal.empty_fill;  // a zero stuffed between input cells: drawn apart from padding
      } else if (pad) {
        const bool zeros_like = !f.conv || f.g.padding_mode == PaddingMode::zeros;
        fill = zeros_like ? pal.pad_fill : value_colour(v, f.in_max, true);
      } else {
        fill = value_colour(v, f.in_max);
      }
      if (pad && ring_alpha < 1.0f && in_new_ring(iy, ix)) {
        fill = (fill & 0x00FFFFFFu) | (static_cast<ImU32>(255 * ring_alpha) << IM_COL32_A_SHIFT);
      }
      fills.set(r, c, fill);
      if (m_fs.in > 0 && g.cell == m_L.cell) {  // (a folded row's numbers are in its tooltip)
        const std::string text = pad && !f.conv ? (f.is_max ? "−∞" : "0") : fmt(v, 3);
        text_centred(m_dl, number_font(m_fs.in), m_fs.in, cell_min(g, r, c), cell_max(g, r, c),
                     pad ? pal.pad_text : text_colour_on(fill), text);
      }
    }
  }
  fills.finish();
  grid_lines(m_dl, g, pal.grid);
  m_dl->AddRect(cell_min(g, f.g.pad.top, f.g.pad.left),
                cell_max(g, f.g.pad.top + f.g.in_h - 1, f.g.pad.left + f.g.in_w - 1),
                pal.input_border, 0.0f, 0, 2.0f * pal.line);
  if (on) draw_window_on(g);
  if (m_s.hover_output.valid()) draw_receptive_field(g);
}

// The window on a channel it reads: cells it skips (dilation) dimmed, taps done dotted, the
// current tap in the accent colour, the arg-max so far; the frame glides between positions.
void Canvas::draw_window_on(const Grid& g) {
  const Frame& f = m_f;
  const Palette& pal = m_pal;
  const int64_t r0 = f.w.origin_y + f.g.pad.top, c0 = f.w.origin_x + f.g.pad.left;
  const bool moving = g_motion.window.moving(m_s.time);
  if (f.g.dilation_h > 1 || f.g.dilation_w > 1) {
    const ImU32 veil = pal.veil;
    for (int64_t r = 0; r < f.g.span_h(); ++r) {
      for (int64_t c = 0; c < f.g.span_w(); ++c) {
        if (r % f.g.dilation_h != 0 || c % f.g.dilation_w != 0)
          cell_fill(m_dl, g, r0 + r, c0 + c, veil);
      }
    }
  }
  for (const TraceTap& t : f.taps) {
    if (t.ic != g.c || moving) continue;
    const bool done = f.at_result || t.index < f.tap;
    if (done) mark_done(m_dl, g, t.iy + f.g.pad.top, t.ix + f.g.pad.left, pal);
  }
  const ImVec2 d(m_win_dx * g.cell, m_win_dy * g.cell);
  const ImVec2 a = cell_min(g, r0, c0),
               b = cell_max(g, r0 + f.g.span_h() - 1, c0 + f.g.span_w() - 1);
  m_dl->AddRect(ImVec2(a.x + d.x, a.y + d.y), ImVec2(b.x + d.x, b.y + d.y), pal.frame, 0.0f, 0,
                3.0f * pal.line);
  if (const TraceTap* t = f.now(); t && t->ic == g.c) {
    const ImVec2 ta = cell_min(g, t->iy + f.g.pad.top, t->ix + f.g.pad.left);
    const ImVec2 tb = cell_max(g, t->iy + f.g.pad.top, t->ix + f.g.pad.left);
    m_dl->AddRect(ImVec2(ta.x + d.x, ta.y + d.y), ImVec2(tb.x + d.x, tb.y + d.y), pal.tap, 0.0f, 0,
                  3.5f * pal.line);
  }
  int64_t best =
      f.is_max ? (f.at_result ? f.w.argmax_tap : (f.now() ? f.now()->best_tap : -1)) : -1;
  if (best >= 0 && !moving) {
    const TraceTap& t = f.taps[static_cast<std::size_t>(best)];
    const int64_t r = t.iy + f.g.pad.top, c = t.ix + f.g.pad.left;
    cell_outline(m_dl, g, r, c, pal.argmax, 2.0f * pal.line, 3.0f * pal.line);
  }
}

// The receptive field of the hovered output cell, on the channels that feed it.
void Canvas::draw_receptive_field(const Grid& g) {
  const Frame& f = m_f;
  const CellRef& h = m_s.hover_output;
  const int64_t ob = f.g.first_output_channel(g.c), oe = ob + f.g.c_out_per_group;
  if (h.c < ob || h.c >= oe) return;
  const int64_t r0 = h.y * f.g.stride_h, c0 = h.x * f.g.stride_w;
  outline(m_dl, g, r0, c0, r0 + f.g.span_h() - 1, c0 + f.g.span_w() - 1, m_pal.hover,
          2.5f * m_pal.line);
  for (int64_t ky = 0; ky < f.g.k_h; ++ky) {
    for (int64_t kx = 0; kx < f.g.k_w; ++kx) {
      cell_outline(m_dl, g, r0 + ky * f.g.dilation_h, c0 + kx * f.g.dilation_w, m_pal.hover,
                   m_pal.line, 2.0f);
    }
  }
}

// Between a channel and its result: ⊙ and the filter slice (conv) or → and the window's values
// (pooling), then the partial-sum box; a channel of another group says where it goes instead.
void Canvas::draw_row_middle(int64_t row) {
  const Frame& f = m_f;
  const Palette& pal = m_pal;
  const float mid = row_mid(row);
  const float lh = ImGui::GetTextLineHeight();
  if (!active(row)) {
    std::string text;
    if (f.conv) {
      const int64_t ob = f.g.first_output_channel(row);
      text = "group " + std::to_string(row / f.g.c_in_per_group) + ": feeds output channel" +
             (f.g.c_out_per_group == 1
                  ? " " + std::to_string(ob)
                  : "s " + std::to_string(ob) + "–" + std::to_string(ob + f.g.c_out_per_group - 1));
    } else {
      text = std::string(f.is_max ? "max" : "mean") + " over each window of channel " +
             std::to_string(row);
    }
    wrapped(m_dl, ui_font(), ImVec2(m_o.x + m_L.x_sym, mid - lh * 0.5f), m_L.x_out - m_L.x_sym - lh,
            lh * 1.2f, pal.text_dim, text);
    if (!f.conv) {
      arrow(m_dl, ImVec2(m_o.x + m_L.x_out - m_L.sym_w, mid), ImVec2(m_o.x + m_L.x_out - 4, mid),
            pal.text_dim, m_pal.line);
    }
    return;
  }
  const ImVec2 sym(m_o.x + m_L.x_sym + m_L.sym_w * 0.5f, mid);
  if (f.conv) {
    const float r = m_L.sym_w * 0.28f;
    m_dl->AddCircle(sym, r, pal.text_dim, 0, 1.6f * pal.line);
    m_dl->AddCircleFilled(sym, r * 0.3f, pal.text_dim);
  } else {
    arrow(m_dl, ImVec2(sym.x - m_L.sym_w * 0.35f, mid), ImVec2(sym.x + m_L.sym_w * 0.35f, mid),
          pal.text_dim, pal.line);
  }
  if (const Grid* g =
          find(f.conv ? GridKind::kernel : GridKind::window, f.conv ? row - f.w.ic_begin : row)) {
    if (f.conv) {
      draw_kernel(*g);
    } else {
      draw_pool_window(*g);
    }
  }
  const float ax = m_o.x + m_L.x_k + m_L.k_w;
  arrow(m_dl, ImVec2(ax + lh * 0.3f, mid), ImVec2(m_o.x + m_L.x_box - lh * 0.3f, mid), pal.text_dim,
        pal.line);
  draw_box(row);
  if (!f.conv) {
    const float bx = m_o.x + m_L.x_box + m_L.box_w;
    arrow(m_dl, ImVec2(bx + lh * 0.3f, mid), ImVec2(m_o.x + m_L.x_out - lh * 0.3f, mid),
          pal.text_dim, pal.line);
  }
}

// Filter slice i of the current output channel, with its label, done taps and the current one.
void Canvas::draw_kernel(const Grid& g) {
  const Frame& f = m_f;
  const Palette& pal = m_pal;
  const Tensor& w = *f.view->weight();
  const int64_t i = g.c;
  label_at(m_dl, ImVec2(g.origin.x, g.origin.y - m_L.label_h), pal.text,
           fit_text(slice_name(f, f.w.oc, i), m_mono,
                    m_L.x_box - m_L.x_k - 0.3f * ImGui::GetTextLineHeight()),
           m_mono);
  const int64_t per_ch = f.g.taps_per_channel();
  for (int64_t ky = 0; ky < g.rows; ++ky) {
    for (int64_t kx = 0; kx < g.cols; ++kx) {
      const double v = w.get(nchw_index(f.w.oc, i, ky, kx, f.g.c_in_per_group, f.g.k_h, f.g.k_w));
      const ImU32 fill = value_colour(v, f.w_max);
      cell_fill(m_dl, g, ky, kx, fill);
      const int64_t k = ky * g.cols + kx;
      const bool done = !f.at_result && (i < f.cur_ch || (i == f.cur_ch && k < f.tap % per_ch));
      if (done) mark_done(m_dl, g, ky, kx, pal);
      if (m_fs.k > 0) {
        text_centred(m_dl, number_font(m_fs.k), m_fs.k, cell_min(g, ky, kx), cell_max(g, ky, kx),
                     text_colour_on(fill), fmt(v, 3));
      }
    }
  }
  grid_lines(m_dl, g, pal.grid);
  m_dl->AddRect(g.origin, cell_max(g, g.rows - 1, g.cols - 1), pal.frame, 0.0f, 0, 3.0f * pal.line);
  if (const TraceTap* t = f.now(); t && t->ic - f.w.ic_begin == i) {
    cell_outline(m_dl, g, t->ky, t->kx, pal.tap, 3.5f * pal.line);
  }
}

// Pooling: the values the window reads, in its shape; past-the-padding cells say "–", padding
// says what it counts as; values still to come are dim, the largest so far is outlined.
void Canvas::draw_pool_window(const Grid& g) {
  const Frame& f = m_f;
  const Palette& pal = m_pal;
  label_at(m_dl, ImVec2(g.origin.x, g.origin.y - m_L.label_h), pal.text,
           fit_text("window " + std::to_string(f.g.k_h) + "×" + std::to_string(f.g.k_w), m_mono,
                    m_L.x_box - m_L.x_k - 0.3f * ImGui::GetTextLineHeight()),
           m_mono);
  const float size = m_fs.k;
  for (const TraceTap& t : f.taps) {
    const bool seen = f.at_result || t.index <= f.tap;
    std::string text;
    ImU32 fill = pal.pad_fill;
    if (t.source == TapSource::outside) {
      text = "–";
    } else if (t.source == TapSource::padding) {
      text = f.is_max ? "−∞" : (t.counted ? "0" : "–");
    } else {
      fill = value_colour(t.x, f.in_max);
      text = fmt(t.x, 3);
    }
    if (!seen) fill = pal.empty_fill;
    cell_fill(m_dl, g, t.ky, t.kx, fill);
    if (size > 0) {
      text_centred(m_dl, number_font(size), size, cell_min(g, t.ky, t.kx), cell_max(g, t.ky, t.kx),
                   seen ? text_colour_on(fill) : pal.text_dim, text);
    }
  }
  grid_lines(m_dl, g, pal.grid);
  m_dl->AddRect(g.origin, cell_max(g, g.rows - 1, g.cols - 1), pal.frame, 0.0f, 0, 3.0f * pal.line);
  const int64_t best =
      f.is_max ? (f.at_result ? f.w.argmax_tap : (f.now() ? f.now()->best_tap : -1)) : -1;
  if (best >= 0) {
    const TraceTap& t = f.taps[static_cast<std::size_t>(best)];
    cell_outline(m_dl, g, t.ky, t.kx, pal.argmax, 2.0f * pal.line, 3.0f * pal.line);
  }
  if (const TraceTap* t = f.now()) cell_outline(m_dl, g, t->ky, t->kx, pal.tap, 3.5f * pal.line);
}

// The row's result box and, under it, the terms summed (or compared) so far.
void Canvas::draw_box(int64_t row) {
  const Frame& f = m_f;
  const Palette& pal = m_pal;
  const float lh = ImGui::GetTextLineHeight();
  const ImVec2 a(m_o.x + m_L.x_box, box_top(row));
  const ImVec2 b(a.x + m_L.box_w, a.y + m_L.box_h);
  std::string text, terms;
  bool now = false, pending = false;
  if (f.conv) {
    const int64_t i = row - f.w.ic_begin;
    now = !f.at_result && i == f.cur_ch;
    pending = !f.at_result && i > f.cur_ch;
    const double p = now ? f.now()->channel_running : f.w.partials[static_cast<std::size_t>(i)];
    text = "p" + std::to_string(i) + " = " + (pending ? "?" : fmt(p, 5));
    for (const ExplainLine& line : f.explain.lines) {
      if (line.kind != ExplainLine::Kind::channel_sum || line.channel != row || pending) continue;
      for (const ExplainTerm& t : line.terms) {
        if (!f.at_result && t.tap > f.tap) break;
        terms += (terms.empty() ? "" : " + ") + fmt_factor(t.x, 3) + "·" + fmt_factor(t.w, 3);
      }
      if (!now) terms += " = " + fmt(line.result, 5);
    }
  } else {
    now = !f.at_result;
    const TraceTap* t = f.now();
    if (f.is_max) {
      const bool any = f.at_result || (t && t->best_tap >= 0);
      text = "max = " + (any ? fmt(f.at_result ? f.w.value : t->running, 5) : std::string("?"));
    } else {
      text = f.at_result ? "mean = " + fmt(f.w.value, 5) : "sum = " + fmt(t->running, 5);
    }
    for (const ExplainLine& line : f.explain.lines) {
      if (line.kind != ExplainLine::Kind::reduce) continue;
      for (const ExplainTerm& term : line.terms) {
        if (!f.at_result && term.tap > f.tap) break;
        terms += (terms.empty() ? "" : f.is_max ? ", " : " + ") + fmt(term.x, 3);
      }
      terms = f.is_max
                  ? "max(" + terms + (f.at_result ? ")" : ", …")
                  : "(" + terms + (f.at_result ? ") / " + std::to_string(line.divisor) : " + …");
    }
  }
  const ImU32 border = now ? pal.tap : pal.text_dim;
  m_dl->AddRectFilled(a, b, pal.canvas_bg, 0.3f * lh);
  m_dl->AddRect(a, b, border, 0.3f * lh, 0, (now ? 2.5f : 1.2f) * pal.line);
  text_centred(m_dl, m_mono, m_mono->FontSize, a, b, pending ? pal.text_dim : pal.text, text);
  if (!terms.empty()) {
    ImFont* small = mono_small_font();
    // As many lines as the row has room for (at least two).
    const float room = row_top(row) + m_L.row_h - b.y - 0.6f * lh;
    wrapped(m_dl, small, ImVec2(a.x, b.y + 0.3f * lh), m_L.prod_w, std::max(room, 2.2f * lh),
            pal.text_dim, terms);
  }
}

// The product just taken flies from the filter (or the window) into its row's box.
void Canvas::draw_flight() {
  const Frame& f = m_f;
  const Motion& m = g_motion;
  const TraceTap* t = f.now();
  if (!t || m.product_win != f.win || m.product_tap != f.tap) return;
  const float p = m.product.progress(m_s.time);
  if (p >= 1.0f) return;
  const int64_t row = f.conv ? t->ic : f.w.oc;
  const Grid* g =
      find(f.conv ? GridKind::kernel : GridKind::window, f.conv ? t->ic - f.w.ic_begin : row);
  if (!g) return;
  const ImVec2 a = cell_min(*g, t->ky, t->kx), b = cell_max(*g, t->ky, t->kx);
  const ImVec2 from((a.x + b.x) * 0.5f, (a.y + b.y) * 0.5f);
  const ImVec2 to(m_o.x + m_L.x_box + m_L.box_w * 0.5f, box_top(row) + m_L.box_h * 0.5f);
  const float e = ease_out(p);
  const ImVec2 at(from.x + (to.x - from.x) * e, from.y + (to.y - from.y) * e);
  const std::string text = f.conv ? fmt(t->product, 4) : fmt(t->x, 4);
  const ImVec2 ts = m_mono->CalcTextSizeA(m_mono->FontSize, 1e9f, 0, text.c_str());
  const ImU32 col = m_pal.tap;
  const ImVec2 tl(at.x - ts.x * 0.5f - 3, at.y - ts.y * 0.5f - 2);
  m_dl->AddRectFilled(tl, ImVec2(tl.x + ts.x + 6, tl.y + ts.y + 4), col, 3.0f);
  m_dl->AddText(m_mono, m_mono->FontSize, ImVec2(tl.x + 3, tl.y + 2), text_colour_on(col),
                text.c_str());
}

// Conv: every partial into one Σ; the bias added on the way from Σ to the output cell.
void Canvas::draw_sigma() {
  const Frame& f = m_f;
  const Palette& pal = m_pal;
  const float lh = ImGui::GetTextLineHeight();
  const int64_t first = f.w.ic_begin, last = f.w.ic_begin + f.g.c_in_per_group - 1;
  const float rad = std::round(1.1f * lh);
  const ImVec2 c(m_o.x + m_L.x_sigma + 1.6f * lh + rad, (row_mid(first) + row_mid(last)) * 0.5f);
  for (int64_t row = first; row <= last; ++row) {
    const ImVec2 from(m_o.x + m_L.x_box + m_L.box_w + 2, box_top(row) + m_L.box_h * 0.5f);
    const float dx = c.x - from.x, dy = c.y - from.y;
    const float len = std::max(1.0f, std::sqrt(dx * dx + dy * dy));
    arrow(m_dl, from, ImVec2(c.x - dx / len * (rad + 2), c.y - dy / len * (rad + 2)), pal.text_dim,
          pal.line);
  }
  m_dl->AddCircleFilled(c, rad, pal.canvas_bg);
  m_dl->AddCircle(c, rad, f.at_result ? pal.current_out : pal.text, 0, 2.0f * pal.line);
  ImFont* bold = heading_font();
  text_centred(m_dl, bold, bold->FontSize, ImVec2(c.x - rad, c.y - rad),
               ImVec2(c.x + rad, c.y + rad), pal.text, "Σ");
  const std::string bias =
      f.w.has_bias ? "+ b[" + std::to_string(f.w.oc) + "] = " + fmt(f.w.bias, 4) : "no bias";
  ImFont* small = mono_small_font();
  // The bias in full when it fits, else "+ b" (its value is in the sum under the rows).
  const float room = m_L.x_out - (c.x - m_o.x) - rad - 0.6f * lh;
  const std::string short_bias = f.w.has_bias ? "+ b" : "";
  const bool full = small->CalcTextSizeA(small->FontSize, 1e9f, 0, bias.c_str()).x <= room;
  label_at(m_dl, ImVec2(c.x + rad + 0.3f * lh, c.y - 1.3f * small->FontSize - 2.0f), pal.text_dim,
           full ? bias : fit_text(short_bias, small, room), small);
  if (const Grid* g = find(GridKind::output, f.w.oc)) {
    const float y = (cell_min(*g, f.w.oy, 0).y + cell_max(*g, f.w.oy, 0).y) * 0.5f;
    const ImU32 col = f.at_result ? pal.current_out : pal.text_dim;
    const ImVec2 knee(m_o.x + m_L.x_sigma + m_L.sigma_w, c.y);
    m_dl->AddLine(ImVec2(c.x + rad + 2, c.y), knee, col, 1.5f * pal.line);
    arrow(m_dl, knee, ImVec2(g->origin.x - 4, y), col, 1.5f * pal.line);
  }
}

// One output map: its label, the values written so far, the cell being computed, hover marks.
void Canvas::draw_output_grid(const Grid& g, std::size_t slot) {
  const Frame& f = m_f;
  const Palette& pal = m_pal;
  const int64_t oc = g.c;
  const std::string label = output_label(f, oc, !m_L.compact);
  label_at(m_dl, ImVec2(g.origin.x, g.origin.y - m_L.label_h),
           oc == f.w.oc ? pal.text : pal.text_dim, fit_text(label, m_mono, m_L.out_w + m_L.label_h),
           m_mono);
  GridFill fills(m_dl, g, slot);
  const Motion& m = g_motion;
  for (int64_t r = 0; r < g.rows; ++r) {
    for (int64_t c = 0; c < g.cols; ++c) {
      const int64_t win = f.g.window_index(f.n, oc, r, c);
      if (!m_s.stepper.is_written(win)) {
        fills.set(r, c, pal.empty_fill);
        continue;
      }
      const double v = f.view->output_value(f.n, oc, r, c);
      ImU32 fill = value_colour(v, f.out_max);
      if (win == m.fill_win && m.fill.progress(m_s.time) < 1.0f) {
        const float a = ease_out(m.fill.progress(m_s.time));
        fill = (fill & 0x00FFFFFFu) | (static_cast<ImU32>(40 + 215 * a) << IM_COL32_A_SHIFT);
      }
      fills.set(r, c, fill);
      if (m_fs.out > 0) {
        text_centred(m_dl, number_font(m_fs.out), m_fs.out, cell_min(g, r, c), cell_max(g, r, c),
                     text_colour_on(fill | IM_COL32_A_MASK), fmt(v, 3));
      }
    }
  }
  fills.finish();
  grid_lines(m_dl, g, pal.grid);
  m_dl->AddRect(g.origin, cell_max(g, g.rows - 1, g.cols - 1), pal.input_border, 0.0f, 0, pal.line);
  if (oc == f.w.oc) {
    cell_outline(m_dl, g, f.w.oy, f.w.ox, pal.current_out, 3.5f * pal.line);
    if (!f.at_result && m_fs.out > 0) {
      text_centred(m_dl, number_font(m_fs.out), m_fs.out, cell_min(g, f.w.oy, f.w.ox),
                   cell_max(g, f.w.oy, f.w.ox), pal.text_dim, "?");
    }
  }
  if (m_s.hover_output.valid() && m_s.hover_output.c == oc) {
    cell_outline(m_dl, g, m_s.hover_output.y, m_s.hover_output.x, pal.hover, 2.5f * pal.line, 1.0f);
  }
  if (m_s.hover_input.valid()) draw_outputs_fed(g);
}

// Every output of this map that the hovered input cell feeds.
void Canvas::draw_outputs_fed(const Grid& g) {
  const Frame& f = m_f;
  const CellRef& h = m_s.hover_input;
  const int64_t ob = f.g.first_output_channel(h.c), oe = ob + f.g.c_out_per_group;
  if (g.c < ob || g.c >= oe) return;
  // The geometry's reverse mapping: the outputs whose windows span the cell, and of those the
  // ones with a tap on it (dilation skips the rest).
  const TraceView::OutputRect spans = f.view->windows_covering(h.y, h.x);
  for (int64_t r = spans.oy.begin; r < spans.oy.end; ++r) {
    if (f.g.tap_ky(r, h.y) < 0) continue;
    for (int64_t c = spans.ox.begin; c < spans.ox.end; ++c) {
      if (f.g.tap_kx(c, h.x) >= 0)
        cell_outline(m_dl, g, r, c, m_pal.hover, 2.5f * m_pal.line, 1.0f);
    }
  }
}

// Conv, under the rows: y[...] = p0 + p1 + … + b = the numbers = the value.
void Canvas::draw_sum_line() {
  const Frame& f = m_f;
  const int64_t cpg = f.g.c_in_per_group;
  std::string names, values;
  for (int64_t i = 0; i < cpg; ++i) {
    const std::string sep = i == 0 ? "" : " + ";
    names += sep + "p" + std::to_string(i);
    const bool pending = !f.at_result && i > f.cur_ch;
    const bool now = !f.at_result && i == f.cur_ch;
    values += sep + (pending ? "?" : now ? "…" : fmt(f.w.partials[static_cast<std::size_t>(i)], 4));
  }
  if (f.w.has_bias) {
    names += " + b";
    values += " + " + fmt(f.w.bias, 4);
  }
  const std::string head = "y" + at4(f, f.n, f.w.oc, f.w.oy, f.w.ox) + " = ";
  const std::string tail = f.at_result ? " = " + fmt(f.w.value, 6) : "";
  std::string line = head + names + " = " + values + tail;
  const float width = std::max(m_L.width, ImGui::GetContentRegionAvail().x);
  if (m_mono->CalcTextSizeA(m_mono->FontSize, 1e9f, 0, line.c_str()).x > width) {
    line = head + values + tail;
  }
  const float y = m_o.y + m_L.height - m_L.sum_h + 0.3f * ImGui::GetTextLineHeight();
  label_at(m_dl, ImVec2(m_o.x, y), f.at_result ? m_pal.text : m_pal.text_dim,
           fit_text(line, m_mono, width), m_mono);
}

void Canvas::input_tooltip(const Grid& g) {
  const Frame& f = m_f;
  const int64_t iy = m_hover_r + g.row0, ix = m_hover_c + g.col0;
  const bool pad = f.view->in_padding(iy, ix);
  const double v = f.view->padded_value(f.n, g.c, iy, ix);
  const auto ll = [](int64_t v_) { return static_cast<long long>(v_); };
  if (f.transposed && !pad && f.g.stuffed(iy, ix)) {
    ImGui::Text("a zero stuffed between input cells (stride %d,%d): adds nothing", f.g.up_h,
                f.g.up_w);
  } else if (f.transposed && !pad) {
    ImGui::Text("x[%lld, %lld, %lld, %lld] = %s (stuffed cell %lld, %lld)", ll(f.n), ll(g.c),
                ll(iy / f.g.up_h), ll(ix / f.g.up_w), fmt(v, 7).c_str(), ll(iy), ll(ix));
  } else if (f.transposed) {
    ImGui::Text("padding at (%lld, %lld): reads 0", ll(iy), ll(ix));
  } else if (!pad) {
    ImGui::Text("x%s = %s", at4(f, f.n, g.c, iy, ix).c_str(), fmt(v, 7).c_str());
  } else if (f.conv) {
    const PaddingMode mode = f.g.padding_mode;
    const int64_t sy = pad_source_index(iy, f.g.in_h, mode);
    const int64_t sx = pad_source_index(ix, f.g.in_w, mode);
    if (sy < 0 || sx < 0) {
      ImGui::Text("padding (zeros) at (%lld, %lld): reads 0", ll(iy), ll(ix));
    } else {
      ImGui::Text("padding (%s) at (%lld, %lld): reads x%s = %s", padding_mode_name(mode), ll(iy),
                  ll(ix), at4(f, f.n, g.c, sy, sx).c_str(), fmt(v, 7).c_str());
    }
  } else {
    ImGui::Text("padding at (%lld, %lld): %s", ll(iy), ll(ix),
                f.is_max ? "max ignores it" : "0 for the average");
  }
  ImGui::TextDisabled("outlined: every output this cell feeds");
  if (!pad) ImGui::TextDisabled("Ctrl+drag paints cells (value in the Inputs panel)");
}

void Canvas::draw_tooltip() {
  const Frame& f = m_f;
  const Grid& g = *m_hover;
  ImGui::BeginTooltip();
  ImGui::PushFont(m_mono);
  if (g.kind == GridKind::input) {
    input_tooltip(g);
  } else if (g.kind == GridKind::kernel) {
    const int64_t at =
        nchw_index(f.w.oc, g.c, m_hover_r, m_hover_c, f.g.c_in_per_group, f.g.k_h, f.g.k_w);
    const std::string name =
        f.nhwc ? "w[" + std::to_string(m_hover_r) + ", " + std::to_string(m_hover_c) + ", " +
                     std::to_string(g.c) + ", " + std::to_string(f.w.oc) + "]"
               : "w[" + std::to_string(f.w.oc) + ", " + std::to_string(g.c) + ", " +
                     std::to_string(m_hover_r) + ", " + std::to_string(m_hover_c) + "]";
    ImGui::Text("%s = %s", name.c_str(), fmt(f.view->weight()->get(at), 7).c_str());
    ImGui::TextDisabled("edit it in the kernel editor");
  } else if (g.kind == GridKind::window) {
    const TraceTap& t = f.taps[static_cast<std::size_t>(m_hover_r * f.g.k_w + m_hover_c)];
    if (t.source == TapSource::input) {
      ImGui::Text("x%s = %s", at4(f, f.n, t.ic, t.iy, t.ix).c_str(), fmt(t.x, 7).c_str());
    } else {
      ImGui::TextUnformatted(t.source == TapSource::padding ? "padding"
                                                            : "past the padding: not read");
    }
  } else {
    const std::string y = "y" + at4(f, f.n, g.c, m_hover_r, m_hover_c);
    if (m_s.stepper.is_written(f.g.window_index(f.n, g.c, m_hover_r, m_hover_c))) {
      ImGui::Text("%s = %s", y.c_str(),
                  fmt(f.view->output_value(f.n, g.c, m_hover_r, m_hover_c), 7).c_str());
    } else {
      ImGui::Text("%s not computed yet", y.c_str());
    }
    ImGui::TextDisabled("outlined: its receptive field; click to jump there");
  }
  ImGui::PopFont();
  ImGui::EndTooltip();
}

// A click on an output cell jumps there; Ctrl+drag on an input cell paints it.
void Canvas::handle_clicks(bool clicked, bool mouse_down) {
  const Grid& g = *m_hover;
  if (g.kind == GridKind::output && clicked && !ImGui::GetIO().KeyCtrl) {
    m_s.stepper.pause();
    m_s.stepper.seek_window(m_f.g.window_index(m_f.n, g.c, m_hover_r, m_hover_c), 0);
    m_s.mark_dirty(Dirty::status);
  }
  if (g.kind == GridKind::input && mouse_down && ImGui::GetIO().KeyCtrl) {
    const int64_t iy = m_hover_r + g.row0, ix = m_hover_c + g.col0;
    if (iy >= 0 && ix >= 0 && iy < m_f.g.in_h && ix < m_f.g.in_w) {
      ui::paint_cell(m_s, m_f.n, g.c, iy, ix);
    }
  }
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
           " → y " + d({g.n, g.c_out, g.out_h, g.out_w}) + "  (N×C×H×W, weight I×O×H×W)";
  }
  const std::string x =
      f.nhwc ? d({g.n, g.in_h, g.in_w, g.c_in}) : d({g.n, g.c_in, g.in_h, g.in_w});
  const std::string y =
      f.nhwc ? d({g.n, g.out_h, g.out_w, g.c_out}) : d({g.n, g.c_out, g.out_h, g.out_w});
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

// Title, legend, description, the shapes with the output-size formula beside them, the error.
bool draw_canvas_header(AppState& s, Frame& f) {
  const Palette& pal = palette();
  const bool built = build_frame(s, f);
  ImGui::PushFont(heading_font());
  std::string title = s.lesson_title.empty() ? s.lesson_name : s.lesson_title;
  ImGui::TextUnformatted(title.c_str());
  ImGui::PopFont();
  if (built) draw_legend(f.in_max > 0 ? f.in_max : 1.0, ui_scale(s));
  if (s.show_lesson_info && !s.lesson_description.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, pal.dim_v4);
    ImGui::TextWrapped("%s", s.lesson_description.c_str());
    ImGui::PopStyleColor();
  }
  if (!built) {
    ImGui::TextDisabled("No picture yet: the parameters need fixing (see Parameters).");
    if (s.error) ImGui::TextColored(pal.error_v4, "%s", s.error->message.c_str());
    return false;
  }
  // The shapes and the settings on one line when they fit, the formula right under them.
  const float room = ImGui::GetContentRegionAvail().x;
  const std::string shapes = shapes_line(f), settings = settings_words(f);
  ImGui::PushFont(mono_font());
  const float shapes_w = ImGui::CalcTextSize(shapes.c_str()).x;
  ImGui::TextUnformatted(fit_text(shapes, mono_font(), room).c_str());
  ImGui::PopFont();
  const float spacing = 1.5f * ImGui::GetFontSize();
  const bool same_line = shapes_w + spacing + ImGui::CalcTextSize(settings.c_str()).x <= room;
  if (same_line && !f.transposed) ImGui::SameLine(0.0f, spacing);
  ImGui::PushStyleColor(ImGuiCol_Text, pal.dim_v4);
  if (f.transposed) {
    ImGui::TextWrapped("%s", settings.c_str());  // the layer's settings and the gather reading
  } else {
    ImGui::TextUnformatted(
        fit_text(settings, ImGui::GetFont(), ImGui::GetContentRegionAvail().x).c_str());
  }
  ImGui::PopStyleColor();
  draw_formula(f.view->formula(), /*compact=*/true);
  if (s.error) {
    ImGui::PushStyleColor(ImGuiCol_Text, pal.error_v4);
    ImGui::TextWrapped("Not applied: %s (showing the last parameters that worked)",
                       s.error->message.c_str());
    ImGui::PopStyleColor();
  }
  ImGui::Spacing();
  return true;
}

// The widest text a partial-sum box holds, in characters.
int box_chars(const Frame& f) {
  const double m = std::max(
      {f.in_max * f.w_max * static_cast<double>(f.g.taps_per_channel()), f.out_max, f.in_max});
  return (f.conv ? 5 : 6) + (f.stats->integers ? chars_of(fmt(-m)) : 7);
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

}  // namespace

void draw_canvas(AppState& s) {
  ImGui::SetNextWindowBgAlpha(1.0f);
  if (!ImGui::Begin("Lesson", &s.show_canvas, stage_flags(s))) {
    ImGui::End();
    return;
  }
  g_clipped = &s.clipped;
  Frame f;
  if (draw_canvas_header(s, f)) {
    update_motion(s, f);
    const FlowLayout layout = layout_for(s, f);
    Canvas(s, f, layout).draw();
  }
  ImGui::End();
}

void shutdown_canvas() {
  g_textures.release();
}

}  // namespace cs::ui
