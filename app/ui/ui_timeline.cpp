// The timeline view and the stepping keys (see ui_timeline.hpp). Moves the stepper only; the
// canvas and the arithmetic panel read its position in the same frame.
#define GLFW_INCLUDE_NONE
#include "app/ui/ui_timeline.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "app/ui/ui_theme.hpp"

namespace cs::ui {

std::string count_text(const AppState& s, int64_t count) {
  return s.quiz.hides_shape() ? std::string("?") : std::to_string(count);
}

namespace {

constexpr StepUnit kUnits[] = {StepUnit::multiply, StepUnit::window, StepUnit::row,
                               StepUnit::channel};

void step(AppState& s, StepUnit unit, int dir) {
  s.stepper.pause();
  if (s.stepper.step(unit, dir)) s.mark_dirty(Dirty::status);
}

void set_unit(AppState& s, StepUnit unit) {
  s.step_unit = unit;
  s.stepper.set_play_unit(unit);
  s.mark_dirty(Dirty::settings);
  s.mark_dirty(Dirty::status);
}

void change_speed(AppState& s, double factor) {
  s.stepper.set_speed(s.stepper.speed() * factor);
  s.mark_dirty(Dirty::settings);
  s.mark_dirty(Dirty::status);
}

}  // namespace

std::string unit_hint(const AppState& s, StepUnit u) {
  const StepperGeometry& g = s.stepper.geometry();
  switch (u) {
    case StepUnit::multiply:
      return "one multiply x·w (" + std::to_string(g.taps_per_window) +
             " per window, then the value written)";
    case StepUnit::window:
      return "one output value (" + std::to_string(g.steps_per_window()) + " steps)";
    case StepUnit::row:
      return "one output row (" + count_text(s, g.out_w) + " values)";
    case StepUnit::channel:
      return "one output channel (" + count_text(s, g.out_h * g.out_w) + " values)";
  }
  return {};
}

std::string step_position_text(const AppState& s) {
  return "step " + std::to_string(s.stepper.global() + 1) + " of " +
         count_text(s, s.stepper.total());
}

std::string timeline_where_text(const AppState& s) {
  const Stepper& st = s.stepper;
  const StepperGeometry& g = st.geometry();
  const bool conv = !s.trace || s.trace->is_conv();
  std::string where = "window " + std::to_string(st.window() + 1) + " of " +
                      count_text(s, g.windows()) + ": output (n " + std::to_string(st.n()) + ", " +
                      (conv ? "o " : "c ") + std::to_string(st.oc()) + ", y " +
                      std::to_string(st.oy()) + ", x " + std::to_string(st.ox()) + ")   ";
  if (st.at_result()) {
    where += conv ? "partials + bias = value written" : "value written";
  } else {
    where += (conv ? "multiply " : "tap ") + std::to_string(st.tap() + 1) + " of " +
             std::to_string(g.taps_per_window);
  }
  return where;
}

namespace {

// Buttons left to right, wrapping to a new row when the next does not fit (narrow panels,
// presentation mode).
class ButtonRow {
 public:
  bool add(const char* label, const std::string& tip) {
    const float w = ImGui::CalcTextSize(label).x + ImGui::GetStyle().FramePadding.x * 2;
    if (!m_first) {
      ImGui::SameLine();
      if (ImGui::GetContentRegionAvail().x < w) ImGui::NewLine();
    }
    m_first = false;
    const bool r = ImGui::Button(label);
    if (ImGui::IsItemHovered() && !tip.empty()) ImGui::SetTooltip("%s", tip.c_str());
    return r;
  }

 private:
  bool m_first = true;
};

}  // namespace

void handle_step_keys(AppState& s) {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput || s.stepper.empty()) return;
  // Right/Left: plain = the chosen unit, Shift = window, Ctrl = row, Alt or Ctrl+Shift = channel.
  auto unit_for_mods = [&]() {
    if (io.KeyAlt || (io.KeyCtrl && io.KeyShift)) return StepUnit::channel;
    if (io.KeyCtrl) return StepUnit::row;
    if (io.KeyShift) return StepUnit::window;
    return s.step_unit;
  };
  if (ImGui::IsKeyPressed(GLFW_KEY_RIGHT, true)) step(s, unit_for_mods(), +1);
  if (ImGui::IsKeyPressed(GLFW_KEY_LEFT, true)) step(s, unit_for_mods(), -1);
  if (ImGui::IsKeyPressed(GLFW_KEY_HOME, false)) {
    s.stepper.pause();
    s.stepper.home();
    s.mark_dirty(Dirty::status);
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_END, false)) {
    s.stepper.pause();
    s.stepper.end();
    s.mark_dirty(Dirty::status);
  }
  if (io.KeyCtrl || io.KeySuper) return;
  if (ImGui::IsKeyPressed(GLFW_KEY_SPACE, false)) {
    s.stepper.toggle_play();
    s.mark_dirty(Dirty::status);
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_EQUAL, true) || ImGui::IsKeyPressed(GLFW_KEY_KP_ADD, true)) {
    change_speed(s, 1.5);
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_MINUS, true) ||
      ImGui::IsKeyPressed(GLFW_KEY_KP_SUBTRACT, true)) {
    change_speed(s, 1.0 / 1.5);
  }
  for (int i = 0; i < 4; ++i) {
    if (ImGui::IsKeyPressed(GLFW_KEY_1 + i, false)) set_unit(s, kUnits[i]);
  }
}

