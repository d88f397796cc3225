// The arithmetic panel: for the stepper's window, every product x·w per input channel with the
// current one highlighted, the channel partials, the bias and the value written (or, for
// pooling, the max with its arg-max / the average with its divisor). Depends on ImGui,
// app_state.hpp and ui_theme.hpp.
#pragma once

#include <string>
#include <vector>

#include "app/ui/app_state.hpp"

namespace cs::ui {

void draw_arithmetic(AppState& state);

// The explanation rows the panel draws below the current tap, as plain text (tokens joined by a
// space), e.g. "( 1 + 0 ) / 2 = 0.5" and the divisor's sentence. For tests; no ImGui frame needed.
std::vector<std::string> explanation_text(const AppState& state);

}  // namespace cs::ui
