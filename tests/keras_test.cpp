// Keras's padding rules (core/keras.hpp): TensorFlow's 'same' for any stride, worked by hand from
// TensorFlow's definition (out = ⌈in / stride⌉, total = max((out − 1)·stride + dilation·(k − 1)
// + 1 − in, 0), the odd one at the bottom/right) for Conv2D, pooling and Conv2DTranspose, Keras's
// refusals, the formulas; then randomized cases against naive loops written here from
// TensorFlow's definitions, with a replayable seed (CONVSCOPE_SEED).
#include "core/keras.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "core/conv2d.hpp"
#include "core/conv_transpose.hpp"
#include "core/pool2d.hpp"
#include "test_util.hpp"

namespace cs {
namespace {

using test::values;

Tensor f64(Shape shape, const std::vector<double>& v) {
  return Tensor::from_values(DType::f64, std::move(shape), v);
}

// ---- TensorFlow's 'same', by hand ----

TEST(KerasSame, AxisWorkedNumbers) {
  struct Case {
    int64_t in, k, stride, dilation, out, before, after;
  };
  const Case cases[] = {
      // ⌈5/2⌉ = 3; max((3 − 1)·2 + 1·2 + 1 − 5, 0) = 2: 1 and 1
      {5, 3, 2, 1, 3, 1, 1},
      // ⌈6/2⌉ = 3; max(2·2 + 3 − 6, 0) = 1: 0 and 1 (the odd one at the bottom)
      {6, 3, 2, 1, 3, 0, 1},
      // ⌈4/2⌉ = 2; max(1·2 + 3 − 4, 0) = 1: 0 and 1
      {4, 3, 2, 1, 2, 0, 1},
      // ⌈7/3⌉ = 3; max(2·3 + 4 − 7, 0) = 3: 1 and 2
      {7, 4, 3, 1, 3, 1, 2},
      // stride 1, dilation 2: ⌈5/1⌉ = 5; max(4·1 + 2·2 + 1 − 5, 0) = 4: 2 and 2
      {5, 3, 1, 2, 5, 2, 2},
      // ⌈10/3⌉ = 4; max(3·3 + 1 − 10, 0) = 0
      {10, 1, 3, 1, 4, 0, 0},
      // a stride longer than the window: ⌈5/3⌉ = 2; max(1·3 + 2 − 5, 0) = 0
      {5, 2, 3, 1, 2, 0, 0},
      // a kernel longer than the input: ⌈2/1⌉ = 2; max(1 + 5 − 2, 0) = 4: 2 and 2
      {2, 5, 1, 1, 2, 2, 2},
  };
  for (const Case& c : cases) {
    const SameAxis a = keras_same_axis(c.in, c.k, c.stride, c.dilation);
    EXPECT_EQ(a.out, c.out) << "in " << c.in << " k " << c.k << " stride " << c.stride;
    EXPECT_EQ(a.before, c.before) << "in " << c.in << " k " << c.k << " stride " << c.stride;
    EXPECT_EQ(a.after, c.after) << "in " << c.in << " k " << c.k << " stride " << c.stride;
    EXPECT_EQ(a.total, c.before + c.after);
  }
}

// Conv2D(1, 3, strides=2, padding='same') on the seed's 5×5 input cut to its top-left 4×4:
//   1 2 3 0      out = ⌈4/2⌉ = 2, total = max(1·2 + 3 − 4, 0) = 1: top 0, bottom 1 (left 0,
//   0 1 2 3      right 1). The vertical-edge kernel gives (left column − right column) per window:
//   3 0 1 2      (0,0): (1+0+3) − (3+2+1) = −2; (0,1): (3+2+1) − (0+0+0) = 6;
//   0 2 3 0      (1,0): (3+0+0) − (1+3+0) = −1; (1,1): (1+3+0) − 0 = 4.
TEST(KerasConv, SameStrideTwoPutsTheOddRowAtTheBottom) {
  const std::vector<double> x = {1, 2, 3, 0, 0, 1, 2, 3, 3, 0, 1, 2, 0, 2, 3, 0};
  const std::vector<double> k = {1, 0, -1, 1, 0, -1, 1, 0, -1};
  for (Layout layout : {Layout::nchw, Layout::nhwc}) {
    const bool nhwc = layout == Layout::nhwc;
    const Tensor input = f64(nhwc ? Shape{1, 4, 4, 1} : Shape{1, 1, 4, 4}, x);
    const Tensor weight = f64(nhwc ? Shape{3, 3, 1, 1} : Shape{1, 1, 3, 3}, k);
    Conv2dParams asked;
    asked.stride_h = asked.stride_w = 2;
    asked.padding = PaddingSpec::same();
    asked.layout = layout;
    auto p = keras_conv2d_params(asked, input.shape(), weight.shape());
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->padding.kind, PaddingSpec::Kind::sides);
    EXPECT_EQ(padding_spec_to_string(p->padding), "0,1,0,1");
    auto y = conv2d(input, weight, nullptr, *p);
    ASSERT_TRUE(y) << y.error().message;
    EXPECT_EQ(values(*y), (std::vector<double>{-2, 6, -1, 4}));
    // PyTorch refuses the same request.
    EXPECT_FALSE(conv2d(input, weight, nullptr, asked));
  }
}

// One row [1 2 3 4 5], kernel [1 10], stride 2, 'same': out = ⌈5/2⌉ = 3, total = max(2·2 + 2 −
// 5, 0) = 1: right 1. Windows start at 0, 2, 4: 1 + 20 = 21, 3 + 40 = 43, 5 + 10·0 = 5. PyTorch's
// padding 0 gives ⌊(5 − 2)/2⌋ + 1 = 2 of them; Keras's 'valid' the same two.
TEST(KerasConv, SameAndValidOnOneRow) {
  const Tensor x = f64({1, 1, 1, 5}, {1, 2, 3, 4, 5});
  const Tensor w = f64({1, 1, 1, 2}, {1, 10});
  Conv2dParams asked;
  asked.stride_w = 2;
  asked.padding = PaddingSpec::same();
  auto same = keras_conv2d_params(asked, x.shape(), w.shape());
  ASSERT_TRUE(same);
  EXPECT_EQ(values(*conv2d(x, w, nullptr, *same)), (std::vector<double>{21, 43, 5}));
  asked.padding = PaddingSpec::valid();
  auto valid = keras_conv2d_params(asked, x.shape(), w.shape());
  ASSERT_TRUE(valid);
  EXPECT_EQ(values(*conv2d(x, w, nullptr, *valid)), (std::vector<double>{21, 43}));
}

TEST(KerasConv, RefusesWhatKerasRefuses) {
  const Shape x{1, 1, 5, 5}, w{1, 1, 3, 3};
  Conv2dParams p;
  p.padding = PaddingSpec::symmetric(1);
  auto r = keras_conv2d_params(p, x, w);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "Keras's Conv2D takes padding 'valid' or 'same', not numbers like 1; that padding "
            "follows PyTorch's rules (framework pytorch)");
  p.padding = PaddingSpec::full();
  r = keras_conv2d_params(p, x, w);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not 'full'"), std::string::npos);
  p.padding = PaddingSpec::same();
  p.padding_mode = PaddingMode::reflect;
  r = keras_conv2d_params(p, x, w);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "Keras's Conv2D pads with zeros only; padding mode reflect is PyTorch's (framework "
            "pytorch)");
  p.padding_mode = PaddingMode::zeros;
  p.stride_h = 2;
  p.dilation_w = 2;
  r = keras_conv2d_params(p, x, w);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "Keras's Conv2D refuses strides > 1 together with dilation_rate > 1 (strides 2\xC3\x97"
            "1, dilation 1\xC3\x97"
            "2); use one of them, or PyTorch's rules");
  EXPECT_EQ(r.error().field, "dilation");
}

