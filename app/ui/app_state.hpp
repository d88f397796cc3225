// AppState: the visualizer's single source of truth. Views read it and write edits into it, then
// mark it dirty; after all views drew, main.cpp calls recompute_if_dirty(), which validates with
// the engine, swaps in the new trace (or keeps the last good one and stores the error), and keeps
// the stepper where it was. No ImGui, GLFW or GL types in here: the state outlives any frame.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/ui/quiz.hpp"
#include "app/ui/undo.hpp"
#include "core/lessons.hpp"
#include "core/params.hpp"
#include "core/result.hpp"
#include "core/stepper.hpp"
#include "core/tensor.hpp"
#include "core/trace.hpp"

namespace cs {

// What changed. mark_dirty(Dirty::trace) after any edit of the operands or parameters; the
// recompute then also marks the preview's kernel stale when it succeeds.
enum class Dirty : unsigned {
  trace = 1u << 0,           // operands/params edited: validate and re-run the engine
  preview_image = 1u << 1,   // the preview's source image changed: reload and upload it
  preview_kernel = 1u << 2,  // the preview's kernel/params changed: run the preview again
  settings = 1u << 3,        // something worth persisting (lesson, prefs) changed
  status = 1u << 4,          // the --status-file should be rewritten
};

// Which cell the mouse is over; -1 when none.
struct CellRef {
  int64_t n = -1, c = -1, y = -1, x = -1;
  bool valid() const { return n >= 0; }
};

// A random lesson: input [1, c_in, h, w] and weight [c_out, c_in, k, k] drawn uniformly from
// integers in [-range, range] (integers keep the arithmetic readable) from `seed`.
struct RandomSpec {
  int h = 6, w = 6, c_in = 1, c_out = 1, k = 3;
  int range = 3;
  uint64_t seed = 1;
};

// Extension slot of the kernel editor / inputs / preview views (app/ui/ui_edit.*): they define
// struct EditState in their own files and keep whatever they need in it (the live preview object,
// zoom, pan, the file browser's directory, ...). AppState only owns the pointer.
struct EditState;
// The Receptive field view's own state (app/ui/ui_receptive.cpp).
struct ReceptiveState;

struct AppState {
  AppState();
  ~AppState();
  AppState(const AppState&) = delete;
  AppState& operator=(const AppState&) = delete;

  // ---- The lesson and its operands (what the views edit) ----
  std::string lesson_name;         // "vertical-edge", "random", "scene", file name ...
  std::string lesson_title;        // shown above the canvas
  std::string lesson_description;  // two or three sentences
  std::string lesson_expected;     // what the seed notebook printed, or ""
  LessonOp op = LessonOp::conv;

  // Operands ALWAYS in PyTorch order, whatever conv.layout says: input [N, C_in, H, W], weight
  // [C_out, C_in/groups, KH, KW], bias [C_out]. conv.layout / pool.layout only choose the layout
  // the engine runs in and the view shows (NCHW or NHWC); the numbers are the same.
  Tensor input;
  Tensor weight;  // as the student wrote it (before the flip below)
  Tensor bias;    // kept when has_bias is switched off, so switching it back restores the values
  bool has_bias = false;
  Conv2dParams conv;
  Pool2dParams pool;
  // A transposed-convolution lesson's settings (op == conv_transpose): the weight is then
  // [C_in, C_out/groups, KH, KW], as torch.nn.ConvTranspose2d stores it.
  ConvTranspose2dParams transpose;
  // True convolution (SciPy's signal.convolve): the engine runs on flip_kernel(weight).
  bool flip_kernel = false;
  // Whose padding rules (the Parameters view's Rules switch, core/keras.hpp). With keras, the
  // padding is `keras_padding` ('valid' or 'same'), resolved per side at each recompute; conv's
  // and pool's PyTorch padding is kept untouched for switching back.
  Framework framework = Framework::pytorch;
  KerasPadding keras_padding = KerasPadding::valid;
  uint64_t seed = 1;  // the seed of the last random tensor (shown, and used by "random")
  RandomSpec random_spec;

  // The weight the engine runs on (flipped when flip_kernel), [C_out, C_in/g, KH, KW].
  Tensor effective_weight() const;

