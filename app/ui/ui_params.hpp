// The parameters panel: operation (conv or pool), input size and channels, C_out, kernel size,
// stride, padding (number, pair, same, valid; zeros/reflect/replicate/circular), dilation, groups,
// bias, NCHW/NHWC, true convolution; pooling's own parameters. Each edit reshapes the operands in
// AppState and marks it dirty; the engine's sentence is shown next to the control it names.
// Depends on ImGui, app_state.hpp and ui_theme.hpp.
#pragma once

#include <string>

#include "app/ui/app_state.hpp"

namespace cs::ui {

void draw_params(AppState& state);

// An integer row of the panel as last drawn: its top-left (screen pixels) and height, and the
// sentence shown under it when a typed value was outside the panel's range ("stride can be 0 to
// 16 here; 40 became 16."), "" otherwise. For the tests, by the row's label ("stride").
struct ParamRow {
  float x = -1, y = -1, h = 0;
  std::string note;
};
ParamRow param_row(const std::string& label);

// Operand reshaping used by the panel (and by tests): a tensor of `shape` holding `t`'s values
// where the two overlap (top-left aligned), zeros elsewhere.
Tensor resize_tensor(const Tensor& t, const Shape& shape);
// Same for kernels: the old KH×KW centred in the new one; new output channels repeat the old
// filters cyclically.
Tensor resize_kernel(const Tensor& w, const Shape& shape);

}  // namespace cs::ui
