// Built-in lessons: every one computes, and every printed expectation is what the engine gives.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "core/conv2d.hpp"
#include "core/lessons.hpp"
#include "core/pool2d.hpp"
#include "core/presets.hpp"
#include "core/trace.hpp"

namespace cs {
namespace {

std::vector<double> test_values(const Tensor& t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.numel(); ++i)
    v.push_back(t.get(i));
  return v;
}

// The numbers in "[[-2, -2, 4], ...] (NHWC)", in order.
std::vector<double> numbers_in(const std::string& text) {
  std::vector<double> v;
  const char* p = text.c_str();
  while (*p) {
    if ((*p >= '0' && *p <= '9') || (*p == '-' && p[1] >= '0' && p[1] <= '9')) {
      char* end = nullptr;
      v.push_back(std::strtod(p, &end));
      p = end;
    } else {
      ++p;
    }
  }
  return v;
}

TEST(Lessons, EveryLessonComputesAndMatchesItsExpectation) {
  ASSERT_GE(builtin_lessons().size(), 7u);
  EXPECT_EQ(builtin_lessons().front().name, "vertical-edge");
  for (const Lesson& l : builtin_lessons()) {
    SCOPED_TRACE(l.name);
    EXPECT_FALSE(l.title.empty());
    EXPECT_FALSE(l.description.empty());
    Tensor out;
    if (l.op == LessonOp::conv) {
      const Tensor w = l.flip_kernel ? flip_kernel(l.weight, l.conv.layout) : l.weight;
      auto y = conv2d(l.input, w, l.bias ? &*l.bias : nullptr, l.conv);
      ASSERT_TRUE(y) << y.error().message;
      auto tr = conv2d_trace(l.input, w, l.bias ? &*l.bias : nullptr, l.conv);
      ASSERT_TRUE(tr) << tr.error().message;
      out = *y;
    } else {
      auto y = pool2d(l.input, l.pool);
      ASSERT_TRUE(y) << y.error().message;
      out = *y;
    }
    if (l.expected.empty()) continue;
    const std::vector<double> want = numbers_in(l.expected);
    ASSERT_EQ(static_cast<int64_t>(want.size()), out.numel()) << l.expected;
    for (int64_t i = 0; i < out.numel(); ++i)
      EXPECT_EQ(out.get(i), want[static_cast<std::size_t>(i)]);
  }
}

// The menu order the window's Lesson menu and `convscope lesson --list` show, and one lesson per
// name (find_lesson returns the first of a name).
TEST(Lessons, NamesAreUniqueInMenuOrder) {
  const std::vector<std::string> want = {"vertical-edge",   "rgb-2-filters", "rgb-3-filters",
                                         "padding-1",       "keras-conv",    "keras-pool",
                                         "scipy-laplacian", "stride-2",      "dilation-2",
                                         "reflect-padding", "depthwise",     "avg-pool-ceil"};
  std::vector<std::string> names;
  for (const Lesson& l : builtin_lessons())
    names.push_back(l.name);
  EXPECT_EQ(names, want);
  for (const std::string& name : names) {
    auto l = find_lesson(name);
    ASSERT_TRUE(l) << name;
    EXPECT_EQ(l->name, name);
  }
}

TEST(Lessons, TransposedLessonsAreOnTheCommandLineOnly) {
  // transpose-unit: 2×2 => 4×4. Row 0 by stamps: x[0, 0] = 2 puts 2·[1, 0, −1] at columns
  // 0..2, x[0, 1] = 1 puts [1, 0, −1] at columns 1..3: [2, 0 + 1, −2 + 0, −1].
  ASSERT_FALSE(find_lesson("transpose-unit"));
  auto unit = find_any_lesson("transpose-unit");
  ASSERT_TRUE(unit) << unit.error().message;
  EXPECT_EQ(unit->op, LessonOp::conv_transpose);
  auto v = trace_lesson(*unit);
  ASSERT_TRUE(v) << v.error().message;
  ASSERT_EQ((*v)->output().shape(), (Shape{1, 1, 4, 4}));
  const double row0[] = {2, 1, -2, -1};
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ((*v)->output().get(i), row0[i]) << i;
  // transpose-stride-2 gives back the 6×6 a stride-2 conv (3×3, padding 1) maps to 3×3.
  auto s2 = find_any_lesson("transpose-stride-2");
  ASSERT_TRUE(s2);
  auto v2 = trace_lesson(*s2);
  ASSERT_TRUE(v2) << v2.error().message;
  EXPECT_EQ((*v2)->output().shape(), (Shape{1, 1, 6, 6}));
  Conv2dParams down;
  down.stride_h = down.stride_w = 2;
  down.padding = PaddingSpec::symmetric(1);
  auto back = conv2d_geometry({1, 1, 6, 6}, {1, 1, 3, 3}, -1, down);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->out_h, 3);
  EXPECT_EQ(text_lessons().size(), 2u);
  EXPECT_NE(find_any_lesson("nope").error().message.find("transpose-stride-2"), std::string::npos);
}