// ---- Pooling ----

// MaxPooling2D(2, strides=2, padding='same') on 3×3: out ⌈3/2⌉ = 2, total max(1·2 + 2 − 3, 0)
// = 1: bottom 1, right 1. TensorFlow pads with −∞, so on all-negative input the padding never
// wins: (0,0) max(−1, −2, −4, −5) = −1, (0,1) max(−3, −6) = −3, (1,0) max(−7, −8) = −7,
// (1,1) −9 (zeros would have given 0 three times).
TEST(KerasPool, MaxSamePadsWithMinusInfinity) {
  const Tensor x = f64({1, 1, 3, 3}, {-1, -2, -3, -4, -5, -6, -7, -8, -9});
  Pool2dParams asked;
  asked.op = PoolOp::max;
  asked.k_h = asked.k_w = 2;
  auto p = keras_pool2d_params(asked, KerasPadding::same, x.shape());
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->pad_h, 0);
  EXPECT_EQ(p->pad_bottom, 1);
  EXPECT_EQ(p->pad_right, 1);
  auto y = pool2d(x, *p);
  ASSERT_TRUE(y) << y.error().message;
  EXPECT_EQ(values(*y), (std::vector<double>{-1, -3, -7, -9}));
}

// AveragePooling2D(2, strides=2, padding='same') on 1..9: each window divided by its real cells:
// (1+2+4+5)/4 = 3, (3+6)/2 = 4.5, (7+8)/2 = 7.5, 9/1 = 9.
// AveragePooling2D(3, strides=2, padding='same') on the row 1..5: total max(2·2 + 3 − 5, 0) = 2,
// one each side: (1+2)/2 = 1.5, (2+3+4)/3 = 3, (4+5)/2 = 4.5 (PyTorch's padding 1 with
// count_include_pad would give 1, 3, 3).
TEST(KerasPool, AverageSameDividesByTheRealCells) {
  const Tensor x = f64({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Pool2dParams asked;
  asked.op = PoolOp::avg;
  asked.k_h = asked.k_w = 2;
  auto p = keras_pool2d_params(asked, KerasPadding::same, x.shape());
  ASSERT_TRUE(p);
  EXPECT_EQ(values(*pool2d(x, *p)), (std::vector<double>{3, 4.5, 7.5, 9}));

  const Tensor row = f64({1, 5, 1}, {1, 2, 3, 4, 5});  // NHWC: one row of 5, one channel
  Pool2dParams asked3;
  asked3.op = PoolOp::avg;
  asked3.k_h = 1;
  asked3.k_w = 3;
  asked3.stride_h = 1;
  asked3.stride_w = 2;
  asked3.layout = Layout::nhwc;
  auto p3 = keras_pool2d_params(asked3, KerasPadding::same, {1, 1, 5, 1});
  ASSERT_TRUE(p3);
  EXPECT_EQ(p3->pad_w, 1);
  EXPECT_EQ(p3->pad_right, 1);
  auto y3 = pool2d(*row.reshaped({1, 1, 5, 1}), *p3);
  ASSERT_TRUE(y3) << y3.error().message;
  EXPECT_EQ(values(*y3), (std::vector<double>{1.5, 3, 4.5}));
}

TEST(KerasPool, RefusesPyTorchOnlySettings) {
  const Shape x{1, 1, 4, 4};
  Pool2dParams p;
  p.k_h = p.k_w = 2;
  p.pad_h = p.pad_w = 1;
  auto r = keras_pool2d_params(p, KerasPadding::same, x);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "Keras's MaxPooling2D takes padding 'valid' or 'same', not numbers like 1\xC3\x97"
            "1; that padding follows PyTorch's rules (framework pytorch)");
  p.pad_h = p.pad_w = 0;
  p.ceil_mode = true;
  r = keras_pool2d_params(p, KerasPadding::valid, x);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "ceil_mode");
  p.ceil_mode = false;
  p.dilation_h = 2;
  r = keras_pool2d_params(p, KerasPadding::valid, x);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "dilation");
  p.dilation_h = 1;
  p.op = PoolOp::avg;
  p.count_include_pad = false;
  r = keras_pool2d_params(p, KerasPadding::same, x);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "Keras's AveragePooling2D never counts the padding, so it has no exclude-pad "
            "setting; leave it out");
}

