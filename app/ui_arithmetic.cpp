// The arithmetic panel (see ui_arithmetic.hpp): the stepper's window written out term by term.
// Reads the trace and the stepper; writes nothing but hover state.
#include "app/ui_arithmetic.hpp"

#include <imgui.h>

#include <algorithm>
#include <string>
#include <vector>

#include "app/ui_theme.hpp"

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
  ImGui::SameLine();
  if (at_result) {
    ImGui::Text("= %s", fmt(value, 6).c_str());
  } else {
    ImGui::TextDisabled("(being computed)");
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

void draw_conv(AppState& s) {
  const ConvTrace& tr = *s.conv_trace;
  const ConvGeometry& g = tr.geometry();
  const Stepper& st = s.stepper;
  const Window win = tr.window(st.window());
  const int64_t taps_per_ch = g.taps_per_channel();
  const int64_t cur = st.tap();
  const bool at_result = st.at_result();
  ImFont* mono = mono_font();

  draw_output_header(idx({win.n, win.o, win.y, win.x}), win.value, at_result,
                     {g.stride_h, g.dilation_h, g.pad.top, win.origin_y},
                     {g.stride_w, g.dilation_w, g.pad.left, win.origin_x});

  // The multiply being done now.
  if (!at_result) {
    const Tap t = tr.tap(st.window(), cur);
    ImGui::PushFont(mono);
    std::string where = idx({win.n, t.ic, t.iy, t.ix});
    where.insert(where.begin(), 'x');
    if (t.in_padding) {
      if (t.src_y < 0) {
        where += " (zero padding)";
      } else {
        where += " (" + std::string(padding_mode_name(g.padding_mode)) + " padding: reads x" +
                 idx({win.n, t.ic, t.src_y, t.src_x}) + ")";
      }
    }
    ImGui::TextColored(palette().tap_v4, "multiply %lld of %lld", static_cast<long long>(cur + 1),
                       static_cast<long long>(tr.taps_per_window()));
    ImGui::TextWrapped("%s = %s", where.c_str(), fmt(t.x, 6).c_str());
    ImGui::Text("w%s = %s", idx({win.o, t.ic - win.ic_begin, t.ky, t.kx}).c_str(),
                fmt(t.w, 6).c_str());
    ImGui::Text("%s · %s = %s", fmt_factor(t.x, 6).c_str(), fmt_factor(t.w, 6).c_str(),
                fmt(t.product, 6).c_str());
    ImGui::TextWrapped("channel %lld so far: %s    all so far: %s", static_cast<long long>(t.ic),
                       fmt(t.channel_running, 6).c_str(), fmt(t.running, 6).c_str());
    ImGui::PopFont();
    ImGui::Separator();
  }

  // Every channel's products: done, current, future.
  const int64_t cur_ch = at_result ? g.c_in_per_group : cur / taps_per_ch;
  for (int64_t c = 0; c < g.c_in_per_group; ++c) {
    const int64_t ic = win.ic_begin + c;
    ImGui::Text("Channel %lld:", static_cast<long long>(ic));
    std::vector<Token> tokens;
    for (int64_t k = 0; k < taps_per_ch; ++k) {
      const int64_t ti = c * taps_per_ch + k;
      const Tap t = tr.tap(st.window(), ti);
      Mark m = Mark::normal;
      if (!at_result && ti == cur) {
        m = Mark::current;
      } else if (!at_result && ti > cur) {
        m = Mark::future;
      }
      std::string term = fmt_factor(t.x) + "·" + fmt_factor(t.w);
      if (k + 1 < taps_per_ch) term += " +";
      tokens.push_back({term, m});
    }
    if (c < cur_ch) {
      tokens.push_back({"= " + fmt(win.partials[static_cast<std::size_t>(c)], 6), Mark::accent});
    } else if (c == cur_ch && !at_result) {
      const Tap t = tr.tap(st.window(), cur);
      tokens.push_back({"(so far " + fmt(t.channel_running, 6) + ")", Mark::future});
    } else {
      tokens.push_back({"= ?", Mark::future});
    }
    draw_tokens(tokens, mono);
  }
  ImGui::Separator();

  // Partials + bias = value.
  ImGui::TextUnformatted(g.c_in_per_group > 1 ? "Sum of the channel partials, plus the bias:"
                                              : "Partial plus the bias:");
  std::vector<Token> sum;
  for (int64_t c = 0; c < g.c_in_per_group; ++c) {
    const bool done = c < cur_ch;
    std::string term = done ? fmt_factor(win.partials[static_cast<std::size_t>(c)], 6) : "?";
    sum.push_back({term + " +", done ? Mark::normal : Mark::future});
  }
  if (g.has_bias) {
    sum.push_back({fmt_factor(win.bias, 6) + " (bias)", at_result ? Mark::normal : Mark::future});
  } else {
    sum.push_back({"0 (no bias)", at_result ? Mark::normal : Mark::future});
  }
  if (at_result) {
    sum.push_back({"=", Mark::normal});
    sum.push_back({fmt(win.value, 6), Mark::result});
  } else {
    sum.push_back({"= ?", Mark::future});
  }
  draw_tokens(sum, mono);
  if (!s.lesson_expected.empty()) {
    ImGui::Separator();
    ImGui::TextDisabled("The seed notebook printed:");
    ImGui::PushFont(mono);
    ImGui::TextWrapped("%s", s.lesson_expected.c_str());
    ImGui::PopFont();
  }
}

void draw_pool(AppState& s) {
  const PoolTrace& tr = *s.pool_trace;
  const PoolGeometry& g = tr.geometry();
  const Stepper& st = s.stepper;
  const PoolWindow win = tr.window(st.window());
  const int64_t cur = st.tap();
  const bool at_result = st.at_result();
  const bool is_max = g.op == PoolOp::max;
  ImFont* mono = mono_font();

  draw_output_header(idx({win.n, win.c, win.y, win.x}), win.value, at_result,
                     {g.stride_h, g.dilation_h, g.pad.top, win.origin_y},
                     {g.stride_w, g.dilation_w, g.pad.left, win.origin_x});

  // Running max / sum up to the current tap.
  bool have = false;
  double best = 0, sum = 0;
  int64_t best_tap = -1;
  const int64_t upto = at_result ? static_cast<int64_t>(win.taps.size()) - 1 : cur;
  for (int64_t k = 0; k <= upto && k < static_cast<int64_t>(win.taps.size()); ++k) {
    const PoolTap& t = win.taps[static_cast<std::size_t>(k)];
    if (t.in_padding && is_max) continue;
    sum += t.x;
    if (!have || t.x > best) {
      best = t.x;
      best_tap = k;
      have = true;
    }
  }
  if (!at_result && cur < static_cast<int64_t>(win.taps.size())) {
    const PoolTap& t = win.taps[static_cast<std::size_t>(cur)];
    ImGui::PushFont(mono);
    ImGui::TextColored(palette().tap_v4, "value %lld of %zu", static_cast<long long>(cur + 1),
                       win.taps.size());
    if (t.in_padding) {
      ImGui::Text(
          "x%s is padding: %s", idx({win.n, win.c, t.iy, t.ix}).c_str(),
          is_max ? "max ignores it" : (g.count_include_pad ? "counts as 0" : "not counted"));
    } else {
      ImGui::Text("x%s = %s", idx({win.n, win.c, t.iy, t.ix}).c_str(), fmt(t.x, 6).c_str());
    }
    if (is_max) {
      ImGui::Text("largest so far: %s", have ? fmt(best, 6).c_str() : "none yet");
    } else {
      ImGui::Text("sum so far: %s", fmt(sum, 6).c_str());
    }
    ImGui::PopFont();
    ImGui::Separator();
  }

  std::vector<Token> tokens;
  tokens.push_back({is_max ? "max(" : "(", Mark::normal});
  for (std::size_t k = 0; k < win.taps.size(); ++k) {
    const PoolTap& t = win.taps[k];
    Mark m = Mark::normal;
    if (!at_result && static_cast<int64_t>(k) == cur) {
      m = Mark::current;
    } else if (!at_result && static_cast<int64_t>(k) > cur) {
      m = Mark::future;
    }
    std::string term = t.in_padding ? (is_max ? "pad" : "0") : fmt(t.x);
    if (is_max && at_result && static_cast<int64_t>(k) == win.argmax_tap) term = "[" + term + "]";
    term += k + 1 < win.taps.size() ? (is_max ? "," : " +") : "";
    tokens.push_back({term, m});
  }
  if (is_max) {
    tokens.push_back({")", Mark::normal});
  } else {
    tokens.push_back({") / " + std::to_string(win.divisor), Mark::normal});
  }
  if (at_result) {
    tokens.push_back({"=", Mark::normal});
    tokens.push_back({fmt(win.value, 6), Mark::result});
  } else {
    tokens.push_back({"= ?", Mark::future});
  }
  draw_tokens(tokens, mono);
  if (is_max && at_result && win.argmax_tap >= 0) {
    ImGui::TextWrapped("Arg-max: input cell (y %lld, x %lld), PyTorch index %lld (= y·W + x).",
                       static_cast<long long>(win.argmax_y), static_cast<long long>(win.argmax_x),
                       static_cast<long long>(win.argmax_y * g.in_w + win.argmax_x));
  } else if (is_max && !at_result && best_tap >= 0) {
    ImGui::TextDisabled("Current arg-max: value %lld of the window.",
                        static_cast<long long>(best_tap + 1));
  }
  if (!is_max) {
    ImGui::TextWrapped("Divisor %lld: %s.", static_cast<long long>(win.divisor),
                       g.count_include_pad ? "every cell of the window, padding included"
                                           : "only the cells inside the input");
  }
  if (!s.lesson_expected.empty()) {
    ImGui::Separator();
    ImGui::TextDisabled("The seed notebook printed:");
    ImGui::PushFont(mono);
    ImGui::TextWrapped("%s", s.lesson_expected.c_str());
    ImGui::PopFont();
  }
}

}  // namespace

void draw_arithmetic(AppState& s) {
  if (!ImGui::Begin("Arithmetic", &s.show_arithmetic)) {
    ImGui::End();
    return;
  }
  if (!s.has_trace() || s.stepper.empty()) {
    ImGui::TextDisabled("Nothing to compute yet.");
  } else if (s.trace_op == LessonOp::conv) {
    draw_conv(s);
  } else {
    draw_pool(s);
  }
  ImGui::End();
}

}  // namespace cs::ui
