// The visualizer's editing half: the kernel editor, the inputs panel (lessons, random tensors,
// painting, images, .npy, dropped files), the in-app file browser, the live full-resolution
// preview and scenes (save/open JSON). Views write into AppState and mark it dirty; they never
// run the engine's trace themselves, and the preview's view only draws its model (updated by
// update_preview() in preview_model.hpp after the views). The shell (main.cpp) calls these from
// its frame. Depends on app_state.hpp and core/; no GL call (the preview's are in app/gpu/).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/gpu/window_gl.hpp"
#include "app/ui/app_state.hpp"
#include "core/image_io.hpp"
#include "core/result.hpp"
#include "core/scene.hpp"

namespace cs {

struct PreviewModel;

// A picture opened as the lesson input is averaged down to this many cells along its longer side
// (the other side in proportion; a smaller picture keeps its own size): a lesson is read cell by
// cell, so 16 columns of a photo are already 16 × 16 × 9 multiplies to step through.
constexpr int kPhotoCells = 16;

// What the file browser is choosing a file for.
enum class BrowseFor { image_input, npy_input, preview_image, scene_open, scene_save };

// The editing views' own state (AppState::edit points to one; created on first use).
struct EditState {
  EditState();
  ~EditState();  // defined where PreviewModel is complete

  // Kernel editor
  int sel_out = 0, sel_in = 0;   // the (out, in) kernel the grid shows
  double step = 1.0;             // left click +step, right click -step on a grid cell
  int sel_ky = -1, sel_kx = -1;  // cell selected for typing (-1: none)
  int preset = 0;                // index into cs::kernel_presets()
  uint64_t kernel_seed = 1;
  double kernel_range = 1.0;  // random weights uniform in [-range, range]
  bool random_integers = true;
  int number_mode = 0;                          // the numbers under the grid: 0 typed, 1 dragged
  std::string kernel_message;                   // last note (e.g. "sum is 0: not normalised")
  float grid_x = 0, grid_y = 0, grid_cell = 0;  // where the kernel grid was drawn (screen px)

  // Inputs
  double paint_value = 1.0;
  int brush = 1;  // brush edge in cells (1, 3, 5)
  bool paint_all_channels = false;
  bool npy_nhwc = false;      // how a 4-D .npy is laid out
  std::string input_message;  // last error / note of the inputs panel
  // The last picture opened as the lesson input (Ctrl+I, a drop): kept whole, so another lesson
  // size is one slider away; its thumbnail (with the lesson's cells drawn over it) in the panel.
  Image photo;
  std::string photo_path;
  int photo_cells = kPhotoCells;      // cells along the picture's longer side
  std::vector<uint32_t> photo_thumb;  // RGBA texels, photo_thumb_w × photo_thumb_h
  int photo_thumb_w = 0, photo_thumb_h = 0;
  bool photo_thumb_stale = false;  // not uploaded yet
  bool photo_reveal = false;       // scroll the inputs panel to it once
  uintptr_t photo_tex = 0;
  gpu::PixelTextures thumb_textures{true};

  // File browser
  BrowseFor browse_for = BrowseFor::image_input;
  std::string browse_dir;  // absolute folder shown
  std::string typed_path;  // the path box
  std::string browse_error;
  std::string filter;  // extension filter: "" = the mode's defaults
  bool show_hidden = false;
  bool browse_needs_listing = true;
  bool browse_focus = false;  // put the keyboard in the path box on the next frame
  std::vector<std::string> listing_dirs, listing_files;  // names only, sorted

  // Live preview: its model (picture, kernel, filters; app/ui/preview_model.hpp) and the view's
  // zoom and pan
  std::unique_ptr<PreviewModel> preview;
  float zoom = 0.0f;                 // 0: fit to the window
  float pan_x = 0.0f, pan_y = 0.0f;  // image pixels at the view's top-left
  uint64_t fitted_picture = 0;       // PreviewModel::picture_gen last fitted to the view
  bool preview_split = false;        // one pane, original left of a divider and result right
  float split_at = 0.5f;             // the divider, as a fraction of the pane's width
  int inspect_oc = 0;                // the output channel whose arithmetic the hover shows