// ---- Conv2DTranspose ----

// One row x = [1 2 3], kernel [1 10 100], stride 2. The stamps land at 0, 2 and 4 and cover
// (3 − 1)·2 + 3 = 7 columns: [1, 10, 100 + 2, 20, 200 + 3, 30, 300].
//   'valid': L = 3·2 + max(3 − 2, 0) = 7, all of it.
//   'same':  L = 3·2 = 6; the forward 'same' conv from 6 to 3 pads max(7 − 6, 0) = 1: left 0,
//            so the last column is cropped: [1, 10, 102, 20, 203, 30].
//   'same' with output_padding 1: L = (3 − 1)·2 + 3 − 2·⌊3/2⌋ + 1 = 6, the same six.
//   'valid' with output_padding 1: L = (3 − 1)·2 + 3 + 1 = 8: a column of zeros after the 300.
// Kernel [1 10 100 1000], 'same': L = 6, the stamps cover 4 + 4 = 8, the forward conv pads
// max(8 − 6, 0) = 2: left 1, so [1, 10, 102, 1020, 203, 2030, 300, 3000] loses its first and
// last: [10, 102, 1020, 203, 2030, 300].
// Kernel [5], 'valid': L = 3·2 + max(1 − 2, 0) = 6 from 5 covered: [5, 0, 10, 0, 15, 0].
TEST(KerasTranspose, WorkedRows) {
  struct Case {
    std::vector<double> kernel;
    KerasPadding padding;
    bool has_op;
    std::vector<double> want;
  };
  const Case cases[] = {
      {{1, 10, 100}, KerasPadding::valid, false, {1, 10, 102, 20, 203, 30, 300}},
      {{1, 10, 100}, KerasPadding::same, false, {1, 10, 102, 20, 203, 30}},
      {{1, 10, 100}, KerasPadding::same, true, {1, 10, 102, 20, 203, 30}},
      {{1, 10, 100}, KerasPadding::valid, true, {1, 10, 102, 20, 203, 30, 300, 0}},
      {{1, 10, 100, 1000}, KerasPadding::same, false, {10, 102, 1020, 203, 2030, 300}},
      {{5}, KerasPadding::valid, false, {5, 0, 10, 0, 15, 0}},
  };
  const Tensor x = f64({1, 1, 1, 3}, {1, 2, 3});
  for (const Case& c : cases) {
    const int64_t k = static_cast<int64_t>(c.kernel.size());
    const Tensor w = f64({1, 1, 1, k}, c.kernel);
    ConvTranspose2dParams asked;
    asked.stride_w = 2;
    asked.output_padding_w = c.has_op ? 1 : 0;
    auto plan = keras_conv_transpose2d_plan(asked, c.padding, c.has_op, x.shape(), w.shape());
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_EQ(plan->out_w, static_cast<int64_t>(c.want.size()));
    auto y = keras_conv_transpose2d(x, w, nullptr, *plan);
    ASSERT_TRUE(y) << y.error().message;
    EXPECT_EQ(values(*y), c.want) << "k " << k << (c.has_op ? " with output_padding" : "");
  }
}

