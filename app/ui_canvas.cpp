// The lesson canvas (see ui_canvas.hpp). Three columns, as in CS231n's convolution demo: the
// padded input channels, the filter being applied (one KH×KW slice per input channel, plus the
// bias), and the output maps. Cell size is chosen so everything fits the window; numbers are
// written where they fit and shown in a tooltip otherwise.
#include "app/ui_canvas.hpp"

#include <epoxy/gl.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "app/ui_edit.hpp"
#include "app/ui_theme.hpp"

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

// NOTE: the one GL use outside app/gpu/: grids whose cells are too small for numbers (a 64×64
// lesson) are drawn as one texture each (nearest filtering: a cell is a block of pixels)
// instead of thousands of rectangles, because llvmpipe pays for every tiny triangle.
struct GridTexture {
  GLuint tex = 0;
  int w = 0, h = 0;
};
std::vector<GridTexture> g_textures;

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
    if (g_textures.size() <= m_slot) g_textures.resize(m_slot + 1);
    GridTexture& t = g_textures[m_slot];
    GLint bound = 0;
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &bound);
    if (t.tex == 0) {
      glGenTextures(1, &t.tex);
      glBindTexture(GL_TEXTURE_2D, t.tex);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    }
    glBindTexture(GL_TEXTURE_2D, t.tex);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    const int w = static_cast<int>(m_g.cols), h = static_cast<int>(m_g.rows);
    if (t.w != w || t.h != h) {
      glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, m_px.data());
      t.w = w;
      t.h = h;
    } else {
      glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, m_px.data());
    }
    glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(bound));
    m_dl->AddImage(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(t.tex)), m_g.origin,
                   cell_max(m_g, m_g.rows - 1, m_g.cols - 1));
  }

 private:
  ImDrawList* m_dl;
  const Grid& m_g;
  std::size_t m_slot;
  bool m_texture;
  std::vector<ImU32> m_px;
};

// Everything the drawing of one frame needs, computed once.
struct Scene {
  bool conv = true;
  int64_t n = 0;
  int64_t c_in = 0, in_h = 0, in_w = 0;
  int64_t c_out = 0, out_h = 0, out_w = 0;
  int64_t rows_p = 0, cols_p = 0;  // padded grid
  int64_t pad_top = 0, pad_left = 0;
  int64_t k_h = 1, k_w = 1, dil_h = 1, dil_w = 1, stride_h = 1, stride_w = 1;
  int64_t cpg = 1, copg = 1;  // conv: input channels per group, output channels per group
  int64_t taps_per_ch = 1;
  // Current window.
  int64_t win = 0, tap = 0;
  bool at_result = false;
  int64_t o = 0, oy = 0, ox = 0, origin_y = 0, origin_x = 0, ic_begin = 0;
  int64_t cur_ic = -1, cur_ky = -1, cur_kx = -1;  // current tap (conv) / cur_ky, cur_kx (pool)
  int64_t argmax_y = -1, argmax_x = -1;           // pool: chosen cell so far
  double in_max = 0, out_max = 0, w_max = 0;
};

// The value shown in padded cell (py, px) of input channel ic, and whether it is padding.
double input_value(const AppState& s, const Scene& sc, int64_t ic, int64_t iy, int64_t ix,
                   bool& pad) {
  pad = iy < 0 || ix < 0 || iy >= sc.in_h || ix >= sc.in_w;
  if (sc.conv) return s.conv_trace->padded_value(sc.n, ic, iy, ix);
  if (pad) return 0.0;
  const Tensor& in = s.pool_trace->input();
  return in.get(((sc.n * sc.c_in + ic) * sc.in_h + iy) * sc.in_w + ix);
}

double output_value(const AppState& s, const Scene& sc, int64_t oc, int64_t y, int64_t x) {
  const Tensor& out = sc.conv ? s.conv_trace->output() : s.pool_trace->output();
  return out.get(((sc.n * sc.c_out + oc) * sc.out_h + y) * sc.out_w + x);
}

int64_t window_of(const Scene& sc, int64_t oc, int64_t y, int64_t x) {
  return ((sc.n * sc.c_out + oc) * sc.out_h + y) * sc.out_w + x;
}

