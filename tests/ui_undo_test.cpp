// Undo and redo (app/ui/undo.hpp): the history model on its own (push, redo cleared by a new
// edit, a gesture coalesced into one step, the bound in states and in bytes), then on the app
// state without a window (a parameter edit, a paint stroke, an op switch and a lesson switch
// undone to the exact trace; the "modified" flag and the seed's printed values; a restored
// session), then the frame's gestures and the arithmetic panel in a headless ImGui context.
#include <gtest/gtest.h>
#include <imgui.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "app/ui/app_state.hpp"
#include "app/ui/ui_arithmetic.hpp"
#include "app/ui/ui_edit.hpp"
#include "app/ui/ui_frame.hpp"
#include "app/ui/ui_settings.hpp"
#include "app/ui/undo.hpp"
#include "test_util.hpp"

namespace cs {
namespace {

namespace fs = std::filesystem;

// A snapshot told apart by its seed (and, for the byte bound, an input of `values` floats).
EditSnapshot snap(uint64_t seed, int64_t values = 0) {
  EditSnapshot e;
  e.seed = seed;
  e.lesson_name = "test";
  if (values > 0) e.input = Tensor(DType::f32, {1, 1, 1, values});
  return e;
}

std::shared_ptr<const EditSnapshot> base() {
  static const auto b = std::make_shared<const EditSnapshot>(snap(0));
  return b;
}

// ---------------------------------------------------------------------------------------------
// The model

TEST(UndoHistory, UndoAndRedoWalkTheStates) {
  UndoHistory h;
  EXPECT_EQ(h.undo(), nullptr);  // empty
  EXPECT_EQ(h.redo(), nullptr);
  for (uint64_t i = 1; i <= 3; ++i)
    h.push(snap(i), base());
  EXPECT_EQ(h.size(), 3u);
  EXPECT_EQ(h.undo_steps(), 2u);
  EXPECT_EQ(h.redo_steps(), 0u);
  ASSERT_NE(h.undo(), nullptr);
  EXPECT_EQ(h.current()->state.seed, 2u);
  ASSERT_NE(h.undo(), nullptr);
  EXPECT_EQ(h.current()->state.seed, 1u);
  EXPECT_EQ(h.undo(), nullptr) << "the oldest state has nothing before it";
  EXPECT_EQ(h.current()->state.seed, 1u);
  EXPECT_EQ(h.redo_steps(), 2u);
  ASSERT_NE(h.redo(), nullptr);
  ASSERT_NE(h.redo(), nullptr);
  EXPECT_EQ(h.current()->state.seed, 3u);
  EXPECT_EQ(h.redo(), nullptr);
}

TEST(UndoHistory, ANewEditClearsRedo) {
  UndoHistory h;
  for (uint64_t i = 1; i <= 3; ++i)
    h.push(snap(i), base());
  h.undo();
  h.undo();  // at 1, with 2 and 3 ahead
  h.push(snap(4), base());
  EXPECT_EQ(h.redo_steps(), 0u);
  EXPECT_EQ(h.redo(), nullptr);
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(h.current()->state.seed, 4u);
  ASSERT_NE(h.undo(), nullptr);
  EXPECT_EQ(h.current()->state.seed, 1u);
}

TEST(UndoHistory, OneGestureIsOneStep) {
  UndoHistory h;
  h.push(snap(1), base(), 7);  // the oldest state is never replaced, whatever its gesture
  h.push(snap(2), base(), 7);
  EXPECT_EQ(h.size(), 2u);
  h.push(snap(3), base(), 7);  // the same drag: replaces its own step
  h.push(snap(4), base(), 7);
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(h.current()->state.seed, 4u);
  h.push(snap(5), base(), 8);  // the next drag
  h.push(snap(6), base(), 0);  // a key: never coalesced
  h.push(snap(7), base(), 0);
  EXPECT_EQ(h.size(), 5u);
  // The same gesture number from another lesson (a new baseline) is a new step.
  h.push(snap(8), std::make_shared<const EditSnapshot>(snap(99)), 0);
  h.push(snap(9), h.current()->baseline, 9);
  h.push(snap(10), base(), 9);
  EXPECT_EQ(h.size(), 8u);
  // After an undo the gesture starts a new step (the undone one stays as redo... until the
  // push clears it).
  h.undo();
  h.push(snap(11), base(), 9);
  EXPECT_EQ(h.size(), 8u);
  EXPECT_EQ(h.current()->state.seed, 11u);
  h.undo();
  EXPECT_EQ(h.current()->state.seed, 9u);
}

TEST(UndoHistory, BoundedInStates) {
  UndoHistory h(UndoLimits{3, std::size_t{1} << 30});
  for (uint64_t i = 1; i <= 10; ++i)
    h.push(snap(i), base());
  EXPECT_EQ(h.size(), 3u);
  EXPECT_EQ(h.undo_steps(), 2u);
  h.undo();
  h.undo();
  EXPECT_EQ(h.current()->state.seed, 8u) << "the oldest states go first";
  EXPECT_EQ(h.undo(), nullptr);
  // The default: 200 states.
  UndoHistory d;
  for (uint64_t i = 1; i <= 500; ++i)
    d.push(snap(i), base());
  EXPECT_EQ(d.size(), 200u);
  EXPECT_EQ(d.limits().max_states, 200u);
  EXPECT_EQ(d.limits().max_bytes, std::size_t{64} << 20);
}

TEST(UndoHistory, BoundedInBytes) {
  const std::size_t one = snap(1, 1000).bytes();  // 4000 bytes of tensor and the struct
  EXPECT_GE(one, 4000u);
  // Room for the shared baseline once and two and a half snapshots: two are kept.
  UndoHistory h(UndoLimits{1000, base()->bytes() + one * 5 / 2});
  for (uint64_t i = 1; i <= 6; ++i)
    h.push(snap(i, 1000), base());
  EXPECT_EQ(h.size(), 2u);
  EXPECT_LE(h.bytes(), h.limits().max_bytes);
  EXPECT_EQ(h.bytes(), base()->bytes() + 2 * one);
  // A state bigger than the whole bound is still kept: it is the current one.
  h.push(snap(7, 100000), base());
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.current()->state.seed, 7u);
  EXPECT_EQ(h.undo(), nullptr);
}

TEST(UndoHistory, TheLargestLessonKeepsAFewSteps) {
  // The canvas's largest input (2^20 values) in float64: 8 MiB a snapshot, the baseline too.
  auto big = [](uint64_t seed) {
    EditSnapshot e = snap(seed);
    e.input = Tensor(DType::f64, {1, 1, 1024, 1024});
    return e;
  };
  const auto baseline = std::make_shared<const EditSnapshot>(big(0));
  UndoHistory h;
  for (uint64_t i = 1; i <= 12; ++i)
    h.push(big(i), baseline);
  EXPECT_LE(h.bytes(), h.limits().max_bytes);
  EXPECT_EQ(h.undo_steps(), 5u) << "as undo.hpp and docs/ui.md say";
}

TEST(UndoHistory, DescribesWhatChanged) {
  EditSnapshot a = snap(1, 4), b = a;
  EXPECT_EQ(describe_change(a, b), "");
  b.weight = Tensor(DType::f32, {1, 1, 3, 3});
  EXPECT_EQ(describe_change(a, b), "the weights");
  b.conv.stride_h = 2;
  b.op = LessonOp::pool;
  EXPECT_EQ(describe_change(a, b), "the operation, the parameters and the weights");
  b = a;
  b.conv.layout = Layout::nhwc;
  EXPECT_EQ(describe_change(a, b), "the layout");
  b.lesson_name = "blur";
  EXPECT_EQ(describe_change(a, b), "lesson test → blur");
}

// ---------------------------------------------------------------------------------------------
// On the app state (what the frame does once a frame: record_edits after the views)

void open_lesson(AppState& s, const std::string& name) {
  ASSERT_TRUE(load_lesson(s, name).has_value());
  restart_history(s);
  ASSERT_TRUE(s.trace);
  ASSERT_FALSE(s.modified);
}

// The trace's output and shape as a comparable value.
struct Outcome {
  Shape shape;
  Tensor output;
  bool conv = true;
  int64_t total = 0;
};
Outcome result(const AppState& s) {
  return {s.trace->output().shape(), s.trace->output(), s.trace->is_conv(), s.stepper.total()};
}
void expect_same(const Outcome& a, const Outcome& b) {
  EXPECT_EQ(a.shape, b.shape);
  EXPECT_TRUE(a.output.identical(b.output)) << "the output differs after undo";
  EXPECT_EQ(a.conv, b.conv);
  EXPECT_EQ(a.total, b.total);
}

// An edit as a view makes it, then the end of the frame.
template <typename F>
void edit(AppState& s, F&& change, uint64_t gesture = 0) {
  change();
  s.mark_dirty(Dirty::trace);
  recompute_if_dirty(s);
  record_edits(s, gesture);
}

TEST(UndoState, AParameterEditIsUndoneToTheExactTrace) {
  AppState s;
  open_lesson(s, "vertical-edge");  // 5×5 input, 3×3 kernel, no padding: 3×3 output
  const Outcome shipped = result(s);
  EXPECT_TRUE(expected_applies(s));
  edit(s, [&] { s.conv.padding = PaddingSpec::symmetric(1); });  // 5×5 output
  EXPECT_TRUE(s.modified);
  EXPECT_FALSE(expected_applies(s));
  EXPECT_EQ(s.trace->shape().out_h, 5);
  EXPECT_EQ(s.undo.undo_steps(), 1u);
  const Outcome padded = result(s);
  ASSERT_TRUE(undo_edit(s));
  recompute_if_dirty(s);
  expect_same(result(s), shipped);
  EXPECT_FALSE(s.modified) << "undone back to the shipped lesson";
  EXPECT_TRUE(expected_applies(s));
  EXPECT_EQ(s.notice, "Undone: the parameters (Ctrl+Shift+Z redoes).");
  ASSERT_TRUE(redo_edit(s));
  recompute_if_dirty(s);
  expect_same(result(s), padded);
  EXPECT_TRUE(s.modified);
  EXPECT_EQ(s.notice, "Redone: the parameters.");
  EXPECT_FALSE(redo_edit(s));
  EXPECT_EQ(s.notice, "Nothing to redo.");
}

TEST(UndoState, APaintStrokeIsOneStep) {
  AppState s;
  open_lesson(s, "vertical-edge");
  const Outcome shipped = result(s);
  const Tensor input = s.input;
  edit_state(s).paint_value = 9;
  for (int64_t x = 0; x < 5; ++x) {  // one stroke over row 2, a frame per cell
    edit(
        s, [&] { EXPECT_TRUE(ui::paint_cell(s, 0, 0, 2, x)); }, 42);
  }
  record_edits(s, 0);  // released: nothing new
  EXPECT_EQ(s.undo.undo_steps(), 1u);
  EXPECT_EQ(s.input.get(2 * 5 + 4), 9);
  EXPECT_TRUE(s.modified);
  ASSERT_TRUE(undo_edit(s));
  recompute_if_dirty(s);
  EXPECT_TRUE(s.input.identical(input));
  expect_same(result(s), shipped);
  EXPECT_FALSE(s.modified);
  EXPECT_EQ(s.notice, "Undone: the input (Ctrl+Shift+Z redoes).");
  // A second stroke is a second step; a new edit after an undo clears redo.
  edit(
      s, [&] { ui::paint_cell(s, 0, 0, 0, 0); }, 43);
  edit(
      s, [&] { ui::paint_cell(s, 0, 0, 4, 4); }, 44);
  EXPECT_EQ(s.undo.undo_steps(), 2u);
  EXPECT_EQ(s.undo.redo_steps(), 0u);
}

TEST(UndoState, AnOpSwitchIsUndoneToTheConvTrace) {
  AppState s;
  open_lesson(s, "rgb-2-filters");
  const Outcome shipped = result(s);
  edit(s, [&] { s.op = LessonOp::pool; });
  ASSERT_FALSE(s.trace->is_conv());
  edit(s, [&] { s.has_bias = !s.has_bias; });  // ignored by pooling, but an edit
  edit(s, [&] { s.flip_kernel = true; });
  EXPECT_EQ(s.undo.undo_steps(), 3u);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(undo_edit(s));
  recompute_if_dirty(s);
  expect_same(result(s), shipped);
  EXPECT_FALSE(s.modified);
  EXPECT_FALSE(undo_edit(s));
  EXPECT_EQ(s.notice, "Nothing to undo.");
}

TEST(UndoState, ModifiedComparesWithTheLessonAsShipped) {
  AppState s;
  open_lesson(s, "scipy-laplacian");
  ASSERT_FALSE(s.lesson_expected.empty());
  const double w0 = s.weight.get(0);
  edit(s, [&] { s.weight.set(0, w0 + 1); });
  EXPECT_TRUE(s.modified);
  EXPECT_TRUE(nlohmann::json::parse(status_json(s))["modified"].get<bool>());
  // Editing it back by hand (not by undo) is the lesson as shipped again.
  edit(s, [&] { s.weight.set(0, w0); });
  EXPECT_FALSE(s.modified);
  EXPECT_TRUE(expected_applies(s));
  EXPECT_EQ(s.undo.undo_steps(), 2u);
  const auto j = nlohmann::json::parse(status_json(s));
  EXPECT_FALSE(j["modified"].get<bool>());
  EXPECT_EQ(j["undo_steps"], 2);
  EXPECT_EQ(j["redo_steps"], 0);
  // A picture or .npy loaded as input is an edit too (its name replaces the lesson's).
  edit(s, [&] {
    Tensor t(DType::f32, {1, 1, 4, 4});
    s.input = t;
    s.lesson_name = "photo";
    s.lesson_expected.clear();
  });
  EXPECT_TRUE(s.modified);
  ASSERT_TRUE(undo_edit(s));
  EXPECT_EQ(s.lesson_name, "scipy-laplacian");
  EXPECT_FALSE(s.lesson_expected.empty());
  EXPECT_TRUE(expected_applies(s));
}

TEST(UndoState, AnEditedLessonsSceneLeavesOutTheSeedValues) {
  AppState s;
  open_lesson(s, "scipy-laplacian");
  EXPECT_EQ(scene_from_state(s).lesson.expected, s.lesson_expected);
  edit(s, [&] { s.weight.set(0, 2.0); });
  EXPECT_EQ(scene_from_state(s).lesson.expected, "") << "they describe another lesson";
  ASSERT_TRUE(undo_edit(s));
  EXPECT_EQ(scene_from_state(s).lesson.expected, s.lesson_expected);
}

TEST(UndoState, PageDownKeepsTheEditsOneUndoAway) {
  AppState s;
  open_lesson(s, "vertical-edge");
  edit(s, [&] { s.weight.set(4, 5.0); });
  const Tensor edited = s.weight;
  ui::cycle_lesson(s, +1);
  record_edits(s, 0);
  EXPECT_NE(s.lesson_name, "vertical-edge");
  EXPECT_FALSE(s.modified);
  EXPECT_NE(s.notice.find("Your edits to vertical-edge are kept: Ctrl+Z brings them back."),
            std::string::npos)
      << s.notice;
  ASSERT_TRUE(undo_edit(s));
  recompute_if_dirty(s);
  EXPECT_EQ(s.lesson_name, "vertical-edge");
  EXPECT_TRUE(s.weight.identical(edited));
  EXPECT_TRUE(s.modified) << "the edited lesson comes back edited";
  EXPECT_EQ(s.trace->weight()->get(4), 5.0);
  ASSERT_TRUE(undo_edit(s));
  EXPECT_FALSE(s.modified);
  // Without edits the switch says nothing about them.
  ui::cycle_lesson(s, +1);
  EXPECT_EQ(s.notice.find("Your edits"), std::string::npos) << s.notice;
}

TEST(UndoState, RandomLessonsAreNotModifiedWhenLoaded) {
  AppState s;
  RandomSpec spec;
  spec.seed = 77;
  load_random_lesson(s, spec);
  restart_history(s);
  EXPECT_FALSE(s.modified);
  EXPECT_EQ(s.seed, 77u);
}

using test::TempDir;

TEST(UndoState, ARestoredSessionKnowsItsEdits) {
  // Every built-in lesson saved unedited and read back (through last_scene.json) is not modified:
  // the scene round trip is exact.
  for (const Lesson& l : builtin_lessons()) {
    SCOPED_TRACE(l.name);
    TempDir dir;
    AppState a;
    load_lesson(a, l);
    ASSERT_TRUE(ui::save_settings(a, dir.path.string()).has_value());
    AppState b;
    ASSERT_TRUE(ui::load_settings(b, dir.path.string()));
    restart_history(b);
    EXPECT_EQ(b.lesson_name, l.name);
    EXPECT_FALSE(b.modified);
  }
  // Edited: still modified after the restart, the printed values no longer apply, and there is
  // nothing to undo.
  TempDir dir;
  AppState a;
  open_lesson(a, "vertical-edge");
  edit(a, [&] { a.weight.set(0, 7.0); });
  ASSERT_TRUE(ui::save_settings(a, dir.path.string()).has_value());
  AppState b;
  ASSERT_TRUE(ui::load_settings(b, dir.path.string()));
  restart_history(b);
  EXPECT_EQ(b.weight.get(0), 7.0);
  EXPECT_TRUE(b.modified);
  EXPECT_FALSE(expected_applies(b));
  EXPECT_EQ(b.undo.undo_steps(), 0u);
}

// ---------------------------------------------------------------------------------------------
// The frame's gestures and the arithmetic panel, in a headless ImGui context

class HeadlessImGui {
 public:
  HeadlessImGui() {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(1200, 900);
    io.DeltaTime = 1.0f / 60.0f;
    io.IniFilename = nullptr;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  }
  ~HeadlessImGui() { ImGui::DestroyContext(); }
  HeadlessImGui(const HeadlessImGui&) = delete;
  HeadlessImGui& operator=(const HeadlessImGui&) = delete;
};

// One frame: a window with a slider on the stride (a widget that stays active while dragged),
// `view` editing the state as a view would, then what draw_frame does last.
template <typename F>
void frame(AppState& s, ImVec2& slider_at, F&& view) {
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(600, 400));
  ImGui::Begin("test view");
  ImGui::SetNextItemWidth(400);
  if (ImGui::SliderInt("stride", &s.conv.stride_h, 1, 3)) s.mark_dirty(Dirty::trace);
  slider_at = ImGui::GetItemRectMin();
  view();
  ImGui::End();
  record_edits(s, ui::edit_gesture());
  ImGui::Render();
  recompute_if_dirty(s);
}

