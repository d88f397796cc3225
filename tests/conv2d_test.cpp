// conv2d: the seed notebooks' worked numbers, randomized cases against a naive loop over every
// option, NHWC/NCHW agreement, kernel flipping, and the trace's invariants.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "core/conv2d.hpp"
#include "core/geometry.hpp"
#include "core/lessons.hpp"
#include "test_util.hpp"

namespace cs {
namespace {

using test::values;

// The PyTorch seed: 5×5 grayscale, vertical-edge kernel, no padding.
// Window (0,0): rows [1 2 3],[0 1 2],[3 0 1] · [1 0 −1] = (1−3) + (0−2) + (3−1) = −2.
TEST(Conv2dSeeds, VerticalEdge5x5) {
  const Lesson l = *find_lesson("vertical-edge");
  using Fn = std::function<Result<Tensor>(const Tensor&, const Tensor&, const Tensor*,
                                          const Conv2dParams&)>;
  const Fn fast = [](const Tensor& x, const Tensor& w, const Tensor* b, const Conv2dParams& p) {
    return conv2d(x, w, b, p);
  };
  for (const Fn& run : {fast, Fn(conv2d_reference)}) {
    auto y = run(l.input, l.weight, &*l.bias, l.conv);
    ASSERT_TRUE(y) << y.error().message;
    EXPECT_EQ(y->shape(), (Shape{1, 1, 3, 3}));
    EXPECT_EQ(values(*y), (std::vector<double>{-2, -2, 4, -3, -2, 3, 0, -2, 1}));
  }
}

// RGB 3×3 with 2 and 3 filters: partials R = (1−3)+(4−6)+(7−9) = −6, G = 8+5+2 = 15,
// B = 1+1 = 2; 11 in all. Filter 1 gives 1, filter 2 gives 26.
TEST(Conv2dSeeds, Rgb3x3PartialSums) {
  const Lesson two = *find_lesson("rgb-2-filters");
  auto y2 = conv2d(two.input, two.weight, &*two.bias, two.conv);
  ASSERT_TRUE(y2);
  EXPECT_EQ(values(*y2), (std::vector<double>{11, 1}));

  const Lesson three = *find_lesson("rgb-3-filters");
  auto tr = conv2d_trace(three.input, three.weight, &*three.bias, three.conv);
  ASSERT_TRUE(tr) << tr.error().message;
  EXPECT_EQ(values(tr->output()), (std::vector<double>{11, 1, 26}));
  const Window w0 = tr->window(0);
  EXPECT_EQ(w0.partials, (std::vector<double>{-6, 15, 2}));
  EXPECT_EQ(w0.value, 11);
  EXPECT_EQ(w0.origin_y, 0);
  EXPECT_EQ(w0.origin_x, 0);
}

TEST(Conv2dSeeds, PaddingOneKeepsFiveByFive) {
  const Lesson l = *find_lesson("padding-1");
  auto y = conv2d(l.input, l.weight, &*l.bias, l.conv);
  ASSERT_TRUE(y);
  EXPECT_EQ(y->shape(), (Shape{1, 1, 5, 5}));
  // Values printed by torch.nn.functional.conv2d(x, w, padding=1) on the seed input.
  EXPECT_EQ(values(*y), (std::vector<double>{-3, -4, 0,  4, 3,  -3, -2, -2, 4,  5, -3, -3, -2,
                                             3,  5,  -3, 0, -2, 1,  5,  -3, -2, 0, 1,  3}));
}

// Keras: NHWC 1×4×4×3 with a 2×2×3×2 HWIO kernel gives 1×3×3×2 (values from PyTorch on the
// permuted tensors).
TEST(Conv2dSeeds, KerasNhwc) {
  const Lesson l = *find_lesson("keras-conv");
  auto y = conv2d(l.input, l.weight, nullptr, l.conv);
  ASSERT_TRUE(y) << y.error().message;
  EXPECT_EQ(y->shape(), (Shape{1, 3, 3, 2}));
  EXPECT_EQ(values(*y),
            (std::vector<double>{6, 0, 4, 3, 7, 0, 1, 2, 4, 2, 3, 1, 5, 2, 5, 1, 1, 4}));
  // The same numbers through the NCHW path.
  Conv2dParams p = l.conv;
  p.layout = Layout::nchw;
  auto y2 = conv2d(nhwc_to_nchw(l.input), hwio_to_oihw(l.weight), nullptr, p);
  ASSERT_TRUE(y2);
  EXPECT_EQ(values(nchw_to_nhwc(*y2)), values(*y));
}

// SciPy's convolve(a, laplacian, mode='same') is a true convolution: flip, then correlate.
TEST(Conv2dSeeds, ScipyLaplacianSame) {
  const Lesson l = *find_lesson("scipy-laplacian");
  const Tensor flipped = flip_kernel(l.weight, l.conv.layout);
  auto y = conv2d(l.input, flipped, nullptr, l.conv);
  ASSERT_TRUE(y);
  EXPECT_EQ(values(*y), (std::vector<double>{2, 1, -4, -3, 0, -7, -16, -11, -22}));
}

TEST(Conv2d, FlipKernelRotates180) {
  const Tensor k = Tensor::from_values(DType::f32, {1, 1, 2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(values(flip_kernel(k, Layout::nchw)), (std::vector<double>{6, 5, 4, 3, 2, 1}));
  // HWIO: [KH=2, KW=2, I=1, O=2]
  const Tensor h = Tensor::from_values(DType::f64, {2, 2, 1, 2}, {1, 10, 2, 20, 3, 30, 4, 40});
  EXPECT_EQ(values(flip_kernel(h, Layout::nhwc)),
            (std::vector<double>{4, 40, 3, 30, 2, 20, 1, 10}));
  // Flipping twice is the identity.
  EXPECT_EQ(values(flip_kernel(flip_kernel(k, Layout::nchw), Layout::nchw)), values(k));
}

// A (non-symmetric) true convolution against scipy.signal.convolve2d(a, k, mode='valid'):
// a = [[1,2,3],[4,5,6],[7,8,9]], k = [[1,2],[3,4]] gives [[23,33],[53,63]].
TEST(Conv2d, TrueConvolutionMatchesScipy) {
  const Tensor a = Tensor::from_values(DType::f64, {1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const Tensor k = Tensor::from_values(DType::f64, {1, 1, 2, 2}, {1, 2, 3, 4});
  auto y = conv2d(a, flip_kernel(k, Layout::nchw), nullptr, {});
  ASSERT_TRUE(y);
  EXPECT_EQ(values(*y), (std::vector<double>{23, 33, 53, 63}));
}

// padding 'full' (dilation·(k − 1) on every side) with a flipped kernel is
// scipy.signal.convolve2d(a, k, mode='full'). The Laplacian on 1..9, 5×5: the corner is 0 (only
// the kernel's zero corner overlaps), the top edge row a's first row shifted right by one,
// [0, 1, 2, 3, 0], the centre the 'same' result. With k = [[1, 2], [0, 0]] (rotated: [[0, 0],
// [2, 1]]) each output row n is a's row n convolved with [1, 2]: [1, 4, 7, 6], [4, 13, 16, 12],
// [7, 22, 25, 18], and a last row of zeros from k's zero row.
TEST(Conv2d, FullPaddingWithFlipIsScipysFull) {
  const Tensor a = Tensor::from_values(DType::f64, {1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const Tensor lap = Tensor::from_values(DType::f64, {1, 1, 3, 3}, {0, 1, 0, 1, -4, 1, 0, 1, 0});
  Conv2dParams full;
  full.padding = PaddingSpec::full();
  auto y = conv2d(a, flip_kernel(lap, Layout::nchw), nullptr, full);
  ASSERT_TRUE(y) << y.error().message;
  EXPECT_EQ(y->shape(), (Shape{1, 1, 5, 5}));
  EXPECT_EQ(values(*y), (std::vector<double>{0,  1, 2, 3,   0,   1,   2, 1, -4, 3, 4, -3, 0,
                                             -7, 6, 7, -16, -11, -22, 9, 0, 7,  8, 9, 0}));
  const Tensor k = Tensor::from_values(DType::f64, {1, 1, 2, 2}, {1, 2, 0, 0});
  auto y2 = conv2d_reference(a, flip_kernel(k, Layout::nchw), nullptr, full);
  ASSERT_TRUE(y2);
  EXPECT_EQ(values(*y2),
            (std::vector<double>{1, 4, 7, 6, 4, 13, 16, 12, 7, 22, 25, 18, 0, 0, 0, 0}));
  // dilation 2, 2×3 kernel: 2·(2 − 1) = 2 rows and 2·(3 − 1) = 4 columns on every side.
  full.dilation_h = full.dilation_w = 2;
  auto g = conv2d_geometry({1, 1, 3, 3}, {1, 1, 2, 3}, -1, full);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->pad.top, 2);
  EXPECT_EQ(g->pad.bottom, 2);
  EXPECT_EQ(g->pad.left, 4);
  EXPECT_EQ(g->pad.right, 4);
  EXPECT_EQ(g->out_h, 5);  // 3 + 2·2 − 3 + 1
  EXPECT_EQ(g->out_w, 7);  // 3 + 2·4 − 5 + 1
}

// PyTorch's uneven 'same': a 4-wide kernel needs 3 columns, 1 left and 2 right.
TEST(Conv2d, SameUnevenPutsExtraBottomRight) {
  Conv2dParams p;
  p.padding = PaddingSpec::same();
  auto g = conv2d_geometry({1, 1, 6, 6}, {1, 1, 4, 2}, -1, p);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->pad.top, 1);
  EXPECT_EQ(g->pad.bottom, 2);
  EXPECT_EQ(g->pad.left, 0);
  EXPECT_EQ(g->pad.right, 1);
  EXPECT_EQ(g->out_h, 6);
  EXPECT_EQ(g->out_w, 6);
  // dilation 3 with k=2: span 4, again 1 + 2.
  p.dilation_w = 3;
  auto g2 = conv2d_geometry({1, 1, 6, 6}, {1, 1, 3, 2}, -1, p);
  ASSERT_TRUE(g2);
  EXPECT_EQ(g2->pad.left, 1);
  EXPECT_EQ(g2->pad.right, 2);
}

struct RandomCase {
  int64_t n, c_in, h, w, c_out, kh, kw;
  int sh, sw, dh, dw, groups;
  PaddingSpec pad;
  PaddingMode mode;
  bool bias;
  DType dtype;
  Layout layout;
};

std::string describe(const RandomCase& c) {
  return "x " + shape_to_string({c.n, c.c_in, c.h, c.w}) + " w " +
         shape_to_string({c.c_out, c.c_in / c.groups, c.kh, c.kw}) + " stride " +
         std::to_string(c.sh) + "," + std::to_string(c.sw) + " dilation " + std::to_string(c.dh) +
         "," + std::to_string(c.dw) + " groups " + std::to_string(c.groups) + " padding " +
         padding_spec_to_string(c.pad) + " mode " + padding_mode_name(c.mode) + " bias " +
         (c.bias ? "yes" : "no") + " " + dtype_name(c.dtype) + " " + layout_name(c.layout);
}

// The case's options in NCHW (the layout is set where the operands are permuted).
Conv2dParams params_of(const RandomCase& c) {
  Conv2dParams p;
  p.stride_h = c.sh;
  p.stride_w = c.sw;
  p.dilation_h = c.dh;
  p.dilation_w = c.dw;
  p.groups = c.groups;
  p.padding = c.pad;
  p.padding_mode = c.mode;
  return p;
}

RandomCase random_case(std::mt19937_64& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (;;) {
    RandomCase c{};
    c.groups = pick(1, 3);
    c.c_in = c.groups * pick(1, 3);
    c.c_out = c.groups * pick(1, 3);
    c.n = pick(1, 2);
    c.h = pick(1, 9);
    c.w = pick(1, 9);
    c.kh = pick(1, 4);
    c.kw = pick(1, 4);
    c.sh = pick(1, 3);
    c.sw = pick(1, 3);
    c.dh = pick(1, 3);
    c.dw = pick(1, 3);
    c.mode = static_cast<PaddingMode>(pick(0, 3));
    c.bias = pick(0, 1) == 1;
    c.dtype = pick(0, 1) ? DType::f64 : DType::f32;
    c.layout = pick(0, 3) == 0 ? Layout::nhwc : Layout::nchw;
    const int kind = pick(0, 4);
    if (kind == 0) {
      c.pad = PaddingSpec::valid();
    } else if (kind == 1) {
      c.pad = PaddingSpec::same();
      c.sh = c.sw = 1;
    } else {
      c.pad = PaddingSpec::pair(pick(0, 3), pick(0, 3));
    }
    Conv2dParams p = params_of(c);
    if (conv2d_geometry({c.n, c.c_in, c.h, c.w}, {c.c_out, c.c_in / c.groups, c.kh, c.kw},
                        c.bias ? c.c_out : -1, p)) {
      return c;
    }
  }
}

// Every option at random against the naive loop; the fast path, the reference and the trace.
TEST(Conv2dRandom, MatchesNaiveLoopOnEveryOption) {
  const uint64_t seed = test::test_seed();
  std::mt19937_64 rng(seed);
  for (int iter = 0; iter < 400; ++iter) {
    const RandomCase c = random_case(rng);
    SCOPED_TRACE("replay with CONVSCOPE_SEED=" + std::to_string(seed) + ", case " +
                 std::to_string(iter) + ": " + describe(c));
    const bool ints = iter % 2 == 0;  // integer values make every sum exact
    Tensor x = test::random_tensor(rng, c.dtype, {c.n, c.c_in, c.h, c.w}, ints);
    Tensor w = test::random_tensor(rng, c.dtype, {c.c_out, c.c_in / c.groups, c.kh, c.kw}, ints);
    Tensor b = test::random_tensor(rng, c.dtype, {c.c_out}, ints);
    Conv2dParams p = params_of(c);
    auto g = conv2d_geometry(x.shape(), w.shape(), c.bias ? c.c_out : -1, p);
    ASSERT_TRUE(g);
    const Tensor expect =
        test::naive_conv2d(x, w, c.bias ? &b : nullptr, c.sh, c.sw, c.dh, c.dw, c.groups,
                           {g->pad.top, g->pad.bottom, g->pad.left, g->pad.right}, c.mode);
    p.layout = c.layout;
    const Tensor xl = c.layout == Layout::nhwc ? nchw_to_nhwc(x) : x;
    const Tensor wl = c.layout == Layout::nhwc ? oihw_to_hwio(w) : w;
    const Tensor* bp = c.bias ? &b : nullptr;
    auto fast = conv2d(xl, wl, bp, p, {2});
    auto ref = conv2d_reference(xl, wl, bp, p);
    auto tr = conv2d_trace(xl, wl, bp, p);
    ASSERT_TRUE(fast) << fast.error().message;
    ASSERT_TRUE(ref) << ref.error().message;
    ASSERT_TRUE(tr) << tr.error().message;
    EXPECT_EQ(fast->dtype(), c.dtype);
    const Tensor fast_nchw = c.layout == Layout::nhwc ? nhwc_to_nchw(*fast) : *fast;
    const Tensor ref_nchw = c.layout == Layout::nhwc ? nhwc_to_nchw(*ref) : *ref;
    ASSERT_EQ(fast_nchw.shape(), expect.shape());
    ASSERT_EQ(tr->output().shape(), expect.shape());
    const double tol = c.dtype == DType::f32 ? 1e-5 : 1e-12;
    for (int64_t i = 0; i < expect.numel(); ++i) {
      const double e = expect.get(i);
      const double scale = 1.0 + std::fabs(e) + c.c_in * c.kh * c.kw;
      ASSERT_NEAR(fast_nchw.get(i), e, tol * scale)
          << "fast path at " << test::nchw_index(expect.shape(), i);
      ASSERT_NEAR(ref_nchw.get(i), e, tol * scale)
          << "reference at " << test::nchw_index(expect.shape(), i);
      // The trace sums in the reference's order: bit for bit the same.
      ASSERT_EQ(tr->output().get(i), ref_nchw.get(i))
          << "trace at " << test::nchw_index(expect.shape(), i);
    }
  }
}

// Trace invariants on random cases: one window per output in NCHW order; the origin follows
// the index formula; (0 + p0 + p1 + …) + bias == value exactly; replaying the taps lands on the
// partials and the value bit for bit; padding taps read the padding value.
TEST(Conv2dTrace, Invariants) {
  const uint64_t seed = test::test_seed() + 1;
  std::mt19937_64 rng(seed);
  for (int iter = 0; iter < 120; ++iter) {
    const RandomCase c = random_case(rng);
    SCOPED_TRACE("replay with CONVSCOPE_SEED=" + std::to_string(seed - 1) + ", case " +
                 std::to_string(iter) + ": " + describe(c));
    Tensor x = test::random_tensor(rng, c.dtype, {c.n, c.c_in, c.h, c.w}, false);
    Tensor w = test::random_tensor(rng, c.dtype, {c.c_out, c.c_in / c.groups, c.kh, c.kw}, false);
    Tensor b = test::random_tensor(rng, c.dtype, {c.c_out}, false);
    Conv2dParams p = params_of(c);
    auto tr = conv2d_trace(x, w, c.bias ? &b : nullptr, p);
    ASSERT_TRUE(tr) << tr.error().message;
    const ConvGeometry& g = tr->geometry();
    ASSERT_EQ(tr->window_count(), g.n * g.c_out * g.out_h * g.out_w);
    ASSERT_EQ(tr->taps_per_window(), g.c_in_per_group * g.k_h * g.k_w);
    for (int64_t i = 0; i < tr->window_count(); ++i) {
      const Window win = tr->window(i);
      ASSERT_EQ(tr->window_index(win.n, win.oc, win.oy, win.ox), i);
      ASSERT_EQ(win.origin_y, win.oy * g.stride_h - g.pad.top);
      ASSERT_EQ(win.origin_x, win.ox * g.stride_w - g.pad.left);
      ASSERT_EQ(static_cast<int64_t>(win.partials.size()), g.c_in_per_group);
      double acc = 0;
      if (c.dtype == DType::f32) {
        float a = 0;
        for (double pv : win.partials)
          a = a + static_cast<float>(pv);
        a = a + static_cast<float>(win.bias);
        acc = a;
      } else {
        for (double pv : win.partials)
          acc = acc + pv;
        acc = acc + win.bias;
      }
      ASSERT_EQ(acc, win.value) << "window " << i;
      ASSERT_EQ(win.value, tr->output().get(i));
      // Replay: the last tap of each channel equals its partial; the last tap overall plus the
      // bias equals the value.
      const int64_t per = g.k_h * g.k_w;
      for (int64_t t = 0; t < tr->taps_per_window(); ++t) {
        const Tap tap = tr->tap(i, t);
        const int64_t ky = (t % per) / g.k_w, kx = t % g.k_w;
        ASSERT_EQ(tap.ky, ky);
        ASSERT_EQ(tap.kx, kx);
        ASSERT_EQ(tap.iy, win.origin_y + ky * g.dilation_h);
        ASSERT_EQ(tap.ix, win.origin_x + kx * g.dilation_w);
        const bool outside = tap.iy < 0 || tap.iy >= g.in_h || tap.ix < 0 || tap.ix >= g.in_w;
        ASSERT_EQ(tap.in_padding, outside);
        ASSERT_EQ(tap.x, test::naive_read(x, win.n, tap.ic, tap.iy, tap.ix, c.mode));
        if (c.mode == PaddingMode::zeros && outside) {
          ASSERT_EQ(tap.x, 0.0);
        }
        ASSERT_EQ(tap.x, tr->padded_value(win.n, tap.ic, tap.iy, tap.ix));
        if (t % per == per - 1) {
          ASSERT_EQ(tap.channel_running, win.partials[static_cast<std::size_t>(t / per)]);
        }
        if (t == tr->taps_per_window() - 1) {
          const double with_bias = c.dtype == DType::f32
                                       ? static_cast<double>(static_cast<float>(tap.running) +
                                                             static_cast<float>(win.bias))
                                       : tap.running + win.bias;
          ASSERT_EQ(with_bias, win.value);
        }
      }
    }
  }
}

// Rows wide enough for the trace's vector loops (16 floats with AVX-512) and enough filters for
// its 4-filter blocks: the trace must still equal the reference loop bit for bit, partials
// included, on every option.
void check_wide_rows(uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int iter = 0; iter < 60; ++iter) {
    RandomCase c = random_case(rng);
    c.w = pick(17, 70);
    c.h = pick(2, 6);
    c.c_out = c.groups * pick(1, 9);
    Conv2dParams p = params_of(c);
    if (!conv2d_geometry({c.n, c.c_in, c.h, c.w}, {c.c_out, c.c_in / c.groups, c.kh, c.kw},
                         c.bias ? c.c_out : -1, p)) {
      continue;
    }
    SCOPED_TRACE("replay with CONVSCOPE_SEED=" + std::to_string(seed - 3) + ", isa " +
                 detail::conv2d_fast_isa() + ", case " + std::to_string(iter) + ": " + describe(c));
    const Tensor x = test::random_tensor(rng, c.dtype, {c.n, c.c_in, c.h, c.w}, false);
    const Tensor w =
        test::random_tensor(rng, c.dtype, {c.c_out, c.c_in / c.groups, c.kh, c.kw}, false);
    const Tensor b = test::random_tensor(rng, c.dtype, {c.c_out}, false);
    auto ref = conv2d_reference(x, w, c.bias ? &b : nullptr, p);
    auto tr = conv2d_trace(x, w, c.bias ? &b : nullptr, p);
    ASSERT_TRUE(ref && tr);
    for (int64_t i = 0; i < ref->numel(); ++i) {
      ASSERT_EQ(tr->output().get(i), ref->get(i)) << test::nchw_index(ref->shape(), i);
      const Window win = tr->window(i);
      const int64_t per = tr->geometry().k_h * tr->geometry().k_w;
      for (int64_t ch = 0; ch < tr->geometry().c_in_per_group; ++ch) {
        ASSERT_EQ(tr->tap(i, ch * per + per - 1).channel_running,
                  win.partials[static_cast<std::size_t>(ch)])
            << test::nchw_index(ref->shape(), i) << " channel " << ch;
      }
    }
  }
}

// Big enough (partials from the 64-byte aligned buffer cache, 256-float rows) for the AVX-512
// path's streaming stores.
TEST(Conv2dTrace, LargeTraceWithStreamingStoresMatchesTheReference) {
  std::mt19937_64 rng(test::test_seed() + 5);
  const Tensor x = test::random_tensor(rng, DType::f32, {1, 3, 256, 256}, false);
  const Tensor w = test::random_tensor(rng, DType::f32, {16, 3, 3, 3}, false);
  const Tensor b = test::random_tensor(rng, DType::f32, {16}, false);
  Conv2dParams p;
  p.padding = PaddingSpec::symmetric(1);
  auto ref = conv2d_reference(x, w, &b, p);
  auto tr = conv2d_trace(x, w, &b, p);
  ASSERT_TRUE(ref && tr);
  for (int64_t i = 0; i < ref->numel(); ++i) {
    ASSERT_EQ(tr->output().get(i), ref->get(i)) << test::nchw_index(ref->shape(), i);
    const Window win = tr->window(i);
    float acc = 0;
    for (double pv : win.partials)
      acc = acc + static_cast<float>(pv);
    ASSERT_EQ(static_cast<double>(acc + static_cast<float>(win.bias)), win.value) << i;
    if (i % 997 == 0) {
      for (int64_t ch = 0; ch < 3; ++ch) {
        ASSERT_EQ(tr->tap(i, ch * 9 + 8).channel_running,
                  win.partials[static_cast<std::size_t>(ch)]);
      }
    }
  }
}

// A 56-wide output (ResNet's 56×56 layers): the partial rows are padded to 64 bytes and the last
// vector of each row runs into that padding; partials and outputs must still match exactly, in
// both dtypes, with and without bias, and the trace's memory stays within a third of
// outputs × C_in/groups.
void check_padded_rows() {
  std::mt19937_64 rng(test::test_seed() + 7);
  for (DType dt : {DType::f32, DType::f64}) {
    for (bool with_bias : {true, false}) {
      SCOPED_TRACE(std::string(dtype_name(dt)) + (with_bias ? " with bias" : " without bias") +
                   ", isa " + detail::conv2d_fast_isa());
      const Tensor x = test::random_tensor(rng, dt, {2, 8, 7, 56}, false);
      const Tensor w = test::random_tensor(rng, dt, {12, 8, 3, 3}, false);
      const Tensor b = test::random_tensor(rng, dt, {12}, false);
      Conv2dParams p;
      p.padding = PaddingSpec::symmetric(1);
      const Tensor* bp = with_bias ? &b : nullptr;
      auto ref = conv2d_reference(x, w, bp, p);
      auto tr = conv2d_trace(x, w, bp, p);
      ASSERT_TRUE(ref && tr);
      for (int64_t i = 0; i < ref->numel(); ++i) {
        ASSERT_EQ(tr->output().get(i), ref->get(i)) << test::nchw_index(ref->shape(), i);
        const Window win = tr->window(i);
        for (int64_t ch = 0; ch < 8; ++ch) {
          ASSERT_EQ(tr->tap(i, ch * 9 + 8).channel_running,
                    win.partials[static_cast<std::size_t>(ch)])
              << test::nchw_index(ref->shape(), i) << " channel " << ch;
        }
      }
    }
  }
}

TEST(Conv2dTrace, WideRowsAndFilterBlocksMatchTheReferenceBitForBit) {
  check_wide_rows(test::test_seed() + 3);
}

TEST(Conv2dTrace, PaddedPartialRowsMatchTheReference) {
  check_padded_rows();
}

// The AVX2 and baseline kernels (8- and 4-lane vectors, no streaming stores), run here by capping
// the instruction set: the same cases, the same exact results.
TEST(Conv2dTrace, EveryInstructionSetMatchesTheReferenceBitForBit) {
  for (int level : {1, 0}) {
    test::IsaCap cap(level);
    check_wide_rows(test::test_seed() + 3);
    check_padded_rows();
  }
}

// conv2d_into reuses the caller's buffer when the shape matches, and leaves it alone on error.
TEST(Conv2d, IntoReusesTheOutputBuffer) {
  const Lesson l = *find_lesson("padding-1");
  Tensor out;
  ASSERT_TRUE(conv2d_into(l.input, l.weight, &*l.bias, l.conv, out));
  const float* storage = out.data<float>();
  ASSERT_TRUE(conv2d_into(l.input, l.weight, &*l.bias, l.conv, out));
  EXPECT_EQ(out.data<float>(), storage);
  EXPECT_EQ(out.get(0), -3);
  Conv2dParams bad = l.conv;
  bad.stride_h = 0;
  EXPECT_FALSE(conv2d_into(l.input, l.weight, &*l.bias, bad, out));
  EXPECT_EQ(out.shape(), (Shape{1, 1, 5, 5}));
  EXPECT_EQ(out.get(0), -3);
}

// Memory stays proportional to outputs × C_in/groups: the trace of a 1080p RGB → 16 channel
// 3×3 convolution keeps 16·3 partial planes, about 400 MB in float32, not one record per tap.
TEST(Conv2dTrace, PartialStorageIsOutputsTimesChannels) {
  Conv2dParams p;
  p.padding = PaddingSpec::symmetric(1);
  const Tensor x(DType::f32, {1, 3, 36, 64});
  const Tensor w(DType::f32, {16, 3, 3, 3});
  auto tr = conv2d_trace(x, w, nullptr, p);
  ASSERT_TRUE(tr);
  EXPECT_EQ(tr->window_count(), 16 * 36 * 64);
  EXPECT_EQ(tr->window(0).partials.size(), 3u);
  EXPECT_EQ(tr->partial_bytes(), std::size_t{16 * 36 * 64 * 3 * 4});
  // 56-wide rows are padded to 64 floats for aligned stores: a seventh more, never more than a
  // third; 3-wide rows are not padded at all.
  const Tensor x56(DType::f32, {1, 3, 10, 56});
  auto tr56 = conv2d_trace(x56, w, nullptr, p);
  ASSERT_TRUE(tr56);
  EXPECT_EQ(tr56->partial_bytes(), std::size_t{16 * 10 * 64 * 3 * 4});
  const Tensor x3(DType::f64, {1, 3, 3, 3});
  const Tensor w3(DType::f64, {16, 3, 3, 3});
  auto tr3 = conv2d_trace(x3, w3, nullptr, p);
  ASSERT_TRUE(tr3);
  EXPECT_EQ(tr3->partial_bytes(), std::size_t{16 * 3 * 3 * 3 * 8});
}

}  // namespace
}  // namespace cs
