// conv_transpose2d (core/conv_transpose.hpp): hand-worked stamps first, then PyTorch's checks as
// sentences, then randomized cases against a naive scatter loop written here (replayable with
// CONVSCOPE_SEED), the gather fast path against the scatter reference bit for bit, and the Keras
// layout against the PyTorch one.
#include "core/conv_transpose.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "random_cases.hpp"
#include "test_util.hpp"

namespace cs {
namespace {

Tensor f32(Shape shape, std::initializer_list<double> v) {
  return Tensor::from_values(DType::f32, std::move(shape), v);
}

// x = [[1, 2], [3, 4]] and k = [[1, 2], [3, 4]], one channel each.
Tensor x22() {
  return f32({1, 1, 2, 2}, {1, 2, 3, 4});
}
Tensor k22() {
  return f32({1, 1, 2, 2}, {1, 2, 3, 4});
}

void expect_tensor(const Tensor& t, const Shape& shape, const std::vector<double>& v) {
  ASSERT_EQ(t.shape(), shape);
  ASSERT_EQ(t.numel(), static_cast<int64_t>(v.size()));
  for (int64_t i = 0; i < t.numel(); ++i)
    EXPECT_EQ(t.get(i), v[static_cast<std::size_t>(i)]) << "at " << test::nchw_index(shape, i);
}

// Both the fast path and the reference, which must agree exactly.
Tensor both(const Tensor& x, const Tensor& w, const Tensor* b, const ConvTranspose2dParams& p) {
  auto fast = conv_transpose2d(x, w, b, p);
  auto ref = conv_transpose2d_reference(x, w, b, p);
  EXPECT_TRUE(fast.has_value()) << fast.error().message;
  EXPECT_TRUE(ref.has_value()) << ref.error().message;
  if (!fast || !ref) return Tensor();
  EXPECT_TRUE(fast->identical(*ref));
  return *fast;
}

TEST(ConvTransposeHand, UnitStrideStampsOverlapAndAdd) {
  // out = (2 − 1)·1 − 0 + 1·(2 − 1) + 0 + 1 = 3. Each x[iy, ix] stamps x·k at (iy, ix):
  // 1·k at (0,0), 2·k at (0,1), 3·k at (1,0), 4·k at (1,1). The centre collects one tap of
  // each: 1·4 + 2·3 + 3·2 + 4·1 = 20; (0, 1) gets 1·2 + 2·1 = 4.
  expect_tensor(both(x22(), k22(), nullptr, {}), {1, 1, 3, 3}, {1, 4, 4, 6, 20, 16, 9, 24, 16});
}

TEST(ConvTransposeHand, StrideTwoStampsSideBySide) {
  // out = (2 − 1)·2 + 1·(2 − 1) + 1 = 4: the 2×2 stamps tile the 4×4 output without overlap.
  ConvTranspose2dParams p;
  p.stride_h = p.stride_w = 2;
  expect_tensor(both(x22(), k22(), nullptr, p), {1, 1, 4, 4},
                {1, 2, 2, 4, 3, 4, 6, 8, 3, 6, 4, 8, 9, 12, 12, 16});
}

TEST(ConvTransposeHand, PaddingCropsAndOutputPaddingAddsAtTheBottomRight) {
  // stride 2, padding 1, output_padding 1: out = (2 − 1)·2 − 2·1 + 1·(2 − 1) + 1 + 1 = 3.
  // The 4×4 stamps above plus one row/column of nothing at the bottom/right (5×5), cropped by
  // one on every side: rows/columns 1..3. out[2, 2] = x[1, 1]·k[1, 1] = 16 (oy = 1·2 − 1 + 1).
  ConvTranspose2dParams p;
  p.stride_h = p.stride_w = 2;
  p.pad_h = p.pad_w = 1;
  p.output_padding_h = p.output_padding_w = 1;
  expect_tensor(both(x22(), k22(), nullptr, p), {1, 1, 3, 3}, {4, 6, 8, 6, 4, 8, 12, 12, 16});
  // Without padding the output_padding row and column receive no stamp: only the bias.
  p.pad_h = p.pad_w = 0;
  const Tensor bias = f32({1}, {0.5});
  const Tensor y = both(x22(), k22(), &bias, p);
  ASSERT_EQ(y.shape(), (Shape{1, 1, 5, 5}));
  for (int64_t i = 0; i < 5; ++i) {
    EXPECT_EQ(y.get(4 * 5 + i), 0.5);
    EXPECT_EQ(y.get(i * 5 + 4), 0.5);
  }
  EXPECT_EQ(y.get(0), 1.5);
}

TEST(ConvTransposeHand, DilationSpreadsTheStamp) {
  // dilation 2: the 2×2 kernel's taps land 2 apart: oy = iy + 2·ky; out = 1 + 2·1 + 1 = 4.
  // Row 0: x[0,0]·k[0,0] = 1 at (0,0), x[0,1]·k[0,0] = 2 at (0,1), x[0,0]·k[0,1] = 2 at (0,2),
  // x[0,1]·k[0,1] = 4 at (0,3).
  ConvTranspose2dParams p;
  p.dilation_h = p.dilation_w = 2;
  const Tensor y = both(x22(), k22(), nullptr, p);
  ASSERT_EQ(y.shape(), (Shape{1, 1, 4, 4}));
  expect_tensor(y, {1, 1, 4, 4}, {1, 2, 2, 4, 3, 4, 6, 8, 3, 6, 4, 8, 9, 12, 12, 16});
}

TEST(ConvTransposeHand, ChannelsSumAndGroupsKeepThemApart) {
  // Two input channels x and 10·x, weight [2, 1, 1, 1] = {1, 2}: one output channel of
  // 1·x + 2·(10·x) = 21·x. With groups 2 the weight [2, 1, 1, 1] gives two output channels,
  // x·1 and 10·x·2 = 20·x.
  const Tensor x = f32({1, 2, 1, 2}, {1, 2, 10, 20});
  const Tensor w = f32({2, 1, 1, 1}, {1, 2});
  expect_tensor(both(x, w, nullptr, {}), {1, 1, 1, 2}, {21, 42});
  ConvTranspose2dParams g2;
  g2.groups = 2;
  expect_tensor(both(x, w, nullptr, g2), {1, 2, 1, 2}, {1, 2, 20, 40});
}

TEST(ConvTransposeHand, KerasKernelLayoutGivesTheSameNumbers) {
  // Keras Conv2DTranspose: NHWC input, kernel [KH, KW, C_out, C_in]. Two input channels, three
  // output channels, stride 2, padding 1.
  std::mt19937_64 rng(test::test_seed());
  const Tensor x = test::random_tensor(rng, DType::f64, {2, 2, 3, 3}, true);
  const Tensor w = test::random_tensor(rng, DType::f64, {2, 3, 3, 3}, true);
  const Tensor b = test::random_tensor(rng, DType::f64, {3}, true);
  ConvTranspose2dParams p;
  p.stride_h = p.stride_w = 2;
  p.pad_h = p.pad_w = 1;
  const Tensor y = both(x, w, &b, p);
  p.layout = Layout::nhwc;
  const Tensor kernel = torch_to_keras_transpose_kernel(w);
  EXPECT_EQ(kernel.shape(), (Shape{3, 3, 3, 2}));
  EXPECT_TRUE(keras_to_torch_transpose_kernel(kernel).identical(w));
  const Tensor y_nhwc = both(nchw_to_nhwc(x), kernel, &b, p);
  EXPECT_TRUE(nhwc_to_nchw(y_nhwc).identical(y));
}

TEST(ConvTransposeHand, AnInfiniteWeightMeetsOnlyRealInputCells) {
  // PyTorch multiplies each weight by real input cells only, never by the zeros a gather
  // reading stuffs between them: with stride 2 the infinite tap k[0, 0] lands on even rows and
  // columns, and every other output stays finite (0·∞ would have made NaNs).
  Tensor w = k22();
  w.set(0, std::numeric_limits<double>::infinity());
  ConvTranspose2dParams p;
  p.stride_h = p.stride_w = 2;
  const Tensor y = both(x22(), w, nullptr, p);
  for (int64_t oy = 0; oy < 4; ++oy)
    for (int64_t ox = 0; ox < 4; ++ox) {
      const double v = y.get(oy * 4 + ox);
      EXPECT_FALSE(std::isnan(v)) << oy << ", " << ox;
      EXPECT_EQ(std::isinf(v), oy % 2 == 0 && ox % 2 == 0) << oy << ", " << ox;
    }
}

TEST(ConvTransposeGeometry, FormulaWithTheUsersNumbers) {
  ConvTranspose2dParams p;
  p.stride_h = 2;
  p.pad_h = 1;
  p.output_padding_h = 1;
  auto g = conv_transpose2d_geometry({1, 1, 5, 4}, {1, 1, 3, 3}, -1, p);
  ASSERT_TRUE(g.has_value()) << g.error().message;
  EXPECT_EQ(g->out_h, 10);  // (5 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1
  EXPECT_EQ(g->out_w, 6);   // (4 − 1)·1 − 0 + 1·(3 − 1) + 0 + 1
  EXPECT_EQ(conv_transpose2d_formula(*g),
            "out_h = (in_h \xE2\x88\x92 1)\xC2\xB7stride \xE2\x88\x92 2\xC2\xB7padding + "
            "dilation\xC2\xB7(k_h \xE2\x88\x92 1) + output_padding + 1 = (5 \xE2\x88\x92 "
            "1)\xC2\xB7"
            "2 \xE2\x88\x92 2\xC2\xB7"
            "1 + 1\xC2\xB7(3 \xE2\x88\x92 1) + 1 + 1 = 10\n"
            "out_w = (in_w \xE2\x88\x92 1)\xC2\xB7stride \xE2\x88\x92 2\xC2\xB7padding + "
            "dilation\xC2\xB7(k_w \xE2\x88\x92 1) + output_padding + 1 = (4 \xE2\x88\x92 "
            "1)\xC2\xB7"
            "1 \xE2\x88\x92 2\xC2\xB7"
            "0 + 1\xC2\xB7(3 \xE2\x88\x92 1) + 0 + 1 = 6");
  // The gather reading: 9 stuffed rows, padded by 1·(3 − 1) − 1 = 1 on top, 1 + 1 below.
  EXPECT_EQ(g->stuffed_h(), 9);
  EXPECT_EQ(g->gather_pad_top(), 1);
  EXPECT_EQ(g->gather_pad_bottom(), 2);
}

// The error's sentence for these settings, or "" when they are accepted.
std::string refusal(const Shape& x, const Shape& w, int64_t bias_len,
                    const ConvTranspose2dParams& p) {
  auto g = conv_transpose2d_geometry_for(x, w, bias_len, p);
  return g ? std::string() : g.error().message;
}

TEST(ConvTransposeGeometry, OutputPaddingMustBeSmallerThanStrideOrDilation) {
  ConvTranspose2dParams p;
  p.stride_h = p.stride_w = 2;
  p.output_padding_h = 2;
  EXPECT_EQ(refusal({1, 1, 4, 4}, {1, 1, 3, 3}, -1, p),
            "output_padding of 2 rows must be smaller than the stride (2) or the dilation (1) "
            "along the rows, as PyTorch requires; use at most 1");
  p = {};
  p.output_padding_w = 1;
  EXPECT_EQ(refusal({1, 1, 4, 4}, {1, 1, 3, 3}, -1, p),
            "output_padding of 1 columns must be smaller than the stride (1) or the dilation "
            "(1) along the columns, as PyTorch requires; use at most 0 (with stride 1 there is "
            "only one output size to pick)");
  // Smaller than the dilation is enough (PyTorch: stride 1, dilation 2, output_padding 1).
  p.dilation_w = 2;
  EXPECT_EQ(refusal({1, 1, 4, 4}, {1, 1, 3, 3}, -1, p), "");
  p.output_padding_w = -1;
  EXPECT_NE(refusal({1, 1, 4, 4}, {1, 1, 3, 3}, -1, p).find("output_padding cannot be negative"),
            std::string::npos);
}

TEST(ConvTransposeGeometry, ChannelsGroupsAndBiasInSentences) {
  ConvTranspose2dParams p;
  // conv2d's weight order by mistake: [C_out, C_in, ...] = [4, 3, 3, 3] for a 3-channel input.
  EXPECT_EQ(refusal({1, 3, 5, 5}, {4, 3, 3, 3}, -1, p),
            "weight of shape 4\xC3\x97"
            "3\xC3\x97"
            "3\xC3\x97"
            "3 [C_in, C_out/groups, KH, KW] is "
            "made for 4 input channels, but the input has 3 (a transposed convolution's weight "
            "is [C_in, C_out/groups, KH, KW], not conv2d's [C_out, C_in/groups, KH, KW])");
  p.groups = 2;
  EXPECT_NE(refusal({1, 3, 5, 5}, {3, 2, 3, 3}, -1, p).find("groups 2 must divide the 3 input"),
            std::string::npos);
  // groups 2, weight [4, 3, ...]: C_out = 3·2 = 6 outputs, so 6 biases.
  EXPECT_EQ(refusal({1, 4, 5, 5}, {4, 3, 3, 3}, 6, p), "");
  EXPECT_EQ(refusal({1, 4, 5, 5}, {4, 3, 3, 3}, 3, p),
            "bias has 3 values but the layer has 6 output channels (3 per group \xC3\x97 2 "
            "groups); give one bias per output channel");
  p.groups = 0;
  EXPECT_EQ(refusal({1, 4, 5, 5}, {4, 3, 3, 3}, -1, p), "groups must be at least 1; got 0");
  // Keras's names in the nhwc layout: kernel [KH, KW, C_out, C_in] with C_in 2 for 3 channels.
  p = {};
  p.layout = Layout::nhwc;
  EXPECT_NE(refusal({1, 5, 5, 3}, {3, 3, 4, 2}, -1, p)
                .find("weight of shape 3\xC3\x97"
                      "3\xC3\x97"
                      "4\xC3\x97"
                      "2 [KH, KW, C_out/groups, C_in]"),
            std::string::npos);
  EXPECT_EQ(refusal({1, 5, 5, 2}, {3, 3, 4, 2}, -1, p), "");
}

TEST(ConvTransposeGeometry, PaddingThatCropsEverythingIsRefused) {
  // 1×1 input, 1×1 kernel: the stamps cover 1 row; padding 1 would crop 2.
  ConvTranspose2dParams p;
  p.pad_h = 1;
  EXPECT_EQ(refusal({1, 1, 1, 1}, {1, 1, 1, 1}, -1, p),
            "padding 1 crops 2 rows from the 1 rows the kernel stamps cover (from 1 input "
            "rows), leaving none; use padding at most 0, or a larger input or kernel");
  // Padding beyond dilation·(k − 1) is fine while something is left (a negative gather pad).
  p.pad_h = 3;
  auto g = conv_transpose2d_geometry({1, 1, 6, 6}, {1, 1, 3, 3}, -1, p);
  ASSERT_TRUE(g.has_value()) << g.error().message;
  EXPECT_EQ(g->out_h, 2);  // (6 − 1) − 6 + 2 + 1
  EXPECT_EQ(g->gather_pad_top(), -1);
  EXPECT_NE(refusal({1, 1, 4, 4}, {1, 1, 3}, -1, {}).find("weight must have 4 dimensions"),
            std::string::npos);
  EXPECT_NE(refusal({1, 4, 4}, {1, 1, 3, 3}, -1, {}).find("add a batch dimension"),
            std::string::npos);
}

TEST(ConvTranspose, DtypesMustMatch) {
  const Tensor x = x22();
  const Tensor w = k22().to(DType::f64);
  auto r = conv_transpose2d(x, w, nullptr, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("the weight is float64 but the input is float32"),
            std::string::npos);
}

// Naive scatter written from PyTorch's definition, in double:
// y[n, g·copg + ocg, iy·s − p + ky·d, ix·s − p + kx·d] += x[n, ic, iy, ix] · w[ic, ocg, ky, kx].
Tensor naive_conv_transpose(const Tensor& x, const Tensor& w, const Tensor* b,
                            const ConvTranspose2dParams& p) {
  const int64_t n = x.dim(0), cin = x.dim(1), h = x.dim(2), wd = x.dim(3);
  const int64_t copg = w.dim(1), kh = w.dim(2), kw = w.dim(3), cout = copg * p.groups;
  const int64_t cpg = cin / p.groups;
  const int64_t oh =
      (h - 1) * p.stride_h - 2 * p.pad_h + p.dilation_h * (kh - 1) + p.output_padding_h + 1;
  const int64_t ow =
      (wd - 1) * p.stride_w - 2 * p.pad_w + p.dilation_w * (kw - 1) + p.output_padding_w + 1;
  Tensor y(DType::f64, {n, cout, oh, ow});
  for (int64_t in = 0; in < n; ++in)
    for (int64_t o = 0; o < cout; ++o)
      for (int64_t i = 0; i < oh * ow; ++i)
        y.set((in * cout + o) * oh * ow + i, b ? b->get(o) : 0.0);
  for (int64_t in = 0; in < n; ++in)
    for (int64_t ic = 0; ic < cin; ++ic)
      for (int64_t iy = 0; iy < h; ++iy)
        for (int64_t ix = 0; ix < wd; ++ix)
          for (int64_t ocg = 0; ocg < copg; ++ocg)
            for (int64_t ky = 0; ky < kh; ++ky)
              for (int64_t kx = 0; kx < kw; ++kx) {
                const int64_t oy = iy * p.stride_h - p.pad_h + ky * p.dilation_h;
                const int64_t ox = ix * p.stride_w - p.pad_w + kx * p.dilation_w;
                if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
                const int64_t o = ic / cpg * copg + ocg;
                const int64_t at = ((in * cout + o) * oh + oy) * ow + ox;
                y.set(at, y.get(at) + x.get(((in * cin + ic) * h + iy) * wd + ix) *
                                          w.get(((ic * copg + ocg) * kh + ky) * kw + kx));
              }
  return y;
}

// Random valid settings (tests/random_cases.hpp, as the GPU suite draws them), NCHW: drawn again
// while the output would be empty.
test::ConvTransposeCase random_case(std::mt19937_64& rng) {
  while (true) {
    test::ConvTransposeCase c = test::random_conv_transpose2d_case(rng, {6, 6, 0});
    if (conv_transpose2d_geometry(c.x, c.w, c.bias ? c.c_out : -1, c.p)) return c;
  }
}

TEST(ConvTransposeRandom, MatchesANaiveScatterLoop) {
  const uint64_t seed = test::test_seed();
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 300; ++i) {
    SCOPED_TRACE("replay with CONVSCOPE_SEED=" + std::to_string(seed) + ", case " +
                 std::to_string(i));
    const test::ConvTransposeCase c = random_case(rng);
    const DType dt = i % 2 ? DType::f64 : DType::f32;
    const Tensor x = test::random_tensor(rng, dt, c.x, false);
    const Tensor w = test::random_tensor(rng, dt, c.w, false);
    const Tensor b = test::random_tensor(rng, dt, {c.c_out}, false);
    const Tensor* bp = c.bias ? &b : nullptr;
    const Tensor y = both(x, w, bp, c.p);
    const Tensor want = naive_conv_transpose(x, w, bp, c.p);
    ASSERT_EQ(y.shape(), want.shape());
    // Each output sums at most C_in/g·KH·KW products of numbers in [−1, 1].
    const double tol =
        (dt == DType::f32 ? 2e-6 : 1e-14) * static_cast<double>(c.w[0] * c.w[2] * c.w[3] + 1);
    for (int64_t k = 0; k < y.numel(); ++k) {
      ASSERT_NEAR(y.get(k), want.get(k), tol) << "at " << test::nchw_index(y.shape(), k);
    }
    // The fast path's answer does not depend on the thread count.
    ExecOptions one;
    one.threads = 1;
    auto y1 = conv_transpose2d(x, w, bp, c.p, one);
    ASSERT_TRUE(y1.has_value());
    EXPECT_TRUE(y1->identical(y));
  }
}

}  // namespace
}  // namespace cs
