// One frame of the visualizer: the menu bar, every view as a flat list `if (show_x)
// draw_x(state);`, the status bar and the help window, plus the global keys. The default layout
// tiles the views over the window; it is kept in imgui.ini afterwards. Depends on ImGui and the
// views; no GL.
#pragma once

#include "app/ui/app_state.hpp"

namespace cs::ui {

// Keys that are not stepping keys: F1 help, F5/P presentation, H high contrast, F12 screenshot,
// Ctrl+Q quit, PageUp/PageDown lessons, O conv/pool, B bias, F flip, L layout, V values, F9
// layout reset. Called once per frame after NewFrame.
void handle_global_keys(AppState& state);

// Draws everything. fps: frames per second to show in the status bar (none when ≤ 0).
void draw_frame(AppState& state, float fps);

// Arranges the views in the default layout on the next frame (after a presentation toggle or F9).
void request_layout_reset();

// Selects the next/previous built-in lesson.
void cycle_lesson(AppState& state, int dir);

}  // namespace cs::ui
