// The canvas' flow layout (app/ui/canvas_layout) and its motion (app/ui/motion): pure arithmetic,
// checked without a window. Fonts are measured as the window measures them at the sizes named.
#include <gtest/gtest.h>

#include <cmath>

#include "app/ui/canvas_layout.hpp"
#include "app/ui/motion.hpp"

namespace cs::ui {
namespace {

// Fonts as the window has them: normal (16 px) and presentation at 720 rows (20 px).
FlowFonts fonts(float scale) {
  FlowFonts t;
  t.line_h = std::round(18.5f * scale);
  t.char_w = std::round(9.6f * scale * 10) / 10;
  t.small_char_w = t.char_w * 0.7f;
  t.scale = scale;
  t.max_cell = std::round(44.0f * 2.2f * scale);
  return t;
}

FlowContent rgb3() {  // lesson rgb-3-filters: 3 channels 3×3, 3 filters 3×3, output 1×1
  FlowContent c;
  c.rows = 3;
  c.grid_h = c.grid_w = 3;
  c.k_h = c.k_w = 3;
  c.out_h = c.out_w = 1;
  c.c_out = 3;
  c.box_chars = 8;
  return c;
}

// Columns never overlap, left to right, and the body is as wide as its last column.
void expect_columns_in_order(const FlowLayout& L, bool conv) {
  EXPECT_LE(L.x_in + L.in_w, L.x_sym);
  EXPECT_LE(L.x_sym + L.sym_w, L.x_k);
  EXPECT_LE(L.x_k + L.k_w, L.x_box);
  EXPECT_LE(L.x_box + L.prod_w, conv ? L.x_sigma : L.x_out);
  if (conv) {
    EXPECT_LE(L.x_sigma + L.sigma_w, L.x_out);
  }
  EXPECT_FLOAT_EQ(L.width, L.x_out + L.out_w);
}

TEST(CanvasLayout, ThreeChannelsFitAPresentationAt1280x720WithoutScrolling) {
  // The stage's canvas at 1280×720: about 850 × 465 pixels below its header.
  const FlowLayout L = fit_flow(rgb3(), fonts(1.25f), 850, 465);
  EXPECT_FALSE(L.scrolls);
  EXPECT_LE(L.width, 850);
  EXPECT_LE(L.height, 465);
  EXPECT_GE(L.cell, 25.0f);  // a two-digit number at the presentation size still fits
  expect_columns_in_order(L, true);
}

TEST(CanvasLayout, CellsGrowWithTheSpaceAndOutputsUseTheInputsCells) {
  const FlowLayout small = fit_flow(rgb3(), fonts(1), 700, 400);
  const FlowLayout big = fit_flow(rgb3(), fonts(1), 1400, 800);
  EXPECT_GT(big.cell, small.cell * 1.3f);
  EXPECT_FALSE(big.scrolls);
  // Output cells are the input's (one cell size), so their numbers are the same size.
  EXPECT_GE(big.out_w, 1 * big.cell);
}

TEST(CanvasLayout, ManyChannelsScrollRatherThanShrinkToDots) {
  FlowContent c = rgb3();
  c.rows = 16;
  c.c_out = 16;
  const FlowLayout L = fit_flow(c, fonts(1), 900, 420);
  EXPECT_TRUE(L.scrolls);
  EXPECT_GE(L.cell, 20.0f);
  EXPECT_LE(2 * L.row_h + L.sum_h, 420);  // two rows stay visible
  expect_columns_in_order(L, true);
}

TEST(CanvasLayout, PoolingPutsEachOutputOnItsChannelsRow) {
  FlowContent c;
  c.conv = false;
  c.rows = 2;
  c.grid_h = c.grid_w = 4;
  c.k_h = c.k_w = 2;
  c.out_h = c.out_w = 2;
  c.c_out = 2;
  const FlowLayout L = fit_flow(c, fonts(1), 900, 500);
  EXPECT_FALSE(L.scrolls);
  EXPECT_EQ(L.sigma_w, 0.0f);
  expect_columns_in_order(L, false);
  EXPECT_GE(L.row_h, L.label_h + 2 * L.cell);  // the output map fits its row
}

TEST(CanvasLayout, ABigInputKeepsItsFilterReadable) {
  FlowContent c = rgb3();
  c.rows = 1;
  c.grid_h = c.grid_w = 66;  // 64×64 with padding 1
  c.out_h = c.out_w = 64;
  c.c_out = 1;
  const FlowLayout L = fit_flow(c, fonts(1), 900, 500);
  EXPECT_LT(L.cell, 8.0f);
  EXPECT_GE(L.kcell, 3 * L.cell - 1);
  EXPECT_LE(L.width, 900);
}

TEST(Motion, GlidesEasedAndRetargetsFromWhereItIs) {
  Glide g;
  g.to(0, 0, 0.0, 0.2);  // the first target: no motion
  float y = -1, x = -1;
  g.at(0.0, y, x);
  EXPECT_EQ(y, 0);
  g.to(0, 4, 1.0, 0.2);
  g.at(1.1, y, x);
  EXPECT_GT(x, 2.0f);  // ease-out: past half-way at half the time
  EXPECT_LT(x, 4.0f);
  // Stepping back mid-way starts from where the window is, with no jump.
  const float mid = x;
  g.to(0, 0, 1.1, 0.2);
  g.at(1.1, y, x);
  EXPECT_FLOAT_EQ(x, mid);
  g.at(1.35, y, x);
  EXPECT_EQ(x, 0);
  EXPECT_FALSE(g.moving(1.35));
}

TEST(Motion, FastPlayAndReduceMotionUpdateAtOnce) {
  EXPECT_EQ(motion_seconds(true, false, 1), 0.0);
  EXPECT_GT(motion_seconds(false, false, 1), 0.1);
  EXPECT_GT(motion_seconds(false, true, 4), 0.1);           // 4 steps/s: a full glide
  EXPECT_LE(motion_seconds(false, true, 10), 0.06 + 1e-9);  // 60% of a step
  EXPECT_EQ(motion_seconds(false, true, 1000), 0.0);        // thousands of steps/s: instant
  Glide g;
  g.to(0, 0, 0.0, 0.0);
  g.to(3, 5, 0.5, motion_seconds(false, true, 1000));
  float y = 0, x = 0;
  g.at(0.5, y, x);
  EXPECT_EQ(y, 3);
  EXPECT_EQ(x, 5);
  Pulse p;
  p.start(2.0, 0.0);
  EXPECT_EQ(p.progress(2.0), 1.0f);
}

}  // namespace
}  // namespace cs::ui
