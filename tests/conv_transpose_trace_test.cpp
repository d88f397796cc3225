// ConvTransposeTraceView (core/conv_transpose_trace.hpp): the gather reading's windows and taps
// and the scatter reading's stamps, hand-worked first, then on random cases (replayable with
// CONVSCOPE_SEED): the gather sum, the scatter sum and the engine's output are the same bits.
#include "core/conv_transpose_trace.hpp"

#include <gtest/gtest.h>

#include <random>

#include "test_util.hpp"

namespace cs {
namespace {

Tensor f32(Shape shape, std::initializer_list<double> v) {
  return Tensor::from_values(DType::f32, std::move(shape), v);
}

std::shared_ptr<const ConvTransposeTraceView> traced(const Tensor& x, const Tensor& w,
                                                     const Tensor* b,
                                                     const ConvTranspose2dParams& p) {
  auto t = trace_conv_transpose2d(x, w, b, p);
  EXPECT_TRUE(t.has_value()) << t.error().message;
  if (!t) return nullptr;
  return std::dynamic_pointer_cast<const ConvTransposeTraceView>(*t);
}

ConvTranspose2dParams stride2() {
  ConvTranspose2dParams p;
  p.stride_h = p.stride_w = 2;
  return p;
}

TEST(ConvTransposeTrace, GatherWindowsReadTheStuffedInput) {
  // x = [[1, 2], [3, 4]], k = [[1, 2], [3, 4]], stride 2: out 4×4. The gather reading: the
  // stuffed input [[1, 0, 2], [0, 0, 0], [3, 0, 4]] padded by 1·(2 − 1) − 0 = 1 on each side,
  // under the kernel rotated 180°, [[4, 3], [2, 1]], with stride 1.
  const auto v =
      traced(f32({1, 1, 2, 2}, {1, 2, 3, 4}), f32({1, 1, 2, 2}, {1, 2, 3, 4}), nullptr, stride2());
  ASSERT_TRUE(v);
  EXPECT_EQ(v->op(), TraceOp::conv_transpose2d);
  EXPECT_STREQ(trace_op_name(v->op()), "conv_transpose2d");
  EXPECT_TRUE(v->has_weights());
  EXPECT_FALSE(v->is_conv());
  EXPECT_STREQ(v->channel_letter(), "o");
  const TraceShape& s = v->shape();
  EXPECT_EQ(s.in_h, 3);
  EXPECT_EQ(s.stride_h, 1);
  EXPECT_EQ(s.up_h, 2);
  EXPECT_EQ(s.pad.top, 1);
  EXPECT_EQ(s.pad.bottom, 1);
  EXPECT_EQ(s.grid_h, 5);  // the padded stuffed input: 1 + 3 + 1
  EXPECT_EQ(v->stepper_geometry(), (StepperGeometry{1, 1, 4, 4, 4}));
  EXPECT_EQ(v->weight()->get(0), 4.0);  // rotated: w'[0, 0] = k[1, 1]
  EXPECT_EQ(v->weight()->get(3), 1.0);
  EXPECT_EQ(v->layer_weight().get(0), 1.0);

  // Window (1, 1): origin (0, 0); x[0, 0]·k[1, 1] = 1·4 = 4, the other three taps read
  // stuffed zeros.
  const int64_t w11 = s.window_index(0, 0, 1, 1);
  const TraceWindow win = v->window(w11);
  EXPECT_EQ(win.origin_y, 0);
  EXPECT_EQ(win.value, 4.0);
  std::vector<TraceTap> taps = v->taps(w11);
  ASSERT_EQ(taps.size(), 4u);
  EXPECT_EQ(taps[0].source, TapSource::input);
  EXPECT_EQ(taps[0].src_y, 0);
  EXPECT_EQ(taps[0].x, 1.0);
  EXPECT_EQ(taps[0].w, 4.0);
  EXPECT_EQ(taps[0].product, 4.0);
  for (int k = 1; k < 4; ++k) {
    EXPECT_EQ(taps[static_cast<std::size_t>(k)].source, TapSource::stuffed);
    EXPECT_EQ(taps[static_cast<std::size_t>(k)].product, 0.0);
    EXPECT_FALSE(taps[static_cast<std::size_t>(k)].counted);
    EXPECT_EQ(taps[static_cast<std::size_t>(k)].running, 4.0);
  }
  // Window (2, 3): origin (1, 2): stuffed (2, 2) is x[1, 1] = 4 under w'[1, 0] = k[0, 1] = 2;
  // column 3 is padding.
  taps = v->taps(s.window_index(0, 0, 2, 3));
  EXPECT_EQ(taps[0].source, TapSource::stuffed);
  EXPECT_EQ(taps[1].source, TapSource::padding);
  EXPECT_EQ(taps[2].source, TapSource::input);
  EXPECT_EQ(taps[2].product, 8.0);
  EXPECT_EQ(taps[3].source, TapSource::padding);
  EXPECT_EQ(v->padded_value(0, 0, 2, 2), 4.0);
  EXPECT_EQ(v->padded_value(0, 0, 1, 2), 0.0);
  EXPECT_EQ(v->padded_value(0, 0, -1, 0), 0.0);
}

TEST(ConvTransposeTrace, ScatterStampsAndTheirCrop) {
  // x[0, 1] = 2 stamps 2·k at rows 0..1, columns 2..3 (stride 2): amounts 2, 4, 6, 8.
  const auto v =
      traced(f32({1, 1, 2, 2}, {1, 2, 3, 4}), f32({1, 1, 2, 2}, {1, 2, 3, 4}), nullptr, stride2());
  ASSERT_TRUE(v);
  const std::vector<TraceStamp> st = v->stamps(0, 0, 0, 1);
  ASSERT_EQ(st.size(), 4u);
  const double amounts[] = {2, 4, 6, 8};
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(st[k].oy, static_cast<int64_t>(k / 2));
    EXPECT_EQ(st[k].ox, static_cast<int64_t>(2 + k % 2));
    EXPECT_TRUE(st[k].inside);
    EXPECT_EQ(st[k].amount, amounts[k]);
  }
  // With padding 1 the border is cropped: x[0, 0]'s stamp keeps only tap (1, 1) at (0, 0).
  ConvTranspose2dParams p = stride2();
  p.pad_h = p.pad_w = 1;
  const auto cropped =
      traced(f32({1, 1, 2, 2}, {1, 2, 3, 4}), f32({1, 1, 2, 2}, {1, 2, 3, 4}), nullptr, p);
  ASSERT_TRUE(cropped);
  const std::vector<TraceStamp> c = cropped->stamps(0, 0, 0, 0);
  ASSERT_EQ(c.size(), 4u);
  EXPECT_FALSE(c[0].inside);
  EXPECT_EQ(c[0].oy, -1);
  EXPECT_FALSE(c[1].inside);
  EXPECT_FALSE(c[2].inside);
  EXPECT_TRUE(c[3].inside);
  EXPECT_EQ(c[3].oy, 0);
  EXPECT_EQ(c[3].amount, 4.0);
}

TEST(ConvTransposeTrace, ExplanationReadsBothWays) {
  // Window (1, 1) of the stride-2 example: one product 1·4 = 4, then the scatter note names
  // input cell (0, 0) and the layer's tap (1, 1), then 4 + bias 0.5 = 4.5.
  const Tensor bias = f32({1}, {0.5});
  const auto v =
      traced(f32({1, 1, 2, 2}, {1, 2, 3, 4}), f32({1, 1, 2, 2}, {1, 2, 3, 4}), &bias, stride2());
  ASSERT_TRUE(v);
  const Explanation e = v->explain(v->shape().window_index(0, 0, 1, 1));
  ASSERT_EQ(e.lines.size(), 3u);
  EXPECT_EQ(e.lines[0].kind, ExplainLine::Kind::channel_sum);
  ASSERT_EQ(e.lines[0].terms.size(), 4u);
  EXPECT_EQ(e.lines[0].terms[1].source, TapSource::stuffed);
  EXPECT_EQ(e.lines[0].result, 4.0);
  EXPECT_EQ(e.lines[1].kind, ExplainLine::Kind::note);
  EXPECT_EQ(e.lines[1].text,
            "Scatter reading: 1 stamp lands here from channel 0: input cells (0, 0) (y, x) with "
            "the layer's kernel taps (1, 1) (ky, kx); stuffed zeros and padding add nothing.");
  EXPECT_EQ(e.lines[2].kind, ExplainLine::Kind::total);
  EXPECT_EQ(e.lines[2].result, 4.5);
  EXPECT_NE(v->settings_line().find("output_padding 0,0"), std::string::npos);
  EXPECT_NE(v->formula().find("= 4\n"), std::string::npos) << v->formula();
}

// The scatter reading summed in the documented order, in the dtype T: per (output, input
// channel) a partial over the stamps that land there (input cells in row-major order), then the
// partials from 0, then the bias.
template <class T>
std::vector<double> scatter_sum(const ConvTransposeTraceView& v) {
  const ConvTransposeGeometry& g = v.geometry();
  const int64_t plane = g.out_h * g.out_w;
  std::vector<T> partial(static_cast<std::size_t>(g.n * g.c_out * g.c_in_per_group * plane), 0);
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t ic = 0; ic < g.c_in; ++ic)
      for (int64_t iy = 0; iy < g.in_h; ++iy)
        for (int64_t ix = 0; ix < g.in_w; ++ix)
          for (const TraceStamp& st : v.stamps(n, ic, iy, ix)) {
            if (!st.inside) continue;
            const int64_t icg = ic % g.c_in_per_group;
            T& p = partial[static_cast<std::size_t>(
                ((n * g.c_out + st.oc) * g.c_in_per_group + icg) * plane + st.oy * g.out_w +
                st.ox)];
            p = p + static_cast<T>(st.amount);
          }
  std::vector<double> out;
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t oc = 0; oc < g.c_out; ++oc)
      for (int64_t i = 0; i < plane; ++i) {
        T acc = 0;
        for (int64_t icg = 0; icg < g.c_in_per_group; ++icg)
          acc = acc + partial[static_cast<std::size_t>(
                          ((n * g.c_out + oc) * g.c_in_per_group + icg) * plane + i)];
        out.push_back(v.bias() ? static_cast<T>(acc + static_cast<T>(v.bias()->get(oc))) : acc);
      }
  return out;
}

