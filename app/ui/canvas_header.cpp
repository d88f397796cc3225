// The canvas's header: the lesson's title, the colour legend, the description, the shapes with
// the settings and the output-size formula, and the error if the parameters did not apply.
#include <imgui.h>

#include <algorithm>
#include <string>

#include "app/ui/canvas_frame.hpp"
#include "app/ui/canvas_paint.hpp"
#include "app/ui/ui_quiz.hpp"
#include "app/ui/ui_theme.hpp"

namespace cs::ui::canvas {
namespace {

// The input's colour scale, right-aligned on the current line: a bar from −max to +max.
void draw_legend(double max_abs, float scale) {
  const Palette& pal = palette();
  const std::string text = fmt(-max_abs, 3) + " … 0 … " + fmt(max_abs, 3);
  const float lw = 150.0f * scale;
  const float tw = ImGui::CalcTextSize(text.c_str()).x;
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  // Beside the title when there is room for both, else on a line of its own.
  const float x = std::max(0.0f, ImGui::GetWindowContentRegionMax().x - lw - tw - spacing);
  const float title_end = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x;
  if (title_end + spacing <= x) {
    ImGui::SameLine(x);
  } else {
    ImGui::SetCursorPosX(x);
  }
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float lh = ImGui::GetTextLineHeight();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (int i = 0; i < 32; ++i) {
    const float x0 = p.x + lw * static_cast<float>(i) / 32.0f;
    const float x1 = p.x + lw * static_cast<float>(i + 1) / 32.0f;
    dl->AddRectFilled(ImVec2(x0, p.y + lh * 0.2f), ImVec2(x1 + 0.5f, p.y + lh * 0.9f),
                      value_colour(-1.0 + (2.0 * i + 1) / 32.0, 1.0));
  }
  dl->AddRect(ImVec2(p.x, p.y + lh * 0.2f), ImVec2(p.x + lw, p.y + lh * 0.9f), pal.grid);
  ImGui::Dummy(ImVec2(lw, lh));
  const bool hovered = ImGui::IsItemHovered();
  ImGui::SameLine();
  ImGui::TextUnformatted(text.c_str());
  if (hovered || ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "Colour of the input's cells: blue negative, white 0, red positive, up to the largest "
        "|value|.\nThe filter and the outputs use the same colours on their own scales.");
  }
}

}  // namespace

// Title, legend, description, the shapes with the output-size formula beside them, the error.
bool draw_canvas_header(AppState& s, Frame& f) {
  const Palette& pal = palette();
  const bool built = build_frame(s, f);
  ImGui::PushFont(heading_font());
  std::string title = s.lesson_title.empty() ? s.lesson_name : s.lesson_title;
  ImGui::TextUnformatted(title.c_str());
  ImGui::PopFont();
  if (built) draw_legend(f.in_max > 0 ? f.in_max : 1.0, ui_scale(s));
  if (s.show_lesson_info && !s.lesson_description.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, pal.dim_v4);
    ImGui::TextWrapped("%s", lesson_description_text(s, s.lesson_description).c_str());
    ImGui::PopStyleColor();
  }
  if (!built) {
    ImGui::TextDisabled("No picture yet: the parameters need fixing (see Parameters).");
    if (s.error) ImGui::TextColored(pal.error_v4, "%s", s.error->message.c_str());
    return false;
  }
  // The shapes and the settings on one line when they fit, the formula right under them.
  const float room = ImGui::GetContentRegionAvail().x;
  const std::string shapes = shapes_line(f), settings = settings_words(f);
  ImGui::PushFont(mono_font());
  const float shapes_w = ImGui::CalcTextSize(shapes.c_str()).x;
  ImGui::TextUnformatted(fit_text(shapes, mono_font(), room).c_str());
  ImGui::PopFont();
  const float spacing = 1.5f * ImGui::GetFontSize();
  const bool same_line = shapes_w + spacing + ImGui::CalcTextSize(settings.c_str()).x <= room;
  if (same_line && !f.transposed) ImGui::SameLine(0.0f, spacing);
  ImGui::PushStyleColor(ImGuiCol_Text, pal.dim_v4);
  if (f.transposed) {
    ImGui::TextWrapped("%s", settings.c_str());  // the layer's settings and the gather reading
  } else {
    ImGui::TextUnformatted(
        fit_text(settings, ImGui::GetFont(), ImGui::GetContentRegionAvail().x).c_str());
  }
  ImGui::PopStyleColor();
  if (f.hide_shape) {
    ImGui::TextDisabled("The output's size: the quiz asks you first (Quiz view).");
  } else {
    draw_formula(f.view->formula(), /*compact=*/true);
  }
  if (s.error) {
    ImGui::PushStyleColor(ImGuiCol_Text, pal.error_v4);
    ImGui::TextWrapped("Not applied: %s (showing the last parameters that worked)",
                       s.error->message.c_str());
    ImGui::PopStyleColor();
  }
  ImGui::Spacing();
  return true;
}

}  // namespace cs::ui::canvas
