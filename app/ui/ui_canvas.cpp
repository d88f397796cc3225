// The lesson canvas (see ui_canvas.hpp), laid out as the computation flows (canvas_layout.hpp):
// one row per input channel — the channel with its padding ring, ⊙ its filter slice, → that
// channel's partial sum with its products — then the partials and the bias into Σ and the Σ into
// the output cell (conv), or each channel's window values into its max/mean and its output map
// (pooling). Everything is read from the trace view; motion.hpp moves the window and the numbers.
// The canvas's files: canvas_frame (what a frame reads, names, layout), canvas_header,
// canvas_paint (primitives), canvas_view.hpp (class Canvas), this file (grids, window, hover,
// tooltips) and canvas_flow.cpp (boxes, Σ, outputs).
#include "app/ui/ui_canvas.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "app/ui/canvas_view.hpp"
#include "app/ui/ui_edit.hpp"
#include "app/ui/ui_theme.hpp"
#include "core/conv_transpose_trace.hpp"

namespace cs::ui {
namespace canvas {

Motion& motion() {
  static Motion m;
  return m;
}

void update_motion(const AppState& s, const Frame& f) {
  Motion& m = motion();
  const double now = s.time;
  const double secs = motion_seconds(s.reduce_motion, s.stepper.playing(), s.stepper.speed());
  if (m.view != f.view) {
    // An edit (or a new lesson): products and fills start still; the window glides on from
    // where it was; padding that grew fades in around the input.
    const Pad4& p = f.g.pad;
    const bool grew = m.view && (p.top > m.pad.top || p.bottom > m.pad.bottom ||
                                 p.left > m.pad.left || p.right > m.pad.right);
    const bool shrank = m.view && (p.top < m.pad.top || p.bottom < m.pad.bottom ||
                                   p.left < m.pad.left || p.right < m.pad.right);
    if (grew || shrank) {
      m.ring.start(now, secs);
      m.ring_from = m.pad;
      m.ring_shrank = shrank && !grew;
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
  motion().window.at(m_s.time, gy, gx);
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
  const float ring_alpha = motion().ring_shrank ? 1.0f : ease_out(motion().ring.progress(m_s.time));
  const Pad4& was = motion().ring_from;
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
  draw_vanishing_ring(g);
  m_dl->AddRect(cell_min(g, f.g.pad.top, f.g.pad.left),
                cell_max(g, f.g.pad.top + f.g.in_h - 1, f.g.pad.left + f.g.in_w - 1),
                pal.input_border, 0.0f, 0, 2.0f * pal.line);
  if (f.hide_window) return;  // the quiz asks how far the window reaches: not outlined yet
  if (on) draw_window_on(g);
  if (m_s.hover_output.valid()) draw_receptive_field(g);
}

// After the padding shrank, the ring's cells outside today's grid fade out where they were (a
// grid keeps its centre, so they stand around it).
void Canvas::draw_vanishing_ring(const Grid& g) {
  const Motion& m = motion();
  const float alpha = 1.0f - ease_out(m.ring.progress(m_s.time));
  if (!m.ring_shrank || alpha <= 0.0f || g.cell < 2.0f) return;
  const Pad4& was = m.ring_from;
  const auto faded = [&](ImU32 col) {
    const auto a = static_cast<ImU32>(static_cast<float>((col >> IM_COL32_A_SHIFT) & 0xFF) * alpha);
    return (col & ~IM_COL32_A_MASK) | (a << IM_COL32_A_SHIFT);
  };
  for (int64_t iy = -was.top; iy < m_f.g.in_h + was.bottom; ++iy) {
    for (int64_t ix = -was.left; ix < m_f.g.in_w + was.right; ++ix) {
      const int64_t r = iy - g.row0, c = ix - g.col0;
      if (r >= 0 && c >= 0 && r < g.rows && c < g.cols) continue;  // still drawn
      const ImVec2 a = cell_min(g, r, c), b = cell_max(g, r, c);
      m_dl->AddRectFilled(a, b, faded(m_pal.pad_fill));
      m_dl->AddRect(a, b, faded(m_pal.grid));
    }
  }
}

// The window on a channel it reads: cells it skips (dilation) dimmed, taps done dotted, the
// current tap in the accent colour, the arg-max so far; the frame glides between positions.
void Canvas::draw_window_on(const Grid& g) {
  const Frame& f = m_f;
  const Palette& pal = m_pal;
  const int64_t r0 = f.w.origin_y + f.g.pad.top, c0 = f.w.origin_x + f.g.pad.left;
  const bool moving = motion().window.moving(m_s.time);
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

// An input cell's tooltip: its value (or the padding it reads) and the windows that read it.
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
    const std::string y = std::string("y").append(at4(f, f.n, g.c, m_hover_r, m_hover_c));
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

}  // namespace canvas

void draw_canvas(AppState& s) {
  ImGui::SetNextWindowBgAlpha(1.0f);
  if (!ImGui::Begin("Lesson", &s.show_canvas, stage_flags(s))) {
    ImGui::End();
    return;
  }
  canvas::set_clip_sink(&s.clipped);
  canvas::Frame f;
  if (canvas::draw_canvas_header(s, f)) {
    canvas::update_motion(s, f);
    const FlowLayout layout = canvas::layout_for(s, f);
    canvas::Canvas(s, f, layout).draw();
  }
  ImGui::End();
}

void shutdown_canvas() {
  canvas::release_textures();
}

}  // namespace cs::ui
