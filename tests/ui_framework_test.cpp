// The window's Rules switch (PyTorch / Keras) without a window: the recompute resolves Keras's
// padding per side as the student edits (core/keras.hpp), Keras's refusals are the parameter's
// error, PyTorch's padding numbers wait for the switch back, the switch is one undo step, the
// status JSON reports it and "Copy as Keras" writes padding='same' again.
//
// Worked numbers (TensorFlow's 'same', core/keras.hpp: out = ⌈in / stride⌉,
// total = max((out − 1)·stride + dilation·(k − 1) + 1 − in, 0), top = ⌊total / 2⌋):
//   keras-same-stride-2, 4×4 input, 3×3 kernel, stride 2: out 2, total 1 → top 0, bottom 1.
//   the input made 5×5: out ⌈5 / 2⌉ = 3, total (3 − 1)·2 + 3 − 5 = 2 → top 1, bottom 1.
//   stride 3 on the 4×4 input: out ⌈4 / 3⌉ = 2, total (2 − 1)·3 + 3 − 4 = 2 → top 1, bottom 1.
//   keras-avgpool-same on keras-conv's maps (channel 0 [[6 4 7] [1 4 3] [5 5 1]]), window 3×3,
//   stride 1: out 3, total 2 → 1 on every side; the top-left window covers 4 real cells,
//   (6 + 4 + 1 + 4) / 4 = 3.75; the centre one all 9, 36 / 9 = 4; the corner (4 + 3 + 5 + 1) / 4.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "app/ui/app_state.hpp"
#include "app/ui/ui_copy_code.hpp"
#include "app/ui/ui_params.hpp"

