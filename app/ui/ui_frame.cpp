// One frame: menu bar, the views as a flat list, status bar, help, and the global keys
// (see ui_frame.hpp). The views themselves live in one file each.
#include "app/ui/ui_frame.hpp"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "app/ui/ui_arithmetic.hpp"
#include "app/ui/ui_canvas.hpp"
#include "app/ui/ui_edit.hpp"
#include "app/ui/ui_params.hpp"
#include "app/ui/ui_theme.hpp"
#include "app/ui/ui_timeline.hpp"
#include "core/lessons.hpp"

namespace cs::ui {
namespace {

bool g_reset_layout = false;
bool g_presentation = false;  // the layout in force: presentation or normal
bool g_seen_mode = false;
// The editing views hidden by presentation mode, restored when it ends.
bool g_saved_params = true, g_saved_inputs = true, g_saved_kernel = true, g_saved_info = true;
float g_menu_h = 0.0f;
float g_status_h = 0.0f;
// The normal layout gives the open live preview its own region beside the canvas (Parameters
// and Inputs step aside until it closes); g_reset_panels moves the views that changed place.
bool g_preview_room = false;
unsigned g_reset_panels = 0;

enum class Panel { params, inputs, canvas, timeline, arithmetic, kernel, preview, browser, help };

struct Rect {
  ImVec2 pos, size;
};

// The default tiling, as fractions of the area between the menu bar and the status bar.
Rect default_rect(Panel p) {
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  const float y0 = g_menu_h;
  const float h = d.y - g_menu_h - g_status_h;
  const float w = d.x;
  const float left = 0.20f, right = 0.28f;
  const float mid = 1.0f - left - right;
  // The timeline's five lines (buttons, scrubber, where, step unit, speed), at least 23%.
  const float timeline_h =
      std::max(0.23f, (5.0f * ImGui::GetFrameHeightWithSpacing() +
                       2.0f * ImGui::GetStyle().WindowPadding.y + ImGui::GetFrameHeight()) /
                          std::max(h, 1.0f));
  struct R {
    float x, y, w, h;
  } r{};
  if (g_presentation) {
    // A stage for a projector: the canvas and the arithmetic side by side, a slim timeline strip
    // under them (one line of buttons and the scrubber); the editing views float over the canvas
    // when opened from the View menu.
    const float strip = std::min(
        0.3f, (ImGui::GetFrameHeight() + 2.0f * slim_padding() + 4.0f) / std::max(h, 1.0f));
    const float top = 1.0f - strip;
    switch (p) {
      case Panel::canvas:
        r = {0, 0, 0.70f, top};
        break;
      case Panel::arithmetic:
        r = {0.70f, 0, 0.30f, top};
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
        r = {0.02f, 0.04f, 0.62f, 0.90f};
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
  // With the preview open, it takes the left column and as much of the canvas's as the canvas
  // can spare: the canvas keeps 42 em (a three-channel lesson without a label cut), the preview
  // gets up to a third of the width, full height (its two panes one above the other).
  const float canvas_min = ImGui::GetFontSize() * 42.0f / std::max(w, 1.0f);
  const float room = g_preview_room ? std::clamp(left + mid - canvas_min, left, 0.33f) : 0.0f;
  const float cx = g_preview_room ? room : left, cw = left + mid - cx;
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
      r = {left + mid, 0, right, 0.50f};
      break;
    case Panel::kernel:
      r = {left + mid, 0.50f, right, 0.50f};
      break;
    case Panel::preview:
      r = {0, 0, room, 1.0f};
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
  ImGui::SetNextWindowPos(r.pos, ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(r.size, ImGuiCond_FirstUseEver);
}

// After a view drew: on a layout reset (F9, presentation toggle, first run), move it to its
// default place whatever the view itself asked for.
void enforce(Panel p, const char* window_name) {
  if (!g_reset_layout && (g_reset_panels & (1u << static_cast<unsigned>(p))) == 0) return;
  const Rect r = default_rect(p);
  ImGui::SetWindowPos(window_name, r.pos, ImGuiCond_Always);
  ImGui::SetWindowSize(window_name, r.size, ImGuiCond_Always);
}

bool key_pressed(int key, bool repeat = false) {
  return ImGui::IsKeyPressed(key, repeat);
}

void set_op(AppState& s, LessonOp op) {
  if (s.op == op) return;
  s.op = op;
  s.mark_dirty(Dirty::trace);
  s.mark_dirty(Dirty::settings);
}

void toggle_presentation(AppState& s) {
  s.presentation = !s.presentation;
  s.mark_dirty(Dirty::settings);
  s.mark_dirty(Dirty::status);
  s.notify(s.presentation ? "Presentation mode: large text, high contrast (F5 or P to leave)."
                          : "Presentation mode off.");
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
  if (ImGui::BeginMenu("Lesson")) {
    for (const Lesson& l : builtin_lessons()) {
      const bool current = l.name == s.lesson_name;
      if (ImGui::MenuItem(l.title.c_str(), l.name.c_str(), current)) {
        load_lesson(s, l);
      }
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Next lesson", "PageDown")) cycle_lesson(s, +1);
    if (ImGui::MenuItem("Previous lesson", "PageUp")) cycle_lesson(s, -1);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Operation")) {
    if (ImGui::MenuItem("Convolution", "O", s.op == LessonOp::conv)) set_op(s, LessonOp::conv);
    if (ImGui::MenuItem("Pooling", "O", s.op == LessonOp::pool)) set_op(s, LessonOp::pool);
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
    // Beside the open preview they have no room: greyed until it closes.
    const char* aside = g_preview_room ? "beside the preview" : nullptr;
    ImGui::MenuItem("Parameters", aside, &s.show_params, !g_preview_room);
    ImGui::MenuItem("Inputs", aside, &s.show_inputs, !g_preview_room);
    ImGui::MenuItem("Kernel editor", "Ctrl+K", &s.show_kernel_editor);
    ImGui::MenuItem("Live preview", "Ctrl+P", &s.show_preview);
    ImGui::Separator();
    ImGui::MenuItem("Lesson text", "I", &s.show_lesson_info);
    ImGui::MenuItem("Numbers in cells", "V", &s.show_values);
    if (ImGui::MenuItem("Reduce motion", nullptr, &s.reduce_motion)) s.mark_dirty(Dirty::settings);
    if (ImGui::MenuItem("Presentation mode", "F5 / P", s.presentation)) toggle_presentation(s);
    if (ImGui::MenuItem("High contrast", "H", s.high_contrast)) {
      s.high_contrast = !s.high_contrast;
      s.mark_dirty(Dirty::settings);
    }
    if (ImGui::MenuItem("Reset window layout", "F9")) request_layout_reset();
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Help")) {
    if (ImGui::MenuItem("Keys and how to use", "F1", s.show_help)) s.show_help = !s.show_help;
    ImGui::EndMenu();
  }
  // The lesson's name on the right of the menu bar.
  const std::string name = "Lesson: " + s.lesson_name;
  const float tw = ImGui::CalcTextSize(name.c_str()).x;
  ImGui::SameLine(ImGui::GetWindowWidth() - tw - ImGui::GetStyle().ItemSpacing.x * 2);
  ImGui::TextDisabled("%s", name.c_str());
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
    std::snprintf(
        right, sizeof right, "step %lld / %lld%s%s", static_cast<long long>(s.stepper.global() + 1),
        static_cast<long long>(s.stepper.total()), rate, s.presentation ? "   presentation" : "");
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
    {"PageDown / PageUp", "next / previous built-in lesson"},
    {"O", "convolution ↔ pooling"},
    {"B", "bias on / off"},
    {"F (or Ctrl+F)", "true convolution (flipped kernel) ↔ cross-correlation"},
    {"L", "NCHW ↔ NHWC view"},
    {"V", "numbers in cells on / off"},
    {"I", "lesson text on / off"},
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
  load_lesson(s, lessons[static_cast<std::size_t>(idx)]);
  s.notify("Lesson " + std::to_string(idx + 1) + " of " + std::to_string(count) + ": " +
           lessons[static_cast<std::size_t>(idx)].title);
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
  if (key_pressed(GLFW_KEY_O)) set_op(s, s.op == LessonOp::conv ? LessonOp::pool : LessonOp::conv);
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

// The live preview opened or closed in the normal layout (or the layout changed under it): move
// the views whose place depends on it.
void follow_preview(const AppState& s) {
  const bool room = s.show_preview && !s.presentation;
  if (room == g_preview_room) return;
  g_preview_room = room;
  for (Panel p : {Panel::params, Panel::inputs, Panel::canvas, Panel::timeline, Panel::preview})
    g_reset_panels |= 1u << static_cast<unsigned>(p);
}

void draw_frame(AppState& s, float fps) {
  s.overflow.clear();
  s.clipped.clear();
  follow_mode(s);
  follow_preview(s);
  draw_menu_bar(s);
  if (g_status_h == 0.0f) g_status_h = ImGui::GetFrameHeight() + ImGui::GetStyle().WindowPadding.y;

  if (s.show_params && !g_preview_room) {
    place(Panel::params);
    draw_params(s);
    enforce(Panel::params, "Parameters");
  }
  if (s.show_inputs && !g_preview_room) {
    place(Panel::inputs);
    draw_inputs_panel(s);
    enforce(Panel::inputs, "Inputs");
  }
  if (s.show_canvas) {
    place(Panel::canvas);
    draw_canvas(s);
    enforce(Panel::canvas, "Lesson");
  }
  if (s.show_timeline) {
    place(Panel::timeline);
    draw_timeline(s);
    enforce(Panel::timeline, "Timeline");
  }
  if (s.show_arithmetic) {
    place(Panel::arithmetic);
    draw_arithmetic(s);
    enforce(Panel::arithmetic, "Arithmetic");
  }
  if (s.show_kernel_editor) {
    place(Panel::kernel);
    draw_kernel_editor(s);
    enforce(Panel::kernel, "Kernel editor");
  }
  if (s.show_preview) {
    place(Panel::preview);
    draw_preview(s);
    enforce(Panel::preview, "Live preview");
  }
  if (s.show_file_browser) {
    place(Panel::browser);
    draw_file_browser(s);
  }
  if (s.show_help) draw_help(s);
  draw_status_bar(s, fps);
  g_reset_layout = false;
  g_reset_panels = 0;
}

}  // namespace cs::ui
