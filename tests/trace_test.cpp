// TraceView (core/trace.hpp): conv and pooling traces behind one interface. Hand-worked windows
// first (the seed's vertical edge, ceil_mode's last average window, a NaN in max pooling), then
// invariants on random cases against the engine: every tap's running value ends at the value,
// the explanation's lines hold the trace's numbers, and the stepper geometry matches the shape.
#include "core/trace.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <thread>

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

// The reverse mapping against brute force: for every padded row iy around the grid, the output
// rows whose window spans it are exactly oy_covering(iy), and tap_ky(oy, iy) is the ky with
// input_y(oy, ky) == iy or -1 (the same for columns). Random conv geometries (stride, dilation,
// explicit or 'same' padding) and pooling ones (ceil_mode, whose last window may hang past the
// padding).
void expect_reverse_mapping(const WindowGeometry& g, const std::string& where) {
  const auto check_axis = [&](const char* axis, int64_t lo, int64_t hi, int64_t outs, int64_t k,
                              auto origin, auto span, auto covering, auto input_at, auto tap_at) {
    for (int64_t i = lo; i < hi; ++i) {
      int64_t begin = -1, end = -1;
      for (int64_t o = 0; o < outs; ++o) {
        const bool spans = origin(o) <= i && i < origin(o) + span;
        if (spans && begin < 0) begin = o;
        if (spans) end = o + 1;
        int64_t tap = -1;
        for (int64_t t = 0; t < k; ++t)
          if (input_at(o, t) == i) tap = t;
        ASSERT_EQ(tap_at(o, i), tap) << where << " " << axis << " o " << o << " i " << i;
      }
      const OutputRange r = covering(i);
      if (begin < 0) {
        ASSERT_TRUE(r.empty()) << where << " " << axis << " i " << i;
      } else {
        ASSERT_EQ(r, (OutputRange{begin, end})) << where << " " << axis << " i " << i;
      }
    }
  };
  check_axis(
      "y", -g.pad.top - 3, g.in_h + g.pad.bottom + g.span_h() + 3, g.out_h, g.k_h,
      [&](int64_t o) { return g.window_origin_y(o); }, g.span_h(),
      [&](int64_t i) { return g.oy_covering(i); },
      [&](int64_t o, int64_t t) { return g.input_y(o, t); },
      [&](int64_t o, int64_t i) { return g.tap_ky(o, i); });
  check_axis(
      "x", -g.pad.left - 3, g.in_w + g.pad.right + g.span_w() + 3, g.out_w, g.k_w,
      [&](int64_t o) { return g.window_origin_x(o); }, g.span_w(),
      [&](int64_t i) { return g.ox_covering(i); },
      [&](int64_t o, int64_t t) { return g.input_x(o, t); },
      [&](int64_t o, int64_t i) { return g.tap_kx(o, i); });
}