  // Scenes
  std::string scene_path;  // last scene saved or opened ("" = none yet)
  std::string scene_message;
};

// The EditState of `state`, created on first call.
EditState& edit_state(AppState& state);
// Releases the live preview's model and its GL objects: call while the GL context is still
// current, before the window is destroyed (AppState's own destructor may run after the context is
// gone).
void shutdown_edit(AppState& state);

namespace ui {

void draw_kernel_editor(AppState& state);
void draw_inputs_panel(AppState& state);
void draw_file_browser(AppState& state);
// Draws the preview's model (preview_model.hpp); main.cpp calls update_preview() after the views.
void draw_preview(AppState& state);

// From the GLFW drop callback: .png/.jpg/.jpeg => the preview image AND, downsampled (area
// average) to kPhotoCells along its longer side, the lesson input (load_input_image); .npy => the
// input tensor; .json => a scene. Errors become state.notify(...) sentences; nothing throws.
void handle_dropped_files(AppState& state, const std::vector<std::string>& paths);

// Global keys of the editing half, checked each frame (call it once per frame, after NewFrame):
//   Ctrl+S save the scene (to the last scene file, else opens the browser in save mode),
//   Ctrl+Shift+S save as (browser), Ctrl+O open a scene (browser), Ctrl+I open an image or a
//   .npy as input (browser), Ctrl+P show/hide the live preview, Ctrl+K show/hide the kernel
//   editor, Ctrl+F flip (true convolution), Ctrl+N normalise all, Ctrl+R random kernels.
//   Ignored while a text field has the keyboard. A key that acts marks Dirty::status.
void handle_edit_shortcuts(AppState& state);

// Opens the file browser for `what` (shows it and sets its folder and filter).
void open_file_browser(AppState& state, BrowseFor what);

// The kernel editor's buttons, also on keys (Ctrl+N normalise all, Ctrl+R random all) and used by
// tests. Acts on the (sel_out, sel_in) kernel of edit_state(state) or on every kernel; marks
// Dirty::trace when a weight changed. Returns the sentence the editor shows (also kept in
// EditState::kernel_message), e.g. why a kernel whose weights sum to 0 cannot be normalised.
enum class KernelAction {
  normalise_selected,  // divide the kernel by the sum of its weights, so they sum to 1
  normalise_all,       // the same for every (out, in) kernel separately
  random_selected,     // uniform in [-kernel_range, kernel_range] (integers if chosen), seeded
  random_all,
  preset_selected,  // kernel_presets()[preset]; a different size resizes every kernel
  preset_all,
  flip_weights,  // rotate every stored kernel by 180° (the weights themselves, not the flag)
  zero_selected,
};
std::string kernel_action(AppState& state, KernelAction action);

// A grid of rows×cols cells drawn with ImDrawList: colour by value/scale (blue negative, white 0,
// red positive), the number written when the cell is wide enough, a tooltip otherwise. One
// InvisibleButton covers it: `row`/`col` is the cell under the mouse (-1 when none).
struct GridHit {
  int row = -1, col = -1;
  bool hovered = false;
  bool left_clicked = false, right_clicked = false;
};
GridHit draw_value_grid(const char* id, const double* values, int rows, int cols, float cell,
                        double scale, int sel_row = -1, int sel_col = -1);

// Painting with the mouse on the input grid (for the canvas, which owns the input grid): sets
// input (n, c, y, x) — and its brush neighbours, and every channel if that is chosen — to the
// paint value from the inputs panel, marks Dirty::trace. Returns true when a value changed.
// Typical use: `if (ImGui::IsMouseDown(0) && io.KeyCtrl) paint_cell(state, n, c, y, x);`
// Coordinates are in PyTorch order and refer to the unpadded input.
bool paint_cell(AppState& state, int64_t n, int64_t c, int64_t y, int64_t x);

}  // namespace ui

// Scenes <-> the app state. An edited lesson's scene leaves out the seed notebook's printed values
// (they describe the lesson as shipped).
Scene scene_from_state(const AppState& state);
// Replaces the lesson, its operands and parameters, the preview image and mapping.
void apply_scene(AppState& state, const Scene& scene);
// load_scene + apply_scene; remembers the path for Ctrl+S. For --scene FILE on the command line.
Status open_scene_file(AppState& state, const std::string& path);
Status save_scene_file(AppState& state, const std::string& path);

// Loading inputs from files (what the browser and drops use). Each replaces state.input, keeps
// the kernels (adapting their C_in when the channel count changed) and marks Dirty::trace.
// Image: area-averaged to EditState::photo_cells cells along its longer side (kPhotoCells at
// first; never more than its own pixels), grey or RGB as the file is unless the lesson is grey
// (1 channel) or colour (3 channels), values in [0, 1]; the picture is kept in EditState for its
// thumbnail and for set_photo_cells; the Inputs panel, which shows them, is opened.
Status load_input_image(AppState& state, const std::string& path);
// The kept picture (EditState::photo) averaged again to `cells` along its longer side (clamped to
// 2..64) as the lesson input. False when no picture was opened as the input.
bool set_photo_cells(AppState& state, int cells);
// The lesson size for a picture of width × height with `cells` along its longer side: {h, w}.
std::pair<int64_t, int64_t> photo_lesson_size(int width, int height, int cells);
// .npy: 4-D NCHW (or NHWC when nhwc), 3-D CHW as N = 1, 2-D HW as 1×1×H×W.
Status load_input_npy(AppState& state, const std::string& path, bool nhwc);
// Sets the preview's picture (full resolution; "" = the built-in sample).
Status set_preview_image(AppState& state, const std::string& path);

// [1, C, H, W] float32 of `image` area-averaged to out_h × out_w (values in [0, 1]).
Tensor downsample_area(const Image& image, int64_t out_h, int64_t out_w);
// [N, C, H, W] from a .npy tensor of 2, 3 or 4 dims (see load_input_npy); errors name the shape.
Result<Tensor> npy_to_input(const Tensor& t, bool nhwc);

}  // namespace cs
