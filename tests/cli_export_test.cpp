// The code-export generator (app/cli/cli_export.hpp) in process: a lesson's tensors inline as
// np.array literals, PyTorch's and Keras's padding choices (a name, numbers or an np.pad step),
// and the sentences for what Keras refuses. Running the scripts against convscope's numbers is
// tests/export_agreement.py (ctest export_agreement) and tests/ui_copy_code_test.cpp.
#include "app/cli/cli_export.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace cs::cli {
namespace {

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE((haystack).find(needle), std::string::npos) << "in:\n" << (haystack)
#define EXPECT_LACKS(haystack, needle) \
  EXPECT_EQ((haystack).find(needle), std::string::npos) << "in:\n" << (haystack)

struct Case {
  Tensor input = Tensor::from_values(DType::f32, {1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor weight = Tensor::from_values(DType::f32, {1, 1, 2, 2}, {1, 0, 0, -1});
  Tensor bias = Tensor::from_values(DType::f32, {1}, {0.5});
  Conv2dParams conv;
  Pool2dParams pool;
  ConvTranspose2dParams transpose;
  InlineOperands keep;

  Result<std::string> script(LessonOp op, ExportTarget target, bool with_bias = true,
                             bool flip = false) {
    auto layer = lesson_export_layer(op, input, weight, with_bias ? &bias : nullptr, conv, pool,
                                     transpose, flip, "out.npy", keep);
    if (!layer) return layer.error();
    return export_script(*layer, target);
  }
};

TEST(Export, LessonTensorsAreInline) {
  Case c;
  c.input.set(1, std::numeric_limits<double>::quiet_NaN());
  c.input.set(2, 0.1);
  auto s = c.script(LessonOp::conv, ExportTarget::pytorch);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_CONTAINS(*s,
                  "x = np.array([[[[1, np.nan, 0.1], [4, 5, 6], [7, 8, 9]]]], dtype=np.float32)");
  EXPECT_CONTAINS(*s, "w = np.array([[[[1, 0], [0, -1]]]], dtype=np.float32).astype(x.dtype)");
  EXPECT_CONTAINS(*s, "b = np.array([0.5], dtype=np.float32).astype(x.dtype).reshape(-1)");
  EXPECT_CONTAINS(*s, "torch.nn.Conv2d(in_channels=1, out_channels=1, kernel_size=(2, 2)");
  EXPECT_CONTAINS(*s, "padding=(0, 0)");
  EXPECT_CONTAINS(*s, "bias=True");
  EXPECT_CONTAINS(*s, "np.save('out.npy', y)");
  EXPECT_LACKS(*s, "np.load");
}

TEST(Export, PaddingNamesNumbersOrAStep) {
  Case c;
  c.conv.padding = PaddingSpec::same();  // stride 1, a 2×2 kernel: PyTorch's split, bottom/right
  auto s = c.script(LessonOp::conv, ExportTarget::pytorch);
  ASSERT_TRUE(s);
  EXPECT_CONTAINS(*s, "padding='same'");
  auto k = c.script(LessonOp::conv, ExportTarget::keras);
  ASSERT_TRUE(k);
  EXPECT_CONTAINS(*k, "padding='same'");  // TensorFlow splits it the same way
  EXPECT_CONTAINS(*k, "x = x.transpose(0, 2, 3, 1)  # NCHW -> NHWC");
  EXPECT_CONTAINS(*k, "w = w.transpose(2, 3, 1, 0)");
  EXPECT_CONTAINS(*k, "layer.set_weights([w, b])");
  // reflect padding: a mode PyTorch names, Keras does not
  c.conv.padding = PaddingSpec::symmetric(1);
  c.conv.padding_mode = PaddingMode::reflect;
  s = c.script(LessonOp::conv, ExportTarget::pytorch);
  ASSERT_TRUE(s);
  EXPECT_CONTAINS(*s, "padding=(1, 1)");
  EXPECT_CONTAINS(*s, "padding_mode='reflect'");
  k = c.script(LessonOp::conv, ExportTarget::keras, false);
  ASSERT_TRUE(k);
  EXPECT_CONTAINS(*k, "x = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)), mode='reflect')");
  EXPECT_CONTAINS(*k, "padding='valid'");
  EXPECT_CONTAINS(*k, "layer.set_weights([w])");
  // A true convolution flips the kernel in the script.
  c.conv = {};
  s = c.script(LessonOp::conv, ExportTarget::pytorch, true, true);
  ASSERT_TRUE(s);
  EXPECT_CONTAINS(*s, "w = w[:, :, ::-1, ::-1].copy()");
}

TEST(Export, KerasRefusalsAreSentences) {
  Case c;
  c.input = Tensor(DType::f32, {1, 1, 9, 9});
  c.conv.stride_h = c.conv.stride_w = 2;
  c.conv.dilation_h = c.conv.dilation_w = 2;
  auto k = c.script(LessonOp::conv, ExportTarget::keras);
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().message,
            "--to keras: Keras's Conv2D refuses strides > 1 together with dilation_rate > 1 "
            "(stride 2\xC3\x97"
            "2, dilation 2\xC3\x97"
            "2); export to PyTorch, or use stride 1 or "
            "dilation 1");
  EXPECT_TRUE(c.script(LessonOp::conv, ExportTarget::pytorch));
  // Pooling: PyTorch's padding left out of the average that is not Keras's 'same'.
  c.pool.op = PoolOp::avg;
  c.pool.k_h = c.pool.k_w = 2;
  c.pool.pad_h = c.pool.pad_w = 1;
  c.pool.count_include_pad = false;
  k = c.script(LessonOp::pool, ExportTarget::keras);
  ASSERT_FALSE(k);
  EXPECT_CONTAINS(k.error().message, "Keras's AveragePooling2D pads only as 'same'");
  // Counted in the average, the padding is a zero np.pad step.
  c.pool.count_include_pad = true;
  k = c.script(LessonOp::pool, ExportTarget::keras);
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_CONTAINS(*k, "mode='constant')  # PyTorch's padding, counted in every average");
  // Max pooling's padding never wins: -inf.
  c.pool.op = PoolOp::max;
  k = c.script(LessonOp::pool, ExportTarget::keras);
  ASSERT_TRUE(k);
  EXPECT_CONTAINS(*k, "constant_values=-np.inf");
}

TEST(Export, ConvTransposeCropsForKeras) {
  Case c;
  c.transpose.stride_h = c.transpose.stride_w = 2;
  c.transpose.pad_h = c.transpose.pad_w = 1;
  c.transpose.output_padding_h = c.transpose.output_padding_w = 1;
  // 3×3 input, 2×2 kernel: PyTorch (3 − 1)·2 − 2 + 1 + 1 + 1 = 5; Keras 'valid' with
  // output_padding 1: (3 − 1)·2 + 2 + 1 = 7 rows, cropped to [1, 6).
  auto k = c.script(LessonOp::conv_transpose, ExportTarget::keras);
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_CONTAINS(*k, "padding='valid', output_padding=(1, 1)");
  EXPECT_CONTAINS(*k, "y = y[:, 1:6, 1:6, :]");
  auto t = c.script(LessonOp::conv_transpose, ExportTarget::pytorch);
  ASSERT_TRUE(t);
  EXPECT_CONTAINS(*t, "padding=(1, 1), output_padding=(1, 1)");
  // output_padding 1 with stride 1 and dilation 2 is PyTorch's (smaller than the dilation),
  // not Keras's (smaller than the stride).
  c.transpose.stride_h = c.transpose.stride_w = 1;
  c.transpose.dilation_h = c.transpose.dilation_w = 2;
  c.transpose.output_padding_w = 0;
  k = c.script(LessonOp::conv_transpose, ExportTarget::keras);
  ASSERT_FALSE(k);
  EXPECT_CONTAINS(k.error().message, "output_padding smaller than the stride");
}

TEST(Export, TargetNames) {
  EXPECT_EQ(*parse_export_target("pytorch"), ExportTarget::pytorch);
  EXPECT_EQ(*parse_export_target("keras"), ExportTarget::keras);
  auto bad = parse_export_target("tensorflow");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "--to tensorflow is not a framework ConvScope exports to; use --to pytorch or --to "
            "keras");
}

}  // namespace
}  // namespace cs::cli
