// The inputs panel: built-in lessons, random tensors, painting, images and .npy as lesson input,
// dropped files, plus scenes <-> state. Depends on app_state, core/ and ImGui.
#include <imgui.h>

#include "app/ui_edit.hpp"

namespace cs {

EditState& edit_state(AppState& state) {
  if (!state.edit) state.edit = std::make_shared<EditState>();
  return *state.edit;
}

Scene scene_from_state(const AppState& state) {
  (void)state;
  return {};
}
void apply_scene(AppState& state, const Scene& scene) {
  (void)state, (void)scene;
}
Status open_scene_file(AppState&, const std::string&) {
  return make_error("scenes: not yet");
}
Status save_scene_file(AppState&, const std::string&) {
  return make_error("scenes: not yet");
}
Status load_input_image(AppState&, const std::string&) {
  return make_error("not yet");
}
Status load_input_npy(AppState&, const std::string&, bool) {
  return make_error("not yet");
}
Tensor downsample_area(const Image&, int64_t, int64_t) {
  return {};
}
Result<Tensor> npy_to_input(const Tensor&, bool) {
  return make_error("not yet");
}

namespace ui {
void draw_inputs_panel(AppState& state) {
  (void)state;
}
void handle_dropped_files(AppState& state, const std::vector<std::string>& paths) {
  (void)state, (void)paths;
}
void handle_edit_shortcuts(AppState& state) {
  (void)state;
}
bool paint_cell(AppState&, int64_t, int64_t, int64_t, int64_t) {
  return false;
}
}  // namespace ui

}  // namespace cs
