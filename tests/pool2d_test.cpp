// Pooling: the Keras seed, numbers printed by PyTorch 1.13 for ceil_mode / count_include_pad /
// dilation / arg-max, randomized cases against a naive loop, and the trace's windows.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/geometry.hpp"
#include "core/lessons.hpp"
#include "core/pool2d.hpp"
#include "test_util.hpp"

namespace cs {
namespace {

using test::values;

const Tensor& gray5() {
  static const Tensor t = find_lesson("vertical-edge")->input;
  return t;
}

Pool2dParams pool(PoolOp op, int k, int stride, int pad, bool ceil, bool include_pad = true,
                  int dilation = 1) {
  Pool2dParams p;
  p.op = op;
  p.k_h = p.k_w = k;
  p.stride_h = p.stride_w = stride;
  p.pad_h = p.pad_w = pad;
  p.ceil_mode = ceil;
  p.count_include_pad = include_pad;
  p.dilation_h = p.dilation_w = dilation;
  return p;
}

void expect_near_all(const Tensor& got, const std::vector<double>& want) {
  ASSERT_EQ(got.numel(), static_cast<int64_t>(want.size()));
  for (int64_t i = 0; i < got.numel(); ++i) {
    EXPECT_NEAR(got.get(i), want[static_cast<std::size_t>(i)], 1e-6) << "at " << i;
  }
}

// Keras: MaxPool2D((2,2), strides=(2,2)) on the 1×3×3×2 feature maps gives 1×1×1×2.
TEST(Pool2dSeeds, KerasMaxPool) {
  const Lesson l = *find_lesson("keras-pool");
  auto y = pool2d(l.input, l.pool);
  ASSERT_TRUE(y) << y.error().message;
  EXPECT_EQ(y->shape(), (Shape{1, 1, 1, 2}));
  EXPECT_EQ(values(*y), (std::vector<double>{6, 3}));
}

// torch.nn.functional.avg_pool2d(x, 2, 2, ceil_mode=True): the last row/column windows hang
// over the edge and are divided by the 2 (or 1) cells they cover: (3+2... ) e.g. [1, 2] column
// window (0,2): (1 + 0) / 2 = 0.5.
TEST(Pool2d, AvgCeilModeMatchesPyTorch) {
  auto y = pool2d(gray5(), pool(PoolOp::avg, 2, 2, 0, true));
  ASSERT_TRUE(y);
  EXPECT_EQ(y->shape(), (Shape{1, 1, 3, 3}));
  expect_near_all(*y, {1.0, 2.0, 0.5, 1.25, 1.5, 1.5, 1.0, 1.5, 0.0});
}

TEST(Pool2d, AvgCountIncludePadMatchesPyTorch) {
  auto inc = pool2d(gray5(), pool(PoolOp::avg, 3, 2, 1, true, true));
  ASSERT_TRUE(inc);
  expect_near_all(
      *inc, {0.4444444477558136, 1.2222222089767456, 0.4444444477558136, 0.6666666865348816,
             1.5555555820465088, 0.8888888955116272, 0.4444444477558136, 1.0, 0.5555555820465088});
  auto exc = pool2d(gray5(), pool(PoolOp::avg, 3, 2, 1, true, false));
  ASSERT_TRUE(exc);
  expect_near_all(*exc, {1.0, 1.8333333730697632, 1.0, 1.0, 1.5555555820465088, 1.3333333730697632,
                         1.0, 1.5, 1.25});
}

TEST(Pool2d, MaxDilationPaddingCeilMatchesPyTorch) {
  auto y = pool2d(gray5(), pool(PoolOp::max, 3, 2, 1, true, true, 2));
  ASSERT_TRUE(y) << y.error().message;
  EXPECT_EQ(y->shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(values(*y), (std::vector<double>{3, 3, 3, 3}));
}

// F.max_pool2d(x, 2, 1, return_indices=True): ties keep the first cell (strictly larger wins).
TEST(Pool2dTrace, ArgmaxMatchesPyTorchIndices) {
  auto tr = pool2d_trace(gray5(), pool(PoolOp::max, 2, 1, 0, false));
  ASSERT_TRUE(tr);
  const std::vector<int64_t> torch_indices = {1,  2,  2,  8,  10, 7,  8,  8,
                                              10, 17, 17, 13, 16, 17, 17, 23};
  ASSERT_EQ(tr->window_count(), 16);
  for (int64_t i = 0; i < 16; ++i) {
    const PoolWindow w = tr->window(i);
    EXPECT_EQ(w.argmax_y * 5 + w.argmax_x, torch_indices[static_cast<std::size_t>(i)]) << i;
    EXPECT_EQ(w.value, tr->output().get(i));
    EXPECT_EQ(w.taps[static_cast<std::size_t>(w.argmax_tap)].x, w.value);
  }
}

TEST(Pool2d, NanWinsLikePyTorch) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Tensor x = Tensor::from_values(DType::f64, {1, 1, 2, 2}, {1, nan, 5, 2});
  auto y = pool2d(x, pool(PoolOp::max, 2, 2, 0, false));
  ASSERT_TRUE(y);
  EXPECT_TRUE(std::isnan(y->get(0)));
}

TEST(Pool2d, OutputSizeRules) {
  // 6×6, k3 s2 p1, ceil: ⌈(6 + 2 − 3) / 2⌉ + 1 = 4, and the 4th window starts at 5 < 6 + 1.
  auto g = pool2d_geometry({1, 1, 6, 6}, pool(PoolOp::max, 3, 2, 1, true));
  ASSERT_TRUE(g);
  EXPECT_EQ(g->out_h, 4);
  // 5×5, k2 s2, ceil: 3 (last window starts at 4, inside).
  auto g2 = pool2d_geometry({1, 1, 5, 5}, pool(PoolOp::max, 2, 2, 0, true));
  ASSERT_TRUE(g2);
  EXPECT_EQ(g2->out_h, 3);
  // ceil_mode's drop rule: in 4, k2 s2 p1 → ⌈(4 + 2 − 2)/2⌉ + 1 = 3; the 3rd window would start
  // at 4 − 1 = 3... (3−1)·2 = 4 >= 4 + 1? no, so 3 stays. in 3, k2 s2 p1: ⌈3/2⌉+1 = 3, and
  // (3−1)·2 = 4 >= 3 + 1: dropped to 2.
  auto g3 = pool2d_geometry({1, 1, 3, 3}, pool(PoolOp::max, 2, 2, 1, true));
  ASSERT_TRUE(g3);
  EXPECT_EQ(g3->out_h, 2);
  EXPECT_NE(pool2d_formula(*g3).find("minus 1"), std::string::npos) << pool2d_formula(*g3);
  // stride defaults to the kernel.
  Pool2dParams p = pool(PoolOp::max, 2, 0, 0, false);
  auto g4 = pool2d_geometry({1, 1, 4, 4}, p);
  ASSERT_TRUE(g4);
  EXPECT_EQ(g4->stride_h, 2);
  EXPECT_EQ(g4->out_h, 2);
}

// Naive pooling from PyTorch's definition, in double.
double naive_pool(const Tensor& x, int64_t n, int64_t c, int64_t oy, int64_t ox,
                  const Pool2dParams& p, int sh, int sw) {
  const int64_t h = x.dim(2), w = x.dim(3);
  const int64_t y0 = oy * sh - p.pad_h, x0 = ox * sw - p.pad_w;
  auto at = [&](int64_t iy, int64_t ix) { return x.get(((n * x.dim(1) + c) * h + iy) * w + ix); };
  if (p.op == PoolOp::max) {
    double m = -std::numeric_limits<double>::infinity();
    for (int ky = 0; ky < p.k_h; ++ky)
      for (int kx = 0; kx < p.k_w; ++kx) {
        const int64_t iy = y0 + ky * p.dilation_h, ix = x0 + kx * p.dilation_w;
        if (iy >= 0 && iy < h && ix >= 0 && ix < w) m = std::max(m, at(iy, ix));
      }
    return m;
  }
  double s = 0;
  int64_t inside = 0, in_padded = 0;
  for (int ky = 0; ky < p.k_h; ++ky)
    for (int kx = 0; kx < p.k_w; ++kx) {
      const int64_t iy = y0 + ky, ix = x0 + kx;
      if (iy < h + p.pad_h && ix < w + p.pad_w) ++in_padded;
      if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
        s += at(iy, ix);
        ++inside;
      }
    }
  return s / static_cast<double>(p.count_include_pad ? in_padded : inside);
}

TEST(Pool2dRandom, MatchesNaiveLoop) {
  const uint64_t seed = test::test_seed() + 7;
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int done = 0;
  for (int iter = 0; done < 300; ++iter) {
    Pool2dParams p;
    p.op = pick(0, 1) ? PoolOp::avg : PoolOp::max;
    p.k_h = pick(1, 4);
    p.k_w = pick(1, 4);
    p.stride_h = pick(0, 3);
    p.stride_w = pick(0, 3);
    p.pad_h = pick(0, p.k_h / 2);
    p.pad_w = pick(0, p.k_w / 2);
    if (p.op == PoolOp::max) {
      p.dilation_h = pick(1, 2);
      p.dilation_w = pick(1, 2);
    }
    p.ceil_mode = pick(0, 1);
    p.count_include_pad = pick(0, 1);
    p.layout = pick(0, 2) == 0 ? Layout::nhwc : Layout::nchw;
    const DType dt = pick(0, 1) ? DType::f64 : DType::f32;
    const Tensor x =
        test::random_tensor(rng, dt, {pick(1, 2), pick(1, 3), pick(1, 8), pick(1, 8)}, false);
    auto g = pool2d_geometry(x.shape(), p);
    if (!g) continue;
    ++done;
    SCOPED_TRACE("replay with CONVSCOPE_SEED=" + std::to_string(seed - 7) + ", iteration " +
                 std::to_string(iter));
    auto y = pool2d(p.layout == Layout::nhwc ? nchw_to_nhwc(x) : x, p);
    ASSERT_TRUE(y) << y.error().message;
    const Tensor yn = p.layout == Layout::nhwc ? nhwc_to_nchw(*y) : *y;
    ASSERT_EQ(yn.shape(), (Shape{g->n, g->c_out, g->out_h, g->out_w}));
    auto tr = pool2d_trace(p.layout == Layout::nhwc ? nchw_to_nhwc(x) : x, p);
    ASSERT_TRUE(tr);
    for (int64_t i = 0; i < yn.numel(); ++i) {
      const int64_t ox = i % g->out_w, oy = (i / g->out_w) % g->out_h,
                    c = (i / (g->out_w * g->out_h)) % g->c_out,
                    n = i / (g->out_w * g->out_h * g->c_out);
      const double e = naive_pool(x, n, c, oy, ox, p, g->stride_h, g->stride_w);
      // A dilated window that misses the input reads −inf, as PyTorch's does.
      if (std::isinf(e)) {
        ASSERT_EQ(yn.get(i), e) << test::nchw_index(yn.shape(), i);
      } else {
        ASSERT_NEAR(yn.get(i), e, 1e-6) << test::nchw_index(yn.shape(), i);
      }
      const PoolWindow w = tr->window(i);
      ASSERT_EQ(w.value, yn.get(i));
      ASSERT_EQ(static_cast<int>(w.taps.size()), p.k_h * p.k_w);
      ASSERT_EQ(w.origin_y, oy * g->stride_h - p.pad_h);
      // A dilated window can miss the input entirely (value −inf, like PyTorch); otherwise the
      // arg-max is a cell inside the input.
      if (p.op == PoolOp::max && std::isfinite(w.value)) {
        ASSERT_GE(w.argmax_tap, 0);
        ASSERT_FALSE(w.taps[static_cast<std::size_t>(w.argmax_tap)].in_padding);
      }
    }
  }
}

}  // namespace
}  // namespace cs
