// The Receptive field view's stack editor and its feature-map pane: the layers as editable rows
// (kind, kernel, stride, padding, dilation; move up and down, remove; add a layer; undo and redo;
// save as a layers file), each with its output size and field from the view's table and, when
// it is the layer that fails, the reader's or the geometry's sentence; and the selected layer's
// feature map on the photo. The model is stack_editor.hpp, the maps stack_maps.hpp; this file
// only draws. Depends on ImGui and app_state.hpp.
#pragma once

#include <imgui.h>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "app/ui/app_state.hpp"
#include "app/ui/stack_editor.hpp"
#include "app/ui/stack_maps.hpp"
#include "core/receptive_field.hpp"

namespace cs::ui {

struct StackEditorPanel {
  std::string error;                    // the edited stack's sentence ("" when it is good)
  int error_layer = -1;                 // the layer it is about (-1: the whole list)
  std::size_t selected = 0;             // the layer whose feature map is shown (1 = the first)
  char save_path[512] = {};             // where Save writes
  std::map<std::string, ImVec4> rects;  // controls' screen rectangles (x, y, w, h), for tests
};

// The editor in a child region `size` of the current window. Returns true when the stack changed.
bool draw_stack_editor(AppState& s, StackEditor& ed, StackEditorPanel& p,
                       const std::vector<RfRow>& table, const Shape& input, ImVec2 size);

// The selected layer's feature map fitted into `size` with a caption; `mapping` is the display
// combo's choice (0 clip, 1 abs, 2 signed, 3 minmax).
void draw_stack_map(const StackMapView& v, const std::string& layer_name, int& mapping, ImVec2 size,
                    StackEditorPanel& p);

}  // namespace cs::ui
