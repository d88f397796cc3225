// Drawing primitives of the lesson canvas (ui_canvas.cpp): a grid of cells and its fills, lines,
// outlines and marks, labels shortened to fit, arrows. Internal to the canvas's files.
// Depends on ImGui and ui_theme.hpp.
#pragma once

#include <imgui.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "app/ui/ui_theme.hpp"

namespace cs::ui::canvas {

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

// Text size for numbers in cells of edge `cell` whose longest label has `chars` characters;
// 0 when they would be unreadable.
float number_size(float cell, int chars, float max_size);

ImVec2 cell_min(const Grid& g, int64_t r, int64_t c);
ImVec2 cell_max(const Grid& g, int64_t r, int64_t c);

// Outline of a block of cells [r0, r1] × [c0, c1] (grid coordinates, clamped to the grid).
void outline(ImDrawList* dl, const Grid& g, int64_t r0, int64_t c0, int64_t r1, int64_t c1,
             ImU32 col, float thick);
void cell_outline(ImDrawList* dl, const Grid& g, int64_t r, int64_t c, ImU32 col, float thick,
                  float inset = 0.0f);
void cell_fill(ImDrawList* dl, const Grid& g, int64_t r, int64_t c, ImU32 col);
// Light grid lines over a block of cells (skipped when cells are tiny).
void grid_lines(ImDrawList* dl, const Grid& g, ImU32 col);

// The cell fills of one grid: a rectangle per cell, or pixels of a texture for tiny cells
// (a 64×64 lesson: llvmpipe pays for every tiny triangle). `slot` names the grid's texture.
class GridFill {
 public:
  GridFill(ImDrawList* dl, const Grid& g, std::size_t slot);
  bool textured() const { return m_texture; }
  void set(int64_t r, int64_t c, ImU32 col);
  // Uploads the pixels and draws the texture over the grid's area.
  void finish();

 private:
  ImDrawList* m_dl;
  const Grid& m_g;
  std::size_t m_slot;
  bool m_texture;
  std::vector<ImU32> m_px;
};
// Frees the grids' textures (at shutdown, while the GL context lives).
void release_textures();

void label_at(ImDrawList* dl, ImVec2 pos, ImU32 col, const std::string& text, ImFont* font);
// Where fit_text reports what it had to cut (the state's `clipped`, for --status-file).
void set_clip_sink(std::vector<std::string>* sink);
// `text` shortened with "…" until it fits `width` pixels in `font`.
std::string fit_text(const std::string& text, ImFont* font, float width);
// Characters, not bytes, of UTF-8 text.
int chars_of(const std::string& t);
// head + the terms joined by `sep` + tail, in at most `max_chars` characters: when they take
// more, the first terms give way to "…" (the newest are the ones being explained).
std::string joined_tail(const std::vector<std::string>& terms, const char* sep,
                        const std::string& head, const std::string& tail, int max_chars);

// A tap already multiplied in this window: a dot in the cell's corner; tiny cells get a tint.
void mark_done(ImDrawList* dl, const Grid& g, int64_t r, int64_t c, const Palette& pal);
// A small arrow from a to b (horizontal or slanted).
void arrow(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float thick);
// Text wrapped at `width` inside [top-left, top-left + (width, height)], clipped there.
void wrapped(ImDrawList* dl, ImFont* font, ImVec2 tl, float width, float height, ImU32 col,
             const std::string& text);

}  // namespace cs::ui::canvas
