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

// One line of a window's explanation as the panel writes it once the window is done: "1·1 +
// 0·0 + (−1)·2 = −1", "(−6) + 15 + 2 + 0 (bias) = 11", "max(1, [3]) = 3". Without the result:
// what comes before its "=" (the quiz's hints).
std::string explain_line_text(const TraceView& v, const TraceWindow& win, const ExplainLine& line,
                              bool with_result);

}  // namespace cs::ui
