// The middle and the end of the canvas's rows (see canvas_view.hpp): ⊙ the filter slice or the
// pooling window's values, the partial-sum box with its products, the product flying into it,
// the Σ of the partials and the bias, the output maps and the sum line under the rows.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "app/ui/canvas_view.hpp"
#include "app/ui/ui_theme.hpp"

namespace cs::ui::canvas {

// Between a channel and its result: ⊙ and the filter slice (conv) or → and the window's values
// (pooling), then the partial-sum box; a channel of another group says where it goes instead.
void Canvas::draw_row_middle(int64_t row) {
  const Frame& f = m_f;
  const Palette& pal = m_pal;
  const float mid = row_mid(row);
  const float lh = ImGui::GetTextLineHeight();
  if (!active(row)) {
    std::string text;
    if (f.conv) {
      const int64_t ob = f.g.first_output_channel(row);
      std::string outs = std::to_string(ob);
      if (f.g.c_out_per_group > 1) outs += "–" + std::to_string(ob + f.g.c_out_per_group - 1);
      text = "group " + std::to_string(row / f.g.c_in_per_group) + ": feeds output channel" +
             (f.g.c_out_per_group == 1 ? " " : "s ") + outs;
    } else {
      text = std::string(f.is_max ? "max" : "mean") + " over each window of channel " +
             std::to_string(row);
    }
    wrapped(m_dl, ui_font(), ImVec2(m_o.x + m_L.x_sym, mid - lh * 0.5f), m_L.x_out - m_L.x_sym - lh,
            lh * 1.2f, pal.text_dim, text);
    if (!f.conv) {
      arrow(m_dl, ImVec2(m_o.x + m_L.x_out - m_L.sym_w, mid), ImVec2(m_o.x + m_L.x_out - 4, mid),
            pal.text_dim, m_pal.line);
    }
    return;
  }
  const ImVec2 sym(m_o.x + m_L.x_sym + m_L.sym_w * 0.5f, mid);
  if (f.conv) {
    const float r = m_L.sym_w * 0.28f;
    m_dl->AddCircle(sym, r, pal.text_dim, 0, 1.6f * pal.line);
    m_dl->AddCircleFilled(sym, r * 0.3f, pal.text_dim);
  } else {
    arrow(m_dl, ImVec2(sym.x - m_L.sym_w * 0.35f, mid), ImVec2(sym.x + m_L.sym_w * 0.35f, mid),
          pal.text_dim, pal.line);
  }
  if (const Grid* g =
          find(f.conv ? GridKind::kernel : GridKind::window, f.conv ? row - f.w.ic_begin : row)) {
    if (f.conv) {
      draw_kernel(*g);
    } else {
      draw_pool_window(*g);
    }
  }
  const float ax = m_o.x + m_L.x_k + m_L.k_w;
  arrow(m_dl, ImVec2(ax + lh * 0.3f, mid), ImVec2(m_o.x + m_L.x_box - lh * 0.3f, mid), pal.text_dim,
        pal.line);
  draw_box(row);
  if (!f.conv) {
    const float bx = m_o.x + m_L.x_box + m_L.box_w;
    arrow(m_dl, ImVec2(bx + lh * 0.3f, mid), ImVec2(m_o.x + m_L.x_out - lh * 0.3f, mid),
          pal.text_dim, pal.line);
  }
}

// Filter slice i of the current output channel, with its label, done taps and the current one.
void Canvas::draw_kernel(const Grid& g) {
  const Frame& f = m_f;
  const Palette& pal = m_pal;
  const Tensor& w = *f.view->weight();
  const int64_t i = g.c;
  label_at(m_dl, ImVec2(g.origin.x, g.origin.y - m_L.label_h), pal.text,
           fit_text(slice_name(f, f.w.oc, i), m_mono,
                    m_L.x_box - m_L.x_k - 0.3f * ImGui::GetTextLineHeight()),
           m_mono);
  const int64_t per_ch = f.g.taps_per_channel();
  for (int64_t ky = 0; ky < g.rows; ++ky) {
    for (int64_t kx = 0; kx < g.cols; ++kx) {
      const double v = w.get(nchw_index(f.w.oc, i, ky, kx, f.g.c_in_per_group, f.g.k_h, f.g.k_w));
      const ImU32 fill = value_colour(v, f.w_max);
      cell_fill(m_dl, g, ky, kx, fill);
      const int64_t k = ky * g.cols + kx;
      const bool done = !f.at_result && (i < f.cur_ch || (i == f.cur_ch && k < f.tap % per_ch));
      if (done) mark_done(m_dl, g, ky, kx, pal);
      if (m_fs.k > 0) {
        text_centred(m_dl, number_font(m_fs.k), m_fs.k, cell_min(g, ky, kx), cell_max(g, ky, kx),
                     text_colour_on(fill), fmt(v, 3));
      }
    }
  }
  grid_lines(m_dl, g, pal.grid);
  m_dl->AddRect(g.origin, cell_max(g, g.rows - 1, g.cols - 1), pal.frame, 0.0f, 0, 3.0f * pal.line);
  if (const TraceTap* t = f.now(); t && t->ic - f.w.ic_begin == i) {
    cell_outline(m_dl, g, t->ky, t->kx, pal.tap, 3.5f * pal.line);
  }
}

// Pooling: the values the window reads, in its shape; past-the-padding cells say "–", padding
// says what it counts as; values still to come are dim, the largest so far is outlined.
void Canvas::draw_pool_window(const Grid& g) {
  const Frame& f = m_f;
  const Palette& pal = m_pal;
  label_at(m_dl, ImVec2(g.origin.x, g.origin.y - m_L.label_h), pal.text,
           fit_text("window " + std::to_string(f.g.k_h) + "×" + std::to_string(f.g.k_w), m_mono,
                    m_L.x_box - m_L.x_k - 0.3f * ImGui::GetTextLineHeight()),
           m_mono);
  const float size = m_fs.k;
  for (const TraceTap& t : f.taps) {
    const bool seen = f.at_result || t.index <= f.tap;
    std::string text;
    ImU32 fill = pal.pad_fill;
    if (t.source == TapSource::outside) {
      text = "–";
    } else if (t.source == TapSource::padding) {
      text = f.is_max ? "−∞" : (t.counted ? "0" : "–");
    } else {
      fill = value_colour(t.x, f.in_max);
      text = fmt(t.x, 3);
    }
    if (!seen) fill = pal.empty_fill;
    cell_fill(m_dl, g, t.ky, t.kx, fill);
    if (size > 0) {
      text_centred(m_dl, number_font(size), size, cell_min(g, t.ky, t.kx), cell_max(g, t.ky, t.kx),
                   seen ? text_colour_on(fill) : pal.text_dim, text);
    }
  }
  grid_lines(m_dl, g, pal.grid);
  m_dl->AddRect(g.origin, cell_max(g, g.rows - 1, g.cols - 1), pal.frame, 0.0f, 0, 3.0f * pal.line);
  const int64_t best =
      f.is_max ? (f.at_result ? f.w.argmax_tap : (f.now() ? f.now()->best_tap : -1)) : -1;
  if (best >= 0) {
    const TraceTap& t = f.taps[static_cast<std::size_t>(best)];
    cell_outline(m_dl, g, t.ky, t.kx, pal.argmax, 2.0f * pal.line, 3.0f * pal.line);
  }
  if (const TraceTap* t = f.now()) cell_outline(m_dl, g, t->ky, t->kx, pal.tap, 3.5f * pal.line);
}

// The row's result box and, under it, the terms summed (or compared) so far.
void Canvas::draw_box(int64_t row) {
  const Frame& f = m_f;
  const Palette& pal = m_pal;
  const float lh = ImGui::GetTextLineHeight();
  const ImVec2 a(m_o.x + m_L.x_box, box_top(row));
  const ImVec2 b(a.x + m_L.box_w, a.y + m_L.box_h);
  std::string text;
  std::vector<std::string> terms;  // the products (or the window's values) so far
  std::string head, tail;          // around them: "max(" … ", …", and " = result"
  bool now = false, pending = false;
  if (f.conv) {
    const int64_t i = row - f.w.ic_begin;
    now = !f.at_result && i == f.cur_ch;
    pending = !f.at_result && i > f.cur_ch;
    const double p = now ? f.now()->channel_running : f.w.partials[static_cast<std::size_t>(i)];
    text = 'p' + std::to_string(i);  // (a char: GCC 12 misreads "p" + string as an overlap)
    text += " = " + (pending ? std::string("?") : fmt(p, 5));
    for (const ExplainLine& line : f.explain.lines) {
      if (line.kind != ExplainLine::Kind::channel_sum || line.channel != row || pending) continue;
      for (const ExplainTerm& t : line.terms) {
        if (!f.at_result && t.tap > f.tap) break;
        terms.push_back(fmt_factor(t.x, 3) + "·" + fmt_factor(t.w, 3));
      }
      if (!now) tail = " = " + fmt(line.result, 5);
    }
  } else {
    now = !f.at_result;
    const TraceTap* t = f.now();
    if (f.is_max) {
      const bool any = f.at_result || (t && t->best_tap >= 0);
      text = "max = " + (any ? fmt(f.at_result ? f.w.value : t->running, 5) : std::string("?"));
    } else {
      text = f.at_result ? "mean = " + fmt(f.w.value, 5) : "sum = " + fmt(t->running, 5);
    }
    for (const ExplainLine& line : f.explain.lines) {
      if (line.kind != ExplainLine::Kind::reduce) continue;
      for (const ExplainTerm& term : line.terms) {
        if (!f.at_result && term.tap > f.tap) break;
        terms.push_back(fmt(term.x, 3));
      }
      head = f.is_max ? "max(" : "(";
      tail = f.is_max ? (f.at_result ? ")" : ", …")
                      : (f.at_result ? ") / " + std::to_string(line.divisor) : " + …");
    }
  }
  const ImU32 border = now ? pal.tap : pal.text_dim;
  m_dl->AddRectFilled(a, b, pal.canvas_bg, 0.3f * lh);
  m_dl->AddRect(a, b, border, 0.3f * lh, 0, (now ? 2.5f : 1.2f) * pal.line);
  text_centred(m_dl, m_mono, m_mono->FontSize, a, b, pending ? pal.text_dim : pal.text, text);
  if (!terms.empty()) {
    ImFont* small = mono_small_font();
    // Whole lines only, as many as the row has room for; when the products take more, the
    // newest ones are shown after "… +".
    const float room = row_top(row) + m_L.row_h - b.y - 0.6f * lh;
    const int lines = std::max(1, static_cast<int>(room / small->FontSize));
    const float char_w = small->CalcTextSizeA(small->FontSize, 1e9f, 0, "0").x;
    const int per_line = std::max(4, static_cast<int>(m_L.prod_w / std::max(1.0f, char_w)) - 2);
    const char* sep = !f.conv && f.is_max ? ", " : " + ";
    const std::string all = joined_tail(terms, sep, head, tail, lines * per_line * 4 / 5);
    wrapped(m_dl, small, ImVec2(a.x, b.y + 0.3f * lh), m_L.prod_w,
            static_cast<float>(lines) * small->FontSize + 1.0f, pal.text_dim, all);
  }
}

// The product just taken flies from the filter (or the window) into its row's box.
void Canvas::draw_flight() {
  const Frame& f = m_f;
  const Motion& m = motion();
  const TraceTap* t = f.now();
  if (!t || m.product_win != f.win || m.product_tap != f.tap) return;
  const float p = m.product.progress(m_s.time);
  if (p >= 1.0f) return;
  const int64_t row = f.conv ? t->ic : f.w.oc;
  const Grid* g =
      find(f.conv ? GridKind::kernel : GridKind::window, f.conv ? t->ic - f.w.ic_begin : row);
  if (!g) return;
  const ImVec2 a = cell_min(*g, t->ky, t->kx), b = cell_max(*g, t->ky, t->kx);
  const ImVec2 from((a.x + b.x) * 0.5f, (a.y + b.y) * 0.5f);
  const ImVec2 to(m_o.x + m_L.x_box + m_L.box_w * 0.5f, box_top(row) + m_L.box_h * 0.5f);
  const float e = ease_out(p);
  const ImVec2 at(from.x + (to.x - from.x) * e, from.y + (to.y - from.y) * e);
  const std::string text = f.conv ? fmt(t->product, 4) : fmt(t->x, 4);
  const ImVec2 ts = m_mono->CalcTextSizeA(m_mono->FontSize, 1e9f, 0, text.c_str());
  const ImU32 col = m_pal.tap;
  const ImVec2 tl(at.x - ts.x * 0.5f - 3, at.y - ts.y * 0.5f - 2);
  m_dl->AddRectFilled(tl, ImVec2(tl.x + ts.x + 6, tl.y + ts.y + 4), col, 3.0f);
  m_dl->AddText(m_mono, m_mono->FontSize, ImVec2(tl.x + 3, tl.y + 2), text_colour_on(col),
                text.c_str());
}

// Conv: every partial into one Σ; the bias added on the way from Σ to the output cell.
void Canvas::draw_sigma() {
  const Frame& f = m_f;
  const Palette& pal = m_pal;
  const float lh = ImGui::GetTextLineHeight();
  const int64_t first = f.w.ic_begin, last = f.w.ic_begin + f.g.c_in_per_group - 1;
  const float rad = std::round(1.1f * lh);
  const ImVec2 c(m_o.x + m_L.x_sigma + 1.6f * lh + rad, (row_mid(first) + row_mid(last)) * 0.5f);
  for (int64_t row = first; row <= last; ++row) {
    const ImVec2 from(m_o.x + m_L.x_box + m_L.box_w + 2, box_top(row) + m_L.box_h * 0.5f);
    const float dx = c.x - from.x, dy = c.y - from.y;
    const float len = std::max(1.0f, std::sqrt(dx * dx + dy * dy));
    arrow(m_dl, from, ImVec2(c.x - dx / len * (rad + 2), c.y - dy / len * (rad + 2)), pal.text_dim,
          pal.line);
  }
  m_dl->AddCircleFilled(c, rad, pal.canvas_bg);
  m_dl->AddCircle(c, rad, f.at_result ? pal.current_out : pal.text, 0, 2.0f * pal.line);
  ImFont* bold = heading_font();
  text_centred(m_dl, bold, bold->FontSize, ImVec2(c.x - rad, c.y - rad),
               ImVec2(c.x + rad, c.y + rad), pal.text, "Σ");
  const std::string bias =
      f.w.has_bias ? "+ b[" + std::to_string(f.w.oc) + "] = " + fmt(f.w.bias, 4) : "no bias";
  ImFont* small = mono_small_font();
  // The bias in full when it fits, else "+ b" (its value is in the sum under the rows).
  const float room = m_L.x_out - (c.x - m_o.x) - rad - 0.6f * lh;
  const std::string short_bias = f.w.has_bias ? "+ b" : "";
  const bool full = small->CalcTextSizeA(small->FontSize, 1e9f, 0, bias.c_str()).x <= room;
  label_at(m_dl, ImVec2(c.x + rad + 0.3f * lh, c.y - 1.3f * small->FontSize - 2.0f), pal.text_dim,
           full ? bias : fit_text(short_bias, small, room), small);
  if (const Grid* g = find(GridKind::output, f.w.oc)) {
    const float y = (cell_min(*g, f.w.oy, 0).y + cell_max(*g, f.w.oy, 0).y) * 0.5f;
    const ImU32 col = f.at_result ? pal.current_out : pal.text_dim;
    const ImVec2 knee(m_o.x + m_L.x_sigma + m_L.sigma_w, c.y);
    m_dl->AddLine(ImVec2(c.x + rad + 2, c.y), knee, col, 1.5f * pal.line);
    arrow(m_dl, knee, ImVec2(g->origin.x - 4, y), col, 1.5f * pal.line);
  }
}

// One output map: its label, the values written so far, the cell being computed, hover marks.
void Canvas::draw_output_grid(const Grid& g, std::size_t slot) {
  const Frame& f = m_f;
  const Palette& pal = m_pal;
  const int64_t oc = g.c;
  const std::string label = output_label(f, oc, !m_L.compact);
  label_at(m_dl, ImVec2(g.origin.x, g.origin.y - m_L.label_h),
           oc == f.w.oc ? pal.text : pal.text_dim, fit_text(label, m_mono, m_L.out_w + m_L.label_h),
           m_mono);
  if (f.hide_shape) {  // the quiz asks for the output's shape: a veil, not its cells
    const ImVec2 b = cell_max(g, g.rows - 1, g.cols - 1);
    m_dl->AddRectFilled(g.origin, b, pal.empty_fill);
    m_dl->AddRect(g.origin, b, pal.input_border, 0.0f, 0, pal.line);
    text_centred(m_dl, m_mono, m_mono->FontSize, g.origin, b, pal.text_dim, "?");
    return;
  }
  GridFill fills(m_dl, g, slot);
  const Motion& m = motion();
  for (int64_t r = 0; r < g.rows; ++r) {
    for (int64_t c = 0; c < g.cols; ++c) {
      const int64_t win = f.g.window_index(f.n, oc, r, c);
      if (!m_s.stepper.is_written(win)) {
        fills.set(r, c, pal.empty_fill);
        continue;
      }
      const double v = f.view->output_value(f.n, oc, r, c);
      ImU32 fill = value_colour(v, f.out_max);
      if (win == m.fill_win && m.fill.progress(m_s.time) < 1.0f) {
        const float a = ease_out(m.fill.progress(m_s.time));
        fill = (fill & 0x00FFFFFFu) | (static_cast<ImU32>(40 + 215 * a) << IM_COL32_A_SHIFT);
      }
      fills.set(r, c, fill);
      if (m_fs.out > 0) {
        text_centred(m_dl, number_font(m_fs.out), m_fs.out, cell_min(g, r, c), cell_max(g, r, c),
                     text_colour_on(fill | IM_COL32_A_MASK), fmt(v, 3));
      }
    }
  }
  fills.finish();
  grid_lines(m_dl, g, pal.grid);
  m_dl->AddRect(g.origin, cell_max(g, g.rows - 1, g.cols - 1), pal.input_border, 0.0f, 0, pal.line);
  if (oc == f.w.oc) {
    cell_outline(m_dl, g, f.w.oy, f.w.ox, pal.current_out, 3.5f * pal.line);
    if (!f.at_result && m_fs.out > 0) {
      text_centred(m_dl, number_font(m_fs.out), m_fs.out, cell_min(g, f.w.oy, f.w.ox),
                   cell_max(g, f.w.oy, f.w.ox), pal.text_dim, "?");
    }
  }
  if (m_s.hover_output.valid() && m_s.hover_output.c == oc) {
    cell_outline(m_dl, g, m_s.hover_output.y, m_s.hover_output.x, pal.hover, 2.5f * pal.line, 1.0f);
  }
  if (m_s.hover_input.valid()) draw_outputs_fed(g);
}

// Every output of this map that the hovered input cell feeds.
void Canvas::draw_outputs_fed(const Grid& g) {
  const Frame& f = m_f;
  const CellRef& h = m_s.hover_input;
  const int64_t ob = f.g.first_output_channel(h.c), oe = ob + f.g.c_out_per_group;
  if (g.c < ob || g.c >= oe) return;
  // The geometry's reverse mapping: the outputs whose windows span the cell, and of those the
  // ones with a tap on it (dilation skips the rest).
  const TraceView::OutputRect spans = f.view->windows_covering(h.y, h.x);
  for (int64_t r = spans.oy.begin; r < spans.oy.end; ++r) {
    if (f.g.tap_ky(r, h.y) < 0) continue;
    for (int64_t c = spans.ox.begin; c < spans.ox.end; ++c) {
      if (f.g.tap_kx(c, h.x) >= 0)
        cell_outline(m_dl, g, r, c, m_pal.hover, 2.5f * m_pal.line, 1.0f);
    }
  }
}

// Conv, under the rows: y[...] = p0 + p1 + … + b = the numbers = the value.
void Canvas::draw_sum_line() {
  const Frame& f = m_f;
  const int64_t cpg = f.g.c_in_per_group;
  std::string names, values;
  for (int64_t i = 0; i < cpg; ++i) {
    const std::string sep = i == 0 ? "" : " + ";
    names += sep + "p" + std::to_string(i);
    const bool pending = !f.at_result && i > f.cur_ch;
    const bool now = !f.at_result && i == f.cur_ch;
    values += sep + (pending ? "?" : now ? "…" : fmt(f.w.partials[static_cast<std::size_t>(i)], 4));
  }
  if (f.w.has_bias) {
    names += " + b";
    values += " + " + fmt(f.w.bias, 4);
  }
  const std::string head = "y" + at4(f, f.n, f.w.oc, f.w.oy, f.w.ox) + " = ";
  const std::string tail = f.at_result ? " = " + fmt(f.w.value, 6) : "";
  std::string line = head + names + " = " + values + tail;
  const float width = std::max(m_L.width, ImGui::GetContentRegionAvail().x);
  if (m_mono->CalcTextSizeA(m_mono->FontSize, 1e9f, 0, line.c_str()).x > width) {
    line = head + values + tail;
  }
  const float y = m_o.y + m_L.height - m_L.sum_h + 0.3f * ImGui::GetTextLineHeight();
  label_at(m_dl, ImVec2(m_o.x, y), f.at_result ? m_pal.text : m_pal.text_dim,
           fit_text(line, m_mono, width), m_mono);
}

}  // namespace cs::ui::canvas
