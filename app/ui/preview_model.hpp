// The live preview's model: the picture (decoded off the UI thread), the kernel applied to it
// (chosen from the lesson's weight and passed on as one OIHW weight), the worker that filters it
// off the UI thread (preview_worker.hpp) and the textures of the original and of the newest
// result, and the hovered pixel's arithmetic. update_preview() runs once per frame after the views
// drew (main.cpp) and never waits: it submits the latest kernel and shows whatever result the
// worker finished. The view (ui_preview.cpp) only draws what is here and leaves its requests.
// Depends on app_state.hpp, core/, the worker and app/gpu/window_gl.hpp; no ImGui, no GL call.
#pragma once

#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "app/gpu/display_map.hpp"
#include "app/gpu/window_gl.hpp"
#include "app/ui/app_state.hpp"
#include "app/ui/preview_worker.hpp"
#include "core/geometry.hpp"
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

// A picture as the preview needs it, made on a loader thread.
struct PreviewPicture {
  Image image;                            // full resolution: the inspector's pixel values
  std::shared_ptr<const Tensor> tensor;   // [1, C, H, W] float32 in [0, 1]: what is filtered
  std::shared_ptr<const Tensor> reduced;  // a reduced copy for editing big pictures, or null
  std::vector<TexelLevel> levels;         // the original as RGBA texels, full size and halved
  std::string error;                      // why it could not be read (the rest then empty)
};

// The picture `path` ("" = the built-in sample: assets/images/coffee.png, else a picture drawn in
// memory), decoded and prepared. Runs on the loader thread; never throws.
PreviewPicture load_preview_picture(const std::string& path);

// The cells that result pixel (ox, oy) reads: its top-left is the index formula
// iy = oy·stride_h + ky·dilation_h − pad.top at ky = 0 (negative in the padding), and it spans
// (k_h − 1)·dilation_h + 1 rows (the same for x).
struct FieldRect {
  int64_t x0 = 0, y0 = 0, w = 0, h = 0;
};
FieldRect receptive_field(const ConvGeometry& g, int64_t ox, int64_t oy);

// Where the result is drawn on the picture: result pixel (ox, oy) covers picture
// [x0 + ox·stride_w, x0 + (ox + 1)·stride_w) × [y0 + oy·stride_h, ...), with
// x0 = −pad.left + (span_w − stride_w) / 2, so that it lies over the centre of the cells it reads
// (for stride 1 and 'same' padding, exactly over its own picture pixel).
struct ResultPlace {
  double x0 = 0, y0 = 0;
  int sx = 1, sy = 1;  // picture pixels per result pixel
};
ResultPlace result_place(const ConvGeometry& g);
// The result pixel drawn over picture point (x, y) (continuous coordinates: pixel (i, j) spans
// [i, i + 1) × [j, j + 1)); false when no result pixel is there.
bool result_pixel_at(const ConvGeometry& g, double x, double y, int& ox, int& oy);

// The arithmetic of one result pixel, setosa-style: for each output channel, each input channel of
// its group with the k_h × k_w values read, the weights and the products, the channel's partial
// sum, the bias and the value. Summed in double, in the trace's order (taps row by row, then the
// channels' partials, then the bias).
struct InspectTap {
  double x = 0, w = 0, product = 0;
  bool padding = false;  // the tap reads the padding (a zero, or a reflected/replicated cell)
};
struct InspectChannel {
  int64_t ic = 0;                // the input channel (absolute)
  std::vector<InspectTap> taps;  // [k_h, k_w]
  double partial = 0;
};
struct InspectOutput {
  int64_t oc = 0;
  std::vector<InspectChannel> channels;
  double bias = 0;
  double value = 0;
};
struct PixelDetail {
  int ox = -1, oy = -1;  // -1: nothing inspected
  int64_t k_h = 0, k_w = 0;
  bool has_bias = false;
  FieldRect field;
  std::vector<InspectOutput> outputs;  // one per output channel
};
// input [1, C, H, W]; kernel as the preview applies it; g its geometry on that input.
PixelDetail inspect_pixel(const Tensor& input, const PreviewKernel& kernel, const ConvGeometry& g,
                          int ox, int oy);

