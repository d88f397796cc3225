// Where the lesson canvas puts things: the computation laid out as it flows, left to right, one
// row per input channel (channel with its padding ring, ⊙ its filter slice, → that channel's
// partial sum), then Σ and the output maps (conv); for pooling each row ends in its own output
// map. Pure arithmetic on sizes (no ImGui), so tests can check that nothing overlaps or leaves
// the canvas at any window size.
#pragma once

#include <cstdint>

namespace cs::ui {

// What is to be laid out (from the trace view's shape).
struct FlowContent {
  bool conv = true;    // conv: a Σ column and one output column; pooling: outputs per row
  int64_t rows = 1;    // input channels (one row each)
  int64_t folded = 0;  // of which drawn folded: conv channels of the other groups
  int64_t grid_h = 1, grid_w = 1;  // the cells a window can reach (padded input)
  int64_t k_h = 1, k_w = 1;
  int64_t out_h = 1, out_w = 1, c_out = 1;
  int box_chars = 10;        // the widest partial-sum box text, in characters ("p0 = −123.5")
  int out_label_chars = 12;  // the output maps' label ("y[0, 1]  3×3 · group 1")
  int out_label_chars_short = 12;  // the same without its group ("y[0, 1]  3×3")
  int k_label_chars = 7;           // the filter slice's label ("w[0, 2]", "w[:, :, 2, 0]")
};

// Sizes of the fonts and the mode, measured by the caller.
struct FlowFonts {
  float line_h = 16;       // a line of the UI font
  float char_w = 8;        // one character of the mono font
  float small_char_w = 6;  // one character of the small mono font (products)
  float scale = 1;         // ui_scale: 1 normal, larger in presentation mode
  float max_cell = 96;     // largest cell edge wanted
};

struct FlowLayout {
  float cell = 2, kcell = 2;  // input/output cells and filter cells
  // Left edge of each column, from the body's left; widths.
  float x_in = 0, x_sym = 0, x_k = 0, x_box = 0, x_sigma = 0, x_out = 0;
  float in_w = 0, sym_w = 0, k_w = 0, box_w = 0, box_h = 0, prod_w = 0, sigma_w = 0, out_w = 0;
  float label_h = 0;            // the label above each grid
  float row_h = 0;              // one input channel's row, label and gap included
  float fold = 0.5f;            // a folded row's cells, as a share of `cell`
  float folded_h = 0;           // a folded row: its label and its channel at fold·cell
  float out_block_h = 0;        // conv: one output map with its label and gap
  float sum_h = 0;              // conv: the line under the rows ("y[...] = p0 + p1 + b = ...")
  float width = 0, height = 0;  // the whole body
  bool scrolls = false;         // taller than the canvas: the body scrolls
  bool compact = false;         // the narrow version: shorter product lines, output labels
                                // without their group
};

// The largest cells at which the flow fits avail_w × avail_h; when that would make cells too
// small to read, the rows scroll instead (at least two rows visible), then the compact flow is
// tried, then the width alone decides; when not even that fits, cells stay readable and the
// canvas scrolls both ways.
FlowLayout fit_flow(const FlowContent& content, const FlowFonts& fonts, float avail_w,
                    float avail_h);

}  // namespace cs::ui