TEST(KerasTranspose, RefusesWhatKerasRefuses) {
  const Shape x{1, 1, 3, 3}, w{1, 1, 3, 3};
  ConvTranspose2dParams p;
  p.stride_h = p.stride_w = 2;
  p.output_padding_h = 2;
  auto r = keras_conv_transpose2d_plan(p, KerasPadding::same, true, x, w);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "Keras's Conv2DTranspose needs output_padding smaller than the stride; got "
            "output_padding 2\xC3\x97"
            "0 with strides 2\xC3\x97"
            "2");
  p.output_padding_h = 0;
  p.dilation_h = 2;
  r = keras_conv_transpose2d_plan(p, KerasPadding::same, false, x, w);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "dilation");
  p.dilation_h = 1;
  p.pad_h = 1;
  r = keras_conv_transpose2d_plan(p, KerasPadding::same, false, x, w);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "padding");
  // One input cell, a 2×2 kernel, stride 1, 'same' with output_padding 0:
  // L = (1 − 1)·1 + 2 − 2·⌊2/2⌋ + 0 = 0.
  ConvTranspose2dParams one;
  r = keras_conv_transpose2d_plan(one, KerasPadding::same, true, {1, 1, 1, 1}, {1, 1, 2, 2});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "Keras's Conv2DTranspose would give 0 output rows for 1 input row with this kernel, "
            "stride and output_padding, and refuses it; use a larger input or output_padding");
}

