// Tests of the visualizer's state without a window: recompute-on-dirty keeps the last good trace
// and names the field on an invalid edit, the stepper keeps its output coordinate across edits,
// the parameter panel's operand reshaping, random lessons, the status JSON, the lesson limits on
// edits, and the settings and layout files between runs (garbage in them gives defaults).
#include <gtest/gtest.h>
#include <imgui.h>
#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "app/ui/app_state.hpp"
#include "app/ui/ui_arithmetic.hpp"
#include "app/ui/ui_params.hpp"
#include "app/ui/ui_settings.hpp"
#include "core/file_io.hpp"
#include "test_util.hpp"

namespace cs {
namespace {

// vertical-edge: input [1, 1, 5, 5], kernel [1, 1, 3, 3], no padding => output 3×3, 9 taps.
void open_vertical_edge(AppState& s) {
  ASSERT_TRUE(load_lesson(s, "vertical-edge").has_value());
  ASSERT_TRUE(s.trace && s.trace->is_conv());
  ASSERT_EQ(s.stepper.total(), 90);
}

// A transposed-convolution lesson opens in the window as its gather reading: a stride-1
// convolution over the zero-stuffed input, stepped like conv2d, with the engine's numbers.
// transpose-unit: 2×2 input, 3×3 kernel, stride 1, padding 0 → 4×4 output (16 windows of 9 taps).
TEST(UiState, TransposedLessonsOpenAsTheirGatherReading) {
  AppState s;
  ASSERT_TRUE(load_lesson(s, "vertical-edge").has_value());
  const Status st = load_lesson(s, "transpose-unit");
  ASSERT_TRUE(st.has_value()) << st.error().message;
  EXPECT_EQ(s.op, LessonOp::conv_transpose);
  ASSERT_TRUE(s.has_trace());
  EXPECT_EQ(s.trace->op(), TraceOp::conv_transpose2d);
  EXPECT_TRUE(s.trace->has_weights());
  EXPECT_FALSE(s.error.has_value());
  EXPECT_EQ(s.trace->shape().out_h, 4);
  EXPECT_EQ(s.stepper.total(), 16 * (9 + 1));
  // Every window's value is the engine's output cell.
  for (int64_t w = 0; w < s.trace->window_count(); ++w)
    EXPECT_EQ(s.trace->window(w).value, s.trace->output().get(w)) << "window " << w;
  // The stride-2 lesson: stuffed zeros between the input cells are taps that add nothing.
  ASSERT_TRUE(load_lesson(s, "transpose-stride-2").has_value());
  ASSERT_TRUE(s.has_trace());
  EXPECT_EQ(s.trace->shape().up_h, 2);
  bool saw_stuffed = false;
  for (const TraceTap& t : s.trace->taps(0))
    saw_stuffed = saw_stuffed || t.source == TapSource::stuffed;
  EXPECT_TRUE(saw_stuffed);
  // Built-in lessons (the PageDown cycle) stay conv and pooling.
  for (const Lesson& l : builtin_lessons())
    EXPECT_NE(l.op, LessonOp::conv_transpose) << l.name;
}

// The Parameters' Operation radio (and the menu) turns a convolution into a transposed one and
// back: the weight's channel axes swap ([C_out, C_in/g] <-> [C_in, C_out/g]), the bias fits the
// new C_out, stride and padding numbers carry over, and the status names the operation.
TEST(UiState, SwitchingToTransposedAndBackTurnsTheWeightAround) {
  AppState s;
  ASSERT_TRUE(load_lesson(s, "rgb-2-filters").has_value());  // x [1, 3, 3, 3], w [2, 3, 3, 3]
  ASSERT_EQ(s.weight.shape(), (Shape{2, 3, 3, 3}));
  const Tensor conv_weight = s.weight;
  s.conv.stride_h = s.conv.stride_w = 2;
  set_operation(s, LessonOp::conv_transpose);
  recompute_if_dirty(s);
  ASSERT_FALSE(s.error.has_value()) << s.error->message;
  EXPECT_EQ(s.weight.shape(), (Shape{3, 2, 3, 3}));  // [C_in, C_out, KH, KW]
  EXPECT_EQ(s.weight.get(((1 * 2 + 0) * 3 + 2) * 3 + 1),
            conv_weight.get(((0 * 3 + 1) * 3 + 2) * 3 + 1));  // w'[1, 0] = w[0, 1]
  EXPECT_EQ(s.transpose.stride_h, 2);
  ASSERT_TRUE(s.has_trace());
  EXPECT_EQ(s.trace->op(), TraceOp::conv_transpose2d);
  EXPECT_EQ(s.trace->shape().c_out, 2);
  auto status = nlohmann::json::parse(status_json(s));
  EXPECT_EQ(status["op"], "conv_transpose");
  EXPECT_EQ(status["trace_op"], "conv_transpose");
  set_operation(s, LessonOp::conv);
  recompute_if_dirty(s);
  ASSERT_FALSE(s.error.has_value()) << s.error->message;
  EXPECT_TRUE(s.weight.identical(conv_weight));  // the same kernels, back in conv's order
  EXPECT_EQ(s.conv.stride_h, 2);
  // Through pooling the weight stays as it was, for the way back.
  set_operation(s, LessonOp::pool);
  EXPECT_TRUE(s.weight.identical(conv_weight));
}

// The transposed lesson's canvas is bounded like the others: a stride that would stuff a
// 4081×4081 grid is refused with the limits' sentence under the stride, the last trace kept.
TEST(UiState, ATransposedStrideTooBigForTheCanvasIsASentence) {
  AppState s;
  ASSERT_TRUE(load_lesson(s, "transpose-unit").has_value());
  s.input = Tensor(DType::f32, {1, 1, 256, 256});
  s.transpose.stride_h = s.transpose.stride_w = 16;
  s.mark_dirty(Dirty::trace);
  recompute_if_dirty(s);
  ASSERT_TRUE(s.error.has_value());
  EXPECT_EQ(s.error->field, "stride");
  EXPECT_TRUE(s.has_trace());
}

TEST(UiState, InvalidEditKeepsTheLastGoodTraceAndNamesTheField) {
  AppState s;
  open_vertical_edge(s);
  s.stepper.seek(37);  // window 3 (y 1, x 0), tap 7
  s.conv.stride_h = 0;
  s.mark_dirty(Dirty::trace);
  recompute_if_dirty(s);
  ASSERT_TRUE(s.error.has_value());
  EXPECT_EQ(s.error->field, "stride");
  EXPECT_NE(s.error_for("stride"), nullptr);
  EXPECT_EQ(s.error_for("padding"), nullptr);
  EXPECT_FALSE(s.error->message.empty());
  ASSERT_TRUE(s.trace && s.trace->is_conv());
  EXPECT_EQ(s.trace->shape().out_h, 3);
  EXPECT_EQ(s.stepper.global(), 37);
  // Fixing it clears the error.
  s.conv.stride_h = 1;
  s.mark_dirty(Dirty::trace);
  recompute_if_dirty(s);
  EXPECT_FALSE(s.error.has_value());
  EXPECT_TRUE(s.is_dirty(Dirty::preview_kernel));
}

TEST(UiState, GroupsThatDoNotDivideAreRefused) {
  AppState s;
  open_vertical_edge(s);
  s.conv.groups = 2;  // C_in = 1
  s.mark_dirty(Dirty::trace);
  recompute_if_dirty(s);
  ASSERT_TRUE(s.error.has_value());
  EXPECT_EQ(s.error->field, "groups");
}

TEST(UiState, StepperKeepsItsOutputCellWhenPaddingGrows) {
  AppState s;
  open_vertical_edge(s);
  s.stepper.seek(37);  // window 3 = (y 1, x 0), tap 7
  ASSERT_EQ(s.stepper.oy(), 1);
  ASSERT_EQ(s.stepper.ox(), 0);
  s.conv.padding = PaddingSpec::symmetric(1);  // output 5×5
  s.mark_dirty(Dirty::trace);
  recompute_if_dirty(s);
  ASSERT_FALSE(s.error.has_value());
  EXPECT_EQ(s.trace->shape().out_h, 5);
  // Same cell (y 1, x 0) in a 5-wide output: window 5, tap 7 => 5·10 + 7.
  EXPECT_EQ(s.stepper.global(), 57);
}

TEST(UiState, SwitchingToPoolingBuildsAPoolTrace) {
  AppState s;
  open_vertical_edge(s);
  s.op = LessonOp::pool;
  s.pool = Pool2dParams{};  // max 2×2, stride 2 over 5×5 => 2×2 outputs of 4 taps
  s.mark_dirty(Dirty::trace);
  recompute_if_dirty(s);
  ASSERT_FALSE(s.error.has_value()) << s.error->message;
  EXPECT_EQ(s.trace->op(), TraceOp::max_pool2d);
  ASSERT_FALSE(s.trace->is_conv());
  EXPECT_EQ(s.stepper.total(), 4 * 5);
  const auto j = nlohmann::json::parse(status_json(s));
  EXPECT_EQ(j["op"], "pool");
  EXPECT_EQ(j["total"], 20);
}

// The View menu's "Reduce motion" is a preference: saved and read back with the settings.
TEST(UiState, ReduceMotionIsSavedWithTheSettings) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("cs-settings-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  AppState a;
  a.reduce_motion = true;
  ASSERT_TRUE(ui::save_settings(a, dir.string()).has_value());
  AppState b;
  EXPECT_FALSE(b.reduce_motion);
  ui::load_settings(b, dir.string());  // (true only when a lesson comes back too)
  EXPECT_TRUE(b.reduce_motion);
  std::filesystem::remove_all(dir);
}

// View > Theme and View > Palette are preferences: saved, read back, switched back and saved
// again, and reported in the status JSON; a word that is not a choice keeps the default and is
// the notice.
TEST(UiState, ThemeAndPaletteAreSavedWithTheSettings) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("cs-theme-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  AppState a;
  EXPECT_FALSE(a.dark_theme);
  EXPECT_EQ(a.diverging_palette, 0);
  a.dark_theme = true;
  a.diverging_palette = 1;
  ASSERT_TRUE(ui::save_settings(a, dir.string()).has_value());
  auto b = std::make_unique<AppState>();
  ui::load_settings(*b, dir.string());
  EXPECT_TRUE(b->dark_theme);
  EXPECT_EQ(b->diverging_palette, 1);
  auto j = nlohmann::json::parse(status_json(*b));
  EXPECT_EQ(j["theme"], "dark");
  EXPECT_EQ(j["palette"], "blue-orange");
  b->dark_theme = false;  // and back to light: that is kept too
  b->diverging_palette = 0;
  ASSERT_TRUE(ui::save_settings(*b, dir.string()).has_value());
  auto c = std::make_unique<AppState>();
  c->dark_theme = true;
  c->diverging_palette = 1;
  ui::load_settings(*c, dir.string());
  EXPECT_FALSE(c->dark_theme);
  EXPECT_EQ(c->diverging_palette, 0);
  j = nlohmann::json::parse(status_json(*c));
  EXPECT_EQ(j["theme"], "light");
  EXPECT_EQ(j["palette"], "red-blue");

  ASSERT_TRUE(write_file_atomic((dir / "settings.json").string(),
                                std::string(R"({"theme": "sepia", "palette": "blue-orange"})"))
                  .has_value());
  std::filesystem::remove(dir / "last_scene.json");
  auto d = std::make_unique<AppState>();
  ui::load_settings(*d, dir.string());
  EXPECT_FALSE(d->dark_theme);
  EXPECT_EQ(d->diverging_palette, 1) << "the good value is kept";
  EXPECT_EQ(d->notice,
            "settings.json: theme must be \"light\" or \"dark\", not \"sepia\"; that setting "
            "keeps its default.");
  std::filesystem::remove_all(dir);
}

// The keras-pool lesson is NHWC: the window's one layout (the radio reads conv's) says so too.
TEST(UiState, AKerasPoolingLessonSelectsNhwc) {
  AppState s;
  ASSERT_TRUE(load_lesson(s, "keras-pool").has_value());
  EXPECT_EQ(s.pool.layout, Layout::nhwc);
  EXPECT_EQ(s.conv.layout, Layout::nhwc);
  ASSERT_TRUE(s.has_trace());
  EXPECT_EQ(s.trace->layout(), Layout::nhwc);
  ASSERT_TRUE(load_lesson(s, "vertical-edge").has_value());
  EXPECT_EQ(s.conv.layout, Layout::nchw);
}

TEST(UiState, NhwcRunsTheSameNumbers) {
  AppState s;
  open_vertical_edge(s);
  const Tensor before = s.trace->output();
  s.conv.layout = Layout::nhwc;
  s.mark_dirty(Dirty::trace);
  recompute_if_dirty(s);
  ASSERT_FALSE(s.error.has_value()) << s.error->message;
  const Tensor& after = s.trace->output();
  ASSERT_EQ(after.numel(), before.numel());
  for (int64_t i = 0; i < after.numel(); ++i)
    EXPECT_EQ(after.get(i), before.get(i)) << i;
}

TEST(UiState, RandomLessonsAreReplayable) {
  AppState a, b;
  RandomSpec spec;
  spec.h = 7;
  spec.w = 6;
  spec.c_in = 2;
  spec.c_out = 3;
  spec.seed = 42;
  load_random_lesson(a, spec);
  load_random_lesson(b, spec);
  ASSERT_TRUE(a.trace && a.trace->is_conv());
  EXPECT_EQ(a.input.shape(), (Shape{1, 2, 7, 6}));
  EXPECT_EQ(a.weight.shape(), (Shape{3, 2, 3, 3}));
  for (int64_t i = 0; i < a.input.numel(); ++i)
    ASSERT_EQ(a.input.get(i), b.input.get(i));
  for (int64_t i = 0; i < a.weight.numel(); ++i)
    ASSERT_EQ(a.weight.get(i), b.weight.get(i));
  EXPECT_EQ(a.seed, 42u);
}

TEST(UiParams, ResizeKernelKeepsTheCentre) {
  // [1, 1, 3, 3] with values 1..9 grown to 5×5: the old kernel sits at rows/cols 1..3.
  Tensor w = Tensor::from_values(DType::f32, {1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor g = ui::resize_kernel(w, {2, 1, 5, 5});
  EXPECT_EQ(g.get(0), 0);               // corner: new
  EXPECT_EQ(g.get(1 * 5 + 1), 1);       // (1, 1) <- (0, 0)
  EXPECT_EQ(g.get(2 * 5 + 2), 5);       // centre stays the centre
  EXPECT_EQ(g.get(3 * 5 + 3), 9);       // (3, 3) <- (2, 2)
  EXPECT_EQ(g.get(25 + 2 * 5 + 2), 5);  // the new filter 1 repeats filter 0
  // Shrinking 3×3 to 1×1 keeps the centre value.
  EXPECT_EQ(ui::resize_kernel(w, {1, 1, 1, 1}).get(0), 5);
}

TEST(UiParams, ResizeTensorCopiesTheOverlap) {
  Tensor t = Tensor::from_values(DType::f32, {1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor r = ui::resize_tensor(t, {1, 2, 3, 3});
  EXPECT_EQ(r.get(0), 1);
  EXPECT_EQ(r.get(1), 2);
  EXPECT_EQ(r.get(2), 0);
  EXPECT_EQ(r.get(3), 3);
  EXPECT_EQ(r.get(4), 4);
  EXPECT_EQ(r.get(9), 0);  // channel 1 is new
}

// The arithmetic panel explains ceil_mode's last average window as PyTorch computes it: only the
// two cells inside the input are summed; the two past the edge are neither read nor counted.
TEST(UiState, ArithmeticPanelExplainsTheAvgPoolCeilModeWindow) {
  AppState s;
  ASSERT_TRUE(load_lesson(s, "avg-pool-ceil").has_value());
  s.stepper.seek(14);  // window 2 = y[0, 0, 0, 2] (5 steps per window), its result step
  ASSERT_TRUE(s.stepper.at_result());
  const std::vector<std::string> lines = ui::explanation_text(s);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "( 1 + 0 ) / 2 = 0.5");
  EXPECT_NE(lines[1].find("Divisor 2"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("2 cells past the padding"), std::string::npos) << lines[1];
  EXPECT_EQ(lines[1].find("padding included"), std::string::npos) << lines[1];
  // Mid-window, the terms still to come are the same two.
  s.stepper.seek(10);  // window 2, tap 0
  EXPECT_EQ(ui::explanation_text(s)[0], "( 1 + 0 ) / 2 = ?");
}

// The panel's conv lines are the trace's numbers: each channel's products and partial, then
// the partials plus the bias.
TEST(UiState, ArithmeticPanelWritesEveryProductOfTheWindow) {
  AppState s;
  open_vertical_edge(s);
  s.stepper.seek(9);  // window 0, result step
  const std::vector<std::string> lines = ui::explanation_text(s);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "Channel 0:");
  // 1·1 + 2·0 + 3·(−1) + 0·1 + 1·0 + 2·(−1) + 3·1 + 0·0 + 1·(−1) = −2 (the seed's first value).
  EXPECT_EQ(lines[1].rfind("1·1 + 2·0 + 3·(−1) +", 0), 0u) << lines[1];
  EXPECT_NE(lines[1].find("= −2"), std::string::npos) << lines[1];
  EXPECT_EQ(lines[2], "Partial plus the bias:");
  EXPECT_EQ(lines[3], "(−2) + 0 (bias) = −2");
}

namespace fs = std::filesystem;

using test::TempDir;

// Issue 10: an edit (or a lesson) too big for the canvas is refused with the lesson limits' own
// sentence (core/limits.hpp), naming the field; the last good trace stays and nothing is built.
TEST(UiState, ALessonTooBigForTheCanvasIsRefusedNotDrawn) {
  AppState s;
  open_vertical_edge(s);
  s.conv.padding = PaddingSpec::pair(1000000, 0);
  s.mark_dirty(Dirty::trace);
  recompute_if_dirty(s);
  ASSERT_TRUE(s.error.has_value());
  EXPECT_EQ(s.error->message,
            "this lesson's padded input would be 2000005\xC3\x97"
            "5 cells per channel, more than the 4096 rows or columns one grid of the canvas "
            "shows; use less padding (a large picture belongs in the live preview)");
  EXPECT_EQ(s.error->field, "padding");
  ASSERT_TRUE(s.trace);
  EXPECT_EQ(s.trace->shape().out_h, 3) << "the last good trace stays";
  // A pooling window of 300×300 taps: more than the arithmetic panel lists.
  s.op = LessonOp::pool;
  s.input = Tensor(DType::f32, {1, 1, 300, 300});
  s.pool.k_h = s.pool.k_w = 300;
  s.mark_dirty(Dirty::trace);
  recompute_if_dirty(s);
  ASSERT_TRUE(s.error.has_value());
  EXPECT_EQ(s.error->field, "kernel");
  EXPECT_NE(s.error->message.find("90,000 taps"), std::string::npos) << s.error->message;
  EXPECT_TRUE(s.trace->is_conv());
}

// A settings.json with values out of range, of the wrong type or not JSON at all gives the
// defaults for those values and a notice; before, "random" {h: 100000, w: 100000} made the first
// lesson a 40 GB tensor (std::bad_alloc at start).
TEST(UiSettings, GarbageGivesDefaultsAndANotice) {
  TempDir dir;
  const std::string path = (dir.path / "settings.json").string();
  auto load = [&](const std::string& text) {
    EXPECT_TRUE(write_file_atomic(path, text).has_value());
    auto s = std::make_unique<AppState>();
    ui::load_settings(*s, dir.path.string());
    return s;
  };
  auto s = load(R"({"lesson": "random", "presentation": true,
                    "random": {"h": 100000, "w": 100000, "c_in": 1, "seed": 7}})");
  EXPECT_EQ(s->notice,
            "settings.json: h is 100000; it must be between 1 and 512; that setting keeps its "
            "default.");
  EXPECT_EQ(s->random_spec.h, RandomSpec{}.h);
  EXPECT_EQ(s->random_spec.w, RandomSpec{}.w);
  EXPECT_EQ(s->random_spec.seed, 7u);
  EXPECT_TRUE(s->presentation) << "the good values are kept";
  EXPECT_EQ(s->lesson_name, "random");
  EXPECT_EQ(s->input.shape(), (Shape{1, 1, RandomSpec{}.h, RandomSpec{}.w}));

  s = load(R"({"speed": "fast", "preview_mapping": 9, "show_values": false})");
  EXPECT_EQ(s->notice,
            "settings.json: speed must be a number, not text; that setting keeps its default.");
  EXPECT_EQ(s->preview_mapping, AppState{}.preview_mapping);
  EXPECT_FALSE(s->show_values);

  const std::string why = "settings.json in " + dir.path.string() +
                          " is not valid settings JSON; starting with defaults.";
  for (const std::string& text : {std::string("\x89PNG garbage"), std::string("[1, 2]"),
                                  std::string(300000, '[') + std::string(300000, ']')}) {
    s = load(text);
    EXPECT_EQ(s->notice, why);
    EXPECT_FALSE(s->presentation);
  }
  s = load(R"({"random": {"seed": -1}})");
  EXPECT_EQ(s->notice,
            "settings.json: seed must be a whole number from 0 to 18446744073709551615, not -1; "
            "that setting keeps its default.");
}

// The window layout is ImGui's ini text, written by save_layout through a temporary file and a
// rename (never by ImGui itself), and read back by load_layout.
TEST(UiSettings, TheLayoutIsSavedAtomicallyAndReadBack) {
  TempDir dir;
  auto frame = [] {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(800, 600);
    io.DeltaTime = 1.0f / 60;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(123, 45));
    ImGui::Begin("Kept window");
    ImGui::End();
    ImGui::EndFrame();
  };
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  EXPECT_FALSE(ui::load_layout(dir.path.string())) << "no layout yet";
  frame();
  ImGui::GetIO().WantSaveIniSettings = true;
  ASSERT_TRUE(ui::save_layout(dir.path.string()).has_value());
  EXPECT_FALSE(ImGui::GetIO().WantSaveIniSettings);
  ImGui::DestroyContext();
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir.path))
    names.push_back(e.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"imgui.ini"}) << "no temporary file is left";
  auto text = read_file((dir.path / "imgui.ini").string(), 1 << 20);
  ASSERT_TRUE(text.has_value());
  const std::string ini(text->begin(), text->end());
  EXPECT_NE(ini.find("[Window][Kept window]\nPos=123,45"), std::string::npos) << ini;

  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  EXPECT_TRUE(ui::load_layout(dir.path.string()));
  std::size_t size = 0;
  EXPECT_NE(std::string(ImGui::SaveIniSettingsToMemory(&size)).find("Pos=123,45"),
            std::string::npos);
  ImGui::DestroyContext();
  // A garbage file is ImGui's to ignore: no crash, nothing read from it.
  ASSERT_TRUE(write_file_atomic((dir.path / "imgui.ini").string(),
                                std::string("\0\xFF[Window][\n=\n[[[\x01", 13))
                  .has_value());
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  EXPECT_TRUE(ui::load_layout(dir.path.string()));
  frame();
  ImGui::DestroyContext();
}

}  // namespace
}  // namespace cs
