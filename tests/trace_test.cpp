// TraceView (core/trace.hpp): conv and pooling traces behind one interface. Hand-worked windows
// first (the seed's vertical edge, ceil_mode's last average window, a NaN in max pooling), then
// invariants on random cases against the engine: every tap's running value ends at the value,
// the explanation's lines hold the trace's numbers, and the stepper geometry matches the shape.
#include "core/trace.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "core/lessons.hpp"

namespace cs {
namespace {

TraceViewPtr lesson_trace(const char* name) {
  auto lesson = find_lesson(name);
  EXPECT_TRUE(lesson.has_value());
  auto t = trace_lesson(*lesson);
  EXPECT_TRUE(t.has_value()) << t.error().message;
  return *t;
}

TEST(Trace, ConvWindowOfTheSeedExample) {
  // vertical-edge window 0: x rows [1 2 3] [0 1 2] [3 0 1] · kernel rows [1 0 −1]:
  // 1 − 3 + 0 − 2 + 3 − 1 = −2.
  const TraceViewPtr v = lesson_trace("vertical-edge");
  EXPECT_EQ(v->op(), TraceOp::conv2d);
  EXPECT_EQ(v->taps_per_window(), 9);
  EXPECT_EQ(v->stepper_geometry(), (StepperGeometry{1, 1, 3, 3, 9}));
  const TraceWindow w = v->window(0);
  EXPECT_EQ(w.value, -2.0);
  const std::vector<TraceTap> taps = v->taps(0);
  ASSERT_EQ(taps.size(), 9u);
  EXPECT_EQ(taps[2].x, 3.0);
  EXPECT_EQ(taps[2].w, -1.0);
  EXPECT_EQ(taps[2].product, -3.0);
  EXPECT_EQ(taps[2].running, -2.0);  // 1 + 0 − 3
  EXPECT_EQ(taps.back().running, -2.0);
  const Explanation e = v->explain(0);
  ASSERT_EQ(e.lines.size(), 2u);
  EXPECT_EQ(e.lines[0].kind, ExplainLine::Kind::channel_sum);
  EXPECT_EQ(e.lines[0].terms.size(), 9u);
  EXPECT_EQ(e.lines[0].result, -2.0);
  EXPECT_EQ(e.lines[0].last_tap, 8);
  EXPECT_EQ(e.lines[1].kind, ExplainLine::Kind::total);
  EXPECT_EQ(e.lines[1].result, -2.0);
}

TEST(Trace, AvgPoolCeilModeCountsOnlyTheCellsItReads) {
  // avg-pool-ceil: 5×5 input, 2×2 kernel, stride 2, ceil_mode: out 3×3. Window 2 (y 0, x 2)
  // covers columns 4..5; column 5 is past the input (there is no padding), so PyTorch sums
  // x[0, 4] = 1 and x[1, 4] = 0 and divides by 2.
  const TraceViewPtr v = lesson_trace("avg-pool-ceil");
  EXPECT_EQ(v->op(), TraceOp::avg_pool2d);
  EXPECT_EQ(v->shape().grid_w, 6);  // the last window reaches one column past the input
  const std::vector<TraceTap> taps = v->taps(2);
  ASSERT_EQ(taps.size(), 4u);
  EXPECT_EQ(taps[0].source, TapSource::input);
  EXPECT_EQ(taps[1].source, TapSource::outside);
  EXPECT_EQ(taps[2].source, TapSource::input);
  EXPECT_EQ(taps[3].source, TapSource::outside);
  EXPECT_FALSE(taps[1].counted);
  const Explanation e = v->explain(2);
  ASSERT_EQ(e.lines.size(), 2u);
  const ExplainLine& reduce = e.lines[0];
  ASSERT_EQ(reduce.kind, ExplainLine::Kind::reduce);
  ASSERT_EQ(reduce.terms.size(), 2u);
  EXPECT_EQ(reduce.terms[0].x, 1.0);
  EXPECT_EQ(reduce.terms[1].x, 0.0);
  EXPECT_EQ(reduce.divisor, 2);
  EXPECT_EQ(reduce.result, 0.5);
  EXPECT_NE(e.lines[1].text.find("2 cells past the padding"), std::string::npos) << e.lines[1].text;
}

TEST(Trace, AvgPoolCountsPaddingOnlyWhenAsked) {
  // 3×3 input of ones, kernel 3, stride 1, padding 1: window (0, 0) reads 4 ones and 5 padding
  // cells; count_include_pad divides by 9, excluding it by 4.
  Tensor x(DType::f32, {1, 1, 3, 3});
  for (int64_t i = 0; i < 9; ++i)
    x.set(i, 1.0);
  Pool2dParams p;
  p.op = PoolOp::avg;
  p.k_h = p.k_w = 3;
  p.stride_h = p.stride_w = 1;
  p.pad_h = p.pad_w = 1;
  for (bool include : {true, false}) {
    p.count_include_pad = include;
    auto v = trace_pool2d(x, p);
    ASSERT_TRUE(v.has_value()) << v.error().message;
    const ExplainLine line = (*v)->explain(0).lines[0];
    EXPECT_EQ(line.terms.size(), include ? 9u : 4u);
    EXPECT_EQ(line.divisor, include ? 9 : 4);
    EXPECT_FLOAT_EQ(static_cast<float>(line.result), include ? 4.0f / 9.0f : 1.0f);
  }
}

TEST(Trace, MaxPoolRunningMaximumFollowsTheEngineThroughNaN) {
  // Window [1, NaN, 3, 2]: PyTorch's max takes the NaN and keeps it (NaN wins).
  Tensor x(DType::f32, {1, 1, 2, 2});
  x.set(0, 1.0);
  x.set(1, std::numeric_limits<double>::quiet_NaN());
  x.set(2, 3.0);
  x.set(3, 2.0);
  Pool2dParams p;  // max 2×2
  auto v = trace_pool2d(x, p);
  ASSERT_TRUE(v.has_value());
  const std::vector<TraceTap> taps = (*v)->taps(0);
  EXPECT_EQ(taps[0].best_tap, 0);
  EXPECT_EQ(taps[1].best_tap, 1);
  EXPECT_EQ(taps[2].best_tap, 1) << "3 > NaN is false: the NaN stays the maximum";
  EXPECT_EQ(taps[3].best_tap, 1);
  EXPECT_TRUE(std::isnan(taps[3].running));
  const TraceWindow w = (*v)->window(0);
  EXPECT_EQ(w.argmax_tap, taps[3].best_tap);
  EXPECT_TRUE(std::isnan(w.value));
}

TEST(Trace, MaxPoolPaddingIsNeverTheMaximum) {
  // All-negative input with padding 1: the padding (which max ignores) never wins.
  Tensor x(DType::f64, {1, 1, 2, 2});
  for (int64_t i = 0; i < 4; ++i)
    x.set(i, -1.0 - static_cast<double>(i));
  Pool2dParams p;
  p.k_h = p.k_w = 2;
  p.pad_h = p.pad_w = 1;
  auto v = trace_pool2d(x, p);
  ASSERT_TRUE(v.has_value());
  const std::vector<TraceTap> taps = (*v)->taps(0);  // padding, padding, padding, x[0, 0]
  EXPECT_EQ(taps[0].source, TapSource::padding);
  EXPECT_EQ(taps[0].best_tap, -1);
  EXPECT_EQ(taps[3].best_tap, 3);
  EXPECT_EQ(taps[3].running, -1.0);
  EXPECT_EQ((*v)->explain(0).lines[0].terms.size(), 1u);
}

// Random conv cases: the view's numbers are the engine's, line by line.
TEST(Trace, RandomConvExplanationsHoldTheTraceNumbers) {
  const unsigned seed = 20261202;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> small(1, 3), val(-4, 4);
  for (int round = 0; round < 30; ++round) {
    const int groups = small(rng), cpg = small(rng), copg = small(rng), k = small(rng);
    Tensor x(DType::f32, {1, groups * cpg, 5, 6});
    Tensor w(DType::f32, {groups * copg, cpg, k, k});
    Tensor b(DType::f32, {groups * copg});
    for (Tensor* t : {&x, &w, &b})
      for (int64_t i = 0; i < t->numel(); ++i)
        t->set(i, val(rng));
    Conv2dParams p;
    p.groups = groups;
    p.padding = PaddingSpec::symmetric(small(rng) - 1);
    p.stride_h = small(rng);
    p.dilation_w = small(rng);
    auto v = trace_conv2d(x, w, &b, p);
    ASSERT_TRUE(v.has_value()) << "seed " << seed << " round " << round << ": "
                               << v.error().message;
    for (int64_t i = 0; i < (*v)->window_count(); ++i) {
      const TraceWindow win = (*v)->window(i);
      const Explanation e = (*v)->explain(i);
      ASSERT_EQ(e.lines.size(), static_cast<std::size_t>(cpg + 1));
      for (int c = 0; c < cpg; ++c)
        EXPECT_EQ(e.lines[static_cast<std::size_t>(c)].result,
                  win.partials[static_cast<std::size_t>(c)]);
      EXPECT_EQ(e.lines.back().result, win.value);
      EXPECT_EQ(win.value, (*v)->output_value(win.n, win.oc, win.oy, win.ox));
      const TraceTap last = (*v)->tap(i, (*v)->taps_per_window() - 1);
      EXPECT_FLOAT_EQ(static_cast<float>(last.running + win.bias), static_cast<float>(win.value))
          << "seed " << seed << " round " << round << " window " << i;
    }
  }
}

}  // namespace
}  // namespace cs
