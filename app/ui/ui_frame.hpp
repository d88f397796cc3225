// One frame of the visualizer: the menu bar, every view as a flat list `if (show_x)
// draw_x(state);`, the status bar and the help window, plus the global keys. The default layout
// tiles the views over the window; it is kept in imgui.ini afterwards. Depends on ImGui and the
// views; no GL.
#pragma once

#include "app/ui/app_state.hpp"

namespace cs::ui {

// Keys that are not stepping keys: F1 help, F5/P presentation, H high contrast, F12 screenshot,
// Ctrl+Q quit, Ctrl+Z undo, Ctrl+Shift+Z / Ctrl+Y redo, PageUp/PageDown lessons, O conv/pool,
// B bias, F flip, L layout, V values, F9 layout reset. Called once per frame after NewFrame.
void handle_global_keys(AppState& state);

// Draws everything. fps: frames per second to show in the status bar (none when ≤ 0).
void draw_frame(AppState& state, float fps);

// Arranges the views in the default layout on the next frame (after a presentation toggle or F9).
void request_layout_reset();

// Selects the next/previous built-in lesson. The switch is an undo step: with the lesson
// modified, the notice says that Ctrl+Z brings the edited lesson back.
void cycle_lesson(AppState& state, int dir);

// The gesture under way for the undo history (record_edits in undo.hpp): nonzero while the mouse
// is held or a widget stays active (one drag, one paint stroke, typing in one field), a new
// number for each new press and each newly active widget; 0 otherwise. Call once a frame, after
// the views (draw_frame does).
uint64_t edit_gesture();

}  // namespace cs::ui
