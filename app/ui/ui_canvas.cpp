// The lesson canvas (see ui_canvas.hpp). Three columns, as in CS231n's convolution demo: the
// padded input channels, the filter being applied (one KH×KW slice per input channel, plus the
// bias), and the output maps. Cell size is chosen so everything fits the window; numbers are
// written where they fit and shown in a tooltip otherwise.
#include "app/ui/ui_canvas.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "app/gpu/window_gl.hpp"
#include "app/ui/ui_edit.hpp"
#include "app/ui/ui_theme.hpp"

namespace cs::ui {
namespace {

enum class GridKind { input, kernel, output };

// One drawn grid: where it is and which tensor slice it shows.
struct Grid {
  GridKind kind = GridKind::input;
  int64_t c = 0;    // input channel, kernel slice (channel within the group) or output channel
  ImVec2 origin{};  // top-left of cell (0, 0)
  int64_t rows = 0, cols = 0;
  float cell = 0;
  int64_t row0 = 0, col0 = 0;  // coordinate of cell (0, 0): -pad for padded inputs
};

// Grids of one column group laid out top to bottom, wrapping into more columns.
struct Pack {
  int per_col = 1;
  int cols = 1;
  float w = 0, h = 0;
};

Pack pack(int count, float gw, float gh, float label_h, float gap, float avail_h) {
  Pack p;
  const float item_h = gh + label_h + gap;
  p.per_col = std::max(1, static_cast<int>((avail_h + gap) / item_h));
  p.per_col = std::min(p.per_col, std::max(1, count));
  p.cols = (count + p.per_col - 1) / p.per_col;
  p.w = p.cols * gw + (p.cols - 1) * gap;
  p.h = p.per_col * item_h - gap;
  return p;
}

ImVec2 pack_origin(const Pack& p, int i, ImVec2 top_left, float gw, float gh, float label_h,
                   float gap) {
  const int col = i / p.per_col, row = i % p.per_col;
  return ImVec2(top_left.x + col * (gw + gap), top_left.y + row * (gh + label_h + gap) + label_h);
}

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

// Everything the drawing of one frame needs, computed once from the trace view.
struct Scene {
  const TraceView* view = nullptr;
  TraceShape g;
  bool conv = true, is_max = false, nhwc = false;
  int64_t n = 0;
  int64_t c_in = 0, in_h = 0, in_w = 0;
  int64_t c_out = 0, out_h = 0, out_w = 0;
  int64_t rows_p = 0, cols_p = 0;  // the grid the windows reach (padded input, or more)
  int64_t pad_top = 0, pad_left = 0;
  int64_t k_h = 1, k_w = 1, dil_h = 1, dil_w = 1, stride_h = 1, stride_w = 1;
  int64_t cpg = 1, copg = 1;  // input / output channels per group (1 and 1 for pooling)
  int64_t taps_per_ch = 1;
  // Current window.
  int64_t win = 0, tap = 0;
  bool at_result = false;
  int64_t o = 0, oy = 0, ox = 0, origin_y = 0, origin_x = 0, ic_begin = 0;
  bool has_bias = false;
  double bias = 0;
  int64_t cur_ic = -1, cur_ky = -1, cur_kx = -1;  // current tap
  int64_t argmax_y = -1, argmax_x = -1;           // max pooling: chosen cell so far
  double in_max = 0, out_max = 0, w_max = 0;
};

// The value shown in padded cell (iy, ix) of input channel ic, and whether it is padding.
double input_value(const Scene& sc, int64_t ic, int64_t iy, int64_t ix, bool& pad) {
  pad = sc.view->in_padding(iy, ix);
  return sc.view->padded_value(sc.n, ic, iy, ix);
}

double output_value(const Scene& sc, int64_t oc, int64_t y, int64_t x) {
  return sc.view->output_value(sc.n, oc, y, x);
}

int64_t window_of(const Scene& sc, int64_t oc, int64_t y, int64_t x) {
  return sc.g.window_index(sc.n, oc, y, x);
}

// The current window's taps: where the stepper is, and (max pooling) the arg-max so far.
void scene_cursor(const TraceView& v, const TraceWindow& w, Scene& sc) {
  if (sc.at_result) {
    if (sc.is_max && w.argmax_y >= 0) {
      sc.argmax_y = w.argmax_y;
      sc.argmax_x = w.argmax_x;
    }
    return;
  }
  const TraceTap t = v.tap(sc.win, sc.tap);
  sc.cur_ic = t.ic;
  sc.cur_ky = t.ky;
  sc.cur_kx = t.kx;
  if (sc.is_max && t.best_tap >= 0) {
    const TraceTap best = t.best_tap == t.index ? t : v.tap(sc.win, t.best_tap);
    sc.argmax_y = best.iy;
    sc.argmax_x = best.ix;
  }
}

bool build_scene(const AppState& s, Scene& sc) {
  const Stepper& st = s.stepper;
  if (!s.has_trace() || st.empty()) return false;
  const TraceView& v = *s.trace;
  const TraceShape& g = v.shape();
  sc.view = &v;
  sc.g = g;
  sc.conv = v.is_conv();
  sc.is_max = v.op() == TraceOp::max_pool2d;
  sc.nhwc = v.layout() == Layout::nhwc;
  sc.win = st.window();
  sc.tap = st.tap();
  sc.at_result = st.at_result();
  sc.c_in = g.c_in;
  sc.in_h = g.in_h;
  sc.in_w = g.in_w;
  sc.c_out = g.c_out;
  sc.out_h = g.out_h;
  sc.out_w = g.out_w;
  sc.rows_p = g.grid_h;
  sc.cols_p = g.grid_w;
  sc.pad_top = g.pad.top;
  sc.pad_left = g.pad.left;
  sc.k_h = g.k_h;
  sc.k_w = g.k_w;
  sc.dil_h = g.dilation_h;
  sc.dil_w = g.dilation_w;
  sc.stride_h = g.stride_h;
  sc.stride_w = g.stride_w;
  sc.cpg = g.c_in_per_group;
  sc.copg = g.c_out_per_group;
  sc.taps_per_ch = g.taps_per_channel();
  const TraceWindow w = v.window(sc.win);
  sc.n = w.n;
  sc.o = w.oc;
  sc.oy = w.oy;
  sc.ox = w.ox;
  sc.origin_y = w.origin_y;
  sc.origin_x = w.origin_x;
  sc.ic_begin = w.ic_begin;
  sc.has_bias = w.has_bias;
  sc.bias = w.bias;
  scene_cursor(v, w, sc);
  sc.in_max = max_abs(v.input());
  sc.out_max = max_abs(v.output());
  sc.w_max = v.weight() ? max_abs(*v.weight()) : 0.0;
  return true;
}

// The output channels fed by input channel ic: its group's.
void group_outputs(const Scene& sc, int64_t ic, int64_t& oc_begin, int64_t& oc_end) {
  oc_begin = sc.g.first_output_channel(ic);
  oc_end = oc_begin + sc.copg;
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

std::string padding_words(const Scene& sc) {
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
         std::to_string(sc.in_h + pad.top + pad.bottom) + "×" +
         std::to_string(sc.in_w + pad.left + pad.right);
}

std::string shape_words(const Scene& sc, int64_t n, int64_t c, int64_t h, int64_t w) {
  if (sc.nhwc) {
    return std::to_string(n) + "×" + std::to_string(h) + "×" + std::to_string(w) + "×" +
           std::to_string(c) + " (N×H×W×C)";
  }
  return std::to_string(n) + "×" + std::to_string(c) + "×" + std::to_string(h) + "×" +
         std::to_string(w) + " (N×C×H×W)";
}

void label_at(ImDrawList* dl, ImVec2 pos, ImU32 col, const std::string& text, ImFont* font) {
  dl->AddText(font, font->FontSize, pos, col, text.c_str());
}

// `text` shortened with "…" until it fits `width` pixels in `font`.
std::string fit_text(const std::string& text, ImFont* font, float width) {
  auto w = [&](const std::string& t) {
    return font->CalcTextSizeA(font->FontSize, 1e9f, 0, t.c_str()).x;
  };
  if (w(text) <= width) return text;
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

// The label above a grid: the longest of `variants` that fits the grid's width (plus the gap),
// clipped if even the shortest does not.
void grid_label(ImDrawList* dl, const Grid& g, float label_h, float gap, ImU32 col,
                std::initializer_list<std::string> variants, ImFont* font) {
  const float room = static_cast<float>(g.cols) * g.cell + gap * 0.8f;
  const std::string* pick = nullptr;
  for (const std::string& v : variants) {
    pick = &v;
    if (font->CalcTextSizeA(font->FontSize, 1e9f, 0, v.c_str()).x <= room) break;
  }
  if (!pick) return;
  const ImVec2 a(g.origin.x, g.origin.y - label_h);
  dl->PushClipRect(a, ImVec2(a.x + room, g.origin.y), true);
  label_at(dl, a, col, *pick, font);
  dl->PopClipRect();
}

// Column headings, three lines each (their widths bound the columns).
struct Headings {
  std::string in[3], k[3], out[3];
  float in_w = 0, k_w = 0, out_w = 0;
};

// Where the three columns go and how big their cells are.
struct CanvasLayout {
  float cell = 2.0f, kcell = 2.0f;
  Pack p_in, p_k, p_out;
  float in_col_w = 0, k_col_w = 0, out_col_w = 0;
  float line_h = 0, head_h = 0, label_h = 0, gap = 0, col_gap = 0;
  ImVec2 avail{};
};

Headings column_headings(const AppState& s, const Scene& sc) {
  Headings h;
  const Tensor& in_t = sc.view->input();
  const Tensor& out_t = sc.view->output();
  h.in[0] = "Input x";
  h.in[1] = shape_words(sc, in_t.dim(0), sc.c_in, sc.in_h, sc.in_w);
  h.in[2] = padding_words(sc);
  if (sc.conv) {
    h.k[0] = "Filter w[" + std::to_string(sc.o) + "]";
    h.k[1] = std::to_string(sc.cpg) + "×" + std::to_string(sc.k_h) + "×" + std::to_string(sc.k_w) +
             " of " + shape_to_string(sc.view->weight()->shape());
    if (s.flip_kernel) h.k[2] = "flipped 180° (true conv.)";
    if (sc.dil_h > 1 || sc.dil_w > 1) {
      h.k[2] += (h.k[2].empty() ? "" : ", ") + std::string("dilation ") + std::to_string(sc.dil_h) +
                "," + std::to_string(sc.dil_w);
    }
  } else {
    h.k[0] = std::string(sc.is_max ? "Max" : "Average") + " pooling";
    h.k[1] = "window " + std::to_string(sc.k_h) + "×" + std::to_string(sc.k_w);
    h.k[2] = "stride " + std::to_string(sc.stride_h) + "," + std::to_string(sc.stride_w);
  }
  h.out[0] = "Output y";
  h.out[1] = shape_words(sc, out_t.dim(0), sc.c_out, sc.out_h, sc.out_w);
  h.out[2] = sc.at_result ? "value written" : "computing the outlined cell";
  ImFont* bold = heading_font();
  auto head_w = [&](const std::string* t) {
    return std::max({bold->CalcTextSizeA(bold->FontSize, 1e9f, 0, t[0].c_str()).x,
                     ImGui::CalcTextSize(t[1].c_str()).x, ImGui::CalcTextSize(t[2].c_str()).x});
  };
  h.in_w = head_w(h.in);
  h.out_w = head_w(h.out);
  h.k_w = head_w(h.k);
  if (!sc.conv) {
    for (const char* t : {"takes the largest value", "of each window, per channel",
                          "the \"max\" cell is the arg-max"}) {
      h.k_w = std::max(h.k_w, ImGui::CalcTextSize(t).x);
    }
  }
  return h;
}

// The largest cell size at which all three columns fit. First pass: headings fully visible;
// second: grids only (headings may be clipped); third: the width alone (the canvas scrolls
// vertically) so cells never shrink to dots.
CanvasLayout fit_layout(const AppState& s, const Scene& sc, const Headings& h) {
  CanvasLayout L;
  const float scale = ui_scale(s);
  L.line_h = ImGui::GetTextLineHeight();
  L.head_h = L.line_h * 3.3f;   // column heading: three lines
  L.label_h = L.line_h * 1.1f;  // per grid label
  L.gap = std::round(14.0f * scale);
  L.col_gap = std::round(30.0f * scale);
  L.avail = ImGui::GetContentRegionAvail();
  // NOTE: leave room for the vertical scrollbar the child shows when the grids are taller.
  L.avail.x = std::max(L.avail.x - ImGui::GetStyle().ScrollbarSize - 2.0f, 100.0f);
  L.avail.y = std::max(L.avail.y, 80.0f);
  const float body_h = L.avail.y - L.head_h;
  // Small lessons get big cells (up to 2.2× the preferred size), large ones shrink to fit.
  const float s_max = s.cell_size * 2.2f * scale;
  const int n_in = static_cast<int>(sc.c_in);
  const int n_k = sc.conv ? static_cast<int>(sc.cpg) : 0;
  const int n_out = static_cast<int>(sc.c_out);
  for (int pass = 0; pass < 3; ++pass) {
    const float hw = pass == 0 ? 1.0f : 0.0f;
    const float fit_h = pass == 2 ? 1e9f : body_h;
    for (float c = s_max; c >= 2.0f; c *= 0.94f) {
      L.cell = c;
      // Kernel cells stay readable (34 px) but at most 2.5× the input's, so they shrink too.
      L.kcell =
          std::min(s_max, std::max(c, std::min(34.0f * scale, std::max(c * 2.5f, 24.0f * scale))));
      const float pack_h = pass == 2 ? 1e9f : body_h;
      L.p_in = pack(n_in, sc.cols_p * c, sc.rows_p * c, L.label_h, L.gap, pack_h);
      L.p_out = pack(n_out, sc.out_w * c, sc.out_h * c, L.label_h, L.gap, pack_h);
      if (sc.conv) {
        L.p_k = pack(n_k, sc.k_w * L.kcell, sc.k_h * L.kcell, L.label_h, L.gap,
                     pack_h - L.line_h * 1.5f);
      }
      L.in_col_w = std::max(L.p_in.w, h.in_w * hw);
      L.k_col_w = std::max(sc.conv ? L.p_k.w : 0.0f, h.k_w * hw);
      L.out_col_w = std::max(L.p_out.w, h.out_w * hw);
      const float total_w = L.in_col_w + L.k_col_w + L.out_col_w + 2 * L.col_gap;
      const float total_h =
          std::max({L.p_in.h, L.p_out.h, sc.conv ? L.p_k.h + L.line_h * 1.5f : 0.0f});
      if (total_w <= L.avail.x && total_h <= fit_h) return L;
    }
  }
  return L;
}

// Text sizes of the numbers in each column (0: too small to write).
struct NumberSizes {
  float in = 0, out = 0, k = 0;
};

int chars_of(double m, bool integers) {
  if (!integers) return 6;
  // Characters, not bytes: the minus sign is three bytes of UTF-8.
  const std::string t = fmt(-m);
  int n = 0;
  for (unsigned char ch : t)
    n += (ch & 0xC0) != 0x80;
  return n;
}

bool all_integers(const Tensor& t) {
  for (int64_t i = 0; i < t.numel() && i < 100000; ++i) {
    const double v = t.get(i);
    if (v != std::round(v) || std::fabs(v) > 99999) return false;
  }
  return true;
}

NumberSizes number_sizes(const AppState& s, const Scene& sc, const CanvasLayout& L) {
  NumberSizes n;
  if (!s.show_values) return n;
  const float font_big = mono_big_font()->FontSize;
  n.in = number_size(L.cell, chars_of(sc.in_max, all_integers(sc.view->input())), font_big);
  n.out = number_size(L.cell, chars_of(sc.out_max, all_integers(sc.view->output())), font_big);
  if (sc.conv) {
    n.k = number_size(L.kcell, chars_of(sc.w_max, all_integers(*sc.view->weight())), font_big);
  }
  // Snap to a size the atlas holds: crisp glyphs under nearest filtering.
  auto snap = [](float size) {
    if (size <= 0) return 0.0f;
    const float native = number_font(size)->FontSize;
    return size >= native ? native : size;
  };
  n.in = snap(n.in);
  n.out = snap(n.out);
  n.k = snap(n.k);
  return n;
}

// One frame of the canvas: the state, the scene and the layout, and one method per region.
class Canvas {
 public:
  Canvas(AppState& s, const Scene& sc, const CanvasLayout& L)
      : m_s(s), m_sc(sc), m_L(L), m_pal(palette()), m_mono(mono_font()) {}

  void draw(const Headings& h);

 private:
  void place_grids();
  void track_hover(bool hovered);
  void draw_headings(const Headings& h);
  void draw_input_grid(const Grid& g, std::size_t slot);
  void draw_window_on(const Grid& g);
  void draw_receptive_field(const Grid& g);
  void draw_kernel_column();
  void draw_output_grid(const Grid& g, std::size_t slot);
  void draw_outputs_fed(const Grid& g);
  void draw_tooltip();
  void input_tooltip(const Grid& g);
  void handle_clicks(bool clicked, bool mouse_down);

  AppState& m_s;
  const Scene& m_sc;
  const CanvasLayout& m_L;
  const Palette& m_pal;
  ImFont* m_mono;
  ImDrawList* m_dl = nullptr;
  ImVec2 m_top{}, m_in_tl{}, m_k_tl{}, m_out_tl{};
  std::vector<Grid> m_grids;
  NumberSizes m_fs;
  const Grid* m_hover = nullptr;  // grid under the mouse and its cell
  int64_t m_hover_r = -1, m_hover_c = -1;
};

void Canvas::draw(const Headings& h) {
  const CanvasLayout& L = m_L;
  ImGui::BeginChild("##canvas_area", ImVec2(0, L.avail.y), false,
                    ImGuiWindowFlags_HorizontalScrollbar);
  m_dl = ImGui::GetWindowDrawList();
  m_top = ImGui::GetCursorScreenPos();
  m_in_tl = ImVec2(m_top.x, m_top.y + L.head_h);
  m_k_tl = ImVec2(m_top.x + L.in_col_w + L.col_gap, m_top.y + L.head_h);
  m_out_tl = ImVec2(m_k_tl.x + L.k_col_w + L.col_gap, m_top.y + L.head_h);
  const float total_w = m_out_tl.x + L.out_col_w - m_top.x;
  const float total_h = L.head_h + std::max({L.p_in.h, L.p_out.h, L.p_k.h + L.line_h * 1.5f});
  ImGui::InvisibleButton("##canvas_hit", ImVec2(std::max(total_w, 1.0f), std::max(total_h, 1.0f)));
  const bool hovered = ImGui::IsItemHovered();
  const bool clicked = ImGui::IsItemClicked(ImGuiMouseButton_Left);
  const bool mouse_down = ImGui::IsItemActive() && ImGui::IsMouseDown(ImGuiMouseButton_Left);
  // NOTE: no background rectangle of its own: the window's is enough, and on llvmpipe every
  // covered pixel costs.
  place_grids();
  track_hover(hovered);
  m_fs = number_sizes(m_s, m_sc, L);
  draw_headings(h);
  for (std::size_t gi = 0; gi < m_grids.size(); ++gi) {
    if (m_grids[gi].kind == GridKind::input) draw_input_grid(m_grids[gi], gi);
  }
  draw_kernel_column();
  for (std::size_t gi = 0; gi < m_grids.size(); ++gi) {
    if (m_grids[gi].kind == GridKind::output) draw_output_grid(m_grids[gi], gi);
  }
  if (m_hover && m_hover->kind == GridKind::input) {
    cell_outline(m_dl, *m_hover, m_hover_r, m_hover_c, m_pal.hover, 2.5f * m_pal.line);
  }
  if (m_hover) {
    draw_tooltip();
    handle_clicks(clicked, mouse_down);
  }
  ImGui::EndChild();
}

void Canvas::place_grids() {
  const Scene& sc = m_sc;
  const CanvasLayout& L = m_L;
  for (int i = 0; i < static_cast<int>(sc.c_in); ++i) {
    const ImVec2 o =
        pack_origin(L.p_in, i, m_in_tl, sc.cols_p * L.cell, sc.rows_p * L.cell, L.label_h, L.gap);
    m_grids.push_back(
        {GridKind::input, i, o, sc.rows_p, sc.cols_p, L.cell, -sc.pad_top, -sc.pad_left});
  }
  const int n_k = sc.conv ? static_cast<int>(sc.cpg) : 0;
  for (int i = 0; i < n_k; ++i) {
    const ImVec2 o =
        pack_origin(L.p_k, i, m_k_tl, sc.k_w * L.kcell, sc.k_h * L.kcell, L.label_h, L.gap);
    m_grids.push_back({GridKind::kernel, i, o, sc.k_h, sc.k_w, L.kcell, 0, 0});
  }
  for (int i = 0; i < static_cast<int>(sc.c_out); ++i) {
    const ImVec2 o =
        pack_origin(L.p_out, i, m_out_tl, sc.out_w * L.cell, sc.out_h * L.cell, L.label_h, L.gap);
    m_grids.push_back({GridKind::output, i, o, sc.out_h, sc.out_w, L.cell, 0, 0});
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
    s.hover_output = {m_sc.n, m_hover->c, m_hover_r, m_hover_c};
  } else if (m_hover && m_hover->kind == GridKind::input) {
    s.hover_input = {m_sc.n, m_hover->c, m_hover_r + m_hover->row0, m_hover_c + m_hover->col0};
  }
  if (old_hover.c != s.hover_output.c || old_hover.y != s.hover_output.y ||
      old_hover.x != s.hover_output.x) {
    s.mark_dirty(Dirty::status);
  }
  s.probe_out_x = s.probe_out_y = -1;
  s.probe_out_cell = 0;
  for (const Grid& g : m_grids) {
    if (g.kind == GridKind::output && g.c == 0) {
      const ImVec2 vp = ImGui::GetMainViewport()->Pos;
      s.probe_out_x = g.origin.x - vp.x;
      s.probe_out_y = g.origin.y - vp.y;
      s.probe_out_cell = g.cell;
    }
  }
}

void Canvas::draw_headings(const Headings& h) {
  const CanvasLayout& L = m_L;
  ImFont* bold = heading_font();
  const ImVec2 tls[3] = {m_top, ImVec2(m_k_tl.x, m_top.y), ImVec2(m_out_tl.x, m_top.y)};
  const float widths[3] = {L.in_col_w + L.col_gap * 0.8f, L.k_col_w + L.col_gap * 0.8f,
                           L.out_col_w};
  const std::string* heads[3] = {h.in, h.k, h.out};
  for (int i = 0; i < 3; ++i) {
    m_dl->PushClipRect(tls[i], ImVec2(tls[i].x + widths[i], tls[i].y + L.head_h), true);
    label_at(m_dl, tls[i], m_pal.accent, fit_text(heads[i][0], bold, widths[i]), bold);
    label_at(m_dl, ImVec2(tls[i].x, tls[i].y + L.line_h * 1.1f), m_pal.text,
             fit_text(heads[i][1], ImGui::GetFont(), widths[i]), ImGui::GetFont());
    label_at(m_dl, ImVec2(tls[i].x, tls[i].y + L.line_h * 2.2f), m_pal.text_dim,
             fit_text(heads[i][2], ImGui::GetFont(), widths[i]), ImGui::GetFont());
    m_dl->PopClipRect();
  }
}

// One input channel with its padding ring, the window on it and the hovered receptive field.
void Canvas::draw_input_grid(const Grid& g, std::size_t slot) {
  const Scene& sc = m_sc;
  const Palette& pal = m_pal;
  const int64_t ic = g.c;
  GridFill fills(m_dl, g, slot);
  grid_label(m_dl, g, m_L.label_h, m_L.gap, pal.text,
             {"channel " + std::to_string(ic), "ch " + std::to_string(ic), std::to_string(ic)},
             m_mono);
  for (int64_t r = 0; r < g.rows; ++r) {
    for (int64_t c = 0; c < g.cols; ++c) {
      bool pad = false;
      const double v = input_value(sc, ic, r + g.row0, c + g.col0, pad);
      ImU32 fill;
      if (pad) {
        const bool zeros_like = !sc.conv || sc.g.padding_mode == PaddingMode::zeros;
        fill = zeros_like ? pal.pad_fill : value_colour(v, sc.in_max, true);
      } else {
        fill = value_colour(v, sc.in_max);
      }
      fills.set(r, c, fill);
      if (m_fs.in > 0) {
        const std::string text = pad && !sc.conv ? (sc.is_max ? "−∞" : "0") : fmt(v, 3);
        text_centred(m_dl, number_font(m_fs.in), m_fs.in, cell_min(g, r, c), cell_max(g, r, c),
                     pad ? pal.pad_text : text_colour_on(fill), text);
      }
    }
  }
  fills.finish();
  grid_lines(m_dl, g, pal.grid);
  // The unpadded input's border.
  m_dl->AddRect(cell_min(g, sc.pad_top, sc.pad_left),
                cell_max(g, sc.pad_top + sc.in_h - 1, sc.pad_left + sc.in_w - 1), pal.input_border,
                0.0f, 0, 2.0f * pal.line);
  const bool reads = sc.conv ? (ic >= sc.ic_begin && ic < sc.ic_begin + sc.cpg) : ic == sc.o;
  if (reads) draw_window_on(g);
  if (m_s.hover_output.valid()) draw_receptive_field(g);
}

// The kernel's window on a channel it reads: taps done, the current tap, the arg-max so far.
void Canvas::draw_window_on(const Grid& g) {
  const Scene& sc = m_sc;
  const Palette& pal = m_pal;
  const int64_t ic = g.c;
  const int64_t r0 = sc.origin_y + sc.pad_top, c0 = sc.origin_x + sc.pad_left;
  const int64_t ch_in_group = ic - sc.ic_begin;
  const int64_t cur_ch = sc.at_result ? sc.cpg : (sc.conv ? sc.cur_ic - sc.ic_begin : 0);
  for (int64_t ky = 0; ky < sc.k_h; ++ky) {
    for (int64_t kx = 0; kx < sc.k_w; ++kx) {
      const int64_t r = r0 + ky * sc.dil_h, c = c0 + kx * sc.dil_w;
      const int64_t k = ky * sc.k_w + kx;
      const bool done = ch_in_group < cur_ch ||
                        (ch_in_group == cur_ch && !sc.at_result && k < sc.tap % sc.taps_per_ch);
      if (done) mark_done(m_dl, g, r, c, pal);
      if (sc.dil_h > 1 || sc.dil_w > 1) cell_outline(m_dl, g, r, c, pal.frame, pal.line, 2.0f);
    }
  }
  outline(m_dl, g, r0, c0, r0 + sc.g.span_h() - 1, c0 + sc.g.span_w() - 1, pal.frame,
          3.0f * pal.line);
  if (!sc.at_result && ic == sc.cur_ic) {
    cell_outline(m_dl, g, r0 + sc.cur_ky * sc.dil_h, c0 + sc.cur_kx * sc.dil_w, pal.tap,
                 3.5f * pal.line);
  }
  if (!sc.conv && sc.argmax_y >= 0) {
    const int64_t r = sc.argmax_y + sc.pad_top, c = sc.argmax_x + sc.pad_left;
    cell_outline(m_dl, g, r, c, pal.argmax, 2.0f * pal.line, 3.0f * pal.line);
    if (m_L.cell >= 16.0f) {
      m_dl->AddText(m_mono, std::min(m_mono->FontSize, m_L.cell * 0.32f),
                    ImVec2(cell_min(g, r, c).x + 2, cell_min(g, r, c).y + 1), pal.argmax, "max");
    }
  }
}

// The receptive field of the hovered output cell, on the channels that feed it.
void Canvas::draw_receptive_field(const Grid& g) {
  const Scene& sc = m_sc;
  const CellRef& h = m_s.hover_output;
  int64_t ob = 0, oe = 0;
  group_outputs(sc, g.c, ob, oe);
  if (h.c < ob || h.c >= oe) return;
  const int64_t r0 = h.y * sc.stride_h, c0 = h.x * sc.stride_w;
  outline(m_dl, g, r0, c0, r0 + sc.g.span_h() - 1, c0 + sc.g.span_w() - 1, m_pal.hover,
          2.5f * m_pal.line);
  for (int64_t ky = 0; ky < sc.k_h; ++ky) {
    for (int64_t kx = 0; kx < sc.k_w; ++kx) {
      cell_outline(m_dl, g, r0 + ky * sc.dil_h, c0 + kx * sc.dil_w, m_pal.hover, m_pal.line, 2.0f);
    }
  }
}

// The middle column: the filter's slices and the bias (conv), or what the pooling does.
void Canvas::draw_kernel_column() {
  const Scene& sc = m_sc;
  const Palette& pal = m_pal;
  const float line_h = m_L.line_h;
  if (!sc.conv) {
    const std::string l1 = sc.is_max ? "takes the largest value" : "takes the mean";
    label_at(m_dl, m_k_tl, pal.text, l1, ImGui::GetFont());
    label_at(m_dl, ImVec2(m_k_tl.x, m_k_tl.y + line_h * 1.2f), pal.text,
             "of each window, per channel", ImGui::GetFont());
    if (sc.is_max) {
      label_at(m_dl, ImVec2(m_k_tl.x, m_k_tl.y + line_h * 2.6f), pal.text_dim,
               "the \"max\" cell is the arg-max", ImGui::GetFont());
    }
    return;
  }
  const Tensor& w = *sc.view->weight();
  float bottom = m_k_tl.y;
  const int64_t cur_ch = sc.at_result ? sc.cpg : sc.cur_ic - sc.ic_begin;
  for (const Grid& g : m_grids) {
    if (g.kind != GridKind::kernel) continue;
    const int64_t i = g.c;
    const std::string wi = "w[" + std::to_string(sc.o) + ", " + std::to_string(i) + "]";
    grid_label(m_dl, g, m_L.label_h, m_L.gap, pal.text,
               {wi + " × ch " + std::to_string(sc.ic_begin + i), wi, std::to_string(i)}, m_mono);
    for (int64_t ky = 0; ky < sc.k_h; ++ky) {
      for (int64_t kx = 0; kx < sc.k_w; ++kx) {
        const double v = w.get(((sc.o * sc.cpg + i) * sc.k_h + ky) * sc.k_w + kx);
        const ImU32 fill = value_colour(v, sc.w_max);
        cell_fill(m_dl, g, ky, kx, fill);
        const int64_t k = ky * sc.k_w + kx;
        const bool done = i < cur_ch || (i == cur_ch && k < sc.tap % sc.taps_per_ch);
        if (done && !sc.at_result) mark_done(m_dl, g, ky, kx, pal);
        if (m_fs.k > 0) {
          text_centred(m_dl, number_font(m_fs.k), m_fs.k, cell_min(g, ky, kx), cell_max(g, ky, kx),
                       text_colour_on(fill), fmt(v, 3));
        }
      }
    }
    grid_lines(m_dl, g, pal.grid);
    m_dl->AddRect(g.origin, cell_max(g, g.rows - 1, g.cols - 1), pal.frame, 0.0f, 0,
                  3.0f * pal.line);
    if (!sc.at_result && sc.cur_ic - sc.ic_begin == i) {
      cell_outline(m_dl, g, sc.cur_ky, sc.cur_kx, pal.tap, 3.5f * pal.line);
    }
    bottom = std::max(bottom, cell_max(g, g.rows - 1, g.cols - 1).y);
  }
  const std::string bias =
      sc.has_bias ? "+ bias b[" + std::to_string(sc.o) + "] = " + fmt(sc.bias, 4) : "no bias";
  label_at(m_dl, ImVec2(m_k_tl.x, bottom + line_h * 0.4f), pal.text, bias, m_mono);
}

// One output channel: the values written so far, the cell being computed, hover marks.
void Canvas::draw_output_grid(const Grid& g, std::size_t slot) {
  const Scene& sc = m_sc;
  const Palette& pal = m_pal;
  GridFill fills(m_dl, g, slot);
  const int64_t oc = g.c;
  grid_label(m_dl, g, m_L.label_h, m_L.gap, pal.text,
             {"channel " + std::to_string(oc), "ch " + std::to_string(oc), std::to_string(oc)},
             m_mono);
  for (int64_t r = 0; r < g.rows; ++r) {
    for (int64_t c = 0; c < g.cols; ++c) {
      if (!m_s.stepper.is_written(window_of(sc, oc, r, c))) {
        fills.set(r, c, pal.empty_fill);
        continue;
      }
      const double v = output_value(sc, oc, r, c);
      const ImU32 fill = value_colour(v, sc.out_max);
      fills.set(r, c, fill);
      if (m_fs.out > 0) {
        text_centred(m_dl, number_font(m_fs.out), m_fs.out, cell_min(g, r, c), cell_max(g, r, c),
                     text_colour_on(fill), fmt(v, 3));
      }
    }
  }
  fills.finish();
  grid_lines(m_dl, g, pal.grid);
  m_dl->AddRect(g.origin, cell_max(g, g.rows - 1, g.cols - 1), pal.input_border, 0.0f, 0, pal.line);
  if (oc == sc.o) {
    cell_outline(m_dl, g, sc.oy, sc.ox, pal.current_out, 3.5f * pal.line);
    if (!sc.at_result && m_fs.out > 0) {
      text_centred(m_dl, number_font(m_fs.out), m_fs.out, cell_min(g, sc.oy, sc.ox),
                   cell_max(g, sc.oy, sc.ox), pal.text_dim, "?");
    }
  }
  if (m_s.hover_output.valid() && m_s.hover_output.c == oc) {
    cell_outline(m_dl, g, m_s.hover_output.y, m_s.hover_output.x, pal.hover, 2.5f * pal.line, 1.0f);
  }
  if (m_s.hover_input.valid()) draw_outputs_fed(g);
}

// Every output of this channel that the hovered input cell feeds.
void Canvas::draw_outputs_fed(const Grid& g) {
  const Scene& sc = m_sc;
  const CellRef& h = m_s.hover_input;
  int64_t ob = 0, oe = 0;
  group_outputs(sc, h.c, ob, oe);
  if (g.c < ob || g.c >= oe) return;
  const int64_t py = h.y + sc.pad_top, px = h.x + sc.pad_left;
  for (int64_t r = 0; r < g.rows; ++r) {
    const int64_t dy = py - r * sc.stride_h;
    if (dy < 0 || dy % sc.dil_h != 0 || dy / sc.dil_h >= sc.k_h) continue;
    for (int64_t c = 0; c < g.cols; ++c) {
      const int64_t dx = px - c * sc.stride_w;
      if (dx < 0 || dx % sc.dil_w != 0 || dx / sc.dil_w >= sc.k_w) continue;
      cell_outline(m_dl, g, r, c, m_pal.hover, 2.5f * m_pal.line, 1.0f);
    }
  }
}

void Canvas::input_tooltip(const Grid& g) {
  const Scene& sc = m_sc;
  const int64_t iy = m_hover_r + g.row0, ix = m_hover_c + g.col0;
  bool pad = false;
  const double v = input_value(sc, g.c, iy, ix, pad);
  const auto ll = [](int64_t v_) { return static_cast<long long>(v_); };
  if (!pad) {
    ImGui::Text("x[%lld, %lld, %lld, %lld] = %s", ll(sc.n), ll(g.c), ll(iy), ll(ix),
                fmt(v, 7).c_str());
  } else if (sc.conv) {
    const PaddingMode mode = sc.g.padding_mode;
    const int64_t sy = pad_source_index(iy, sc.in_h, mode);
    const int64_t sx = pad_source_index(ix, sc.in_w, mode);
    if (sy < 0 || sx < 0) {
      ImGui::Text("padding (zeros) at (%lld, %lld): reads 0", ll(iy), ll(ix));
    } else {
      ImGui::Text("padding (%s) at (%lld, %lld): reads x[%lld, %lld, %lld, %lld] = %s",
                  padding_mode_name(mode), ll(iy), ll(ix), ll(sc.n), ll(g.c), ll(sy), ll(sx),
                  fmt(v, 7).c_str());
    }
  } else {
    ImGui::Text("padding at (%lld, %lld): %s", ll(iy), ll(ix),
                sc.is_max ? "max ignores it" : "0 for the average");
  }
  ImGui::TextDisabled("outlined: every output this cell feeds");
  if (!pad) ImGui::TextDisabled("Ctrl+drag paints cells (value in the Inputs panel)");
}

void Canvas::draw_tooltip() {
  const Scene& sc = m_sc;
  const Grid& g = *m_hover;
  const auto ll = [](int64_t v_) { return static_cast<long long>(v_); };
  ImGui::BeginTooltip();
  ImGui::PushFont(m_mono);
  if (g.kind == GridKind::input) {
    input_tooltip(g);
  } else if (g.kind == GridKind::kernel) {
    const double v =
        sc.view->weight()->get(((sc.o * sc.cpg + g.c) * sc.k_h + m_hover_r) * sc.k_w + m_hover_c);
    ImGui::Text("w[%lld, %lld, %lld, %lld] = %s", ll(sc.o), ll(g.c), ll(m_hover_r), ll(m_hover_c),
                fmt(v, 7).c_str());
    ImGui::TextDisabled("edit it in the kernel editor");
  } else {
    if (m_s.stepper.is_written(window_of(sc, g.c, m_hover_r, m_hover_c))) {
      ImGui::Text("y[%lld, %lld, %lld, %lld] = %s", ll(sc.n), ll(g.c), ll(m_hover_r), ll(m_hover_c),
                  fmt(output_value(sc, g.c, m_hover_r, m_hover_c), 7).c_str());
    } else {
      ImGui::Text("y[%lld, %lld, %lld, %lld] not computed yet", ll(sc.n), ll(g.c), ll(m_hover_r),
                  ll(m_hover_c));
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
    m_s.stepper.seek_window(window_of(m_sc, g.c, m_hover_r, m_hover_c), 0);
    m_s.mark_dirty(Dirty::status);
  }
  if (g.kind == GridKind::input && mouse_down && ImGui::GetIO().KeyCtrl) {
    const int64_t iy = m_hover_r + g.row0, ix = m_hover_c + g.col0;
    if (iy >= 0 && ix >= 0 && iy < m_sc.in_h && ix < m_sc.in_w) {
      ui::paint_cell(m_s, m_sc.n, g.c, iy, ix);
    }
  }
}

// Title, legend, description, formula and the error; false when there is no trace to draw.
bool draw_canvas_header(AppState& s, Scene& sc) {
  const Palette& pal = palette();
  const bool built = build_scene(s, sc);
  ImGui::PushFont(heading_font());
  ImGui::TextUnformatted(s.lesson_title.empty() ? s.lesson_name.c_str() : s.lesson_title.c_str());
  ImGui::PopFont();
  if (built) draw_legend(sc.in_max > 0 ? sc.in_max : 1.0, ui_scale(s));
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
  draw_formula(sc.view->formula(), /*compact=*/true);
  if (s.error) {
    ImGui::PushStyleColor(ImGuiCol_Text, pal.error_v4);
    ImGui::TextWrapped("Not applied: %s (showing the last parameters that worked)",
                       s.error->message.c_str());
    ImGui::PopStyleColor();
  }
  return true;
}

}  // namespace

void draw_canvas(AppState& s) {
  ImGui::SetNextWindowBgAlpha(1.0f);
  if (!ImGui::Begin("Lesson", &s.show_canvas)) {
    ImGui::End();
    return;
  }
  Scene sc;
  if (draw_canvas_header(s, sc)) {
    const Headings headings = column_headings(s, sc);
    const CanvasLayout layout = fit_layout(s, sc, headings);
    Canvas(s, sc, layout).draw(headings);
  }
  ImGui::End();
}

void shutdown_canvas() {
  g_textures.release();
}

}  // namespace cs::ui