bool build_scene(const AppState& s, Scene& sc) {
  const Stepper& st = s.stepper;
  if (!s.has_trace() || st.empty()) return false;
  sc.conv = s.trace_op == LessonOp::conv;
  sc.win = st.window();
  sc.tap = st.tap();
  sc.at_result = st.at_result();
  if (sc.conv) {
    const ConvTrace& tr = *s.conv_trace;
    const ConvGeometry& g = tr.geometry();
    sc.c_in = g.c_in;
    sc.in_h = g.in_h;
    sc.in_w = g.in_w;
    sc.c_out = g.c_out;
    sc.out_h = g.out_h;
    sc.out_w = g.out_w;
    sc.rows_p = g.padded_h();
    sc.cols_p = g.padded_w();
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
    const Window w = tr.window(sc.win);
    sc.n = w.n;
    sc.o = w.o;
    sc.oy = w.y;
    sc.ox = w.x;
    sc.origin_y = w.origin_y;
    sc.origin_x = w.origin_x;
    sc.ic_begin = w.ic_begin;
    if (!sc.at_result) {
      const Tap t = tr.tap(sc.win, sc.tap);
      sc.cur_ic = t.ic;
      sc.cur_ky = t.ky;
      sc.cur_kx = t.kx;
    }
    sc.in_max = max_abs(tr.input());
    sc.out_max = max_abs(tr.output());
    sc.w_max = max_abs(tr.weight());
  } else {
    const PoolTrace& tr = *s.pool_trace;
    const PoolGeometry& g = tr.geometry();
    sc.c_in = sc.c_out = g.c;
    sc.in_h = g.in_h;
    sc.in_w = g.in_w;
    sc.out_h = g.out_h;
    sc.out_w = g.out_w;
    sc.pad_top = g.pad.top;
    sc.pad_left = g.pad.left;
    sc.k_h = g.k_h;
    sc.k_w = g.k_w;
    sc.dil_h = g.dilation_h;
    sc.dil_w = g.dilation_w;
    sc.stride_h = g.stride_h;
    sc.stride_w = g.stride_w;
    // NOTE: with ceil_mode the last window may reach past the bottom/right padding.
    sc.rows_p = std::max<int64_t>(g.in_h + 2 * g.pad.top,
                                  (g.out_h - 1) * g.stride_h + (g.k_h - 1) * g.dilation_h + 1);
    sc.cols_p = std::max<int64_t>(g.in_w + 2 * g.pad.left,
                                  (g.out_w - 1) * g.stride_w + (g.k_w - 1) * g.dilation_w + 1);
    sc.cpg = 1;
    sc.copg = 1;
    sc.taps_per_ch = static_cast<int64_t>(g.k_h) * g.k_w;
    const PoolWindow w = tr.window(sc.win);
    sc.n = w.n;
    sc.o = w.c;
    sc.oy = w.y;
    sc.ox = w.x;
    sc.origin_y = w.origin_y;
    sc.origin_x = w.origin_x;
    sc.ic_begin = w.c;
    if (!sc.at_result) {
      sc.cur_ic = w.c;
      sc.cur_ky = sc.tap / g.k_w;
      sc.cur_kx = sc.tap % g.k_w;
    }
    // The chosen cell so far (max), as the arithmetic panel explains it.
    if (g.op == PoolOp::max) {
      const int64_t upto = sc.at_result ? static_cast<int64_t>(w.taps.size()) - 1 : sc.tap;
      bool have = false;
      double best = 0;
      for (int64_t k = 0; k <= upto && k < static_cast<int64_t>(w.taps.size()); ++k) {
        const PoolTap& t = w.taps[static_cast<std::size_t>(k)];
        if (t.in_padding) continue;
        if (!have || t.x > best) {
          best = t.x;
          sc.argmax_y = t.iy;
          sc.argmax_x = t.ix;
          have = true;
        }
      }
      if (sc.at_result && w.argmax_y >= 0) {
        sc.argmax_y = w.argmax_y;
        sc.argmax_x = w.argmax_x;
      }
    }
    sc.in_max = max_abs(tr.input());
    sc.out_max = max_abs(tr.output());
  }
  return true;
}

// The output channels fed by input channel ic: its group's.
void group_outputs(const Scene& sc, int64_t ic, int64_t& oc_begin, int64_t& oc_end) {
  if (!sc.conv) {
    oc_begin = ic;
    oc_end = ic + 1;
    return;
  }
  const int64_t grp = ic / std::max<int64_t>(1, sc.cpg);
  oc_begin = grp * sc.copg;
  oc_end = oc_begin + sc.copg;
}

std::string padding_words(const AppState& s, const Scene& sc) {
  if (sc.conv) {
    const ConvGeometry& g = s.conv_trace->geometry();
    if (g.pad.top == 0 && g.pad.bottom == 0 && g.pad.left == 0 && g.pad.right == 0) {
      return "no padding";
    }
    std::string p =
        g.pad.top == g.pad.bottom && g.pad.left == g.pad.right && g.pad.top == g.pad.left
            ? std::to_string(g.pad.top)
            : "top " + std::to_string(g.pad.top) + " bottom " + std::to_string(g.pad.bottom) +
                  " left " + std::to_string(g.pad.left) + " right " + std::to_string(g.pad.right);
    const char* how = "";
    switch (g.padding_mode) {
      case PaddingMode::zeros:
        how = "zeros: reads 0";
        break;
      case PaddingMode::reflect:
        how = "reflect: mirrors, edge not repeated";
        break;
      case PaddingMode::replicate:
        how = "replicate: repeats the edge";
        break;
      case PaddingMode::circular:
        how = "circular: wraps around";
        break;
    }
    return "padding " + p + " (" + how + ") → " + std::to_string(g.padded_h()) + "×" +
           std::to_string(g.padded_w());
  }
  const PoolGeometry& g = s.pool_trace->geometry();
  if (g.pad.top == 0 && g.pad.left == 0) return "no padding";
  return "padding " + std::to_string(g.pad.top) + ", " + std::to_string(g.pad.left) +
         (g.op == PoolOp::max ? " (ignored by max)"
                              : (g.count_include_pad ? " (counts as 0)" : " (not counted)"));
}

