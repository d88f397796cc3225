// The arithmetic panel (see ui_arithmetic.hpp): the stepper's window written out term by term,
// from the trace view's explanation (core/trace.hpp: the same lines `convscope lesson` prints).
// Reads the trace and the stepper; writes nothing but hover state.
#include "app/ui/ui_arithmetic.hpp"

#include <imgui.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "app/ui/ui_theme.hpp"

namespace cs::ui {
namespace {

// A run of text in a wrapped line: done (normal), current (highlighted box), future (dim).
enum class Mark { normal, current, future, result, accent };
struct Token {
  std::string text;
  Mark mark = Mark::normal;
};

// Lays tokens out left to right in the mono font, wrapping at the panel's width; a token never
// breaks. The current token gets a filled box behind it.
void draw_tokens(const std::vector<Token>& tokens, ImFont* font) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const Palette& p = palette();
  const float size = font->FontSize;
  const float space = font->CalcTextSizeA(size, 1e9f, 0, " ").x;
  const ImVec2 start = ImGui::GetCursorScreenPos();
  const float width = std::max(50.0f, ImGui::GetContentRegionAvail().x);
  float x = 0, y = 0;
  const float line_h = size * 1.35f;
  for (const Token& t : tokens) {
    const ImVec2 ts = font->CalcTextSizeA(size, 1e9f, 0, t.text.c_str());
    if (x > 0 && x + ts.x > width) {
      x = 0;
      y += line_h;
    }
    const ImVec2 pos(start.x + x, start.y + y);
    ImU32 col = p.text;
    switch (t.mark) {
      case Mark::current: {
        const float pad = 2.0f;
        dl->AddRectFilled(ImVec2(pos.x - pad, pos.y - pad),
                          ImVec2(pos.x + ts.x + pad, pos.y + ts.y + pad), p.tap, 3.0f);
        col = text_colour_on(p.tap);
        break;
      }
      case Mark::future:
        col = p.text_dim;
        break;
      case Mark::result:
        dl->AddRect(ImVec2(pos.x - 2, pos.y - 2), ImVec2(pos.x + ts.x + 2, pos.y + ts.y + 2),
                    p.current_out, 3.0f, 0, 2.0f * p.line);
        break;
      case Mark::accent:
        col = p.accent;
        break;
      case Mark::normal:
        break;
    }
    dl->AddText(font, size, pos, col, t.text.c_str());
    x += ts.x + space;
  }
  ImGui::Dummy(ImVec2(width, y + line_h));
}

void heading(const char* text) {
  ImGui::PushFont(heading_font());
  ImGui::TextColored(palette().accent_v4, "%s", text);
  ImGui::PopFont();
}

// How a window's origin follows from its output cell along one axis.
struct AxisPlace {
  int stride, dilation, pad_before;
  int64_t origin;  // oy·stride − pad_before (or ox·…)
};

// The top of the panel, for convolution and pooling alike: which output cell, its value once
// reached, and where its window sits (the one index formula, with the numbers).
void draw_output_header(const std::string& out_index, double value, bool at_result,
                        const AxisPlace& rows, const AxisPlace& cols) {
  heading(("Output y" + out_index).c_str());
  // Beside the heading when it fits, else under it (never cut at the panel's edge).
  const std::string state = at_result ? "= " + fmt(value, 6) : "(being computed)";
  ImGui::SameLine();
  if (ImGui::GetContentRegionAvail().x < ImGui::CalcTextSize(state.c_str()).x) ImGui::NewLine();
  if (at_result) {
    ImGui::TextUnformatted(state.c_str());
  } else {
    ImGui::TextDisabled("%s", state.c_str());
  }
  ImGui::PushFont(mono_font());
  ImGui::TextDisabled("iy = oy·%d + ky·%d − %d = %lld + ky·%d", rows.stride, rows.dilation,
                      rows.pad_before, static_cast<long long>(rows.origin), rows.dilation);
  ImGui::TextDisabled("ix = ox·%d + kx·%d − %d = %lld + kx·%d", cols.stride, cols.dilation,
                      cols.pad_before, static_cast<long long>(cols.origin), cols.dilation);
  ImGui::PopFont();
  ImGui::Separator();
}

std::string idx(std::initializer_list<int64_t> v) {
  std::string s = "[";
  bool first = true;
  for (int64_t x : v) {
    if (!first) s += ", ";
    s += fmt(static_cast<double>(x));
    first = false;
  }
  return s + "]";
}

// Where the stepper is in the window: the tap being taken now, or the result step.
struct Cursor {
  int64_t tap = 0;
  bool at_result = false;
  Mark mark(int64_t tap_index) const {
    if (at_result || tap_index < tap) return Mark::normal;
    return tap_index == tap ? Mark::current : Mark::future;
  }
  bool done(int64_t last_tap) const { return at_result || last_tap < tap; }
};

// The multiply being done now (conv).
void draw_current_multiply(const TraceView& v, const TraceWindow& win, const TraceTap& t) {
  // NOTE: appended, not "x" + idx(...): g++ 12 warns falsely (-Wrestrict) on the latter.
  std::string where = "x";
  where += idx({win.n, t.ic, t.iy, t.ix});
  if (t.source == TapSource::stuffed) {
    where += " (a zero stuffed between input cells)";
  } else if (t.source == TapSource::padding && !v.is_conv()) {
    where += " (zero padding)";
  } else if (t.source == TapSource::padding) {
    const ConvTraceView& cv = static_cast<const ConvTraceView&>(v);
    where += t.src_y < 0
                 ? " (zero padding)"
                 : " (" + std::string(padding_mode_name(cv.trace().geometry().padding_mode)) +
                       " padding: reads x" + idx({win.n, t.ic, t.src_y, t.src_x}) + ")";
  }
  ImGui::TextColored(palette().tap_v4, "multiply %lld of %lld", static_cast<long long>(t.index + 1),
                     static_cast<long long>(v.taps_per_window()));
  ImGui::TextWrapped("%s = %s", where.c_str(), fmt(t.x, 6).c_str());
  ImGui::Text("w%s = %s", idx({win.oc, t.ic - win.ic_begin, t.ky, t.kx}).c_str(),
              fmt(t.w, 6).c_str());
  ImGui::Text("%s · %s = %s", fmt_factor(t.x, 6).c_str(), fmt_factor(t.w, 6).c_str(),
              fmt(t.product, 6).c_str());
  ImGui::TextWrapped("channel %lld so far: %s    all so far: %s", static_cast<long long>(t.ic),
                     fmt(t.channel_running, 6).c_str(), fmt(t.running, 6).c_str());
}

// The value being compared or summed now (pooling).
void draw_current_value(const TraceView& v, const TraceWindow& win, const TraceTap& t) {
  const bool is_max = v.op() == TraceOp::max_pool2d;
  std::string where = "x";
  where += idx({win.n, win.oc, t.iy, t.ix});
  ImGui::TextColored(palette().tap_v4, "value %lld of %lld", static_cast<long long>(t.index + 1),
                     static_cast<long long>(v.taps_per_window()));
  if (t.source == TapSource::outside) {
    ImGui::TextWrapped("%s is past the padding (ceil_mode's last window): not read, not counted",
                       where.c_str());
  } else if (t.source == TapSource::padding) {
    ImGui::Text("%s is padding: %s", where.c_str(),
                is_max ? "max ignores it" : (t.counted ? "counts as 0" : "not counted"));
  } else {
    ImGui::Text("%s = %s", where.c_str(), fmt(t.x, 6).c_str());
  }
  if (is_max) {
    ImGui::Text("largest so far: %s", t.best_tap >= 0 ? fmt(t.running, 6).c_str() : "none yet");
  } else {
    ImGui::Text("sum so far: %s", fmt(t.running, 6).c_str());
  }
}

// Channel ic: x·w + x·w + ... = partial (done), (so far p) (being summed) or = ? (to come).
std::vector<Token> channel_sum_tokens(const ExplainLine& line, const Cursor& cur,
                                      const TraceTap* now) {
  std::vector<Token> tokens;
  for (std::size_t k = 0; k < line.terms.size(); ++k) {
    const ExplainTerm& t = line.terms[k];
    std::string term = fmt_factor(t.x) + "·" + fmt_factor(t.w);
    if (k + 1 < line.terms.size()) term += " +";
    tokens.push_back({term, cur.mark(t.tap)});
  }
  const bool started = !line.terms.empty() && line.terms.front().tap <= cur.tap;
  if (cur.done(line.last_tap)) {
    tokens.push_back({"= " + fmt(line.result, 6), Mark::accent});
  } else if (started && now) {
    tokens.push_back({"(so far " + fmt(now->channel_running, 6) + ")", Mark::future});
  } else {
    tokens.push_back({"= ?", Mark::future});
  }
  return tokens;
}

// Partials + bias = value.
std::vector<Token> total_tokens(const ExplainLine& line, const Cursor& cur,
                                int64_t taps_per_channel) {
  std::vector<Token> sum;
  for (std::size_t c = 0; c < line.operands.size(); ++c) {
    const bool done = cur.done((static_cast<int64_t>(c) + 1) * taps_per_channel - 1);
    const std::string term = done ? fmt_factor(line.operands[c], 6) : "?";
    sum.push_back({term + " +", done ? Mark::normal : Mark::future});
  }
  const Mark last = cur.at_result ? Mark::normal : Mark::future;
  sum.push_back({line.has_bias ? fmt_factor(line.bias, 6) + " (bias)" : "0 (no bias)", last});
  if (cur.at_result) {
    sum.push_back({"=", Mark::normal});
    sum.push_back({fmt(line.result, 6), Mark::result});
  } else {
    sum.push_back({"= ?", Mark::future});
  }
  return sum;
}

// max(a, b, ...) or (a + b + ...) / divisor, over the values that count: padding that max
// ignores and cells past the padding are not terms.
std::vector<Token> reduce_tokens(const ExplainLine& line, const Cursor& cur, int64_t argmax_tap) {
  std::vector<Token> tokens;
  tokens.push_back({line.is_max ? "max(" : "(", Mark::normal});
  for (std::size_t k = 0; k < line.terms.size(); ++k) {
    const ExplainTerm& t = line.terms[k];
    std::string term = t.source == TapSource::padding ? "0" : fmt(t.x);
    if (line.is_max && cur.at_result && t.tap == argmax_tap) term = "[" + term + "]";
    if (k + 1 < line.terms.size()) term += line.is_max ? "," : " +";
    tokens.push_back({term, cur.mark(t.tap)});
  }
  tokens.push_back({line.is_max ? ")" : ") / " + std::to_string(line.divisor), Mark::normal});
  if (cur.at_result) {
    tokens.push_back({"=", Mark::normal});
    tokens.push_back({fmt(line.result, 6), Mark::result});
  } else {
    tokens.push_back({"= ?", Mark::future});
  }
  return tokens;
}

// One row of the panel below the current tap: a caption, or a line of tokens.
struct PanelRow {
  enum class Kind { caption, tokens, note, dim_note, separator } kind = Kind::caption;
  std::string text;
  std::vector<Token> tokens;
};

// What the panel shows for one frame, asked of the view once: the stepper's window, its current
// tap (none on the result step) and the window's explanation.
struct PanelWindow {
  TraceWindow win;
  Cursor cur;
  std::optional<TraceTap> now;
  Explanation explanation;
};

PanelWindow panel_window(const TraceView& v, const Stepper& st) {
  PanelWindow p{v.window(st.window()), Cursor{st.tap(), st.at_result()}, std::nullopt, {}};
  if (!p.cur.at_result) p.now = v.tap(st.window(), p.cur.tap);
  p.explanation = v.explain(st.window());
  return p;
}

// The window's explanation (core's lines) as the rows the panel draws. stage (presentation
// mode): only the channel being summed gets its products here, since the canvas beside the panel
// writes every channel's products under its partial sum.
std::vector<PanelRow> explanation_rows(const TraceView& v, const PanelWindow& p, bool stage) {
  const TraceWindow& win = p.win;
  const Cursor& cur = p.cur;
  const std::optional<TraceTap>& now = p.now;
  std::vector<PanelRow> rows;
  using K = PanelRow::Kind;
  for (const ExplainLine& line : p.explanation.lines) {
    switch (line.kind) {
      case ExplainLine::Kind::channel_sum:
        if (stage && (!now || now->ic != line.channel)) break;
        rows.push_back({K::caption, "Channel " + std::to_string(line.channel) + ":", {}});
        rows.push_back({K::tokens, "", channel_sum_tokens(line, cur, now ? &*now : nullptr)});
        break;
      case ExplainLine::Kind::total:
        rows.push_back({K::separator, "", {}});
        rows.push_back({K::caption,
                        line.operands.size() > 1 ? "Sum of the channel partials, plus the bias:"
                                                 : "Partial plus the bias:",
                        {}});
        rows.push_back({K::tokens, "", total_tokens(line, cur, v.shape().taps_per_channel())});
        break;
      case ExplainLine::Kind::reduce:
        rows.push_back({K::tokens, "", reduce_tokens(line, cur, win.argmax_tap)});
        if (now && v.op() == TraceOp::max_pool2d && now->best_tap >= 0) {
          rows.push_back(
              {K::dim_note,
               "Current arg-max: value " + std::to_string(now->best_tap + 1) + " of the window.",
               {}});
        }
        break;
      case ExplainLine::Kind::note:
        if (cur.done(line.last_tap)) rows.push_back({K::note, line.text, {}});
        break;
    }
  }
  return rows;
}

void draw_rows(const std::vector<PanelRow>& rows) {
  for (const PanelRow& r : rows) {
    switch (r.kind) {
      case PanelRow::Kind::caption:
        ImGui::TextUnformatted(r.text.c_str());
        break;
      case PanelRow::Kind::tokens:
        draw_tokens(r.tokens, mono_font());
        break;
      case PanelRow::Kind::note:
        ImGui::TextWrapped("%s", r.text.c_str());
        break;
      case PanelRow::Kind::dim_note:
        ImGui::TextDisabled("%s", r.text.c_str());
        break;
      case PanelRow::Kind::separator:
        ImGui::Separator();
        break;
    }
  }
}

void draw_window(AppState& s) {
  const TraceView& v = *s.trace;
  const TraceShape& g = v.shape();
  const PanelWindow p = panel_window(v, s.stepper);
  const TraceWindow& win = p.win;
  const Cursor& cur = p.cur;

  draw_output_header(idx({win.n, win.oc, win.oy, win.ox}), win.value, cur.at_result,
                     {g.stride_h, g.dilation_h, g.pad.top, win.origin_y},
                     {g.stride_w, g.dilation_w, g.pad.left, win.origin_x});
  if (p.now) {
    ImGui::PushFont(mono_font());
    if (v.has_weights()) {
      draw_current_multiply(v, win, *p.now);
    } else {
      draw_current_value(v, win, *p.now);
    }
    ImGui::PopFont();
    ImGui::Separator();
  }
  draw_rows(explanation_rows(v, p, s.presentation));
  // What the seed notebook printed is for the desk; the projector's column keeps the arithmetic.
  // Once the lesson is edited its numbers describe another lesson: say so instead of showing them.
  // In quiz mode they would give away the outputs (and the shape) it asks for.
  if (!s.lesson_expected.empty() && !s.presentation && !s.quiz.active()) {
    ImGui::Separator();
    if (expected_applies(s)) {
      ImGui::TextDisabled("The seed notebook printed:");
      ImGui::PushFont(mono_font());
      ImGui::TextWrapped("%s", s.lesson_expected.c_str());
      ImGui::PopFont();
    } else {
      ImGui::PushStyleColor(ImGuiCol_Text, palette().dim_v4);
      ImGui::TextWrapped("%s", kExpectedEdited);
      ImGui::PopStyleColor();
    }
  }
}

}  // namespace