// ---- Formulas ----

TEST(KerasFormula, SubstitutesTheNumbers) {
  Conv2dParams asked;
  asked.stride_h = asked.stride_w = 2;
  asked.padding = PaddingSpec::same();
  const Shape x{1, 1, 5, 6}, w{1, 1, 3, 3};
  auto p = keras_conv2d_params(asked, x, w);
  ASSERT_TRUE(p);
  auto g = conv2d_geometry(x, w, -1, *p);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(keras_conv2d_formula(*g, KerasPadding::same),
            "out_h = \xE2\x8C\x88in_h / stride\xE2\x8C\x89 = \xE2\x8C\x88"
            "5 / 2\xE2\x8C\x89 = 3\n"
            "pad_h = max((out_h \xE2\x88\x92 1)\xC2\xB7stride + dilation\xC2\xB7(k_h \xE2\x88\x92 "
            "1) + 1 \xE2\x88\x92 in_h, 0) = max((3 \xE2\x88\x92 1)\xC2\xB7"
            "2 + 1\xC2\xB7(3 \xE2\x88\x92 1) + 1 \xE2\x88\x92 5, 0) = 2: top 1, bottom 1\n"
            "out_w = \xE2\x8C\x88in_w / stride\xE2\x8C\x89 = \xE2\x8C\x88"
            "6 / 2\xE2\x8C\x89 = 3\n"
            "pad_w = max((out_w \xE2\x88\x92 1)\xC2\xB7stride + dilation\xC2\xB7(k_w \xE2\x88\x92 "
            "1) + 1 \xE2\x88\x92 in_w, 0) = max((3 \xE2\x88\x92 1)\xC2\xB7"
            "2 + 1\xC2\xB7(3 \xE2\x88\x92 1) + 1 \xE2\x88\x92 6, 0) = 1: left 0, right 1 (the odd "
            "one at the right)");
  asked.padding = PaddingSpec::valid();
  auto gv = conv2d_geometry(x, w, -1, *keras_conv2d_params(asked, x, w));
  ASSERT_TRUE(gv);
  // ⌈(5 − 2)/2⌉ = 2 and ⌈(6 − 2)/2⌉ = 2
  EXPECT_EQ(keras_conv2d_formula(*gv, KerasPadding::valid),
            "out_h = \xE2\x8C\x88(in_h \xE2\x88\x92 dilation\xC2\xB7(k_h \xE2\x88\x92 1)) / "
            "stride\xE2\x8C\x89 = \xE2\x8C\x88(5 \xE2\x88\x92 1\xC2\xB7(3 \xE2\x88\x92 1)) / "
            "2\xE2\x8C\x89 = 2\n"
            "out_w = \xE2\x8C\x88(in_w \xE2\x88\x92 dilation\xC2\xB7(k_w \xE2\x88\x92 1)) / "
            "stride\xE2\x8C\x89 = \xE2\x8C\x88(6 \xE2\x88\x92 1\xC2\xB7(3 \xE2\x88\x92 1)) / "
            "2\xE2\x8C\x89 = 2");
}

