// The live full-resolution preview: original and result side by side (LivePreview's textures),
// zoom, pan, display mapping with a legend, pixel inspector. Depends on app_state, core/,
// app/gpu/live_preview.hpp and ImGui (no gl* calls here).
#include <imgui.h>

#include "app/gpu/live_preview.hpp"
#include "app/ui_edit.hpp"

namespace cs {

EditState::EditState() = default;
EditState::~EditState() = default;

void shutdown_edit(AppState& state) {
  if (state.edit) state.edit->preview.reset();
}

Status set_preview_image(AppState&, const std::string&) {
  return make_error("not yet");
}

namespace ui {
void draw_preview(AppState& state) {
  (void)state;
}
}  // namespace ui

}  // namespace cs