void check_case(const ConvTransposeTraceView& v) {
  const std::vector<double> scatter =
      v.dtype() == DType::f32 ? scatter_sum<float>(v) : scatter_sum<double>(v);
  ASSERT_EQ(static_cast<int64_t>(scatter.size()), v.window_count());
  const TraceShape& s = v.shape();
  for (int64_t i = 0; i < v.window_count(); ++i) {
    const TraceWindow w = v.window(i);
    const std::vector<TraceTap> taps = v.taps(i);
    ASSERT_EQ(static_cast<int64_t>(taps.size()), v.taps_per_window());
    // Gather: the last tap's running sum, plus the bias, is the engine's value, bit for bit.
    const double gather =
        w.has_bias ? (v.dtype() == DType::f32 ? double(float(taps.back().running) + float(w.bias))
                                              : taps.back().running + w.bias)
                   : taps.back().running;
    ASSERT_EQ(gather, w.value) << "window " << i;
    ASSERT_EQ(scatter[static_cast<std::size_t>(i)], w.value) << "window " << i;
    ASSERT_EQ(w.value, v.output().get(i));
    for (const TraceTap& t : taps) {
      ASSERT_EQ(v.padded_value(w.n, t.ic, t.iy, t.ix), t.x);
      ASSERT_EQ(t.source == TapSource::input, !v.in_padding(t.iy, t.ix) && !s.stuffed(t.iy, t.ix));
    }
    // Each channel's line ends at its partial; the total line at the value.
    const Explanation e = v.explain(i);
    ASSERT_EQ(e.lines.back().result, w.value);
  }
}

