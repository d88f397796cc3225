// The lesson canvas' flow layout (see canvas_layout.hpp): column widths from the cell size, the
// cell size from the space, searched from large to small.
#include "app/ui/canvas_layout.hpp"

#include <algorithm>
#include <cmath>

namespace cs::ui {
namespace {

// Every position and size for cell edge `cell`.
FlowLayout layout_at(const FlowContent& f, const FlowFonts& t, float cell) {
  FlowLayout L;
  const float lh = t.line_h, gap = std::round(0.6f * lh);
  L.cell = cell;
  // Filter cells stay readable when the input's shrink (a 64×64 lesson), up to 3× the input's,
  // but a filter is never drawn taller than the channel beside it.
  const float as_tall =
      static_cast<float>(f.grid_h) * cell / static_cast<float>(std::max<int64_t>(1, f.k_h));
  L.kcell = std::min(t.max_cell, std::max(cell, std::min({36.0f * t.scale, 3.0f * cell, as_tall})));
  L.label_h = std::round(1.15f * lh);
  L.in_w = static_cast<float>(f.grid_w) * cell;
  L.sym_w = std::round(1.4f * lh);
  L.k_w = static_cast<float>(f.k_w) * L.kcell;
  L.box_w = std::round(static_cast<float>(f.box_chars) * t.char_w + 0.9f * lh);
  L.box_h = std::round(1.6f * lh);
  // The products under the box: about 24 characters a line, at least two lines.
  L.prod_w = std::max(L.box_w, 24.0f * t.small_char_w);
  // Σ: the partials' arrows, the circle, and the bias written on the arrow to the output
  // ("+ b[0] = 0.25").
  L.sigma_w = f.conv ? std::round(4.2f * lh + 13.0f * t.small_char_w) : 0.0f;
  L.out_w = std::max(static_cast<float>(f.out_w) * cell,
                     static_cast<float>(f.out_label_chars) * t.char_w);
  L.x_in = 0;
  L.x_sym = L.x_in + L.in_w + gap * 0.5f;
  L.x_k = L.x_sym + L.sym_w + gap * 0.5f;
  L.x_box = L.x_k + L.k_w + L.sym_w + gap;  // an arrow between filter and box
  L.x_sigma = L.x_box + L.prod_w + gap;
  L.x_out = f.conv ? L.x_sigma + L.sigma_w + gap : L.x_box + L.prod_w + L.sym_w + gap;
  L.width = L.x_out + L.out_w;
  const float grid_h = static_cast<float>(f.grid_h) * cell;
  const float k_h = static_cast<float>(f.k_h) * L.kcell;
  const float out_h = static_cast<float>(f.out_h) * cell;
  const float box_and_products = L.box_h + 2.5f * lh;
  float body = std::max({grid_h, k_h, box_and_products});
  if (!f.conv) body = std::max(body, out_h);
  L.row_h = L.label_h + body + gap;
  L.out_block_h = L.label_h + out_h + gap;
  L.sum_h = f.conv ? std::round(1.4f * lh) : 0.0f;
  const float rows_h = static_cast<float>(f.rows) * L.row_h;
  const float outs_h = f.conv ? static_cast<float>(f.c_out) * L.out_block_h : 0.0f;
  L.height = std::max(rows_h, outs_h) + L.sum_h;
  return L;
}

}  // namespace

FlowLayout fit_flow(const FlowContent& f, const FlowFonts& t, float avail_w, float avail_h) {
  const float readable = 20.0f * t.scale;  // a two-digit number still fits such a cell
  FlowLayout best;
  bool found = false;
  // Pass 0: everything on screen. Pass 1: rows scroll, two stay visible. Pass 2: width only.
  for (int pass = 0; pass < 3 && !found; ++pass) {
    for (float c = t.max_cell; c >= 2.0f; c *= 0.95f) {
      FlowLayout L = layout_at(f, t, std::floor(c));
      const int64_t visible = pass == 0 ? f.rows : std::min<int64_t>(f.rows, 2);
      const float need_h = pass == 2 ? 0.0f : static_cast<float>(visible) * L.row_h + L.sum_h;
      const bool fits = L.width <= avail_w && need_h <= avail_h;
      if (!fits) continue;
      if (pass == 0 && L.cell < readable && f.rows > 2) break;  // try scrolling rows instead
      L.scrolls = L.height > avail_h;
      best = L;
      found = true;
      break;
    }
  }
  if (!found) {
    best = layout_at(f, t, 2.0f);
    best.scrolls = true;
  }
  return best;
}

}  // namespace cs::ui