  // ---- Derived: the last good trace (read-only for views) ----
  // conv or pooling behind one interface (core/trace.hpp); null before the first good run.
  TraceViewPtr trace;
  bool has_trace() const { return trace != nullptr; }
  // The stepper over the current trace.
  Stepper stepper;
  StepUnit step_unit = StepUnit::multiply;  // what the plain arrow keys and buttons step by

  // The last recompute's error (the engine's sentence and the parameter it names in .field:
  // "stride", "padding", "dilation", "groups", "kernel", "bias", "input", ...), or nothing. The
  // views keep showing the last good trace meanwhile.
  std::optional<Error> error;
  // The error if it names `field` (for showing it next to that control), else nullptr.
  const Error* error_for(const std::string& field) const;

  // ---- Interaction (set by views during the frame, read by other views) ----
  CellRef hover_output;  // output cell under the mouse: outline its receptive field in the input
  CellRef hover_input;   // input cell under the mouse: mark every output it feeds
  // Where the canvas drew output channel 0 (window pixels: top-left of cell (0, 0) and the cell
  // edge; -1 when not drawn), reported in the status JSON so UI tests can point at cells.
  float probe_out_x = -1, probe_out_y = -1, probe_out_cell = 0;
  // Views whose content did not fit this frame (they scroll), and text a view had to cut
  // ("Lesson: input channel 0 · group 1"); cleared each frame, reported in the status JSON so UI
  // tests can assert that nothing is cut at a given window size.
  std::vector<std::string> overflow, clipped;
  // Where each open view is this frame (window pixels), for the same tests.
  struct ViewRect {
    std::string name;
    float x = 0, y = 0, w = 0, h = 0;
  };
  std::vector<ViewRect> views;

  // ---- Live preview (owned by the ui-edit views; the core fields are here so scenes persist) ----
  std::string preview_path;         // PNG/JPEG shown at full resolution, or ""
  int preview_mapping = 2;          // 0 clip, 1 abs, 2 signed, 3 minmax
  std::shared_ptr<EditState> edit;  // see struct EditState above
  // What the preview's worker did, kept by update_preview() and reported in the status JSON so a
  // UI test can see that the preview refreshed while frames went on.
  struct PreviewCounters {
    uint64_t frames = 0;             // frames drawn with the preview open
    uint64_t requests = 0;           // computations sent to the worker
    uint64_t dropped = 0;            // requests replaced by a newer one before they started
    uint64_t results = 0;            // results shown
    uint64_t kernels_shown = 0;      // results showing a different kernel from the one before
    uint64_t frames_while_busy = 0;  // frames that went on while the worker computed
    double first_time = -1, last_time = 0;  // AppState::time of the first and last such frame
  } preview_counters;
  // Each frame waits until the preview's picture and result are ready (--frames with
  // --screenshot only: the picture saved must not depend on the machine's speed).
  bool preview_settle = false;

  // ---- Which views are shown: the frame is `if (show_x) draw_x(state);` ----
  bool show_canvas = true;
  bool show_arithmetic = true;
  bool show_timeline = true;
  bool show_params = true;
  bool show_kernel_editor = true;
  bool show_inputs = true;
  bool show_preview = false;
  bool show_file_browser = false;
  bool show_help = false;
  bool show_lesson_info = true;
  bool show_quiz = false;  // the quiz view (View > Quiz mode, Q): open while the quiz is on

  // ---- Quiz mode, "predict, then reveal" (app/ui/quiz.hpp) ----
  Quiz quiz;
  // --quiz-answer values still to type, one a frame (scripted tests).
  std::vector<std::string> scripted_answers;
  bool quiz_typing = false;  // the quiz's answer field has the keyboard (for the status JSON)
  // Any text field has the keyboard (ImGui's WantTextInput), for the status JSON: UI tests type
  // a path only once the field takes it, so no letter lands on a shortcut (Q, O, B, ...).
  bool text_input = false;

  // ---- Receptive field view (app/ui/ui_receptive.*) ----
  bool show_receptive = false;
  std::string receptive_layers;               // a layers file to show ("": a built-in stack)
  std::shared_ptr<ReceptiveState> receptive;  // made by the view when first drawn
  std::string receptive_status;               // its JSON object for --status-file, or ""