TEST(ConvTransposeTraceRandom, GatherSumEqualsScatterSumEqualsTheEngine) {
  const uint64_t seed = test::test_seed() + 11;
  std::mt19937_64 rng(seed);
  auto u = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int i = 0; i < 120; ++i) {
    SCOPED_TRACE("replay with CONVSCOPE_SEED=" + std::to_string(seed - 11) + ", case " +
                 std::to_string(i));
    ConvTranspose2dParams p;
    p.groups = u(1, 2);
    p.stride_h = u(1, 3);
    p.stride_w = u(1, 3);
    p.dilation_h = u(1, 2);
    p.dilation_w = u(1, 2);
    p.pad_h = u(0, 3);
    p.pad_w = u(0, 3);
    p.output_padding_h = u(0, std::max(p.stride_h, p.dilation_h) - 1);
    p.output_padding_w = u(0, std::max(p.stride_w, p.dilation_w) - 1);
    p.layout = u(0, 3) == 0 ? Layout::nhwc : Layout::nchw;
    const Shape xs{u(1, 2), p.groups * u(1, 2), u(1, 5), u(1, 5)};
    const Shape ws{xs[1], u(1, 2), u(1, 3), u(1, 3)};
    const int64_t c_out = ws[1] * p.groups;
    if (!conv_transpose2d_geometry(xs, ws, c_out, p)) {
      --i;
      continue;
    }
    const DType dt = i % 2 ? DType::f64 : DType::f32;
    Tensor x = test::random_tensor(rng, dt, xs, false);
    Tensor w = test::random_tensor(rng, dt, ws, false);
    const Tensor b = test::random_tensor(rng, dt, {c_out}, false);
    const bool with_bias = u(0, 1) == 1;
    const bool nhwc = p.layout == Layout::nhwc;
    auto t = trace_conv_transpose2d(nhwc ? nchw_to_nhwc(x) : x,
                                    nhwc ? torch_to_keras_transpose_kernel(w) : w,
                                    with_bias ? &b : nullptr, p);
    ASSERT_TRUE(t.has_value()) << t.error().message;
    const auto& v = static_cast<const ConvTransposeTraceView&>(**t);
    EXPECT_TRUE(v.input().identical(x));
    EXPECT_TRUE(v.layer_weight().identical(w));
    ConvTranspose2dParams pn = p;
    pn.layout = Layout::nchw;
    auto engine = conv_transpose2d_reference(x, w, with_bias ? &b : nullptr, pn);
    ASSERT_TRUE(engine.has_value());
    EXPECT_TRUE(v.output().identical(*engine));
    EXPECT_TRUE(v.output_in_layout().identical(nhwc ? nchw_to_nhwc(*engine) : *engine));
    check_case(v);
  }
}

}  // namespace
}  // namespace cs
