// The lesson canvas' flow layout (see canvas_layout.hpp): column widths from the cell size, the
// cell size from the space, searched from large to small.
#include "app/ui/canvas_layout.hpp"

#include <algorithm>
#include <cmath>

namespace cs::ui {
namespace {

// Every position and size for cell edge `cell`. compact: the narrow version (products in about
// 14 characters a line, a slimmer Σ, output labels without their group).
FlowLayout layout_at(const FlowContent& f, const FlowFonts& t, float cell, bool compact) {
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
  // The filter's column: its cells, and its label up to the arrow after it.
  L.k_w = std::max(static_cast<float>(f.k_w) * L.kcell,
                   static_cast<float>(f.k_label_chars) * t.char_w - L.sym_w);
  L.box_w = std::round(static_cast<float>(f.box_chars) * t.char_w + 0.9f * lh);
  L.box_h = std::round(1.6f * lh);
  // The products under the box: about 24 characters a line, at least two lines.
  L.prod_w = std::max(L.box_w, (compact ? 14.0f : 24.0f) * t.small_char_w);
  // Σ: the partials' arrows, the circle, and the bias written on the arrow to the output
  // ("+ b[0] = 0.25").
  L.sigma_w =
      f.conv ? std::round((compact ? 3.2f : 4.2f) * lh + (compact ? 10.0f : 13.0f) * t.small_char_w)
             : 0.0f;
  const int label_chars = compact ? f.out_label_chars_short : f.out_label_chars;
  L.out_w =
      std::max(static_cast<float>(f.out_w) * cell, static_cast<float>(label_chars) * t.char_w);
  L.compact = compact;
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
  // The products under the box take what the row has beside the channel (at least two lines; a
  // row's longer products show their newest, canvas_flow.cpp).
  const float box_and_products = L.box_h + 2.5f * lh;
  float body = std::max({grid_h, k_h, box_and_products});
  if (!f.conv) body = std::max(body, out_h);
  L.row_h = L.label_h + body + gap;
  L.out_block_h = L.label_h + out_h + gap;
  L.sum_h = f.conv ? std::round(1.4f * lh) : 0.0f;
  L.folded_h = L.label_h + std::max(grid_h * L.fold, lh) + gap;
  const float rows_h =
      static_cast<float>(f.rows - f.folded) * L.row_h + static_cast<float>(f.folded) * L.folded_h;
  const float outs_h = f.conv ? static_cast<float>(f.c_out) * L.out_block_h : 0.0f;
  L.height = std::max(rows_h, outs_h) + L.sum_h;
  return L;
}

// The largest cell at which the layout (compact or not) fits; cell 0 when none does.
FlowLayout search(const FlowContent& f, const FlowFonts& t, float avail_w, float avail_h,
                  bool compact) {
  const float readable = 20.0f * t.scale;  // a two-digit number still fits such a cell
  // Pass 0: everything on screen. Pass 1: rows scroll, two stay visible. Pass 2: width only.
  for (int pass = 0; pass < 3; ++pass) {
    for (float c = t.max_cell; c >= 2.0f; c *= 0.95f) {
      FlowLayout L = layout_at(f, t, std::floor(c), compact);
      const int64_t open = f.rows - f.folded;
      const float all_h =
          static_cast<float>(open) * L.row_h + static_cast<float>(f.folded) * L.folded_h + L.sum_h;
      const float two_h = static_cast<float>(std::min<int64_t>(open, 2)) * L.row_h + L.sum_h;
      const float need_h = pass == 2 ? 0.0f : pass == 0 ? all_h : two_h;
      const bool fits = L.width <= avail_w && need_h <= avail_h;
      if (!fits) continue;
      if (pass == 0 && L.cell < readable && open > 2) break;  // try scrolling rows instead
      L.scrolls = L.height > avail_h;
      return L;
    }
  }
  FlowLayout none;
  none.cell = 0;
  return none;
}

}  // namespace

FlowLayout fit_flow(const FlowContent& f, const FlowFonts& t, float avail_w, float avail_h) {
  const FlowLayout roomy = search(f, t, avail_w, avail_h, false);
  // The compact flow (products on more, shorter lines, a slimmer Σ) when it gives clearly bigger
  // cells: a tall, narrow canvas (the stage beside the preview) or a tight one.
  const FlowLayout compact = search(f, t, avail_w, avail_h, true);
  const bool tight = roomy.cell < 20.0f * t.scale;
  const bool scrolls_more = compact.scrolls && !roomy.scrolls;  // keep every row on screen
  if (!scrolls_more && compact.cell > (tight ? 1.0f : 1.25f) * roomy.cell) return compact;
  if (!tight) return roomy;
  if (roomy.cell > 0) return roomy;
  // Nothing fits the width even with tiny cells: readable cells, and the canvas scrolls.
  FlowLayout L = layout_at(f, t, std::floor(20.0f * t.scale), true);
  L.scrolls = true;
  return L;
}

}  // namespace cs::ui
