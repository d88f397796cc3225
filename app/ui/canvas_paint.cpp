// Drawing primitives of the lesson canvas; see canvas_paint.hpp.
#include "app/ui/canvas_paint.hpp"

#include <algorithm>
#include <cmath>

#include "app/gpu/window_gl.hpp"

namespace cs::ui::canvas {

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
                  float inset) {
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
namespace {
gpu::PixelTextures g_textures;
}  // namespace

// The cell fills of one grid: a rectangle per cell, or pixels of a texture for tiny cells.
GridFill::GridFill(ImDrawList* dl, const Grid& g, std::size_t slot)
    : m_dl(dl), m_g(g), m_slot(slot), m_texture(g.cell < 8.0f) {
  if (m_texture) m_px.assign(static_cast<std::size_t>(g.rows * g.cols), 0);
}

void GridFill::set(int64_t r, int64_t c, ImU32 col) {
  if (m_texture) {
    m_px[static_cast<std::size_t>(r * m_g.cols + c)] = col;  // IM_COL32 is RGBA in memory
  } else {
    m_dl->AddRectFilled(cell_min(m_g, r, c), cell_max(m_g, r, c), col);
  }
}

void GridFill::finish() {
  if (!m_texture) return;
  const uintptr_t tex =
      g_textures.upload(m_slot, static_cast<int>(m_g.cols), static_cast<int>(m_g.rows), m_px);
  m_dl->AddImage(reinterpret_cast<ImTextureID>(tex), m_g.origin,
                 cell_max(m_g, m_g.rows - 1, m_g.cols - 1));
}

void release_textures() {
  g_textures.release();
}

void label_at(ImDrawList* dl, ImVec2 pos, ImU32 col, const std::string& text, ImFont* font) {
  dl->AddText(font, font->FontSize, pos, col, text.c_str());
}

namespace {
std::vector<std::string>* g_clipped = nullptr;
}  // namespace

void set_clip_sink(std::vector<std::string>* sink) {
  g_clipped = sink;
}

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

int chars_of(const std::string& t) {
  // Characters, not bytes: the minus sign is three bytes of UTF-8.
  int n = 0;
  for (unsigned char ch : t)
    n += (ch & 0xC0) != 0x80;
  return n;
}

std::string joined_tail(const std::vector<std::string>& terms, const char* sep,
                        const std::string& head, const std::string& tail, int max_chars) {
  const int sep_chars = chars_of(sep);
  int chars = chars_of(head) + chars_of(tail);
  std::size_t first = terms.size();
  // From the newest term back, while they fit (the newest always shows).
  while (first > 0) {
    const int more = chars_of(terms[first - 1]) + (first < terms.size() ? sep_chars : 0);
    if (first < terms.size() && chars + more + 2 + sep_chars > max_chars) break;
    chars += more;
    --first;
  }
  std::string out = head;
  if (first > 0) out += std::string("…") + sep;
  for (std::size_t i = first; i < terms.size(); ++i)
    out += (i > first ? sep : "") + terms[i];
  return out + tail;
}
}  // namespace cs::ui::canvas
