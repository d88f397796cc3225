// The lesson canvas: the padded input channels as grids of cells, the sliding kernel with its
// taps, the filter being applied, and the output maps filling in, drawn with ImDrawList.
// Hover and click interaction (receptive fields, fed outputs, jump to an output, painting).
// Depends on ImGui, app_state.hpp, ui_theme.hpp and ui_edit.hpp's paint_cell.
#pragma once

#include "app/ui/app_state.hpp"

namespace cs::ui {

void draw_canvas(AppState& state);
// Deletes the canvas' GL textures (big lessons are drawn as textures): call while the GL context
// is still current, before the window is destroyed.
void shutdown_canvas();

}  // namespace cs::ui