// The command line's conv and pooling lessons, worked by hand:
//   np-convolve-*: [1, 2, 3] with [0, 1, 0.5] reversed to [0.5, 1, 0] over [0, 0, 1, 2, 3, 0, 0]
//     gives 0, 1, 0.5 + 2 = 2.5, 1 + 3 = 4, 1.5 ('full'); the middle three ('same'); 2.5 ('valid').
//   scipy-convolve-full: the 5×5 of scipy.signal.convolve2d(a, laplacian, 'full') (the centre
//     is the seed's 'same' result).
//   keras-same-stride-2: padding top 0, bottom 1 (TensorFlow's rule); windows (left column −
//     right column): (1+0+3) − (3+2+1) = −2, (3+2+1) − 0 = 6, (3+0+0) − (1+3+0) = −1, 4 − 0 = 4.
//   keras-*pool-same on keras-conv's maps (channel 0 [[6 4 7] [1 4 3] [5 5 1]], channel 1
//     [[0 3 0] [2 2 1] [2 1 4]]): max 6, 7, 5, 1 and 3, 1, 2, 4; average (6+4+1+4)/4 = 3.75,
//     (7+3)/2 = 5, (5+5)/2 = 5, 1 and 7/4 = 1.75, (0+1)/2 = 0.5, (2+1)/2 = 1.5, 4.
TEST(Lessons, CommandLineConvLessonsWorkedByHand) {
  const std::vector<std::pair<std::string, std::vector<double>>> cases = {
      {"np-convolve-full", {0, 1, 2.5, 4, 1.5}},
      {"np-convolve-same", {1, 2.5, 4}},
      {"np-convolve-valid", {2.5}},
      {"scipy-convolve-full",
       {0, 1, 2, 3, 0, 1, 2, 1, -4, 3, 4, -3, 0, -7, 6, 7, -16, -11, -22, 9, 0, 7, 8, 9, 0}},
      {"keras-same-stride-2", {-2, 6, -1, 4}},
      {"keras-maxpool-same", {6, 7, 5, 1, 3, 1, 2, 4}},
      {"keras-avgpool-same", {3.75, 5, 5, 1, 1.75, 0.5, 1.5, 4}},
  };
  ASSERT_EQ(text_conv_lessons().size(), cases.size());
  for (const auto& [name, want] : cases) {
    SCOPED_TRACE(name);
    auto l = find_any_lesson(name);  // (the window's Lesson menu too)
    ASSERT_TRUE(l) << l.error().message;
    EXPECT_FALSE(l->description.empty());
    auto v = trace_lesson(*l);
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_EQ(test_values((*v)->output()), want);  // NCHW
  }
  EXPECT_EQ(find_any_lesson("np-convolve-full")->expected, "[0, 1, 2.5, 4, 1.5]");
  EXPECT_NE(find_any_lesson("nope").error().message.find("keras-avgpool-same"), std::string::npos);
}