namespace {

// The buttons: coarse back ... fine back, play, fine forward ... coarse forward. slim: only
// first, window, step, play, step, window, last (presentation mode's strip).
void draw_buttons(AppState& s, bool slim) {
  Stepper& st = s.stepper;
  ImGui::PushFont(mono_font());
  ButtonRow row;
  if (row.add("|<", "first step (Home)")) {
    st.pause();
    st.home();
    s.mark_dirty(Dirty::status);
  }
  if (!slim && row.add("<<<", "back " + unit_hint(s, StepUnit::channel) + " (Alt+←)")) {
    step(s, StepUnit::channel, -1);
  }
  if (!slim && row.add("<<", "back " + unit_hint(s, StepUnit::row) + " (Ctrl+←)")) {
    step(s, StepUnit::row, -1);
  }
  if (row.add("<", "back " + unit_hint(s, StepUnit::window) + " (Shift+←)")) {
    step(s, StepUnit::window, -1);
  }
  if (row.add("-1", "back " + unit_hint(s, s.step_unit) + " (←)")) step(s, s.step_unit, -1);
  if (row.add(st.playing() ? " Pause " : " Play  ", "play / pause (Space)")) {
    st.toggle_play();
    s.mark_dirty(Dirty::status);
  }
  if (row.add("+1", "forward " + unit_hint(s, s.step_unit) + " (→)")) step(s, s.step_unit, +1);
  if (row.add(">", "forward " + unit_hint(s, StepUnit::window) + " (Shift+→)")) {
    step(s, StepUnit::window, +1);
  }
  if (!slim && row.add(">>", "forward " + unit_hint(s, StepUnit::row) + " (Ctrl+→)")) {
    step(s, StepUnit::row, +1);
  }
  if (!slim && row.add(">>>", "forward " + unit_hint(s, StepUnit::channel) + " (Alt+→)")) {
    step(s, StepUnit::channel, +1);
  }
  if (row.add(">|", "last step (End)")) {
    st.pause();
    st.end();
    s.mark_dirty(Dirty::status);
  }
  ImGui::PopFont();
}

// The scrubber over every step, `width` wide (-1: the rest of the line).
void draw_scrubber(AppState& s, float width) {
  Stepper& st = s.stepper;
  long long pos = st.global();
  const long long lo = 0, hi = std::max<long long>(0, st.total() - 1);
  // (ImGui reads the label as a format: a '%' would need doubling; it has none.)
  const std::string label = step_position_text(s);
  if (s.quiz.hides_shape()) {  // the slider's grab would show the step count: a bar instead
    ImGui::ProgressBar(0.0f, ImVec2(width, 0.0f), label.c_str());
    return;
  }
  ImGui::SetNextItemWidth(width);
  if (ImGui::SliderScalar("##scrub", ImGuiDataType_S64, &pos, &lo, &hi, label.c_str())) {
    st.pause();
    st.seek(pos);
    s.mark_dirty(Dirty::status);
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Drag to scrub through every multiply.");
}

// Where the stepper is, in words; the step unit (keys 1-4) and the speed (+/-).
void draw_details(AppState& s) {
  Stepper& st = s.stepper;
  ImGui::TextWrapped("%s", timeline_where_text(s).c_str());

  // Step unit (keys 1-4) and speed (+/-).
  ImGui::TextUnformatted("Step by");
  for (int i = 0; i < 4; ++i) {
    char label[48];
    std::snprintf(label, sizeof label, "%s (%d)", step_unit_name(kUnits[i]), i + 1);
    ImGui::SameLine();
    const float need = ImGui::CalcTextSize(label).x + ImGui::GetFrameHeight() +
                       ImGui::GetStyle().ItemInnerSpacing.x;
    if (ImGui::GetContentRegionAvail().x < need) ImGui::NewLine();
    if (ImGui::RadioButton(label, s.step_unit == kUnits[i])) set_unit(s, kUnits[i]);
  }
  float log_speed = static_cast<float>(std::log10(st.speed()));
  char speed_label[64];
  std::snprintf(speed_label, sizeof speed_label, "%.3g %s/s", st.speed(),
                s.step_unit == StepUnit::multiply ? "steps" : step_unit_name(s.step_unit));
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.45f);
  if (ImGui::SliderFloat("speed (+/−)", &log_speed, -1.0f, 3.5f, speed_label)) {
    st.set_speed(std::pow(10.0, static_cast<double>(log_speed)));
    s.mark_dirty(Dirty::settings);
  }
}

}  // namespace

void draw_timeline(AppState& s) {
  if (s.presentation) {
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(slim_padding(), slim_padding()));
  }
  const bool open = ImGui::Begin("Timeline", &s.show_timeline, stage_flags(s));
  if (s.presentation) ImGui::PopStyleVar();
  if (!open) {
    ImGui::End();
    return;
  }
  if (s.stepper.empty()) {
    ImGui::TextDisabled("No trace yet: fix the parameters first.");
    ImGui::End();
    return;
  }
  draw_buttons(s, s.presentation);
  if (s.presentation) {
    // A slim strip: the buttons and the scrubber on one line when they fit.
    const float need = 12.0f * ImGui::GetFontSize();
    ImGui::SameLine();
    if (ImGui::GetContentRegionAvail().x < need) ImGui::NewLine();
    draw_scrubber(s, -1.0f);
  } else {
    draw_scrubber(s, -1.0f);
    draw_details(s);
  }
  report_fit(s, "Timeline");
  ImGui::End();
}

}  // namespace cs::ui