  // ---- Preferences (persisted) ----
  bool presentation = false;   // projector mode: larger fonts and cells, high contrast
  bool high_contrast = false;  // also on its own
  float font_size = 16.0f;     // pixels, normal mode (presentation uses presentation_scale×)
  float presentation_scale = 1.5f;
  float cell_size = 44.0f;     // lesson canvas cell edge in pixels at normal size
  bool show_values = true;     // numbers written in cells when they fit
  bool reduce_motion = false;  // the canvas jumps instead of gliding (View menu)
  bool dark_theme = false;     // View > Theme: dark surfaces (high contrast and presentation win)
  int diverging_palette = 0;   // View > Palette: 0 red-blue, 1 blue-orange (colour-blind safe)

  // ---- Requests and messages for the shell (main.cpp) ----
  bool quit_requested = false;
  bool screenshot_requested = false;
  std::string notice;         // one line shown in the status bar ("Screenshot written to ...")
  double notice_until = 0.0;  // ImGui time at which the notice disappears
  std::string banner;         // a persistent warning (a missing font, ...)
  double time = 0.0;          // seconds since start, set by main.cpp each frame

  // Also marks Dirty::status (the notice is part of the status JSON).
  void notify(std::string text, double seconds = 6.0);

  // ---- Undo (app/ui/undo.hpp): the edits' history, recorded once a frame by record_edits() ----
  UndoHistory undo;
  std::shared_ptr<const EditSnapshot> baseline;  // the lesson as it was loaded (shipped)
  bool modified = false;                         // the editable part differs from the baseline
  bool edit_pending = false;  // Dirty::trace was marked since the last record_edits()

  // ---- Dirty flags ----
  unsigned dirty = 0;
  // Dirty::trace is the funnel of every edit: it also tells the undo history to look.
  void mark_dirty(Dirty what) {
    dirty |= static_cast<unsigned>(what);
    if (what == Dirty::trace) edit_pending = true;
  }
  bool is_dirty(Dirty what) const { return (dirty & static_cast<unsigned>(what)) != 0; }
  void clear_dirty(Dirty what) { dirty &= ~static_cast<unsigned>(what); }
};

// Replaces the operands and parameters with a built-in lesson (converted to PyTorch order) and
// recomputes at once. The stepper goes home. The loaded lesson is the new baseline ("not
// modified") and one undo step: Ctrl+Z brings back the lesson it replaced, edits included.
void load_lesson(AppState& state, const Lesson& lesson);
// By name (cs::find_lesson, or "random" with state.random_spec); the error lists every name.
Status load_lesson(AppState& state, const std::string& name);
// A random conv lesson from `spec`; sets state.seed = spec.seed.
void load_random_lesson(AppState& state, const RandomSpec& spec);

// Switches the operation (Parameters' radio, the Operation menu, key O) and marks the state
// dirty. Crossing between a convolution and a transposed one turns the weight around ([C_out,
// C_in/g, KH, KW] and [C_in, C_out/g, KH, KW] swap their channel axes, groups become 1, the
// bias fits the new C_out) and carries stride, dilation and padding numbers over; pooling keeps
// the weight for the way back.
void set_operation(AppState& state, LessonOp op);

// The conv / pool parameters the engine runs with, in the state's layout: the state's own under
// PyTorch's rules; under Keras's, keras_padding resolved per side (core/keras.hpp) or Keras's
// refusal. (Operands are in PyTorch order; the resolution does not depend on the layout.)
Result<Conv2dParams> conv_params_as_run(const AppState& state);
Result<Pool2dParams> pool_params_as_run(const AppState& state);

// Step 3 of the frame: if Dirty::trace is set, validate and run the engine; on success swap in
// the trace, keep the stepper's position, clear the error, mark Dirty::preview_kernel and
// Dirty::status; on error keep the last good trace and store the error. Never throws.
void recompute_if_dirty(AppState& state);

// The state the UI tests check, as one JSON object: {"lesson": ..., "op": "conv", "global": 12,
// "total": 100, "window": 1, "tap": 3, "n":0, "o":0, "y":0, "x":1, "playing": false,
// "presentation": true, "high_contrast": true, "theme": "light", "palette": "red-blue", "error":
// "", "error_field": "", "step_unit": ..., "modified": false, "undo_steps": 0, "redo_steps": 0,
// "quiz": {"active": true, "question": "product", "question_step": 2, "tries": 1, "hint": false,
// "asked": 1, "right": 1, "last_verdict": "wrong"}}.
std::string status_json(const AppState& state);

}  // namespace cs
