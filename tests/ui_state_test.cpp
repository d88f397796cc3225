// Tests of the visualizer's state without a window: recompute-on-dirty keeps the last good trace
// and names the field on an invalid edit, the stepper keeps its output coordinate across edits,
// the parameter panel's operand reshaping, random lessons and the status JSON.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app/ui/app_state.hpp"
#include "app/ui/ui_arithmetic.hpp"
#include "app/ui/ui_params.hpp"

namespace cs {
namespace {

// vertical-edge: input [1, 1, 5, 5], kernel [1, 1, 3, 3], no padding => output 3×3, 9 taps.
void open_vertical_edge(AppState& s) {
  ASSERT_TRUE(load_lesson(s, "vertical-edge").has_value());
  ASSERT_TRUE(s.trace && s.trace->is_conv());
  ASSERT_EQ(s.stepper.total(), 90);
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

}  // namespace
}  // namespace cs
