// The quiz view (see ui_quiz.hpp): asks the open question of the quiz (app/ui/quiz.hpp), checks
// what is typed, and writes the hint and the answer from the trace view's explanation, with the
// arithmetic panel's own words (explain_line_text). Writes only the quiz and the stepper.
#include "app/ui/ui_quiz.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <vector>

#include "app/ui/ui_arithmetic.hpp"
#include "app/ui/ui_theme.hpp"

namespace cs::ui {
namespace {

// "x[0, 0, 1, 2]" as the arithmetic panel writes indices.
std::string indexed(const char* name, std::initializer_list<int64_t> v) {
  std::string s = name;
  s += '[';
  for (int64_t x : v) {
    if (s.back() != '[') s += ", ";
    s += std::to_string(x);
  }
  return s + ']';
}

std::string output_name(const TraceWindow& win) {
  return indexed("y", {win.n, win.oc, win.oy, win.ox});
}

struct TapNames {
  std::string x, w;
};
TapNames tap_names(const TraceWindow& win, const TraceTap& t) {
  return {indexed("x", {win.n, t.ic, t.iy, t.ix}),
          indexed("w", {win.oc, t.ic - win.ic_begin, t.ky, t.kx})};
}

// The explanation's lines of one kind (and, for channel sums, one channel: -1 for all).
std::vector<ExplainLine> lines_of(const TraceView& v, int64_t w, ExplainLine::Kind kind,
                                  int64_t channel = -1) {
  std::vector<ExplainLine> out;
  for (const ExplainLine& l : v.explain(w).lines) {
    if (l.kind == kind && (channel < 0 || l.channel == channel)) out.push_back(l);
  }
  return out;
}

// The output-size formula with the lesson's numbers, one line per axis, with or without its
// result: "out_h = ⌊(5 + 0 + 0 − 1·(3 − 1) − 1) / 1⌋ + 1 = 3" (the trace's formula() line also
// has the general form between the name and the numbers; it is left out here).
std::vector<std::string> formula_lines(const TraceView& v, bool with_result) {
  std::vector<std::string> out;
  const std::string f = v.formula();
  std::size_t pos = 0;
  while (pos < f.size()) {
    const std::size_t nl = f.find('\n', pos);
    const std::string line = f.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? f.size() : nl + 1;
    std::vector<std::string> parts;  // name = general = numbers = result
    for (std::size_t at = 0;;) {
      const std::size_t eq = line.find(" = ", at);
      parts.push_back(line.substr(at, eq == std::string::npos ? std::string::npos : eq - at));
      if (eq == std::string::npos) break;
      at = eq + 3;
    }
    if (parts.size() < 3) {
      if (!line.empty()) out.push_back(line);
      continue;
    }
    const std::size_t n = parts.size();
    out.push_back(parts[0] + " = " + parts[n - 2] + (with_result ? " = " + parts[n - 1] : ""));
  }
  return out;
}

std::string answer_text(const Question& q) {
  if (asks_size(q.kind)) {
    const auto [h, w] = size_answer(q);
    return std::to_string(h) + "×" + std::to_string(w);
  }
  return fmt(q.answer, 6);
}

// One axis of the receptive-field question: its taps, how far apart, and the span's arithmetic
// "2·(3 − 1) + 1" (with " = 5" when with_result).
struct FieldAxis {
  const char* name;  // "rows", "columns"
  int64_t k, dilation, span;
};
std::vector<FieldAxis> field_axes(const TraceView& v) {
  const TraceShape& g = v.shape();
  return {{"rows", g.k_h, g.dilation_h, g.span_h()}, {"columns", g.k_w, g.dilation_w, g.span_w()}};
}
std::string span_arithmetic(const FieldAxis& a, bool with_result) {
  return std::to_string(a.dilation) + "·(" + std::to_string(a.k) + " − 1) + 1" +
         (with_result ? " = " + std::to_string(a.span) : "");
}
// "rows: dilation 2 puts the 3 taps 2 apart: 2·(3 − 1) + 1", first tap to last
std::vector<std::string> field_hint(const TraceView& v) {
  std::vector<std::string> out;
  for (const FieldAxis& a : field_axes(v)) {
    out.push_back(std::string(a.name) + ": dilation " + std::to_string(a.dilation) + " puts the " +
                  std::to_string(a.k) + " taps " + std::to_string(a.dilation) +
                  " apart: " + span_arithmetic(a, false));
  }
  return out;
}
// "span = dilation·(k − 1) + 1:", then "rows = 2·(3 − 1) + 1 = 5" and the columns'
std::vector<std::string> field_reveal(const TraceView& v) {
  std::vector<std::string> out{"span = dilation·(k − 1) + 1:"};
  for (const FieldAxis& a : field_axes(v))
    out.push_back(std::string(a.name) + " = " + span_arithmetic(a, true));
  return out;
}

// The question's words, hint and reveal, for question q of the state's trace.
std::string prompt_for(const TraceView& v, const Question& q) {
  const TraceWindow win = v.window(q.window);
  switch (q.kind) {
    case QuestionKind::receptive_field:
      return "How many input rows × columns does one output cell see? Type R×C (rows × "
             "columns), e.g. 4×2 or 4 2.";
    case QuestionKind::shape:
      return "What shape will the output have? Type H×W (rows × columns).";
    case QuestionKind::product: {
      const TapNames n = tap_names(win, v.tap(q.window, q.tap));
      return "Next multiply: " + n.x + " · " + n.w + " = ?";
    }
    case QuestionKind::partial:
      return "Channel " + std::to_string(q.channel) + "'s partial sum for " + output_name(win) +
             ": all its products added = ?";
    case QuestionKind::output:
      return "The value " + output_name(win) +
             " this window writes (every product, plus the bias) = ?";
    case QuestionKind::pool:
      return std::string("The ") + (v.op() == TraceOp::max_pool2d ? "max" : "average") +
             " of this window, " + output_name(win) + " = ?";
  }
  return {};
}

std::vector<std::string> hint_for(const TraceView& v, const Question& q) {
  const TraceWindow win = v.window(q.window);
  std::vector<std::string> out;
  switch (q.kind) {
    case QuestionKind::receptive_field:
      return field_hint(v);
    case QuestionKind::shape:
      return formula_lines(v, false);
    case QuestionKind::product: {
      const TraceTap t = v.tap(q.window, q.tap);
      const TapNames n = tap_names(win, t);
      return {n.x + " = " + fmt(t.x, 6) + " and " + n.w + " = " + fmt(t.w, 6)};
    }
    case QuestionKind::partial:
      for (const ExplainLine& l : lines_of(v, q.window, ExplainLine::Kind::channel_sum, q.channel))
        out.push_back(explain_line_text(v, win, l, false));
      return out;
    case QuestionKind::output:
      for (const ExplainLine& l : lines_of(v, q.window, ExplainLine::Kind::channel_sum)) {
        out.push_back("Channel " + std::to_string(l.channel) + ": " +
                      explain_line_text(v, win, l, false));
      }
      out.push_back(win.has_bias ? "then add the channels' sums and the bias, " + fmt(win.bias, 6)
                                 : "then add the channels' sums (no bias)");
      return out;
    case QuestionKind::pool:
      for (const ExplainLine& l : lines_of(v, q.window, ExplainLine::Kind::reduce))
        out.push_back(explain_line_text(v, win, l, false));
      return out;
  }
  return out;
}

std::vector<std::string> reveal_for(const TraceView& v, const Question& q) {
  const TraceWindow win = v.window(q.window);
  std::vector<std::string> out;
  switch (q.kind) {
    case QuestionKind::receptive_field:
      return field_reveal(v);
    case QuestionKind::shape:
      return formula_lines(v, true);
    case QuestionKind::product: {
      const TraceTap t = v.tap(q.window, q.tap);
      const TapNames n = tap_names(win, t);
      return {n.x + " · " + n.w + " = " + fmt_factor(t.x, 6) + " · " + fmt_factor(t.w, 6) + " = " +
              fmt(t.product, 6)};
    }
    case QuestionKind::partial:
      for (const ExplainLine& l : lines_of(v, q.window, ExplainLine::Kind::channel_sum, q.channel))
        out.push_back(explain_line_text(v, win, l, true));
      return out;
    case QuestionKind::output: {
      // One channel: its products; several: they were asked one by one, the sum remains.
      const auto channels = lines_of(v, q.window, ExplainLine::Kind::channel_sum);
      if (channels.size() == 1) out.push_back(explain_line_text(v, win, channels.front(), true));
      for (const ExplainLine& l : lines_of(v, q.window, ExplainLine::Kind::total))
        out.push_back(explain_line_text(v, win, l, true));
      return out;
    }
    case QuestionKind::pool:
      for (const ExplainLine& l : lines_of(v, q.window, ExplainLine::Kind::reduce))
        out.push_back(explain_line_text(v, win, l, true));
      return out;
  }
  return out;
}

// The rect of an open view this frame (drawn before the quiz), or nullptr.
const AppState::ViewRect* view_rect(const AppState& s, const char* name) {
  for (const AppState::ViewRect& r : s.views) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

// Where the quiz stands, its height fitting its text (so it grows upwards): normally in the
// bottom-right corner above the status bar, as wide as the arithmetic column (over the kernel
// editor); in presentation mode in the bottom-right corner of the canvas, above the timeline
// strip, where the flow leaves room, so the arithmetic column stays readable.
void place_quiz(const AppState& s) {
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  const float status_h = ImGui::GetFrameHeight() + ImGui::GetStyle().WindowPadding.y;
  float right = d.x, bottom = d.y - status_h;
  float w = d.x * 0.30f;
  const AppState::ViewRect* canvas = view_rect(s, "Lesson");
  if (s.presentation && canvas) {
    right = canvas->x + canvas->w;
    w = d.x * 0.45f;
  } else if (const AppState::ViewRect* arithmetic = view_rect(s, "Arithmetic")) {
    w = arithmetic->w;
  }
  w = std::clamp(w, std::min(right, 22.0f * ImGui::GetFontSize()), right);
  if (const AppState::ViewRect* t = view_rect(s, "Timeline")) {
    if (t->x < right && t->x + t->w > right - w) bottom = std::min(bottom, t->y);
  }
  ImGui::SetNextWindowPos(ImVec2(right, bottom), ImGuiCond_Always, ImVec2(1.0f, 1.0f));
  // Height 0: ImGui fits it to the content every frame.
  ImGui::SetNextWindowSize(ImVec2(w, 0.0f), ImGuiCond_Always);
  ImGui::SetNextWindowSizeConstraints(ImVec2(w, 0.0f), ImVec2(w, bottom));
}

// One --quiz-answer a frame, typed into the open question.
void type_scripted_answer(AppState& s) {
  if (s.scripted_answers.empty() || !s.quiz.question()) return;
  s.quiz.submit(s.scripted_answers.front(), s.stepper);
  s.scripted_answers.erase(s.scripted_answers.begin());
  s.mark_dirty(Dirty::status);
}

void wrapped_lines(const std::vector<std::string>& lines, ImFont* font) {
  ImGui::PushFont(font);
  for (const std::string& l : lines)
    ImGui::TextWrapped("%s", l.c_str());
  ImGui::PopFont();
}

void note_typing(AppState& s, bool typing) {
  if (typing == s.quiz_typing) return;
  s.quiz_typing = typing;
  s.mark_dirty(Dirty::status);
}

// The answer field, with the keyboard when a question (re)opens or the stepper was held back.
void draw_answer_field(AppState& s) {
  static char text[96] = "";
  static uint64_t last_holds = 0;
  static int64_t last_step = -1;
  static bool refocus = true;
  const Question& q = *s.quiz.question();
  if (q.step != last_step || s.quiz.holds() != last_holds) refocus = true;
  last_step = q.step;
  last_holds = s.quiz.holds();
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Your answer:");
  ImGui::SameLine();
  ImGui::PushFont(mono_font());
  ImGui::SetNextItemWidth(std::max(6.0f * ImGui::GetFontSize(), ImGui::GetContentRegionAvail().x));
  if (refocus) ImGui::SetKeyboardFocusHere();
  refocus = false;
  const bool enter =
      ImGui::InputText("##quiz-answer", text, sizeof text, ImGuiInputTextFlags_EnterReturnsTrue);
  note_typing(s, ImGui::IsItemActive());
  ImGui::PopFont();
  if (enter && text[0] != '\0') {
    s.quiz.submit(text, s.stepper);
    text[0] = '\0';
    s.mark_dirty(Dirty::status);
    refocus = s.quiz.question().has_value();
  }
}

bool same_question(const Question& a, const Question& b) {
  return a.step == b.step && a.kind == b.kind;
}

// Whether the view shows the last closed question's answer: when no question is open, and when
// the next question of step 0 opened right after it (the receptive field, then the shape).
bool shows_last_answer(const AppState& s) {
  const std::optional<Question>& last = s.quiz.last_question();
  const std::optional<Question>& open = s.quiz.question();
  const Verdict v = s.quiz.last_verdict();
  if (!last || (v != Verdict::right && v != Verdict::revealed)) return false;
  return !open || (open->step == 0 && last->step == 0 && !same_question(*open, *last));
}

// The last closed question's verdict and its answer with the arithmetic.
void draw_answer(AppState& s) {
  ImGui::PushStyleColor(ImGuiCol_Text, s.quiz.last_verdict() == Verdict::right
                                           ? palette().accent_v4
                                           : palette().error_v4);
  ImGui::PushFont(heading_font());
  ImGui::TextWrapped("%s", quiz_verdict_text(s).c_str());
  ImGui::PopFont();
  ImGui::PopStyleColor();
  wrapped_lines(quiz_reveal(s), mono_font());
}

void draw_open_question(AppState& s) {
  const TraceView& v = *s.trace;
  const Question& q = *s.quiz.question();
  if (shows_last_answer(s)) {
    draw_answer(s);
    ImGui::Separator();
  }
  ImGui::PushFont(heading_font());
  ImGui::TextWrapped("%s", prompt_for(v, q).c_str());
  ImGui::PopFont();
  draw_answer_field(s);
  if (s.quiz.last_verdict() != Verdict::none && s.quiz.last_question() &&
      same_question(*s.quiz.last_question(), q)) {
    ImGui::PushStyleColor(ImGuiCol_Text, s.quiz.last_verdict() == Verdict::unreadable
                                             ? palette().dim_v4
                                             : palette().error_v4);
    ImGui::TextWrapped("%s", quiz_verdict_text(s).c_str());
    ImGui::PopStyleColor();
  }
  if (s.quiz.hint_due()) {
    ImGui::TextColored(palette().tap_v4, "Hint:");
    wrapped_lines(hint_for(v, q), mono_font());
  }
  ImGui::PushFont(caption_font());
  ImGui::TextWrapped("Enter checks · ? shows the answer · Esc leaves the field, then ← steps back");
  ImGui::PopFont();
}

void draw_last_answer(AppState& s) {
  if (shows_last_answer(s)) draw_answer(s);
  ImGui::PushFont(caption_font());
  ImGui::TextWrapped("→ or Space steps on; the quiz asks before the next value it covers.");
  ImGui::PopFont();
}

}  // namespace

void set_quiz(AppState& s, bool on) {
  s.quiz.set_active(on);
  s.show_quiz = on;
  s.mark_dirty(Dirty::status);
  quiz_guard(s);
}

void toggle_quiz(AppState& s) {
  set_quiz(s, !s.quiz.active());
  s.notify(s.quiz.active() ? "Quiz mode: predict each value before it is shown (Q to leave)."
                           : "Quiz mode off.");
}

void quiz_guard(AppState& s) {
  const uint64_t holds = s.quiz.holds();
  const bool had = s.quiz.question().has_value();
  s.quiz.guard(s.trace, s.stepper, s.lesson_name);
  if (s.quiz.holds() != holds || s.quiz.question().has_value() != had) {
    s.mark_dirty(Dirty::status);
  }
}

std::string lesson_description_text(const AppState& s, const std::string& description) {
  if (!s.quiz.hides_shape()) return description;
  return "(The lesson's description follows once you have answered the quiz's first questions: "
         "it may give their answers away.)";
}

std::string quiz_prompt(const AppState& s) {
  if (!s.trace || !s.quiz.question()) return {};
  return prompt_for(*s.trace, *s.quiz.question());
}

std::vector<std::string> quiz_hint(const AppState& s) {
  if (!s.trace || !s.quiz.question()) return {};
  return hint_for(*s.trace, *s.quiz.question());
}

std::vector<std::string> quiz_reveal(const AppState& s) {
  if (!s.trace || !shows_last_answer(s)) return {};
  return reveal_for(*s.trace, *s.quiz.last_question());
}

std::string quiz_verdict_text(const AppState& s) {
  const auto& q = s.quiz.last_question();
  if (!q) return {};
  const std::string typed = s.quiz.last_typed();
  switch (s.quiz.last_verdict()) {
    case Verdict::none:
      return {};
    case Verdict::right:
      return "Right: " + answer_text(*q) + ".";
    case Verdict::wrong:
      return "Not right: you typed " + typed + ". Try again: try " +
             std::to_string(s.quiz.tries() + 1) + " of " + std::to_string(Quiz::kTries) + ".";
    case Verdict::revealed:
      return "The answer is " + answer_text(*q) +
             (typed == "?" ? "." : " (you typed " + typed + ").");
    case Verdict::unreadable:
      if (q->kind == QuestionKind::receptive_field) {
        return "Type the size as rows×columns, e.g. 4×2, 4x2 or 4 2.";
      }
      return q->kind == QuestionKind::shape ? "Type the shape as H×W, e.g. 3×3."
                                            : "Type a number, e.g. −2, 2.5 or 7/3.";
  }
  return {};
}

void draw_quiz(AppState& s) {
  type_scripted_answer(s);
  place_quiz(s);
  bool open = true;
  if (ImGui::Begin("Quiz", &open, ImGuiWindowFlags_NoCollapse)) {
    const QuizScore sc = s.quiz.score();
    ImGui::PushFont(heading_font());
    ImGui::TextColored(palette().accent_v4, "Predict, then reveal");
    ImGui::PopFont();
    ImGui::SameLine();
    char score[64];
    std::snprintf(score, sizeof score, "score %d / %d", sc.right, sc.asked);
    if (ImGui::GetContentRegionAvail().x < ImGui::CalcTextSize(score).x) ImGui::NewLine();
    ImGui::TextUnformatted(score);
    ImGui::Separator();
    if (!s.has_trace() || s.stepper.empty()) {
      ImGui::TextDisabled("Nothing to ask yet: fix the parameters first.");
    } else if (s.quiz.question()) {
      draw_open_question(s);
    } else {
      note_typing(s, false);
      draw_last_answer(s);
    }
    report_fit(s, "Quiz");
    const ImVec2 p = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
    s.views.push_back({"Quiz", p.x, p.y, size.x, size.y});
  }
  ImGui::End();
  if (!open) set_quiz(s, false);
  if (!s.quiz.active()) note_typing(s, false);
}

}  // namespace cs::ui
