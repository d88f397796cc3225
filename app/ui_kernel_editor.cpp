// The kernel editor view: every weight of every (out, in) kernel, presets, random, normalise,
// flip (cross-correlation vs convolution side by side) and the bias. Writes into AppState and
// marks it dirty; never runs the trace itself. Depends on app_state, core/ and ImGui.
#include <imgui.h>

#include "app/ui_edit.hpp"

namespace cs::ui {

void draw_kernel_editor(AppState& state) {
  (void)state;  // being written
}

}  // namespace cs::ui
