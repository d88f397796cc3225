// The lesson canvas's drawing for one frame (class Canvas) and its motion state. Its methods
// live in two files: ui_canvas.cpp (the grids, the window on them, hover, tooltips, clicks) and
// canvas_flow.cpp (each row's middle: filter slice or pooling window, partial-sum box, flying
// product, Σ, outputs, the sum line). Internal to the canvas's files.
// Depends on ImGui, canvas_frame.hpp, canvas_paint.hpp and motion.hpp.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <vector>

#include "app/ui/canvas_frame.hpp"
#include "app/ui/canvas_paint.hpp"
#include "app/ui/motion.hpp"

namespace cs::ui::canvas {

// Motion state of the canvas (UI only, lives as long as the window, like the textures).
struct Motion {
  const TraceView* view = nullptr;  // the trace the motion belongs to
  Glide window;                     // the window's origin, in input cells (kept across edits)
  Pad4 pad;                         // the padding of the trace before this one
  Pulse ring;                       // a padding ring that grew (fading in) or shrank (out)
  Pad4 ring_from;                   // the padding it grew or shrank from
  bool ring_shrank = false;         // the ring's cells outside today's padding fade out
  int64_t last_global = -1;
  Pulse product;  // the current tap's product flying into its partial sum
  int64_t product_win = -1, product_tap = -1;
  Pulse fill;  // the output cell just written
  int64_t fill_win = -1;
};
// The canvas's motion (one per window, like the textures).
Motion& motion();
// Starts the glides and pulses a step or an edit calls for.
void update_motion(const AppState& s, const Frame& f);

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
  void draw_vanishing_ring(const Grid& g);
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

}  // namespace cs::ui::canvas