TEST(UndoFrame, AMouseStrokeAndASliderDragAreOneStepEach) {
  HeadlessImGui gui;
  ImGuiIO& io = ImGui::GetIO();
  AppState s;
  open_lesson(s, "padding-1");
  ImVec2 at;
  auto nothing = [] {};
  frame(s, at, nothing);
  // A paint stroke: the mouse held (away from any widget) over five frames, one cell a frame.
  io.MousePos = ImVec2(900, 800);
  io.MouseDown[0] = true;
  edit_state(s).paint_value = 3;
  for (int x = 0; x < 5; ++x)
    frame(s, at, [&] { ui::paint_cell(s, 0, 0, 1, x); });
  io.MouseDown[0] = false;
  frame(s, at, nothing);
  EXPECT_EQ(s.undo.undo_steps(), 1u) << "one stroke, one step";
  // A second stroke, then a key's edit (no mouse): two more steps.
  io.MouseDown[0] = true;
  frame(s, at, [&] { ui::paint_cell(s, 0, 0, 3, 3); });
  io.MouseDown[0] = false;
  frame(s, at, [&] {
    s.has_bias = !s.has_bias;
    s.mark_dirty(Dirty::trace);
  });
  EXPECT_EQ(s.undo.undo_steps(), 3u);
  // Dragging the slider from stride 1 to 3 and back to 2 over several frames: one step.
  const float y = at.y + 5;
  io.MousePos = ImVec2(at.x + 10, y);
  frame(s, at, nothing);
  io.MouseDown[0] = true;
  for (float x : {10.0f, 200.0f, 390.0f, 250.0f, 200.0f}) {
    io.MousePos = ImVec2(at.x + x, y);
    frame(s, at, nothing);
  }
  io.MouseDown[0] = false;
  frame(s, at, nothing);
  frame(s, at, nothing);
  EXPECT_EQ(s.conv.stride_h, 2);
  EXPECT_EQ(s.undo.undo_steps(), 4u) << "the drag over three values is one step";
  ASSERT_TRUE(undo_edit(s));
  EXPECT_EQ(s.conv.stride_h, 1);
  ASSERT_TRUE(undo_edit(s));  // the bias key
  ASSERT_TRUE(undo_edit(s));  // the second stroke
  ASSERT_TRUE(undo_edit(s));  // the first stroke, all five cells
  EXPECT_FALSE(s.modified);
}