TEST(Trace, ReverseMappingMatchesBruteForce) {
  const unsigned seed = 20260511;
  std::mt19937 rng(seed);
  const auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int conv_cases = 0, pool_cases = 0, ceil_cases = 0;
  for (int round = 0; round < 400; ++round) {
    const std::string where = "seed " + std::to_string(seed) + " round " + std::to_string(round);
    const int64_t in_h = pick(1, 12), in_w = pick(1, 12);
    if (round % 2 == 0) {
      Conv2dParams p;
      p.stride_h = pick(1, 4);
      p.stride_w = pick(1, 4);
      p.dilation_h = pick(1, 3);
      p.dilation_w = pick(1, 3);
      p.padding = pick(0, 3) == 0 ? PaddingSpec::same() : PaddingSpec::pair(pick(0, 3), pick(0, 3));
      if (p.padding.kind == PaddingSpec::Kind::same) p.stride_h = p.stride_w = 1;
      auto g = conv2d_geometry({1, 1, in_h, in_w}, {1, 1, pick(1, 4), pick(1, 4)}, -1, p);
      if (!g) continue;  // a kernel wider than the padded input
      ++conv_cases;
      expect_reverse_mapping(*g, where);
    } else {
      Pool2dParams p;
      p.k_h = pick(1, 4);
      p.k_w = pick(1, 4);
      p.stride_h = pick(1, 4);
      p.stride_w = pick(1, 4);
      p.dilation_h = pick(1, 3);
      p.dilation_w = pick(1, 3);
      p.pad_h = pick(0, p.k_h / 2);
      p.pad_w = pick(0, p.k_w / 2);
      p.ceil_mode = pick(0, 1) == 1;
      auto g = pool2d_geometry({1, 1, in_h, in_w}, p);
      if (!g) continue;
      ++pool_cases;
      ceil_cases += g->ceil_mode;
      expect_reverse_mapping(*g, where);
    }
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(conv_cases, 100);
  EXPECT_GT(pool_cases, 100);
  EXPECT_GT(ceil_cases, 50);
}

// Through the view: tap_reading() finds every tap of a window from its cell, and nothing else;
// windows_covering() holds the window for each of its taps. A grouped, dilated, strided conv
// with 'same'-like asymmetric padding and a ceil_mode max pool.
TEST(Trace, ViewReverseMappingFindsEveryTapOfAWindow) {
  Tensor x(DType::f32, {1, 4, 7, 6});
  Tensor w(DType::f32, {4, 2, 2, 3});
  Conv2dParams cp;
  cp.groups = 2;
  cp.dilation_h = 2;
  cp.stride_w = 2;
  cp.padding = PaddingSpec::pair(1, 2);
  Pool2dParams pp;
  pp.k_h = pp.k_w = 3;
  pp.stride_h = pp.stride_w = 2;
  pp.pad_h = pp.pad_w = 1;
  pp.ceil_mode = true;
  auto conv = trace_conv2d(x, w, nullptr, cp);
  auto pool = trace_pool2d(Tensor(DType::f32, {1, 2, 6, 6}), pp);
  ASSERT_TRUE(conv && pool);
  for (const TraceViewPtr& v : {*conv, *pool}) {
    const TraceShape& s = v->shape();
    for (int64_t i = 0; i < v->window_count(); ++i) {
      const TraceWindow win = v->window(i);
      const std::vector<TraceTap> taps = v->taps(i);
      int64_t found = 0;
      for (int64_t ic = 0; ic < s.c_in; ++ic)
        for (int64_t iy = -s.pad.top - 1; iy < s.grid_h + 1; ++iy)
          for (int64_t ix = -s.pad.left - 1; ix < s.grid_w + 1; ++ix) {
            const int64_t t = v->tap_reading(win, ic, iy, ix);
            if (t < 0) continue;
            ++found;
            const TraceTap& tap = taps[static_cast<std::size_t>(t)];
            ASSERT_EQ(tap.ic, ic) << trace_op_name(v->op()) << " window " << i;
            ASSERT_EQ(tap.iy, iy) << trace_op_name(v->op()) << " window " << i;
            ASSERT_EQ(tap.ix, ix) << trace_op_name(v->op()) << " window " << i;
            const TraceView::OutputRect r = v->windows_covering(iy, ix);
            ASSERT_TRUE(r.oy.contains(win.oy) && r.ox.contains(win.ox));
          }
      ASSERT_EQ(found, v->taps_per_window()) << trace_op_name(v->op()) << " window " << i;
    }
  }
}

// Bitwise equality of two taps' numbers (so that NaN and −0 compare too).
bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

// ConvTrace::taps() replays each channel once; ConvTrace::tap() replays one tap's channel up to
// it. They must agree bit for bit on every tap, in float32 and float64, grouped or not.
TEST(Trace, ConvTapsInOnePassEqualTheTapByTapReplay) {
  const unsigned seed = 20260512;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> val(-2.0, 2.0);
  std::uniform_int_distribution<int> small(1, 3);
  for (int round = 0; round < 20; ++round) {
    const DType dt = round % 2 ? DType::f64 : DType::f32;
    const int groups = small(rng), cpg = small(rng), copg = small(rng), k = small(rng) + 1;
    Tensor x(dt, {2, groups * cpg, 5, 4}), w(dt, {groups * copg, cpg, k, k});
    for (Tensor* t : {&x, &w})
      for (int64_t i = 0; i < t->numel(); ++i)
        t->set(i, val(rng));
    Conv2dParams p;
    p.groups = groups;
    p.padding = PaddingSpec::pair(small(rng) - 1, small(rng));
    p.padding_mode = round % 3 ? PaddingMode::zeros : PaddingMode::reflect;
    auto tr = conv2d_trace(x, w, nullptr, p);
    ASSERT_TRUE(tr.has_value()) << "seed " << seed << " round " << round << ": "
                                << tr.error().message;
    for (int64_t i = 0; i < tr->window_count(); ++i) {
      const std::vector<Tap> all = tr->taps(tr->window(i));
      ASSERT_EQ(static_cast<int64_t>(all.size()), tr->taps_per_window());
      for (int64_t t = 0; t < tr->taps_per_window(); ++t) {
        const Tap a = all[static_cast<std::size_t>(t)], b = tr->tap(i, t);
        const std::string where = "seed " + std::to_string(seed) + " round " +
                                  std::to_string(round) + " window " + std::to_string(i) + " tap " +
                                  std::to_string(t);
        ASSERT_TRUE(a.ic == b.ic && a.ky == b.ky && a.kx == b.kx && a.iy == b.iy && a.ix == b.ix &&
                    a.in_padding == b.in_padding && a.src_y == b.src_y && a.src_x == b.src_x)
            << where;
        ASSERT_TRUE(same_bits(a.x, b.x) && same_bits(a.w, b.w) && same_bits(a.product, b.product) &&
                    same_bits(a.channel_running, b.channel_running) &&
                    same_bits(a.running, b.running))
            << where;
      }
    }
  }
}

// The view keeps its last window: asking for other windows in between, from this thread or from
// two threads at once, always gives each window's own numbers, checked against the engine's
// output and the geometry.
TEST(Trace, ViewsCacheTheirLastWindowSafely) {
  Tensor x(DType::f32, {1, 2, 6, 6}), w(DType::f32, {3, 2, 3, 3});
  for (int64_t i = 0; i < x.numel(); ++i)
    x.set(i, static_cast<double>(i % 7) - 3);
  for (int64_t i = 0; i < w.numel(); ++i)
    w.set(i, static_cast<double>(i % 5) - 2);
  Conv2dParams cp;
  cp.padding = PaddingSpec::symmetric(1);
  Pool2dParams pp;
  pp.op = PoolOp::avg;
  pp.ceil_mode = true;
  pp.k_h = pp.k_w = 3;
  pp.stride_h = pp.stride_w = 2;
  for (const TraceViewPtr& v : {*trace_conv2d(x, w, nullptr, cp), *trace_pool2d(x, pp)}) {
    const TraceShape& s = v->shape();
    const int64_t last = v->taps_per_window() - 1;
    // Window i's own numbers: the engine's output, and its last tap's row from the geometry.
    const auto wrong = [&](int64_t i) {
      const TraceWindow win = v->window(i);
      const int64_t oy = (i / s.out_w) % s.out_h;
      const Explanation e = v->explain(i);
      // conv: partials + bias (the last line); pooling: the reduce line (the first).
      const double explained = (v->is_conv() ? e.lines.back() : e.lines.front()).result;
      return win.index != i || win.value != v->output().get(i) ||
             v->tap(i, last).iy != s.input_y(oy, s.k_h - 1) ||
             v->taps(i).back().iy != s.input_y(oy, s.k_h - 1) || explained != v->output().get(i);
    };
    const auto check = [&](int64_t step, int64_t rounds, int* bad) {
      for (int64_t r = 0; r < rounds; ++r)
        *bad += wrong((r * step) % v->window_count());
    };
    int bad_here = 0, bad_a = 0, bad_b = 0;
    check(5, 200, &bad_here);
    EXPECT_EQ(bad_here, 0) << trace_op_name(v->op());
    std::thread a(check, 3, 4000, &bad_a), b(check, 7, 4000, &bad_b);
    a.join();
    b.join();
    EXPECT_EQ(bad_a + bad_b, 0) << trace_op_name(v->op());
  }
}

}  // namespace
}  // namespace cs