TEST(KerasFormula, TransposeSaysWhatIsCropped) {
  ConvTranspose2dParams asked;
  asked.stride_h = asked.stride_w = 2;
  const Shape x{1, 1, 3, 3}, w{1, 1, 3, 3};
  auto plan = keras_conv_transpose2d_plan(asked, KerasPadding::same, false, x, w);
  ASSERT_TRUE(plan);
  auto g = conv_transpose2d_geometry(x, w, -1, plan->torch);
  ASSERT_TRUE(g);
  const std::string f = keras_conv_transpose2d_formula(*g, *plan);
  EXPECT_NE(f.find("out_h = in_h\xC2\xB7stride = 3\xC2\xB7"
                   "2 = 6\n"),
            std::string::npos)
      << f;
  EXPECT_NE(f.find("= 7; cropped: top \xE2\x8C\x8Amax(7 \xE2\x88\x92 6, 0) / 2\xE2\x8C\x8B = 0, "
                   "bottom 7 \xE2\x88\x92 0 \xE2\x88\x92 6 = 1"),
            std::string::npos)
      << f;
}

// ---- Randomized against TensorFlow's definitions ----

struct TfSame {
  int64_t out, before;
};
// Written again from TensorFlow's documentation, apart from keras_same_axis.
TfSame tf_same(int64_t in, int64_t span, int64_t stride) {
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((out - 1) * stride + span - in, 0);
  return {out, total / 2};
}

TEST(KerasRandom, ConvMatchesTensorFlowsDefinition) {
  const uint64_t seed = test::test_seed();
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int iter = 0; iter < 150; ++iter) {
    const int64_t n = pick(1, 2), groups = pick(1, 2), cpg = pick(1, 2), opg = pick(1, 2);
    const int64_t in_h = pick(1, 9), in_w = pick(1, 9), k_h = pick(1, 4), k_w = pick(1, 4);
    const bool strided = pick(0, 1) == 1;
    const int sh = strided ? pick(1, 3) : 1, sw = strided ? pick(1, 3) : 1;
    const int dh = strided ? 1 : pick(1, 3), dw = strided ? 1 : pick(1, 3);
    const bool same = pick(0, 2) > 0;
    const DType dt = pick(0, 1) ? DType::f32 : DType::f64;
    const Tensor x = test::random_tensor(rng, dt, {n, groups * cpg, in_h, in_w}, false);
    const Tensor w = test::random_tensor(rng, dt, {groups * opg, cpg, k_h, k_w}, false);
    const Tensor b = test::random_tensor(rng, dt, {groups * opg}, false);
    Conv2dParams asked;
    asked.stride_h = sh;
    asked.stride_w = sw;
    asked.dilation_h = dh;
    asked.dilation_w = dw;
    asked.groups = static_cast<int>(groups);
    asked.padding = same ? PaddingSpec::same() : PaddingSpec::valid();
    const bool nhwc = pick(0, 1) == 1;
    asked.layout = nhwc ? Layout::nhwc : Layout::nchw;
    const Tensor xl = nhwc ? nchw_to_nhwc(x) : x;
    const Tensor wl = nhwc ? oihw_to_hwio(w) : w;
    const std::string where = "seed " + std::to_string(seed) + " iter " + std::to_string(iter);
    const int64_t span_h = dh * (k_h - 1) + 1, span_w = dw * (k_w - 1) + 1;
    if (!same && (span_h > in_h || span_w > in_w)) continue;  // Keras refuses it too
    auto p = keras_conv2d_params(asked, xl.shape(), wl.shape());
    ASSERT_TRUE(p) << where << ": " << p.error().message;
    auto y = conv2d(xl, wl, &b, *p);
    ASSERT_TRUE(y) << where << ": " << y.error().message;
    const Tensor got = nhwc ? nhwc_to_nchw(*y) : *y;
    // TensorFlow: pad `before` at the top/left and as much as the last window needs below.
    test::NaivePad pad{0, 0, 0, 0};
    if (same) {
      const TfSame r = tf_same(in_h, span_h, sh), c = tf_same(in_w, span_w, sw);
      pad = {static_cast<int>(r.before),
             static_cast<int>((r.out - 1) * sh + span_h - in_h - r.before),
             static_cast<int>(c.before),
             static_cast<int>((c.out - 1) * sw + span_w - in_w - c.before)};
      pad.bottom = std::max(pad.bottom, 0);
      pad.right = std::max(pad.right, 0);
      ASSERT_EQ(got.dim(2), r.out) << where;
      ASSERT_EQ(got.dim(3), c.out) << where;
    } else {
      ASSERT_EQ(got.dim(2), (in_h - span_h + sh) / sh) << where;  // ⌈(in − span + 1)/stride⌉
      ASSERT_EQ(got.dim(3), (in_w - span_w + sw) / sw) << where;
    }
    const Tensor want = test::naive_conv2d(x.to(DType::f64), w.to(DType::f64), &b, sh, sw, dh, dw,
                                           static_cast<int>(groups), pad, PaddingMode::zeros);
    ASSERT_EQ(got.shape(), want.shape()) << where;
    const double tol = dt == DType::f32 ? 1e-4 : 1e-12;
    for (int64_t i = 0; i < want.numel(); ++i)
      ASSERT_NEAR(got.get(i), want.get(i), tol)
          << where << " at " << test::nchw_index(want.shape(), i);
  }
}