// The text the arithmetic panel writes in one frame: ImGui's log of the rendered text, which
// End() of the view hands to the clipboard (captured here).
std::string g_clipboard;
std::string arithmetic_text(AppState& s) {
  ImGuiIO& io = ImGui::GetIO();
  io.SetClipboardTextFn = [](void*, const char* text) { g_clipboard = text; };
  g_clipboard.clear();
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(1000, 880));
  ImGui::LogToClipboard();
  ui::draw_arithmetic(s);  // its End() finishes the log
  ImGui::Render();
  return g_clipboard;
}

TEST(UndoFrame, TheArithmeticPanelSaysWhenTheSeedValuesNoLongerApply) {
  HeadlessImGui gui;
  AppState s;
  open_lesson(s, "vertical-edge");
  ASSERT_FALSE(s.lesson_expected.empty());
  const std::string first_line = s.lesson_expected.substr(0, s.lesson_expected.find('\n'));
  std::string text = arithmetic_text(s);
  EXPECT_NE(text.find("The seed notebook printed:"), std::string::npos) << text;
  EXPECT_NE(text.find(first_line), std::string::npos) << text;
  EXPECT_EQ(text.find(kExpectedEdited), std::string::npos);
  edit(s, [&] { s.weight.set(0, 4.0); });
  text = arithmetic_text(s);
  EXPECT_EQ(text.find("The seed notebook printed:"), std::string::npos) << text;
  EXPECT_EQ(text.find(first_line), std::string::npos) << "the numbers of another lesson";
  EXPECT_NE(text.find("for the lesson as shipped; you have edited it"), std::string::npos) << text;
  ASSERT_TRUE(undo_edit(s));
  recompute_if_dirty(s);
  text = arithmetic_text(s);
  EXPECT_NE(text.find("The seed notebook printed:"), std::string::npos) << text;
}

}  // namespace
}  // namespace cs
