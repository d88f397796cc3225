// The arithmetic panel: for the stepper's window, every product x·w per input channel with the
// current one highlighted, the channel partials, the bias and the value written (or, for
// pooling, the max with its arg-max / the average with its divisor). Depends on ImGui,
// app_state.hpp and ui_theme.hpp.
#pragma once

#include "app/ui/app_state.hpp"

namespace cs::ui {

void draw_arithmetic(AppState& state);

}  // namespace cs::ui
