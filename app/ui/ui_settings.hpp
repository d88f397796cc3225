// Where the visualizer keeps its state between runs: $XDG_STATE_HOME/convscope/ (else
// ~/.local/state/convscope/): imgui.ini (the window layout: ImGui's ini text, written by
// save_layout through a temporary file and a rename like the rest; io.IniFilename stays null),
// settings.json (preferences and the lesson's name) and last_scene.json (the lesson as it was,
// edits included), restored at start. Never the working directory. Depends on app_state.hpp, the
// scene functions of ui_edit.hpp and ImGui (the layout); no GL.
#pragma once

#include <string>

#include "app/ui/app_state.hpp"
#include "core/result.hpp"

namespace cs::ui {

// The folder, created if missing; "" (and an error) when neither variable gives a usable path.
Result<std::string> state_dir();

// Reads settings.json and last_scene.json from `dir` into `state` (preferences, then the lesson
// as it was left; falls back to the lesson's name, then to the default lesson). Returns whether a
// lesson was restored. Problems become a notice, never a failure. A restored built-in lesson
// that was edited stays "modified" (its baseline is the built-in lesson, undo.hpp).
bool load_settings(AppState& state, const std::string& dir);
// Writes settings.json and last_scene.json atomically.
Status save_settings(const AppState& state, const std::string& dir);

// The window layout: load_layout hands dir/imgui.ini to ImGui (after ImGui::CreateContext, before
// the first frame) and says whether there was one; save_layout writes ImGui's current layout to
// it atomically and clears io.WantSaveIniSettings.
bool load_layout(const std::string& dir);
Status save_layout(const std::string& dir);

}  // namespace cs::ui
