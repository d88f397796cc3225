// What one frame of the lesson canvas reads from the trace view and the stepper (Frame), the
// tensors' statistics cached per trace, the names and sentences the canvas writes (indices in
// the user's layout, shapes, settings), the number sizes and the flow layout for the window.
// Internal to the canvas's files (ui_canvas.cpp, canvas_flow.cpp, canvas_header.cpp).
// Depends on ImGui (fonts), app_state.hpp, canvas_layout.hpp and core/trace.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/ui/app_state.hpp"
#include "app/ui/canvas_layout.hpp"
#include "core/trace.hpp"

namespace cs::ui::canvas {

// Everything one frame of the canvas needs, read once from the trace view and the stepper.
struct Frame {
  const TraceView* view = nullptr;
  TraceShape g;
  bool conv = true, is_max = false, nhwc = false;
  bool transposed = false;  // a transposed conv: the input is the zero-stuffed one
  int64_t n = 0;
  int64_t win = 0, tap = 0;  // the stepper: window, and the tap being taken (taps_per_window: done)
  bool at_result = false;
  TraceWindow w;               // the current window
  std::vector<TraceTap> taps;  // its taps, in the engine's order
  Explanation explain;         // its explanation (the arithmetic panel's lines)
  int64_t cur_ch = 0;          // conv: channel of the group being summed (c_in_per_group: all done)
  double in_max = 0, out_max = 0, w_max = 0;
  const struct TensorStats* stats = nullptr;
  bool hide_shape = false;   // the quiz asks for the output's shape: it is not shown yet
  bool hide_window = false;  // the quiz asks for the receptive field: the window is not outlined
  const TraceTap* now() const { return at_result ? nullptr : &taps[static_cast<std::size_t>(tap)]; }
};

// What the cells' colours and numbers need from the whole tensors: their largest |value|, their
// widest number and whether they hold integers. Read once per trace, not every frame.
struct TensorStats {
  double in_max = 0, out_max = 0, w_max = 0;
  int in_chars = 1, out_chars = 1, w_chars = 1;
  bool integers = true;  // input (and weight): integers, so a sum's width is known
};
const TensorStats& tensor_stats(const TraceViewPtr& view);

// Text sizes of the numbers in each column (0: too small to write).
struct NumberSizes {
  float in = 0, out = 0, k = 0;
};

// Whether the quiz is asking for the output's shape or, before it, the receptive field (then no
// view shows the shape).
bool quiz_hides_shape(const AppState& s);
// Reads the frame from the state; false when there is no trace to draw.
bool build_frame(const AppState& s, Frame& f);

// "[n, c, y, x]" in NCHW, "[n, y, x, c]" in NHWC: indices in the order of the user's layout.
std::string at4(const Frame& f, int64_t n, int64_t c, int64_t y, int64_t x);
// The filter slice's name: w[oc, i] (OIHW) or, with NHWC (Keras' HWIO kernel), w[:, :, i, oc].
std::string slice_name(const Frame& f, int64_t oc, int64_t i);
// One output map's name: y[0, oc] (NCHW) or y[0, :, :, oc] (NHWC).
std::string map_name(const Frame& f, const char* letter, int64_t c);
// An output map's label: "y[0, 1]  3×3", and its group when there are groups.
std::string output_label(const Frame& f, int64_t oc, bool with_group);
// "padding 1 (zeros: reads 0) → 7×7", or pooling's padding and how it counts.
std::string padding_words(const Frame& sc);
// "x 1×3×5×5 ⊛ w 2×3×3×3 → y 1×2×3×3 (N×C×H×W)", or with pooling "x … → max 2×2 → y …".
std::string shapes_line(const Frame& f);
// "padding 1 (zeros: reads 0) → 7×7 · stride 1,1 · dilation 1,1 · groups 1".
std::string settings_words(const Frame& f);

// Input and output numbers share one size; the filter's or the pooling window's follow its cells.
NumberSizes number_sizes(const AppState& s, const Frame& sc, const FlowLayout& L);
// The flow layout (canvas_layout.hpp) for this frame in the current ImGui window's room.
FlowLayout layout_for(const AppState& s, const Frame& f);

// Title, legend, description, the shapes with the output-size formula beside them, the error;
// builds `f`. False when there is nothing to draw below.
bool draw_canvas_header(AppState& s, Frame& f);

}  // namespace cs::ui::canvas
