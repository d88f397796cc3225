// The timeline: step buttons (multiply, window, row, channel, back and forward), play/pause,
// speed, and a slider that scrubs to any step; plus the stepping keys. Depends on ImGui,
// app_state.hpp and ui_theme.hpp.
#pragma once

#include "app/ui/app_state.hpp"

namespace cs::ui {

void draw_timeline(AppState& state);

// The stepping keys (Right/Left with modifiers, Space, Home/End, +/-, 1-4), called once per
// frame after NewFrame; ignored while a text field has the keyboard.
void handle_step_keys(AppState& state);

}  // namespace cs::ui