// The keras-*-same lessons follow Keras's rules (padding 'same', not hand-resolved sides);
// lesson_as_run resolves it per side as TensorFlow does, and refuses the transposed lessons.
TEST(Lessons, KerasLessonsFollowKerasRules) {
  for (const char* name : {"keras-same-stride-2", "keras-maxpool-same", "keras-avgpool-same"}) {
    SCOPED_TRACE(name);
    auto l = find_any_lesson(name);
    ASSERT_TRUE(l) << l.error().message;
    EXPECT_EQ(l->framework, Framework::keras);
    EXPECT_EQ(l->keras_padding, KerasPadding::same);
    EXPECT_NE(l->description.find("'same'"), std::string::npos);
  }
  // 4×4 input, 3×3 kernel, stride 2: out 2, total (2 − 1)·2 + 3 − 4 = 1 → top 0, bottom 1.
  auto conv = lesson_as_run(*find_any_lesson("keras-same-stride-2"));
  ASSERT_TRUE(conv) << conv.error().message;
  EXPECT_TRUE(same_padding_spec(conv->conv.padding, PaddingSpec::sides(0, 1, 0, 1)));
  // 3×3 maps, 2×2 pool: out 2, total 1 → bottom 1, right 1; average over real cells only.
  auto pool = lesson_as_run(*find_any_lesson("keras-avgpool-same"));
  ASSERT_TRUE(pool) << pool.error().message;
  EXPECT_EQ(pool->pool.pad_h, 0);
  EXPECT_EQ(pool->pool.pad_bottom, 1);
  EXPECT_EQ(pool->pool.pad_right, 1);
  EXPECT_FALSE(pool->pool.count_include_pad);
  // PyTorch's rules leave a lesson as it is.
  auto edge = lesson_as_run(*find_lesson("padding-1"));
  ASSERT_TRUE(edge);
  EXPECT_EQ(edge->conv.padding.h, 1);
  Lesson t = *find_any_lesson("transpose-stride-2");
  t.framework = Framework::keras;
  auto refused = lesson_as_run(t);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "framework");
}

// Keras's padding line in the Parameters view, with the numbers worked above.
TEST(Lessons, KerasPaddingReasonNamesTheSides) {
  const SameAxis rows = keras_same_axis(4, 3, 2, 1), cols = keras_same_axis(5, 3, 2, 1);
  EXPECT_EQ(keras_padding_reason(KerasPadding::same, 2, 2, rows, cols),
            "Keras 'same', stride 2: rows total 1 \xE2\x86\x92 top 0, bottom 1; columns total 2 "
            "\xE2\x86\x92 left 1, right 1");
  EXPECT_EQ(keras_padding_reason(KerasPadding::valid, 2, 1, rows, cols).rfind("Keras 'valid'", 0),
            0u);
}

TEST(Lessons, UnknownNameListsTheChoices) {
  auto l = find_lesson("nope");
  ASSERT_FALSE(l);
  EXPECT_NE(l.error().message.find("vertical-edge"), std::string::npos);
}

TEST(Presets, AllPresetsAreWellFormed) {
  for (const KernelPreset& p : kernel_presets()) {
    SCOPED_TRACE(p.name);
    EXPECT_EQ(static_cast<int>(p.values.size()), p.k_h * p.k_w);
    EXPECT_TRUE(find_kernel_preset(p.name));
  }
  // Blurs keep brightness: their weights sum to 1.
  for (const char* name : {"box-blur", "gaussian-3", "gaussian-5", "identity", "sharpen"}) {
    const auto preset = find_kernel_preset(name);
    ASSERT_TRUE(preset);
    double sum = 0;
    for (double v : preset->values)
      sum += v;
    EXPECT_NEAR(sum, 1.0, 1e-12) << name;
  }
  EXPECT_TRUE(find_kernel_preset("Sobel_X"));
  auto bad = find_kernel_preset("blurry");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("gaussian-5"), std::string::npos);
}

TEST(Tensor, LayoutPermutationsRoundTrip) {
  Tensor x(DType::f64, {2, 3, 4, 5});
  for (int64_t i = 0; i < x.numel(); ++i)
    x.set(i, static_cast<double>(i));
  const Tensor h = nchw_to_nhwc(x);
  EXPECT_EQ(h.shape(), (Shape{2, 4, 5, 3}));
  // x[1, 2, 3, 4] sits at h[1, 3, 4, 2].
  EXPECT_EQ(h.get(((1 * 4 + 3) * 5 + 4) * 3 + 2), x.get(((1 * 3 + 2) * 4 + 3) * 5 + 4));
  const Tensor back = nhwc_to_nchw(h);
  for (int64_t i = 0; i < x.numel(); ++i)
    ASSERT_EQ(back.get(i), x.get(i));
  const Tensor w = oihw_to_hwio(x);
  EXPECT_EQ(w.shape(), (Shape{4, 5, 3, 2}));
  const Tensor w2 = hwio_to_oihw(w);
  for (int64_t i = 0; i < x.numel(); ++i)
    ASSERT_EQ(w2.get(i), x.get(i));
}

}  // namespace
}  // namespace cs