std::string shape_words(const AppState& s, int64_t n, int64_t c, int64_t h, int64_t w) {
  const bool nhwc = (s.trace_op == LessonOp::conv ? s.conv.layout : s.pool.layout) == Layout::nhwc;
  if (nhwc) {
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

}  // namespace

void draw_canvas(AppState& s) {
  ImGui::SetNextWindowBgAlpha(1.0f);
  if (!ImGui::Begin("Lesson", &s.show_canvas)) {
    ImGui::End();
    return;
  }
  const Palette& pal = palette();
  // Title, description, formula.
  Scene sc;
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
    ImGui::End();
    return;
  }
  draw_formula(
      sc.conv ? conv2d_formula(s.conv_trace->geometry()) : pool2d_formula(s.pool_trace->geometry()),
      /*compact=*/true);
  if (s.error) {
    ImGui::PushStyleColor(ImGuiCol_Text, pal.error_v4);
    ImGui::TextWrapped("Not applied: %s (showing the last parameters that worked)",
                       s.error->message.c_str());
    ImGui::PopStyleColor();
  }

  // ---- Column headings, three lines each (their widths bound the columns) ----
  const Tensor& in_t = sc.conv ? s.conv_trace->input() : s.pool_trace->input();
  const Tensor& out_t = sc.conv ? s.conv_trace->output() : s.pool_trace->output();
  std::string h_in[3], h_k[3], h_out[3];
  h_in[0] = "Input x";
  h_in[1] = shape_words(s, in_t.dim(0), sc.c_in, sc.in_h, sc.in_w);
  h_in[2] = padding_words(s, sc);
  if (sc.conv) {
    const ConvTrace& tr = *s.conv_trace;
    h_k[0] = "Filter w[" + std::to_string(sc.o) + "]";
    h_k[1] = std::to_string(sc.cpg) + "×" + std::to_string(sc.k_h) + "×" + std::to_string(sc.k_w) +
             " of " + shape_to_string(tr.weight().shape());
    if (s.flip_kernel) h_k[2] = "flipped 180° (true conv.)";
    if (sc.dil_h > 1 || sc.dil_w > 1) {
      h_k[2] += (h_k[2].empty() ? "" : ", ") + std::string("dilation ") + std::to_string(sc.dil_h) +
                "," + std::to_string(sc.dil_w);
    }
  } else {
    const PoolGeometry& pg = s.pool_trace->geometry();
    h_k[0] = std::string(pg.op == PoolOp::max ? "Max" : "Average") + " pooling";
    h_k[1] = "window " + std::to_string(pg.k_h) + "×" + std::to_string(pg.k_w);
    h_k[2] = "stride " + std::to_string(pg.stride_h) + "," + std::to_string(pg.stride_w);
  }
  h_out[0] = "Output y";
  h_out[1] = shape_words(s, out_t.dim(0), sc.c_out, sc.out_h, sc.out_w);
  h_out[2] = sc.at_result ? "value written" : "computing the outlined cell";
  ImFont* bold = heading_font();
  auto head_w = [&](const std::string* h) {
    return std::max({bold->CalcTextSizeA(bold->FontSize, 1e9f, 0, h[0].c_str()).x,
                     ImGui::CalcTextSize(h[1].c_str()).x, ImGui::CalcTextSize(h[2].c_str()).x});
  };
  const float in_head_w = head_w(h_in), out_head_w = head_w(h_out);
  float k_head_w = head_w(h_k);
  if (!sc.conv) {
    for (const char* t : {"takes the largest value", "of each window, per channel",
                          "the \"max\" cell is the arg-max"}) {
      k_head_w = std::max(k_head_w, ImGui::CalcTextSize(t).x);
    }
  }

  // ---- Layout: the largest cell size at which all three columns fit ----
  const float scale = ui_scale(s);
  ImFont* mono = mono_font();
  const float line_h = ImGui::GetTextLineHeight();
  const float head_h = line_h * 3.3f;   // column heading: three lines
  const float label_h = line_h * 1.1f;  // per grid label
  const float gap = std::round(14.0f * scale);
  const float col_gap = std::round(30.0f * scale);
  ImVec2 avail = ImGui::GetContentRegionAvail();
  // NOTE: leave room for the vertical scrollbar the child shows when the grids are taller.
  avail.x = std::max(avail.x - ImGui::GetStyle().ScrollbarSize - 2.0f, 100.0f);
  avail.y = std::max(avail.y, 80.0f);
  const float body_h = avail.y - head_h;
  // Small lessons get big cells (up to 2.2× the preferred size), large ones shrink to fit.
  const float s_max = s.cell_size * 2.2f * scale;
  const int n_in = static_cast<int>(sc.c_in);
  const int n_k = sc.conv ? static_cast<int>(sc.cpg) : 0;
  const int n_out = static_cast<int>(sc.c_out);
  float cell = 2.0f, kcell = 2.0f;
  Pack p_in, p_k, p_out;
  float in_col_w = 0, k_col_w = 0, out_col_w = 0;
  // First pass: headings fully visible; second: grids only (headings may be clipped); third:
  // the width alone (the canvas scrolls vertically) so cells never shrink to dots.
  for (int pass = 0; pass < 3; ++pass) {
    const float hw = pass == 0 ? 1.0f : 0.0f;
    const float fit_h = pass == 2 ? 1e9f : body_h;
    bool fits = false;
    for (float c = s_max; c >= 2.0f; c *= 0.94f) {
      cell = c;
      // Kernel cells stay readable (34 px) but at most 2.5× the input's, so they shrink too.
      kcell =
          std::min(s_max, std::max(c, std::min(34.0f * scale, std::max(c * 2.5f, 24.0f * scale))));
      const float pack_h = pass == 2 ? 1e9f : body_h;
      p_in = pack(n_in, sc.cols_p * c, sc.rows_p * c, label_h, gap, pack_h);
      p_out = pack(n_out, sc.out_w * c, sc.out_h * c, label_h, gap, pack_h);
      if (sc.conv) {
        p_k = pack(n_k, sc.k_w * kcell, sc.k_h * kcell, label_h, gap, pack_h - line_h * 1.5f);
      }
      in_col_w = std::max(p_in.w, in_head_w * hw);
      k_col_w = std::max(sc.conv ? p_k.w : 0.0f, k_head_w * hw);
      out_col_w = std::max(p_out.w, out_head_w * hw);
      const float total_w = in_col_w + k_col_w + out_col_w + 2 * col_gap;
      const float total_h = std::max({p_in.h, p_out.h, sc.conv ? p_k.h + line_h * 1.5f : 0.0f});
      if (total_w <= avail.x && total_h <= fit_h) {
        fits = true;
        break;
      }
    }
    if (fits) break;
  }

  ImGui::BeginChild("##canvas_area", ImVec2(0, avail.y), false,
                    ImGuiWindowFlags_HorizontalScrollbar);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 top = ImGui::GetCursorScreenPos();
  const ImVec2 in_tl(top.x, top.y + head_h);
  const ImVec2 k_tl(top.x + in_col_w + col_gap, top.y + head_h);
  const ImVec2 out_tl(k_tl.x + k_col_w + col_gap, top.y + head_h);
  const float total_w = out_tl.x + out_col_w - top.x;
  const float total_h = head_h + std::max({p_in.h, p_out.h, p_k.h + line_h * 1.5f});
  ImGui::InvisibleButton("##canvas_hit", ImVec2(std::max(total_w, 1.0f), std::max(total_h, 1.0f)));
  const bool hovered = ImGui::IsItemHovered();
  const bool clicked = ImGui::IsItemClicked(ImGuiMouseButton_Left);
  const bool mouse_down = ImGui::IsItemActive() && ImGui::IsMouseDown(ImGuiMouseButton_Left);
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  // NOTE: no background rectangle of its own: the window's is enough, and on llvmpipe every
  // covered pixel costs.

  // ---- Grids ----
  std::vector<Grid> grids;
  for (int i = 0; i < n_in; ++i) {
    Grid g{GridKind::input,
           i,
           pack_origin(p_in, i, in_tl, sc.cols_p * cell, sc.rows_p * cell, label_h, gap),
           sc.rows_p,
           sc.cols_p,
           cell,
           -sc.pad_top,
           -sc.pad_left};
    grids.push_back(g);
  }
  for (int i = 0; i < n_k; ++i) {
    Grid g{GridKind::kernel,
           i,
           pack_origin(p_k, i, k_tl, sc.k_w * kcell, sc.k_h * kcell, label_h, gap),
           sc.k_h,
           sc.k_w,
           kcell,
           0,
           0};
    grids.push_back(g);
  }
  for (int i = 0; i < n_out; ++i) {
    Grid g{GridKind::output,
           i,
           pack_origin(p_out, i, out_tl, sc.out_w * cell, sc.out_h * cell, label_h, gap),
           sc.out_h,
           sc.out_w,
           cell,
           0,
           0};
    grids.push_back(g);
  }

  // ---- Hover: which cell is under the mouse ----
  const CellRef old_hover = s.hover_output;
  s.hover_output = CellRef{};
  s.hover_input = CellRef{};
  const Grid* hover_grid = nullptr;
  int64_t hover_r = -1, hover_c = -1;
  if (hovered) {
    for (const Grid& g : grids) {
      const float fx = (mouse.x - g.origin.x) / g.cell, fy = (mouse.y - g.origin.y) / g.cell;
      if (fx >= 0 && fy >= 0 && fx < static_cast<float>(g.cols) &&
          fy < static_cast<float>(g.rows)) {
        hover_grid = &g;
        hover_r = static_cast<int64_t>(fy);
        hover_c = static_cast<int64_t>(fx);
        break;
      }
    }
  }
  if (hover_grid && hover_grid->kind == GridKind::output) {
    s.hover_output = {sc.n, hover_grid->c, hover_r, hover_c};
  } else if (hover_grid && hover_grid->kind == GridKind::input) {
    s.hover_input = {sc.n, hover_grid->c, hover_r + hover_grid->row0, hover_c + hover_grid->col0};
  }
  if (old_hover.c != s.hover_output.c || old_hover.y != s.hover_output.y ||
      old_hover.x != s.hover_output.x) {
    s.mark_dirty(Dirty::status);
  }
  s.probe_out_x = s.probe_out_y = -1;
  s.probe_out_cell = 0;
  for (const Grid& g : grids) {
    if (g.kind == GridKind::output && g.c == 0) {
      const ImVec2 vp = ImGui::GetMainViewport()->Pos;
      s.probe_out_x = g.origin.x - vp.x;
      s.probe_out_y = g.origin.y - vp.y;
      s.probe_out_cell = g.cell;
    }
  }

  // Numbers' text size per column.
  auto chars_of = [&](double m, bool integers) {
    if (!integers) return 6;
    // Characters, not bytes: the minus sign is three bytes of UTF-8.
    const std::string t = fmt(-m);
    int n = 0;
    for (unsigned char ch : t)
      n += (ch & 0xC0) != 0x80;
    return n;
  };
  auto all_integers = [](const Tensor& t) {
    for (int64_t i = 0; i < t.numel() && i < 100000; ++i) {
      const double v = t.get(i);
      if (v != std::round(v) || std::fabs(v) > 99999) return false;
    }
    return true;
  };
  const float font_big = mono_big_font()->FontSize;
  const bool show_numbers = s.show_values;
  float in_fs =
      show_numbers ? number_size(cell, chars_of(sc.in_max, all_integers(in_t)), font_big) : 0;
  float out_fs =
      show_numbers ? number_size(cell, chars_of(sc.out_max, all_integers(out_t)), font_big) : 0;
  float k_fs =
      sc.conv && show_numbers
          ? number_size(kcell, chars_of(sc.w_max, all_integers(s.conv_trace->weight())), font_big)
          : 0;
  // Snap to a size the atlas holds: crisp glyphs under nearest filtering.
  auto snap = [](float size) {
    if (size <= 0) return 0.0f;
    const float native = number_font(size)->FontSize;
    return size >= native ? native : size;
  };
  in_fs = snap(in_fs);
  out_fs = snap(out_fs);
  k_fs = snap(k_fs);
  auto num_font = [](float size) { return number_font(size); };
  const int digits = 3;

  // ---- Column headings ----
  {
    const ImVec2 tls[3] = {top, ImVec2(k_tl.x, top.y), ImVec2(out_tl.x, top.y)};
    const float widths[3] = {in_col_w + col_gap * 0.8f, k_col_w + col_gap * 0.8f, out_col_w};
    const std::string* heads[3] = {h_in, h_k, h_out};
    for (int i = 0; i < 3; ++i) {
      dl->PushClipRect(tls[i], ImVec2(tls[i].x + widths[i], tls[i].y + head_h), true);
      label_at(dl, tls[i], pal.accent, fit_text(heads[i][0], bold, widths[i]), bold);
      label_at(dl, ImVec2(tls[i].x, tls[i].y + line_h * 1.1f), pal.text,
               fit_text(heads[i][1], ImGui::GetFont(), widths[i]), ImGui::GetFont());
      label_at(dl, ImVec2(tls[i].x, tls[i].y + line_h * 2.2f), pal.text_dim,
               fit_text(heads[i][2], ImGui::GetFont(), widths[i]), ImGui::GetFont());
      dl->PopClipRect();
    }
  }

  // ---- Input grids ----
  const int64_t win_rows = (sc.k_h - 1) * sc.dil_h + 1, win_cols = (sc.k_w - 1) * sc.dil_w + 1;
  for (std::size_t gi = 0; gi < grids.size(); ++gi) {
    const Grid& g = grids[gi];
    if (g.kind != GridKind::input) continue;
    const int64_t ic = g.c;
    GridFill fills(dl, g, gi);
    grid_label(dl, g, label_h, gap, pal.text,
               {"channel " + std::to_string(ic), "ch " + std::to_string(ic), std::to_string(ic)},
               mono);
    for (int64_t r = 0; r < g.rows; ++r) {
      for (int64_t c = 0; c < g.cols; ++c) {
        bool pad = false;
        const int64_t iy = r + g.row0, ix = c + g.col0;
        const double v = input_value(s, sc, ic, iy, ix, pad);
        ImU32 fill;
        if (pad) {
          const bool zeros_like =
              !sc.conv || s.conv_trace->geometry().padding_mode == PaddingMode::zeros;
          fill = zeros_like ? pal.pad_fill : value_colour(v, sc.in_max, true);
        } else {
          fill = value_colour(v, sc.in_max);
        }
        fills.set(r, c, fill);
        if (in_fs > 0) {
          std::string text;
          if (pad && !sc.conv) {
            text = s.pool_trace->geometry().op == PoolOp::max ? "−∞" : "0";
          } else {
            text = fmt(v, digits);
          }
          text_centred(dl, num_font(in_fs), in_fs, cell_min(g, r, c), cell_max(g, r, c),
                       pad ? pal.pad_text : text_colour_on(fill), text);
        }
      }
    }
    fills.finish();
    grid_lines(dl, g, pal.grid);
    // The unpadded input's border.
    dl->AddRect(cell_min(g, sc.pad_top, sc.pad_left),
                cell_max(g, sc.pad_top + sc.in_h - 1, sc.pad_left + sc.in_w - 1), pal.input_border,
                0.0f, 0, 2.0f * pal.line);
    // The kernel's window on the channels it reads.
    const bool reads = sc.conv ? (ic >= sc.ic_begin && ic < sc.ic_begin + sc.cpg) : ic == sc.o;
    if (reads) {
      const int64_t r0 = sc.origin_y + sc.pad_top, c0 = sc.origin_x + sc.pad_left;
      const int64_t ch_in_group = ic - sc.ic_begin;
      const int64_t cur_ch = sc.at_result ? sc.cpg : (sc.conv ? sc.cur_ic - sc.ic_begin : 0);
      for (int64_t ky = 0; ky < sc.k_h; ++ky) {
        for (int64_t kx = 0; kx < sc.k_w; ++kx) {
          const int64_t r = r0 + ky * sc.dil_h, c = c0 + kx * sc.dil_w;
          const int64_t k = ky * sc.k_w + kx;
          const bool done = ch_in_group < cur_ch ||
                            (ch_in_group == cur_ch && !sc.at_result && k < sc.tap % sc.taps_per_ch);
          if (done) mark_done(dl, g, r, c, pal);
          if (sc.dil_h > 1 || sc.dil_w > 1) cell_outline(dl, g, r, c, pal.frame, pal.line, 2.0f);
        }
      }
      outline(dl, g, r0, c0, r0 + win_rows - 1, c0 + win_cols - 1, pal.frame, 3.0f * pal.line);
      if (!sc.at_result && ic == sc.cur_ic) {
        cell_outline(dl, g, r0 + sc.cur_ky * sc.dil_h, c0 + sc.cur_kx * sc.dil_w, pal.tap,
                     3.5f * pal.line);
      }
      if (!sc.conv && sc.argmax_y >= 0) {
        const int64_t r = sc.argmax_y + sc.pad_top, c = sc.argmax_x + sc.pad_left;
        cell_outline(dl, g, r, c, pal.argmax, 2.0f * pal.line, 3.0f * pal.line);
        if (cell >= 16.0f) {
          dl->AddText(mono, std::min(mono->FontSize, cell * 0.32f),
                      ImVec2(cell_min(g, r, c).x + 2, cell_min(g, r, c).y + 1), pal.argmax, "max");
        }
      }
    }
    // Receptive field of the hovered output cell.
    if (s.hover_output.valid()) {
      int64_t ob = 0, oe = 0;
      group_outputs(sc, ic, ob, oe);
      if (s.hover_output.c >= ob && s.hover_output.c < oe) {
        const int64_t r0 = s.hover_output.y * sc.stride_h, c0 = s.hover_output.x * sc.stride_w;
        outline(dl, g, r0, c0, r0 + win_rows - 1, c0 + win_cols - 1, pal.hover, 2.5f * pal.line);
        for (int64_t ky = 0; ky < sc.k_h; ++ky) {
          for (int64_t kx = 0; kx < sc.k_w; ++kx) {
            cell_outline(dl, g, r0 + ky * sc.dil_h, c0 + kx * sc.dil_w, pal.hover, pal.line, 2.0f);
          }
        }
      }
    }
  }

  // ---- Kernel grids (conv) ----
  if (sc.conv) {
    const ConvTrace& tr = *s.conv_trace;
    const Tensor& w = tr.weight();
    float bottom = k_tl.y;
    for (const Grid& g : grids) {
      if (g.kind != GridKind::kernel) continue;
      const int64_t i = g.c;
      const std::string wi = "w[" + std::to_string(sc.o) + ", " + std::to_string(i) + "]";
      grid_label(dl, g, label_h, gap, pal.text,
                 {wi + " × ch " + std::to_string(sc.ic_begin + i), wi, std::to_string(i)}, mono);
      const int64_t cur_ch = sc.at_result ? sc.cpg : sc.cur_ic - sc.ic_begin;
      for (int64_t ky = 0; ky < sc.k_h; ++ky) {
        for (int64_t kx = 0; kx < sc.k_w; ++kx) {
          const double v = w.get(((sc.o * sc.cpg + i) * sc.k_h + ky) * sc.k_w + kx);
          const ImU32 fill = value_colour(v, sc.w_max);
          cell_fill(dl, g, ky, kx, fill);
          const int64_t k = ky * sc.k_w + kx;
          const bool done = i < cur_ch || (i == cur_ch && k < sc.tap % sc.taps_per_ch);
          if (done && !sc.at_result) mark_done(dl, g, ky, kx, pal);
          if (k_fs > 0) {
            text_centred(dl, num_font(k_fs), k_fs, cell_min(g, ky, kx), cell_max(g, ky, kx),
                         text_colour_on(fill), fmt(v, digits));
          }
        }
      }
      grid_lines(dl, g, pal.grid);
      dl->AddRect(g.origin, cell_max(g, g.rows - 1, g.cols - 1), pal.frame, 0.0f, 0,
                  3.0f * pal.line);
      if (!sc.at_result && sc.cur_ic - sc.ic_begin == i) {
        cell_outline(dl, g, sc.cur_ky, sc.cur_kx, pal.tap, 3.5f * pal.line);
      }
      bottom = std::max(bottom, cell_max(g, g.rows - 1, g.cols - 1).y);
    }
    std::string bias = tr.geometry().has_bias ? "+ bias b[" + std::to_string(sc.o) +
                                                    "] = " + fmt(tr.window(sc.win).bias, 4)
                                              : "no bias";
    label_at(dl, ImVec2(k_tl.x, bottom + line_h * 0.4f), pal.text, bias, mono);
  } else {
    const PoolGeometry& g = s.pool_trace->geometry();
    std::string l1 = g.op == PoolOp::max ? "takes the largest value" : "takes the mean";
    std::string l2 = "of each window, per channel";
    label_at(dl, ImVec2(k_tl.x, k_tl.y), pal.text, l1, ImGui::GetFont());
    label_at(dl, ImVec2(k_tl.x, k_tl.y + line_h * 1.2f), pal.text, l2, ImGui::GetFont());
    if (g.op == PoolOp::max) {
      label_at(dl, ImVec2(k_tl.x, k_tl.y + line_h * 2.6f), pal.text_dim,
               "the \"max\" cell is the arg-max", ImGui::GetFont());
    }
  }

  // ---- Output grids ----
  for (std::size_t gi = 0; gi < grids.size(); ++gi) {
    const Grid& g = grids[gi];
    if (g.kind != GridKind::output) continue;
    GridFill fills(dl, g, gi);
    const int64_t oc = g.c;
    grid_label(dl, g, label_h, gap, pal.text,
               {"channel " + std::to_string(oc), "ch " + std::to_string(oc), std::to_string(oc)},
               mono);
    for (int64_t r = 0; r < g.rows; ++r) {
      for (int64_t c = 0; c < g.cols; ++c) {
        const int64_t w = window_of(sc, oc, r, c);
        if (!s.stepper.is_written(w)) {
          fills.set(r, c, pal.empty_fill);
          continue;
        }
        const double v = output_value(s, sc, oc, r, c);
        const ImU32 fill = value_colour(v, sc.out_max);
        fills.set(r, c, fill);
        if (out_fs > 0) {
          text_centred(dl, num_font(out_fs), out_fs, cell_min(g, r, c), cell_max(g, r, c),
                       text_colour_on(fill), fmt(v, digits));
        }
      }
    }
    fills.finish();
    grid_lines(dl, g, pal.grid);
    dl->AddRect(g.origin, cell_max(g, g.rows - 1, g.cols - 1), pal.input_border, 0.0f, 0, pal.line);
    if (oc == sc.o) {
      cell_outline(dl, g, sc.oy, sc.ox, pal.current_out, 3.5f * pal.line);
      if (!sc.at_result && out_fs > 0) {
        text_centred(dl, num_font(out_fs), out_fs, cell_min(g, sc.oy, sc.ox),
                     cell_max(g, sc.oy, sc.ox), pal.text_dim, "?");
      }
    }
    if (s.hover_output.valid() && s.hover_output.c == oc) {
      cell_outline(dl, g, s.hover_output.y, s.hover_output.x, pal.hover, 2.5f * pal.line, 1.0f);
    }
    // Every output the hovered input cell feeds.
    if (s.hover_input.valid()) {
      int64_t ob = 0, oe = 0;
      group_outputs(sc, s.hover_input.c, ob, oe);
      if (oc >= ob && oc < oe) {
        const int64_t py = s.hover_input.y + sc.pad_top, px = s.hover_input.x + sc.pad_left;
        for (int64_t r = 0; r < g.rows; ++r) {
          const int64_t dy = py - r * sc.stride_h;
          if (dy < 0 || dy % sc.dil_h != 0 || dy / sc.dil_h >= sc.k_h) continue;
          for (int64_t c = 0; c < g.cols; ++c) {
            const int64_t dx = px - c * sc.stride_w;
            if (dx < 0 || dx % sc.dil_w != 0 || dx / sc.dil_w >= sc.k_w) continue;
            cell_outline(dl, g, r, c, pal.hover, 2.5f * pal.line, 1.0f);
          }
        }
      }
    }
  }
  // Hovered input cell outline.
  if (hover_grid && hover_grid->kind == GridKind::input) {
    cell_outline(dl, *hover_grid, hover_r, hover_c, pal.hover, 2.5f * pal.line);
  }

  // ---- Tooltips, clicks, painting ----
  if (hover_grid) {
    const Grid& g = *hover_grid;
    ImGui::BeginTooltip();
    ImGui::PushFont(mono);
    if (g.kind == GridKind::input) {
      const int64_t iy = hover_r + g.row0, ix = hover_c + g.col0;
      bool pad = false;
      const double v = input_value(s, sc, g.c, iy, ix, pad);
      if (!pad) {
        ImGui::Text("x[%lld, %lld, %lld, %lld] = %s", static_cast<long long>(sc.n),
                    static_cast<long long>(g.c), static_cast<long long>(iy),
                    static_cast<long long>(ix), fmt(v, 7).c_str());
      } else if (sc.conv) {
        const ConvGeometry& cg = s.conv_trace->geometry();
        const int64_t sy = pad_source_index(iy, cg.in_h, cg.padding_mode);
        const int64_t sx = pad_source_index(ix, cg.in_w, cg.padding_mode);
        if (sy < 0 || sx < 0) {
          ImGui::Text("padding (zeros) at (%lld, %lld): reads 0", static_cast<long long>(iy),
                      static_cast<long long>(ix));
        } else {
          ImGui::Text("padding (%s) at (%lld, %lld): reads x[%lld, %lld, %lld, %lld] = %s",
                      padding_mode_name(cg.padding_mode), static_cast<long long>(iy),
                      static_cast<long long>(ix), static_cast<long long>(sc.n),
                      static_cast<long long>(g.c), static_cast<long long>(sy),
                      static_cast<long long>(sx), fmt(v, 7).c_str());
        }
      } else {
        ImGui::Text(
            "padding at (%lld, %lld): %s", static_cast<long long>(iy), static_cast<long long>(ix),
            s.pool_trace->geometry().op == PoolOp::max ? "max ignores it" : "0 for the average");
      }
      ImGui::TextDisabled("outlined: every output this cell feeds");
      if (!pad) ImGui::TextDisabled("Ctrl+drag paints cells (value in the Inputs panel)");
    } else if (g.kind == GridKind::kernel) {
      const double v =
          s.conv_trace->weight().get(((sc.o * sc.cpg + g.c) * sc.k_h + hover_r) * sc.k_w + hover_c);
      ImGui::Text("w[%lld, %lld, %lld, %lld] = %s", static_cast<long long>(sc.o),
                  static_cast<long long>(g.c), static_cast<long long>(hover_r),
                  static_cast<long long>(hover_c), fmt(v, 7).c_str());
      ImGui::TextDisabled("edit it in the kernel editor");
    } else {
      const int64_t w = window_of(sc, g.c, hover_r, hover_c);
      if (s.stepper.is_written(w)) {
        ImGui::Text("y[%lld, %lld, %lld, %lld] = %s", static_cast<long long>(sc.n),
                    static_cast<long long>(g.c), static_cast<long long>(hover_r),
                    static_cast<long long>(hover_c),
                    fmt(output_value(s, sc, g.c, hover_r, hover_c), 7).c_str());
      } else {
        ImGui::Text("y[%lld, %lld, %lld, %lld] not computed yet", static_cast<long long>(sc.n),
                    static_cast<long long>(g.c), static_cast<long long>(hover_r),
                    static_cast<long long>(hover_c));
      }
      ImGui::TextDisabled("outlined: its receptive field; click to jump there");
    }
    ImGui::PopFont();
    ImGui::EndTooltip();

    if (g.kind == GridKind::output && clicked && !ImGui::GetIO().KeyCtrl) {
      s.stepper.pause();
      s.stepper.seek_window(window_of(sc, g.c, hover_r, hover_c), 0);
      s.mark_dirty(Dirty::status);
    }
    if (g.kind == GridKind::input && mouse_down && ImGui::GetIO().KeyCtrl) {
      const int64_t iy = hover_r + g.row0, ix = hover_c + g.col0;
      if (iy >= 0 && ix >= 0 && iy < sc.in_h && ix < sc.in_w) {
        ui::paint_cell(s, sc.n, g.c, iy, ix);
      }
    }
  }
  ImGui::EndChild();

  ImGui::End();
}

void shutdown_canvas() {
  for (GridTexture& t : g_textures) {
    if (t.tex != 0) glDeleteTextures(1, &t.tex);
  }
  g_textures.clear();
}

}  // namespace cs::ui
