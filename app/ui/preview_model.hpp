// The live preview's model: the picture, the kernel applied to it (chosen from the lesson's
// weight and passed on as one OIHW weight), the LivePreviews that filter it (the full resolution,
// and a reduced copy while a weight changes), the legend's exact range (measured off the frame)
// and the inspected pixel's values. update_preview() runs once per frame after the views drew
// (main.cpp); the view (ui_preview.cpp) only draws what is here and leaves its requests.
// Depends on app_state.hpp, core/ and app/gpu/live_preview.hpp; no ImGui.
#pragma once

#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "app/gpu/display_map.hpp"
#include "app/gpu/live_preview.hpp"
#include "app/ui/app_state.hpp"
#include "core/image_io.hpp"
#include "core/params.hpp"
#include "core/tensor.hpp"

namespace cs {

// What the preview applies: the whole weight when it fits the picture's channels (C_in 1 or 3,
// C_out 1 or 3, no groups), else one filter of it (a grey feature map), else the selected
// kernel on each colour channel ([C, 1, KH, KW] with groups C).
struct PreviewKernel {
  Tensor weight;  // OIHW float32; empty when the lesson has no 4-D weight
  Tensor bias;
  bool has_bias = false;
  Conv2dParams params;
  std::string note;  // "the whole weight [3, 3, 3, 3] and bias", for the view
};

// The exact range of the result for the legend (signed / min-max), computed on the CPU in the
// background once the kernel rests: LivePreview does not report the range it mapped.
struct RangeJob {
  std::future<gpu::MapRange> future;
  bool running = false;
  bool known = false;
  gpu::MapRange range;
  Tensor weight, bias;  // what the range belongs to
  Conv2dParams params;
  double changed_at = 0;  // state.time of the last kernel change
};

struct PreviewModel {
  PreviewModel();
  ~PreviewModel();  // waits for the range job
  PreviewModel(const PreviewModel&) = delete;
  PreviewModel& operator=(const PreviewModel&) = delete;

  // ---- The view's requests, written while it draws, read by the next update ----
  bool visible = false;          // the window is open and not collapsed this frame
  int want_x = -1, want_y = -1;  // result pixel under the pointer (-1: none)
  bool pointer_down = false;     // a drag is going on: no range measurement now

  // ---- The picture ----
  std::string loaded;         // AppState::preview_path of the picture last tried ("" = sample)
  std::string picture_error;  // why it could not be shown
  bool load_failed = false;   // the last picture asked for could not be read
  uint64_t picture_gen = 0;   // one more per picture shown, so the view fits each new one
  Image image;                // the full-resolution picture (the inspector's pixel values)
  Tensor image_tensor;        // [1, C, H, W] float32 of it, for the legend's range
  Image proxy_image;          // a reduced copy for editing big pictures (width 0: none)

  // ---- The kernel ----
  PreviewKernel kernel;  // what was last asked for
  bool kernel_set = false;
  uint64_t kernel_gen = 0, full_gen = 0, proxy_gen = 0;  // the kernel each filter holds
  double last_change = -1e9;                             // state.time of the last edit
  std::string kernel_error;                              // why the preview cannot apply the kernel
  std::string run_error;                                 // the last render's error
  int mapping = -1;                                      // the display mapping the filters hold

  // ---- The filters ----
  std::unique_ptr<gpu::LivePreview> full, proxy;  // GL objects: reset while the context lives
  bool full_rendered = false;  // the full picture was filtered once (the backend is chosen)
  bool full_ok = false, proxy_ok = false;  // each holds a result of the current kernel
  bool showing_proxy = false;              // the result pane shows the reduced copy

  // The LivePreview whose result the pane shows, and whether it has one.
  const gpu::LivePreview* shown() const { return showing_proxy ? proxy.get() : full.get(); }
  bool have_result() const { return showing_proxy ? proxy_ok : full_ok; }

  RangeJob range;

  // ---- The pixel inspector: exact values of the result pixel the view asked for ----
  int inspect_x = -1, inspect_y = -1;
  std::vector<float> inspect_value;  // empty while the reduced copy is shown
};

// What the preview applies to a picture of `channels` colour channels (1 or 3), from the
// lesson's effective weight, bias and parameters and the kernel editor's selection (sel_out,
// sel_in); see PreviewKernel.
PreviewKernel choose_preview_kernel(const AppState& state, int sel_out, int sel_in,
                                    int64_t channels);

// While a weight changed less than this many seconds ago, a big picture shows its reduced copy.
constexpr double kPreviewEditRest = 0.35;

// The model of `state`'s preview (kept in its EditState), created on first use.
PreviewModel& preview_model(AppState& state);

// After the views drew: when the preview is shown, (re)load the picture, choose the kernel from
// the lesson, filter (only what changed), start or collect the legend's range, read the
// inspected pixel. Errors stay in the model for the view to show; nothing throws.
void update_preview(AppState& state);

// The picture's cells that result pixel (ox, oy) reads: the geometry's window, from its origin
// (window_origin_y/x, negative in the padding) over span_h() rows and span_w() columns.
struct FieldRect {
  int64_t x0 = 0, y0 = 0, w = 0, h = 0;
};
FieldRect receptive_field(const ConvGeometry& g, int64_t ox, int64_t oy);

// The result pixel whose receptive field is centred on picture cell (x, y), rounded to the
// nearest (it may be out of the result's range near the edges).
void output_centred_at(const ConvGeometry& g, int64_t x, int64_t y, int& ox, int& oy);

}  // namespace cs
