// The "Receptive field" view: a layer stack (a layers file, the `render --layers` format, or a
// built-in example such as the seed README's 2- and 4-layer stacks) drawn as one small grid per
// feature map, side by side; hovering a cell of any layer outlines its receptive field in every
// earlier layer and in the input, with the size, jump and start written out. The arithmetic is
// core/receptive_field.hpp's; this file only draws. Depends on ImGui and app_state.hpp.
#pragma once

#include <string>

#include "app/ui/app_state.hpp"
#include "core/result.hpp"

namespace cs::ui {

// The view's window (when state.show_receptive). Reports its hover and grids in
// state.receptive_status for --status-file.
void draw_receptive(AppState& state);

// Shows the layers file at `path` in the view (opens it): an error when it cannot be read or
// does not fit the view's input (the reader's and the geometry's sentences).
Status open_receptive_layers(AppState& state, const std::string& path);

// Frees the feature map's texture (at shutdown, while the GL context lives).
void shutdown_receptive(AppState& state);

}  // namespace cs::ui