// A request as it was sent to the worker: what its result shows.
struct PreviewRequest {
  uint64_t id = 0, kernel_gen = 0, picture_gen = 0;
  int mapping = -1;
  int level = 0;               // the result is halved this many times for display
  bool reduced = false;        // computed on the reduced copy
  int full_w = 0, full_h = 0;  // the full-resolution result's size (the pixels are drawn over it)
  bool same_work(const PreviewRequest& o) const {
    return kernel_gen == o.kernel_gen && picture_gen == o.picture_gen && mapping == o.mapping &&
           level == o.level && reduced == o.reduced;
  }
};

struct PreviewModel {
  PreviewModel();
  ~PreviewModel();  // releases the textures (the GL context must be current), joins the threads
  PreviewModel(const PreviewModel&) = delete;
  PreviewModel& operator=(const PreviewModel&) = delete;

  // ---- The view's requests, written while it draws, read by the next update ----
  bool visible = false;          // the window is open and not collapsed this frame
  int want_x = -1, want_y = -1;  // result pixel under the pointer (-1: none)
  float zoom = 1.0f;             // screen pixels per picture pixel in the panes

  // ---- The picture ----
  std::string loaded;         // AppState::preview_path of the picture last asked for ("" = sample)
  std::string picture_error;  // why it could not be shown
  bool load_failed = false;   // the last picture asked for could not be read
  std::future<PreviewPicture> loading;  // the picture being decoded, when valid()
  uint64_t picture_gen = 0;             // one more per picture shown, so the view fits each
  Image image;                          // the full-resolution picture
  std::shared_ptr<const Tensor> image_tensor, reduced_tensor;

  // ---- The kernel ----
  PreviewKernel kernel;  // what was last asked for
  bool kernel_set = false;
  uint64_t kernel_gen = 0;
  double last_change = -1e9;  // state.time of the last edit
  std::string kernel_error;   // why the preview cannot apply the kernel
  ConvGeometry geometry;      // the kernel on the full picture, when geometry_ok
  bool geometry_ok = false;

  // ---- The worker and what it showed ----
  std::unique_ptr<PreviewWorker> worker;
  uint64_t next_id = 1;
  std::vector<PreviewRequest> sent;  // requests whose results may still come, oldest first
  PreviewRequest last_sent;
  PreviewRequest shown;          // what the result texture holds (id 0: nothing yet)
  int shown_w = 0, shown_h = 0;  // the result texture's size
  gpu::MapRange range;           // of the shown result
  double last_ms = 0;            // the worker's time for the shown result
  double full_ms = 0;            // ... for the last full-resolution one (not the picture's first)
  int full_results = 0;          // full-resolution results of this picture so far
  std::string run_error;         // the last result's error

  // ---- Textures: slots 0 .. n−1 the original's levels, slot kResultSlot the result ----
  static constexpr std::size_t kResultSlot = 8;
  gpu::PixelTextures textures{true};
  struct Level {
    uintptr_t tex = 0;
    int w = 0, h = 0;
  };
  std::vector<Level> original;  // [0] full size, then halved
  uintptr_t result_tex = 0;

  // ---- The hovered pixel ----
  PixelDetail detail;

  bool have_result() const { return result_tex != 0 && shown.id != 0; }
  // The shown result is of the current kernel, mapping and picture at full resolution.
  bool result_current() const;
};

// The level of a halving pyramid to draw at `zoom` screen pixels per pixel: the smallest copy that
// still has at least one texel per screen pixel, at most `levels` − 1.
int level_for_zoom(float zoom, int levels);

// What the preview applies to a picture of `channels` colour channels (1 or 3), from the
// lesson's effective weight, bias and parameters and the kernel editor's selection (sel_out,
// sel_in); see PreviewKernel.
PreviewKernel choose_preview_kernel(const AppState& state, int sel_out, int sel_in,
                                    int64_t channels);

// While a weight changed less than this many seconds ago, a big picture whose full-resolution
// result took longer than kPreviewFullBudgetMs is filtered on its reduced copy.
constexpr double kPreviewEditRest = 0.35;
constexpr double kPreviewFullBudgetMs = 50.0;
// The worker starts a computation at most this often (about 25 a second): a drag then leaves the
// window's own drawing most of the machine.
constexpr double kPreviewMinPeriodMs = 40.0;

// The model of `state`'s preview (kept in its EditState), created on first use.
PreviewModel& preview_model(AppState& state);

// After the views drew: when the preview is shown, start or collect the picture's loading, choose
// the kernel from the lesson, send the worker the latest request if it changed, show the newest
// result it finished, work out the hovered pixel. Never waits for the worker or the loader;
// errors stay in the model for the view to show; nothing throws.
void update_preview(AppState& state);

}  // namespace cs
