// The timeline: step buttons (multiply, window, row, channel, back and forward), play/pause,
// speed, and a slider that scrubs to any step; plus the stepping keys. Depends on ImGui,
// app_state.hpp and ui_theme.hpp.
#pragma once

#include <cstdint>
#include <string>

#include "app/ui/app_state.hpp"

namespace cs::ui {

void draw_timeline(AppState& state);

// The stepping keys (Right/Left with modifiers, Space, Home/End, +/-, 1-4), called once per
// frame after NewFrame; ignored while a text field has the keyboard.
void handle_step_keys(AppState& state);

// The timeline's words (for tests too). A count that gives the output's shape away (steps,
// windows, values in a row or a channel) is "?" while the quiz asks for the shape (or for the
// receptive field before it): count_text(state, 90) is "90" or "?".
std::string count_text(const AppState& state, int64_t count);
std::string step_position_text(const AppState& state);  // the scrubber's "step 1 of 90"
// "window 1 of 9: output (n 0, o 0, y 0, x 0)   multiply 1 of 9"
std::string timeline_where_text(const AppState& state);
// What one step of `unit` is, for the buttons' tooltips: "one output row (3 values)".
std::string unit_hint(const AppState& state, StepUnit unit);

}  // namespace cs::ui