// Max: the largest real cell; average: the mean of the real cells (TensorFlow's 'SAME' pooling).
Tensor tf_pool(const Tensor& x, PoolOp op, int k_h, int k_w, int sh, int sw, bool same) {
  const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
  int64_t oh = (h - k_h + sh) / sh, ow = (w - k_w + sw) / sw, top = 0, left = 0;
  if (same) {
    const TfSame r = tf_same(h, k_h, sh), q = tf_same(w, k_w, sw);
    oh = r.out;
    ow = q.out;
    top = r.before;
    left = q.before;
  }
  Tensor y(DType::f64, {n, c, oh, ow});
  for (int64_t p = 0; p < n * c; ++p)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        double best = -std::numeric_limits<double>::infinity(), sum = 0;
        int64_t count = 0;
        for (int64_t iy = oy * sh - top; iy < oy * sh - top + k_h; ++iy)
          for (int64_t ix = ox * sw - left; ix < ox * sw - left + k_w; ++ix) {
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            const double v = x.get((p * h + iy) * w + ix);
            best = std::max(best, v);
            sum += v;
            ++count;
          }
        y.set((p * oh + oy) * ow + ox, op == PoolOp::max ? best : sum / static_cast<double>(count));
      }
  return y;
}

TEST(KerasRandom, PoolMatchesTensorFlowsDefinition) {
  const uint64_t seed = test::test_seed();
  std::mt19937_64 rng(seed + 1);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int iter = 0; iter < 200; ++iter) {
    const int64_t h = pick(1, 9), w = pick(1, 9);
    const int k_h = pick(1, 4), k_w = pick(1, 4);
    const int sh = pick(1, 4), sw = pick(1, 4);
    const bool same = pick(0, 1) == 1;
    if (!same && (k_h > h || k_w > w)) continue;
    const PoolOp op = pick(0, 1) ? PoolOp::max : PoolOp::avg;
    const Tensor x = test::random_tensor(rng, DType::f64, {pick(1, 2), pick(1, 2), h, w}, false);
    Pool2dParams asked;
    asked.op = op;
    asked.k_h = k_h;
    asked.k_w = k_w;
    asked.stride_h = sh;
    asked.stride_w = sw;
    const std::string where = "seed " + std::to_string(seed) + " iter " + std::to_string(iter);
    auto p = keras_pool2d_params(asked, same ? KerasPadding::same : KerasPadding::valid, x.shape());
    ASSERT_TRUE(p) << where << ": " << p.error().message;
    auto y = pool2d(x, *p);
    ASSERT_TRUE(y) << where << ": " << y.error().message;
    const Tensor want = tf_pool(x, op, k_h, k_w, sh, sw, same);
    ASSERT_EQ(y->shape(), want.shape()) << where;
    for (int64_t i = 0; i < want.numel(); ++i)
      ASSERT_NEAR(y->get(i), want.get(i), 1e-12)
          << where << " at " << test::nchw_index(want.shape(), i);
  }
}

