// One frame: menu bar, the views as a flat list, status bar, help, and the global keys
// (see ui_frame.hpp). The views themselves live in one file each.
#include "app/ui/ui_frame.hpp"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "app/ui/ui_arithmetic.hpp"
#include "app/ui/ui_canvas.hpp"
#include "app/ui/ui_copy_code.hpp"
#include "app/ui/ui_edit.hpp"
#include "app/ui/ui_params.hpp"
#include "app/ui/ui_quiz.hpp"
#include "app/ui/ui_receptive.hpp"
#include "app/ui/ui_theme.hpp"
#include "app/ui/ui_timeline.hpp"
#include "app/ui/undo.hpp"
#include "core/lessons.hpp"

namespace cs::ui {
namespace {

bool g_reset_layout = false;
bool g_narrow = false;   // the window is narrower than 1200 pixels (normal mode)
bool g_reflow = false;   // the window changed size: views the user did not place follow it
ImVec2 g_display{0, 0};  // the window size the layout was made for
bool g_saved_narrow_inputs = true, g_saved_narrow_kernel = true;
// The open live preview gets its own region beside the canvas: in the normal layout Parameters
// and Inputs step aside until it closes; on the presentation stage it takes the arithmetic's
// column (the arithmetic goes under the canvas). g_reset_panels moves the views that changed place.
bool g_preview_room = false;
unsigned g_reset_panels = 0;
// The preview's region is in force (the stage, or the normal layout when wide).
bool preview_room() {
  return g_preview_room && !g_narrow;
}
bool g_presentation = false;  // the layout in force: presentation or normal
bool g_seen_mode = false;
// The editing views hidden by presentation mode, restored when it ends.
bool g_saved_params = true, g_saved_inputs = true, g_saved_kernel = true, g_saved_info = true;
float g_menu_h = 0.0f;
float g_status_h = 0.0f;
// The gesture under way, for the undo history (see edit_gesture()).
uint64_t g_gesture = 0;
ImGuiID g_gesture_active = 0;
bool g_gesture_held = false;

enum class Panel { params, inputs, canvas, timeline, arithmetic, kernel, preview, browser, help };

struct Rect {
  ImVec2 pos, size;
};

struct Frac {
  float x, y, w, h;
};

// A narrow window (below 1200 pixels): the canvas and the timeline on the left, the arithmetic
// and the parameters on the right; Inputs and the kernel editor are closed on the way in (the
// View menu opens them, floating) and come back when the window is wide again. False for the
// views that keep their wide place.
bool narrow_rect(Panel p, float timeline_h, Frac& r) {
  switch (p) {
    case Panel::canvas:
      r = {0, 0, 0.62f, 1.0f - timeline_h};
      return true;
    case Panel::timeline:
      r = {0, 1.0f - timeline_h, 0.62f, timeline_h};
      return true;
    case Panel::arithmetic:
      r = {0.62f, 0, 0.38f, 0.45f};
      return true;
    case Panel::params:
      r = {0.62f, 0.45f, 0.38f, 0.55f};
      return true;
    case Panel::inputs:
      r = {0.04f, 0.06f, 0.45f, 0.80f};
      return true;
    case Panel::kernel:
      r = {0.30f, 0.04f, 0.50f, 0.85f};
      return true;
    default:
      return false;
  }
}

// The default tiling, as fractions of the area between the menu bar and the status bar.
Rect default_rect(Panel p) {
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  const float y0 = g_menu_h;
  const float h = d.y - g_menu_h - g_status_h;
  const float w = d.x;
  // Every view keeps a usable width: the side columns never go below ~300 and ~380 pixels (at
  // the current text size) while the canvas keeps at least 35% of the window.
  const float scale = ui_font() ? ui_font()->FontSize / 16.0f : 1.0f;
  float left = std::max(0.20f, 300.0f * scale / std::max(w, 1.0f));
  float right = std::max(0.28f, 380.0f * scale / std::max(w, 1.0f));
  if (left + right > 0.65f) {
    const float k = 0.65f / (left + right);
    left *= k;
    right *= k;
  }
  const float mid = 1.0f - left - right;
  // The timeline's five lines (buttons, scrubber, where, step unit, speed), at least 23%.
  const float timeline_h =
      std::max(0.23f, (5.0f * ImGui::GetFrameHeightWithSpacing() +
                       2.0f * ImGui::GetStyle().WindowPadding.y + ImGui::GetFrameHeight()) /
                          std::max(h, 1.0f));
  // The arithmetic's usual 17 lines (a window's place, the current multiply, a channel's sum, the
  // partials and the bias) without scrolling, from half the right column up to 60%.
  const float arithmetic_h =
      std::clamp((17.0f * ImGui::GetTextLineHeightWithSpacing() + ImGui::GetFrameHeight() +
                  2.0f * ImGui::GetStyle().WindowPadding.y) /
                     std::max(h, 1.0f),
                 0.5f, 0.6f);
  Frac r{};
  if (g_presentation) {
    // A stage for a projector: the canvas and the arithmetic side by side, a slim timeline strip
    // under them (one line of buttons and the scrubber); the editing views float over the canvas
    // when opened from the View menu.
    const float strip = std::min(
        0.3f, (ImGui::GetFrameHeight() + 2.0f * slim_padding() + 4.0f) / std::max(h, 1.0f));
    const float top = 1.0f - strip;
    switch (p) {
      // With the live preview open it takes the right column, full height; the canvas and the
      // arithmetic share the left one.
      case Panel::canvas:
        r = preview_room() ? Frac{0, 0, 0.55f, top * 0.62f} : Frac{0, 0, 0.70f, top};
        break;
      case Panel::arithmetic:
        r = preview_room() ? Frac{0, top * 0.62f, 0.55f, top * 0.38f} : Frac{0.70f, 0, 0.30f, top};
        break;
      case Panel::timeline:
        r = {0, top, 1.0f, strip};
        break;
      case Panel::params:
        r = {0.02f, 0.04f, 0.30f, 0.70f};
        break;
      case Panel::inputs:
        r = {0.04f, 0.08f, 0.30f, 0.70f};
        break;
      case Panel::kernel:
        r = {0.34f, 0.04f, 0.30f, 0.70f};
        break;
      case Panel::preview:
        r = {0.55f, 0, 0.45f, top};
        break;
      case Panel::browser:
        r = {0.15f, 0.08f, 0.70f, 0.84f};
        break;
      case Panel::help:
        r = {0.08f, 0.04f, 0.84f, 0.92f};
        break;
    }
    return {ImVec2(r.x * w, y0 + r.y * h), ImVec2(r.w * w, r.h * h)};
  }
  if (g_narrow && narrow_rect(p, timeline_h, r)) {
    return {ImVec2(r.x * w, y0 + r.y * h), ImVec2(r.w * w, r.h * h)};
  }
  // With the preview open, it takes the left column and as much of the canvas's as the canvas
  // can spare: the canvas keeps 42 em (a three-channel lesson without a label cut), the preview
  // gets up to a third of the width, full height (its two panes one above the other).
  const float canvas_min = ImGui::GetFontSize() * 42.0f / std::max(w, 1.0f);
  const float room = preview_room() ? std::clamp(left + mid - canvas_min, left, 0.33f) : 0.0f;
  const float cx = preview_room() ? room : left, cw = left + mid - cx;
  switch (p) {
    case Panel::params:
      r = {0, 0, left, 0.60f};
      break;
    case Panel::inputs:
      r = {0, 0.60f, left, 0.40f};
      break;
    case Panel::canvas:
      r = {cx, 0, cw, 1.0f - timeline_h};
      break;
    case Panel::timeline:
      r = {cx, 1.0f - timeline_h, cw, timeline_h};
      break;
    case Panel::arithmetic:
      r = {left + mid, 0, right, arithmetic_h};
      break;
    case Panel::kernel:
      r = {left + mid, arithmetic_h, right, 1.0f - arithmetic_h};
      break;
    case Panel::preview:
      r = preview_room() ? Frac{0, 0, room, 1.0f}
                         : Frac{left + 0.02f, 0.04f, mid + right - 0.04f, 0.70f};
      break;
    case Panel::browser:
      r = {0.25f, 0.12f, 0.50f, 0.70f};
      break;
    case Panel::help:
      r = {0.22f, 0.06f, 0.56f, 0.86f};
      break;
  }
  return {ImVec2(r.x * w, y0 + r.y * h), ImVec2(r.w * w, r.h * h)};
}

// Before a view's Begin: its default place the first time it appears (no imgui.ini entry).
void place(Panel p) {
  const Rect r = default_rect(p);
  // NOTE: views set no size of their own; this is the only place a first size comes from.
  ImGui::SetNextWindowPos(r.pos, ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(r.size, ImGuiCond_FirstUseEver);
}

// Where the layout last put each view, read back a frame later (ImGui may round or clamp), so a
// view the user moved or resized is recognised and left where the user put it.
struct Placed {
  bool known = false, settling = false, user = false;
  ImVec2 pos{}, size{};
};
Placed g_placed[static_cast<int>(Panel::help) + 1];

// After a view drew: on a layout reset (F9, presentation toggle, first run) move it to its
// default place whatever the view itself asked for; when the window changed size, move it too
// unless the user placed it.
void enforce(AppState& s, Panel p, const char* window_name) {
  Placed& pl = g_placed[static_cast<int>(p)];
  const ImGuiWindow* win = ImGui::FindWindowByName(window_name);
  if (win && win->Active) {
    s.views.push_back({window_name, win->Pos.x, win->Pos.y, win->SizeFull.x, win->SizeFull.y});
  }
  if (win && pl.settling) {
    pl = {true, false, false, win->Pos, win->SizeFull};
  } else if (win && pl.known && !pl.user) {
    const auto moved = [](ImVec2 a, ImVec2 b) {
      return std::fabs(a.x - b.x) > 1.5f || std::fabs(a.y - b.y) > 1.5f;
    };
    pl.user = moved(win->Pos, pl.pos) || moved(win->SizeFull, pl.size);
  }
  const bool moved = (g_reset_panels & (1u << static_cast<unsigned>(p))) != 0;
  if (!g_reset_layout && !moved && !(g_reflow && !pl.user)) return;
  const Rect r = default_rect(p);
  ImGui::SetWindowPos(window_name, r.pos, ImGuiCond_Always);
  ImGui::SetWindowSize(window_name, r.size, ImGuiCond_Always);
  pl.settling = true;
  pl.user = false;
}

bool key_pressed(int key, bool repeat = false) {
  return ImGui::IsKeyPressed(key, repeat);
}

void toggle_presentation(AppState& s) {
  s.presentation = !s.presentation;
  s.mark_dirty(Dirty::settings);
  s.mark_dirty(Dirty::status);
  s.notify(s.presentation ? "Presentation mode: large text, high contrast (F5 or P to leave)."
                          : "Presentation mode off.");
}

// View > Theme (light or dark surfaces) and View > Palette (the diverging map of cells and the
// preview); both are kept in settings.json.
void draw_look_menus(AppState& s) {
  auto pick = [&s](const char* label, bool selected, auto apply) {
    if (ImGui::MenuItem(label, nullptr, selected) && !selected) {
      apply();
      s.mark_dirty(Dirty::settings);
      s.mark_dirty(Dirty::status);
    }
  };
  if (ImGui::BeginMenu("Theme")) {
    pick("Light", !s.dark_theme, [&s] { s.dark_theme = false; });
    pick("Dark", s.dark_theme, [&s] { s.dark_theme = true; });
    if (s.high_contrast || s.presentation) {
      ImGui::TextDisabled("(high contrast is on and wins)");
    }
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Palette")) {
    pick("Red–blue (ColorBrewer RdBu)", s.diverging_palette != 1,
         [&s] { s.diverging_palette = 0; });
    pick("Blue–orange (colour-blind safe)", s.diverging_palette == 1,
         [&s] { s.diverging_palette = 1; });
    ImGui::EndMenu();
  }
}

void draw_menu_bar(AppState& s) {
  if (!ImGui::BeginMainMenuBar()) return;
  g_menu_h = ImGui::GetWindowSize().y;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Open scene…", "Ctrl+O")) open_file_browser(s, BrowseFor::scene_open);
    if (ImGui::MenuItem("Save scene as…", "Ctrl+Shift+S")) {
      open_file_browser(s, BrowseFor::scene_save);
    }
    if (ImGui::MenuItem("Open input image or .npy…", "Ctrl+I")) {
      open_file_browser(s, BrowseFor::image_input);
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Screenshot", "F12")) s.screenshot_requested = true;
    ImGui::Separator();
    if (ImGui::MenuItem("Quit", "Ctrl+Q")) s.quit_requested = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Edit")) {
    if (ImGui::MenuItem("Undo", "Ctrl+Z", false, s.undo.undo_steps() > 0)) undo_edit(s);
    if (ImGui::MenuItem("Redo", "Ctrl+Shift+Z / Ctrl+Y", false, s.undo.redo_steps() > 0)) {
      redo_edit(s);
    }
    ImGui::Separator();  // the lesson as a script that stands alone (app/ui/ui_copy_code.hpp)
    if (ImGui::MenuItem("Copy as PyTorch")) (void)copy_lesson_script(s, cli::ExportTarget::pytorch);
    if (ImGui::MenuItem("Copy as Keras")) (void)copy_lesson_script(s, cli::ExportTarget::keras);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Lesson")) {
    // The seeds' lessons (PageDown cycles through them), then two submenus.
    const auto items = [&](const std::vector<Lesson>& lessons) {
      for (const Lesson& l : lessons) {
        if (ImGui::MenuItem(l.title.c_str(), l.name.c_str(), l.name == s.lesson_name)) {
          load_lesson(s, l);
        }
      }
    };
    items(builtin_lessons());
    ImGui::Separator();
    if (ImGui::BeginMenu("Transposed convolution")) {
      items(text_lessons());
      ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("1-D, 'full' and Keras's 'same'")) {
      items(text_conv_lessons());
      ImGui::EndMenu();
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Next lesson", "PageDown")) cycle_lesson(s, +1);
    if (ImGui::MenuItem("Previous lesson", "PageUp")) cycle_lesson(s, -1);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Operation")) {
    if (ImGui::MenuItem("Convolution", "O", s.op == LessonOp::conv))
      set_operation(s, LessonOp::conv);
    if (ImGui::MenuItem("Pooling", "O", s.op == LessonOp::pool)) set_operation(s, LessonOp::pool);
    if (ImGui::MenuItem("Transposed convolution", nullptr, s.op == LessonOp::conv_transpose)) {
      set_operation(s, LessonOp::conv_transpose);
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Bias", "B", s.has_bias)) {
      s.has_bias = !s.has_bias;
      s.mark_dirty(Dirty::trace);
    }
    if (ImGui::MenuItem("True convolution (flip the kernel)", "F", s.flip_kernel)) {
      s.flip_kernel = !s.flip_kernel;
      s.mark_dirty(Dirty::trace);
    }
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    ImGui::MenuItem("Lesson canvas", nullptr, &s.show_canvas);
    ImGui::MenuItem("Arithmetic", nullptr, &s.show_arithmetic);
    ImGui::MenuItem("Timeline", nullptr, &s.show_timeline);
    ImGui::MenuItem("Parameters", nullptr, &s.show_params);
    ImGui::MenuItem("Inputs", nullptr, &s.show_inputs);
    ImGui::MenuItem("Kernel editor", "Ctrl+K", &s.show_kernel_editor);
    ImGui::MenuItem("Live preview", "Ctrl+P", &s.show_preview);
    ImGui::MenuItem("Receptive field", nullptr, &s.show_receptive);
    ImGui::Separator();
    ImGui::MenuItem("Lesson text", "I", &s.show_lesson_info);
    ImGui::MenuItem("Numbers in cells", "V", &s.show_values);
    if (ImGui::MenuItem("Quiz mode (predict, then reveal)", "Q", s.quiz.active())) toggle_quiz(s);
    if (ImGui::MenuItem("Reduce motion", nullptr, &s.reduce_motion)) s.mark_dirty(Dirty::settings);
    if (ImGui::MenuItem("Presentation mode", "F5 / P", s.presentation)) toggle_presentation(s);
    if (ImGui::MenuItem("High contrast", "H", s.high_contrast)) {
      s.high_contrast = !s.high_contrast;
      s.mark_dirty(Dirty::settings);
    }
    draw_look_menus(s);
    if (ImGui::MenuItem("Reset window layout", "F9")) request_layout_reset();
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Help")) {
    if (ImGui::MenuItem("Keys and how to use", "F1", s.show_help)) s.show_help = !s.show_help;
    ImGui::EndMenu();
  }
  // The lesson's name on the right of the menu bar, and whether it was edited.
  const std::string name = "Lesson: " + s.lesson_name;
  const char* mark = " · modified";
  const float tw =
      ImGui::CalcTextSize(name.c_str()).x + (s.modified ? ImGui::CalcTextSize(mark).x : 0);
  ImGui::SameLine(ImGui::GetWindowWidth() - tw - ImGui::GetStyle().ItemSpacing.x * 2);
  ImGui::TextDisabled("%s", name.c_str());
  if (s.modified) {
    ImGui::SameLine(0, 0);
    ImGui::TextColored(palette().accent_v4, "%s", mark);
  }
  ImGui::EndMainMenuBar();
}

void draw_status_bar(AppState& s, float fps) {
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  const float h = ImGui::GetFrameHeight() + ImGui::GetStyle().WindowPadding.y;
  g_status_h = h;
  ImGui::SetNextWindowPos(ImVec2(0, d.y - h));
  ImGui::SetNextWindowSize(ImVec2(d.x, h));
  const ImGuiWindowFlags flags =
      ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
      ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoFocusOnAppearing;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(8, 3));
  if (ImGui::Begin("##status", nullptr, flags)) {
    char right[160];
    char rate[32] = "";
    if (fps > 0) std::snprintf(rate, sizeof rate, "   %.0f fps", static_cast<double>(fps));
    // (The step count would give the output's shape away while the quiz asks for it.)
    const std::string total = count_text(s, s.stepper.total());
    std::snprintf(right, sizeof right, "%sstep %lld / %s%s%s", s.modified ? "modified   " : "",
                  static_cast<long long>(s.stepper.global() + 1), total.c_str(), rate,
                  s.presentation ? "   presentation" : "");
    if (s.quiz.active()) {
      const QuizScore sc = s.quiz.score();
      std::snprintf(right + std::strlen(right), sizeof right - std::strlen(right),
                    "   quiz %d / %d", sc.right, sc.asked);
    }
    if (!s.banner.empty()) {
      ImGui::TextColored(palette().error_v4, "%s", s.banner.c_str());
      ImGui::SameLine();
    }
    if (!s.notice.empty() && s.time < s.notice_until) {
      ImGui::TextUnformatted(s.notice.c_str());
    } else if (s.error) {
      ImGui::TextColored(palette().error_v4, "%s", s.error->message.c_str());
    } else {
      ImGui::TextDisabled(
          "F1 keys · →/← step · Shift window · Ctrl row · Alt channel · Space play · F5 "
          "presentation");
    }
    const float rw = ImGui::CalcTextSize(right).x;
    ImGui::SameLine(ImGui::GetWindowWidth() - rw - 10);
    ImGui::TextDisabled("%s", right);
    // The status bar stays visible above any view dragged over it.
    ImGui::BringWindowToDisplayFront(ImGui::GetCurrentWindow());
  }
  ImGui::End();
  ImGui::PopStyleVar();
}

struct KeyRow {
  const char* keys;
  const char* action;
};

const KeyRow kKeys[] = {
    {"→ / ←", "step forward / back by the chosen unit (1 multiply unless changed)"},
    {"Shift+→ / ←", "one window (lands on the value written)"},
    {"Ctrl+→ / ←", "one output row"},
    {"Alt+→ / ← (or Ctrl+Shift)", "one output channel"},
    {"Home / End", "first / last step"},
    {"Space", "play / pause (from the end: starts again)"},
    {"+ / −", "play faster / slower"},
    {"1 2 3 4", "unit for → / ← and play: multiply, window, row, channel"},
    {"PageDown / PageUp", "next / previous built-in lesson (Ctrl+Z brings the edited one back)"},
    {"Ctrl+Z", "undo the last edit (operands, parameters, operation, lesson switch)"},
    {"Ctrl+Shift+Z or Ctrl+Y", "redo"},
    {"O", "convolution ↔ pooling"},
    {"B", "bias on / off"},
    {"F (or Ctrl+F)", "true convolution (flipped kernel) ↔ cross-correlation"},
    {"L", "NCHW ↔ NHWC view"},
    {"V", "numbers in cells on / off"},
    {"I", "lesson text on / off"},
    {"Q", "quiz mode: predict each value before it is shown, Enter checks it"},
    {"F5 or P", "presentation mode (large text and cells, high contrast)"},
    {"H", "high-contrast theme"},
    {"F9", "reset the window layout"},
    {"F12", "screenshot of the window to PNG"},
    {"F1", "this help"},
    {"Ctrl+Q", "quit (like the window's close button)"},
    {"Ctrl+O / Ctrl+S / Ctrl+Shift+S", "open / save / save a scene as"},
    {"Ctrl+I", "open an image or .npy as the input"},
    {"Ctrl+P / Ctrl+K", "show / hide the live preview / the kernel editor"},
    {"Ctrl+N / Ctrl+R", "normalise all kernels / random kernels"},
    {"Ctrl+= / Ctrl+− / Ctrl+0 / Ctrl+1", "live preview: zoom in / out / fit / 1:1"},
    {"mouse", "hover an output: its receptive field; hover an input: the outputs it feeds"},
    {"click", "an output cell jumps there; Ctrl+drag on the input paints cells"},
};

void draw_help(AppState& s) {
  place(Panel::help);
  if (!ImGui::Begin("Help: keys and how to use", &s.show_help)) {
    ImGui::End();
    return;
  }
  ImGui::PushFont(heading_font());
  ImGui::TextUnformatted("ConvScope: step through a convolution");
  ImGui::PopFont();
  ImGui::TextWrapped(
      "The lesson canvas shows the input channels with their padding ring, the filter being "
      "applied and the output maps. Step with the arrow keys: each step is one multiply x·w; "
      "the last step of a window adds the channel partials and the bias and writes the output "
      "value. The arithmetic panel spells out every product.");
  ImGui::Spacing();
  if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH)) {
    ImGui::TableSetupColumn("Key", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("Action", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();
    for (const KeyRow& r : kKeys) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::PushFont(mono_font());
      ImGui::TextUnformatted(r.keys);
      ImGui::PopFont();
      ImGui::TableSetColumnIndex(1);
      ImGui::TextWrapped("%s", r.action);
    }
    ImGui::EndTable();
  }
  ImGui::End();
}

}  // namespace

void request_layout_reset() {
  g_reset_layout = true;
}

void cycle_lesson(AppState& s, int dir) {
  const auto& lessons = builtin_lessons();
  if (lessons.empty()) return;
  const int count = static_cast<int>(lessons.size());
  int idx = -1;
  for (int i = 0; i < count; ++i) {
    if (lessons[static_cast<std::size_t>(i)].name == s.lesson_name) idx = i;
  }
  idx = idx < 0 ? 0 : ((idx + dir) % count + count) % count;
  // NOTE: the switch never discards edits silently: it is an undo step, and the notice says so.
  const bool edited = s.modified;
  const std::string old_name = s.lesson_name;
  load_lesson(s, lessons[static_cast<std::size_t>(idx)]);
  std::string text = "Lesson " + std::to_string(idx + 1) + " of " + std::to_string(count) + ": " +
                     lessons[static_cast<std::size_t>(idx)].title;
  if (edited) text += ". Your edits to " + old_name + " are kept: Ctrl+Z brings them back.";
  s.notify(text, edited ? 10.0 : 6.0);
}

void handle_global_keys(AppState& s) {
  const ImGuiIO& io = ImGui::GetIO();
  // Ctrl+Q works even inside a text field: quitting must always be possible.
  if (io.KeyCtrl && key_pressed(GLFW_KEY_Q)) s.quit_requested = true;
  if (key_pressed(GLFW_KEY_F12)) s.screenshot_requested = true;
  if (key_pressed(GLFW_KEY_F5)) toggle_presentation(s);
  if (key_pressed(GLFW_KEY_F1)) {
    s.show_help = !s.show_help;
    s.mark_dirty(Dirty::status);
  }
  if (key_pressed(GLFW_KEY_F9)) request_layout_reset();
  // Undo and redo, except in a text field (it has its own Ctrl+Z for the text being typed).
  if (io.KeyCtrl && !io.KeyAlt && !io.WantTextInput) {
    if (key_pressed(GLFW_KEY_Z, true)) {
      if (io.KeyShift) {
        redo_edit(s);
      } else {
        undo_edit(s);
      }
    } else if (key_pressed(GLFW_KEY_Y, true)) {
      redo_edit(s);
    }
  }
  if (io.WantTextInput || io.KeyCtrl || io.KeySuper) return;
  if (key_pressed(GLFW_KEY_ESCAPE) && s.show_help) {
    s.show_help = false;
    s.mark_dirty(Dirty::status);
  }
  if (key_pressed(GLFW_KEY_P)) toggle_presentation(s);
  if (key_pressed(GLFW_KEY_H)) {
    s.high_contrast = !s.high_contrast;
    s.mark_dirty(Dirty::settings);
    s.mark_dirty(Dirty::status);
  }
  if (key_pressed(GLFW_KEY_PAGE_DOWN)) cycle_lesson(s, +1);
  if (key_pressed(GLFW_KEY_PAGE_UP)) cycle_lesson(s, -1);
  if (key_pressed(GLFW_KEY_O))
    set_operation(s, s.op == LessonOp::conv ? LessonOp::pool : LessonOp::conv);
  if (key_pressed(GLFW_KEY_B)) {
    s.has_bias = !s.has_bias;
    s.mark_dirty(Dirty::trace);
  }
  if (key_pressed(GLFW_KEY_F)) {
    s.flip_kernel = !s.flip_kernel;
    s.mark_dirty(Dirty::trace);
  }
  if (key_pressed(GLFW_KEY_L)) {
    const Layout l = s.conv.layout == Layout::nchw ? Layout::nhwc : Layout::nchw;
    s.conv.layout = l;
    s.pool.layout = l;
    s.mark_dirty(Dirty::trace);
  }
  if (key_pressed(GLFW_KEY_V)) {
    s.show_values = !s.show_values;
    s.mark_dirty(Dirty::settings);
  }
  if (key_pressed(GLFW_KEY_I)) {
    s.show_lesson_info = !s.show_lesson_info;
    s.mark_dirty(Dirty::settings);
  }
  if (key_pressed(GLFW_KEY_Q)) toggle_quiz(s);
}

// A key or a menu click has no gesture: it is a step alone.
uint64_t edit_gesture() {
  const ImGuiID active = ImGui::GetActiveID();
  const bool held = ImGui::IsAnyMouseDown() || active != 0;
  bool pressed = false;
  for (int b = 0; b < ImGuiMouseButton_COUNT; ++b)
    pressed = pressed || ImGui::IsMouseClicked(b);
  if (held && (!g_gesture_held || active != g_gesture_active || pressed)) ++g_gesture;
  g_gesture_held = held;
  g_gesture_active = active;
  return held ? g_gesture : 0;
}

// Presentation mode switched (or the first frame): hide or restore the editing views and lay the
// window out for the mode.
void follow_mode(AppState& s) {
  if (g_seen_mode && g_presentation == s.presentation) return;
  if (s.presentation) {
    g_saved_params = s.show_params;
    g_saved_inputs = s.show_inputs;
    g_saved_kernel = s.show_kernel_editor;
    g_saved_info = s.show_lesson_info;
    // The lesson's sentences are for reading at a desk; the projector needs the room (I shows
    // them again).
    s.show_params = s.show_inputs = s.show_kernel_editor = s.show_lesson_info = false;
  } else if (g_seen_mode) {
    s.show_params = g_saved_params;
    s.show_inputs = g_saved_inputs;
    s.show_kernel_editor = g_saved_kernel;
    s.show_lesson_info = g_saved_info;
  }
  if (g_seen_mode || s.presentation) g_reset_layout = true;
  g_seen_mode = true;
  g_presentation = s.presentation;
}

// The window changed size (or crossed the narrow width): re-flow the views the user did not
// place; entering the narrow layout closes Inputs and the kernel editor, leaving it reopens them.
void follow_size(AppState& s) {
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  g_reflow = g_display.x > 0 && (d.x != g_display.x || d.y != g_display.y);
  g_display = d;
  const bool narrow = !s.presentation && d.x < 1200.0f;
  if (narrow == g_narrow) return;
  if (narrow) {
    g_saved_narrow_inputs = s.show_inputs;
    g_saved_narrow_kernel = s.show_kernel_editor;
    s.show_inputs = s.show_kernel_editor = false;
    s.notify("A narrow window: Inputs and the kernel editor are in the View menu.");
  } else if (!s.presentation) {
    s.show_inputs = g_saved_narrow_inputs;
    s.show_kernel_editor = g_saved_narrow_kernel;
  }
  g_narrow = narrow;
  g_reset_layout = true;
}

// What --status-file says about the layout (views, what scrolls, what is cut) changed since the
// last frame: rewrite it.
void note_layout_change(AppState& s) {
  static std::string last;
  std::string now;
  for (const AppState::ViewRect& v : s.views) {
    now += v.name + ' ' + std::to_string(std::lround(v.x)) + ' ' +
           std::to_string(std::lround(v.y)) + ' ' + std::to_string(std::lround(v.w)) + ' ' +
           std::to_string(std::lround(v.h)) + ';';
  }
  for (const std::string& o : s.overflow)
    now += "o:" + o + ';';
  for (const std::string& c : s.clipped)
    now += "c:" + c + ';';
  if (now != last) s.mark_dirty(Dirty::status);
  last = std::move(now);
}

// The live preview opened or closed in the normal layout (or the layout changed under it): move
// the views whose place depends on it.
void follow_preview(const AppState& s) {
  const bool room = s.show_preview;
  if (room == g_preview_room) return;
  g_preview_room = room;
  for (Panel p : {Panel::params, Panel::inputs, Panel::canvas, Panel::timeline, Panel::arithmetic,
                  Panel::preview})
    g_reset_panels |= 1u << static_cast<unsigned>(p);
}

void draw_frame(AppState& s, float fps) {
  s.overflow.clear();
  s.clipped.clear();
  s.views.clear();
  follow_mode(s);
  follow_size(s);
  follow_preview(s);
  draw_menu_bar(s);
  if (g_status_h == 0.0f) g_status_h = ImGui::GetFrameHeight() + ImGui::GetStyle().WindowPadding.y;

  // (On the stage the editing views float when asked for, preview or not.)
  const bool side_taken = preview_room() && !s.presentation;
  if (s.show_params && !side_taken) {
    place(Panel::params);
    draw_params(s);
    enforce(s, Panel::params, "Parameters");
  }
  if (s.show_inputs && !side_taken) {
    place(Panel::inputs);
    draw_inputs_panel(s);
    enforce(s, Panel::inputs, "Inputs");
  }
  if (s.show_canvas) {
    place(Panel::canvas);
    draw_canvas(s);
    enforce(s, Panel::canvas, "Lesson");
  }
  if (s.show_timeline) {
    place(Panel::timeline);
    draw_timeline(s);
    enforce(s, Panel::timeline, "Timeline");
  }
  if (s.show_arithmetic) {
    quiz_guard(s);  // (the timeline's buttons may have stepped onto an open question)
    place(Panel::arithmetic);
    draw_arithmetic(s);
    enforce(s, Panel::arithmetic, "Arithmetic");
  }
  if (s.show_kernel_editor) {
    place(Panel::kernel);
    draw_kernel_editor(s);
    enforce(s, Panel::kernel, "Kernel editor");
  }
  if (s.show_preview) {
    place(Panel::preview);
    draw_preview(s);
    enforce(s, Panel::preview, "Live preview");
  }
  if (s.show_quiz) draw_quiz(s);
  if (s.show_file_browser) {
    place(Panel::browser);
    draw_file_browser(s);
  }
  if (s.show_receptive) draw_receptive(s);
  if (s.show_help) draw_help(s);
  draw_status_bar(s, fps);
  g_reset_layout = false;
  g_reset_panels = 0;
  note_layout_change(s);
  if (ImGui::GetIO().WantTextInput != s.text_input) {  // (the status JSON's "text_input")
    s.text_input = ImGui::GetIO().WantTextInput;
    s.mark_dirty(Dirty::status);
  }
  // Every view had its say: what they edited this frame is one undo step (or part of one).
  record_edits(s, edit_gesture());
}

}  // namespace cs::ui