namespace cs {
namespace {

void open(AppState& s, const std::string& name) {
  ASSERT_TRUE(load_lesson(s, name).has_value()) << name;
  restart_history(s);
  ASSERT_TRUE(s.trace) << name;
  ASSERT_FALSE(s.error) << s.error->message;
}

// An edit as a view makes it, then the end of the frame.
template <typename F>
void edit(AppState& s, F&& change) {
  change();
  s.mark_dirty(Dirty::trace);
  recompute_if_dirty(s);
  record_edits(s, 0);
}

struct Sides {
  int64_t top, bottom, left, right;
  bool operator==(const Sides&) const = default;
};
Sides sides(const AppState& s) {
  const Pad4& p = s.trace->shape().pad;
  return {p.top, p.bottom, p.left, p.right};
}

TEST(UiFramework, KerasSameFollowsTheRuleAsTheLessonIsEdited) {
  AppState s;
  open(s, "keras-same-stride-2");
  EXPECT_EQ(s.framework, Framework::keras);
  EXPECT_EQ(s.keras_padding, KerasPadding::same);
  EXPECT_EQ(s.trace->shape().out_h, 2);
  EXPECT_EQ(sides(s), (Sides{0, 1, 0, 1}));
  EXPECT_EQ(s.trace->output().get(0), -2);  // (1 + 0 + 3) − (3 + 2 + 1)
  // A 5×5 input: the padding follows TensorFlow's rule instead of keeping 0 and 1.
  edit(s, [&] { s.input = ui::resize_tensor(s.input, {1, 1, 5, 5}); });
  ASSERT_FALSE(s.error) << s.error->message;
  EXPECT_EQ(s.trace->shape().out_h, 3);
  EXPECT_EQ(s.trace->shape().out_w, 3);
  EXPECT_EQ(sides(s), (Sides{1, 1, 1, 1}));
  // Back to 4×4, stride 3.
  edit(s, [&] {
    s.input = ui::resize_tensor(s.input, {1, 1, 4, 4});
    s.conv.stride_h = s.conv.stride_w = 3;
  });
  ASSERT_FALSE(s.error) << s.error->message;
  EXPECT_EQ(s.trace->shape().out_h, 2);
  EXPECT_EQ(sides(s), (Sides{1, 1, 1, 1}));
  // 'valid': no padding, ⌈(4 − 2) / 3⌉ = 1.
  edit(s, [&] { s.keras_padding = KerasPadding::valid; });
  ASSERT_FALSE(s.error) << s.error->message;
  EXPECT_EQ(s.trace->shape().out_h, 1);
  EXPECT_EQ(sides(s), (Sides{0, 0, 0, 0}));
}

TEST(UiFramework, PyTorchRefusesSameWithStride2WithItsSentence) {
  AppState s;
  open(s, "keras-same-stride-2");
  edit(s, [&] { s.framework = Framework::pytorch; });
  ASSERT_TRUE(s.error);
  EXPECT_EQ(s.error->field, "padding");
  EXPECT_NE(s.error->message.find("padding 'same' needs stride 1"), std::string::npos)
      << s.error->message;
  ASSERT_TRUE(s.trace);  // the last good picture stays
  EXPECT_EQ(s.trace->shape().out_h, 2);
  edit(s, [&] { s.framework = Framework::keras; });
  EXPECT_FALSE(s.error);
}

TEST(UiFramework, KerasAveragePoolingSameDividesByTheRealCells) {
  AppState s;
  open(s, "keras-avgpool-same");
  EXPECT_EQ(s.framework, Framework::keras);
  EXPECT_EQ(s.trace->output().get(3), 1);  // channel 0's corner: the one real cell, 1 / 1
  edit(s, [&] {
    s.pool.k_h = s.pool.k_w = 3;
    s.pool.stride_h = s.pool.stride_w = 1;
  });
  ASSERT_FALSE(s.error) << s.error->message;
  ASSERT_EQ(s.trace->shape().out_h, 3);
  EXPECT_EQ(sides(s), (Sides{1, 1, 1, 1}));
  const Tensor& y = s.trace->output();  // NCHW: channel 0 first
  EXPECT_DOUBLE_EQ(y.get(0), 3.75);
  EXPECT_DOUBLE_EQ(y.get(4), 4.0);
  EXPECT_DOUBLE_EQ(y.get(8), 13.0 / 4.0);
  // Max pooling 'same' never picks the padding (−∞): the corner is the corner cell, 1.
  edit(s, [&] { s.pool.op = PoolOp::max; });
  ASSERT_FALSE(s.error) << s.error->message;
  EXPECT_EQ(s.trace->output().get(0), 6);
  EXPECT_EQ(s.trace->output().get(8), 5);  // max of 4, 3, 5, 1
}

TEST(UiFramework, KerasRefusalsAreTheParametersErrors) {
  AppState s;
  open(s, "keras-same-stride-2");
  edit(s, [&] { s.conv.dilation_h = s.conv.dilation_w = 2; });
  ASSERT_TRUE(s.error);
  EXPECT_EQ(s.error->field, "dilation");
  EXPECT_NE(s.error->message.find("Keras's Conv2D refuses strides > 1 together with dilation"),
            std::string::npos)
      << s.error->message;
  edit(s, [&] {
    s.conv.dilation_h = s.conv.dilation_w = 1;
    s.conv.padding_mode = PaddingMode::reflect;
  });
  ASSERT_TRUE(s.error);
  EXPECT_EQ(s.error->field, "padding_mode");

  open(s, "keras-maxpool-same");
  edit(s, [&] { s.pool.ceil_mode = true; });
  ASSERT_TRUE(s.error);
  EXPECT_EQ(s.error->field, "ceil_mode");

  // The transposed lessons cannot draw Keras's crop: refused with a sentence, not drawn wrong.
  open(s, "transpose-stride-2");
  edit(s, [&] { s.framework = Framework::keras; });
  ASSERT_TRUE(s.error);
  EXPECT_EQ(s.error->field, "framework");
  EXPECT_NE(s.error->message.find("--framework keras"), std::string::npos) << s.error->message;
}

// Keras's padding replaces PyTorch's only while the rules are Keras's: padding-1's 1 comes back.
TEST(UiFramework, PyTorchPaddingIsKeptForTheSwitchBack) {
  AppState s;
  open(s, "padding-1");  // 5×5, 3×3 kernel, padding 1: 5×5
  edit(s, [&] { s.framework = Framework::keras; });
  ASSERT_FALSE(s.error) << s.error->message;
  EXPECT_EQ(s.keras_padding, KerasPadding::valid);
  EXPECT_EQ(s.trace->shape().out_h, 3);
  edit(s, [&] { s.keras_padding = KerasPadding::same; });
  EXPECT_EQ(s.trace->shape().out_h, 5);
  EXPECT_EQ(sides(s), (Sides{1, 1, 1, 1}));
  edit(s, [&] { s.framework = Framework::pytorch; });
  ASSERT_FALSE(s.error) << s.error->message;
  EXPECT_EQ(s.conv.padding.kind, PaddingSpec::Kind::explicit_);
  EXPECT_EQ(s.conv.padding.h, 1);
  EXPECT_EQ(s.trace->shape().out_h, 5);
}

TEST(UiFramework, TheSwitchIsOneUndoStep) {
  AppState s;
  open(s, "keras-same-stride-2");
  edit(s, [&] { s.framework = Framework::pytorch; });
  EXPECT_TRUE(s.modified);
  EXPECT_EQ(s.undo.undo_steps(), 1u);
  ASSERT_TRUE(undo_edit(s));
  EXPECT_EQ(s.framework, Framework::keras);
  EXPECT_NE(s.notice.find("the rules (PyTorch/Keras)"), std::string::npos) << s.notice;
  recompute_if_dirty(s);
  EXPECT_FALSE(s.error);
  EXPECT_FALSE(s.modified);
  edit(s, [&] { s.keras_padding = KerasPadding::valid; });
  ASSERT_TRUE(undo_edit(s));
  EXPECT_EQ(s.keras_padding, KerasPadding::same);
  EXPECT_NE(s.notice.find("Keras's padding"), std::string::npos) << s.notice;
  ASSERT_TRUE(redo_edit(s));
  EXPECT_EQ(s.keras_padding, KerasPadding::valid);
}

TEST(UiFramework, TheStatusReportsTheRules) {
  AppState s;
  open(s, "vertical-edge");
  auto j = nlohmann::json::parse(status_json(s));
  EXPECT_EQ(j.at("framework"), "pytorch");
  open(s, "keras-maxpool-same");
  j = nlohmann::json::parse(status_json(s));
  EXPECT_EQ(j.at("framework"), "keras");
  EXPECT_EQ(j.at("keras_padding"), "same");
}

// Copy as Keras writes Keras's 'same' (the padding is not the hand-resolved sides any more), and
// Copy as PyTorch pads per side first (torch.nn pads both sides alike).
TEST(UiFramework, CopyAsKerasSaysSame) {
  AppState s;
  open(s, "keras-same-stride-2");
  auto keras = ui::lesson_script(s, cli::ExportTarget::keras);
  ASSERT_TRUE(keras) << keras.error().message;
  EXPECT_NE(keras->find("strides=(2, 2), padding='same'"), std::string::npos) << *keras;
  auto torch = ui::lesson_script(s, cli::ExportTarget::pytorch);
  ASSERT_TRUE(torch) << torch.error().message;
  EXPECT_NE(torch->find("padding per side (top, bottom, left, right) = 0, 1, 0, 1"),
            std::string::npos)
      << *torch;
  open(s, "keras-avgpool-same");
  keras = ui::lesson_script(s, cli::ExportTarget::keras);
  ASSERT_TRUE(keras) << keras.error().message;
  EXPECT_NE(keras->find("AveragePooling2D(pool_size=(2, 2), strides=(2, 2), padding='same'"),
            std::string::npos)
      << *keras;
  // A refusal is the copy's sentence too.
  s.pool.ceil_mode = true;
  keras = ui::lesson_script(s, cli::ExportTarget::keras);
  ASSERT_FALSE(keras);
  EXPECT_EQ(keras.error().field, "ceil_mode");
}

}  // namespace
}  // namespace cs