std::vector<std::string> explanation_text(const AppState& s) {
  std::vector<std::string> lines;
  if (!s.has_trace() || s.stepper.empty()) return lines;
  for (const PanelRow& r :
       explanation_rows(*s.trace, panel_window(*s.trace, s.stepper), /*stage=*/false)) {
    std::string text = r.text;
    for (const Token& t : r.tokens)
      text += (text.empty() ? "" : " ") + t.text;
    if (!text.empty()) lines.push_back(text);
  }
  return lines;
}

std::string explain_line_text(const TraceView& v, const TraceWindow& win, const ExplainLine& line,
                              bool with_result) {
  const Cursor done{0, true};
  std::vector<Token> tokens;
  switch (line.kind) {
    case ExplainLine::Kind::channel_sum:
      tokens = channel_sum_tokens(line, done, nullptr);
      break;
    case ExplainLine::Kind::total:
      tokens = total_tokens(line, done, v.shape().taps_per_channel());
      break;
    case ExplainLine::Kind::reduce:
      tokens = reduce_tokens(line, done, with_result ? win.argmax_tap : -1);
      break;
    case ExplainLine::Kind::note:
      return line.text;
  }
  // The result is the last token starting with "=" and what follows it.
  if (!with_result) {
    for (std::size_t k = tokens.size(); k-- > 0;) {
      if (tokens[k].text.rfind("=", 0) == 0) {
        tokens.resize(k);
        break;
      }
    }
  }
  std::string text;
  for (const Token& t : tokens)
    text += (text.empty() ? "" : " ") + t.text;
  return text;
}

void draw_arithmetic(AppState& s) {
  if (!ImGui::Begin("Arithmetic", &s.show_arithmetic, stage_flags(s))) {
    ImGui::End();
    return;
  }
  if (!s.has_trace() || s.stepper.empty()) {
    ImGui::TextDisabled("Nothing to compute yet.");
  } else {
    draw_window(s);
  }
  report_fit(s, "Arithmetic");
  ImGui::End();
}

}  // namespace cs::ui