// TensorFlow's conv2d_transpose: the gradient of the forward conv (same padding) from an input
// of Keras's length L to `in`: dx[r] += x[i]·w[j] for r = i·stride − top + j·dilation in [0, L).
TEST(KerasRandom, TransposeMatchesTensorFlowsDefinition) {
  const uint64_t seed = test::test_seed();
  std::mt19937_64 rng(seed + 2);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int iter = 0; iter < 150; ++iter) {
    const int64_t h = pick(1, 5), w = pick(1, 5), c_in = pick(1, 2), c_out = pick(1, 2);
    const int64_t k_h = pick(1, 4), k_w = pick(1, 4);
    const bool strided = pick(0, 1) == 1;
    const int sh = strided ? pick(1, 3) : 1, sw = strided ? pick(1, 3) : 1;
    const int dh = strided ? 1 : pick(1, 2), dw = strided ? 1 : pick(1, 2);
    const bool same = pick(0, 1) == 1, has_op = pick(0, 2) == 0;
    const int op_h = has_op ? pick(0, sh - 1) : 0, op_w = has_op ? pick(0, sw - 1) : 0;
    const Tensor x = test::random_tensor(rng, DType::f64, {1, c_in, h, w}, true);
    const Tensor wt = test::random_tensor(rng, DType::f64, {c_in, c_out, k_h, k_w}, true);
    ConvTranspose2dParams asked;
    asked.stride_h = sh;
    asked.stride_w = sw;
    asked.dilation_h = dh;
    asked.dilation_w = dw;
    asked.output_padding_h = op_h;
    asked.output_padding_w = op_w;
    const KerasPadding kp = same ? KerasPadding::same : KerasPadding::valid;
    const std::string where = "seed " + std::to_string(seed) + " iter " + std::to_string(iter);
    // Keras's length and the forward conv's top padding, from conv_utils and TensorFlow.
    auto length = [&](int64_t in, int64_t span, int s, int op) -> int64_t {
      if (!has_op) return same ? in * s : in * s + std::max<int64_t>(span - s, 0);
      return (in - 1) * s + span - 2 * (same ? span / 2 : 0) + op;
    };
    const int64_t span_h = dh * (k_h - 1) + 1, span_w = dw * (k_w - 1) + 1;
    const int64_t L_h = length(h, span_h, sh, op_h), L_w = length(w, span_w, sw, op_w);
    auto plan = keras_conv_transpose2d_plan(asked, kp, has_op, x.shape(), wt.shape());
    if (L_h < 1 || L_w < 1) {  // an even kernel, 'same', output_padding 0 on one cell: Keras fails
      ASSERT_FALSE(plan) << where;
      continue;
    }
    ASSERT_TRUE(plan) << where << ": " << plan.error().message;
    auto y = keras_conv_transpose2d(x, wt, nullptr, *plan);
    ASSERT_TRUE(y) << where << ": " << y.error().message;
    const int64_t top = same ? std::max<int64_t>((h - 1) * sh + span_h - L_h, 0) / 2 : 0;
    const int64_t left = same ? std::max<int64_t>((w - 1) * sw + span_w - L_w, 0) / 2 : 0;
    Tensor want(DType::f64, {1, c_out, L_h, L_w});
    for (int64_t ic = 0; ic < c_in; ++ic)
      for (int64_t oc = 0; oc < c_out; ++oc)
        for (int64_t iy = 0; iy < h; ++iy)
          for (int64_t ix = 0; ix < w; ++ix)
            for (int64_t ky = 0; ky < k_h; ++ky)
              for (int64_t kx = 0; kx < k_w; ++kx) {
                const int64_t r = iy * sh - top + ky * dh, q = ix * sw - left + kx * dw;
                if (r < 0 || r >= L_h || q < 0 || q >= L_w) continue;
                const int64_t at = (oc * L_h + r) * L_w + q;
                want.set(at, want.get(at) + x.get((ic * h + iy) * w + ix) *
                                                wt.get(((ic * c_out + oc) * k_h + ky) * k_w + kx));
              }
    ASSERT_EQ(y->shape(), want.shape()) << where;
    EXPECT_EQ(values(*y), values(want)) << where;  // integers: exact
  }
}

}  // namespace
}  // namespace cs
