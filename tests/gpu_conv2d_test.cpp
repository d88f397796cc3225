// GPU conv2d (cs::gpu::conv2d, shaders/conv2d.comp) against the CPU engine: hand-worked cases,
// then randomized cases over every option (stride, dilation, groups, the four padding modes,
// bias, rectangular kernels, uneven 'same', NHWC, float64) against cs::conv2d_reference.
// Replay a run with CONVSCOPE_SEED=<seed>.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

#include "app/gpu/compute.hpp"
#include "core/conv2d.hpp"
#include "core/geometry.hpp"
#include "gpu_test_util.hpp"
#include "random_cases.hpp"

namespace {

using cs::Conv2dParams;
using cs::DType;
using cs::PaddingMode;
using cs::PaddingSpec;
using cs::Tensor;

TEST(GpuConv2d, HandWorkedTwoByTwo) {
  CS_REQUIRE_GPU();
  // x = [[1 2 3] [4 5 6] [7 8 9]], w = [[1 0] [0 -1]], no padding:
  // out[0][0] = 1·1 + 5·(−1) = −4, and every window is x[i][j] − x[i+1][j+1] = −4.
  const Tensor x = Tensor::from_values(DType::f32, {1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const Tensor w = Tensor::from_values(DType::f32, {1, 1, 2, 2}, {1, 0, 0, -1});
  auto y = cs::gpu::conv2d(x, w, nullptr, Conv2dParams{});
  ASSERT_TRUE(y) << y.error().message;
  ASSERT_EQ(y->shape(), (cs::Shape{1, 1, 2, 2}));
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(y->get(i), -4.0) << i;
}

TEST(GpuConv2d, HandWorkedSobelReflectWithBias) {
  CS_REQUIRE_GPU();
  // Sobel x on [[1 2 3] [4 5 6] [7 8 9]] with reflect padding 1, bias 0.5. Centre (1, 1):
  // −1·1 + 1·3 − 2·4 + 2·6 − 1·7 + 1·9 = 2 + 4 + 2 = 8, plus 0.5 = 8.5.
  // Corner (0, 0) reads the reflected row/column: padded row −1 is row 1, column −1 is column 1,
  // so the window is [[5 4 5] [2 1 2] [5 4 5]]: (5−5) + 2·(2−2) + (5−5) = 0, plus 0.5.
  const Tensor x = Tensor::from_values(DType::f32, {1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const Tensor w = Tensor::from_values(DType::f32, {1, 1, 3, 3}, {-1, 0, 1, -2, 0, 2, -1, 0, 1});
  const Tensor b = Tensor::from_values(DType::f32, {1}, {0.5});
  Conv2dParams p;
  p.padding = PaddingSpec::symmetric(1);
  p.padding_mode = PaddingMode::reflect;
  auto y = cs::gpu::conv2d(x, w, &b, p);
  ASSERT_TRUE(y) << y.error().message;
  EXPECT_EQ(y->get(4), 8.5);
  EXPECT_EQ(y->get(0), 0.5);
}

TEST(GpuConv2d, UnevenSamePaddingPutsTheExtraRowAtTheBottom) {
  CS_REQUIRE_GPU();
  // 2×2 kernel of ones, 'same': total padding 1 per axis, top/left 0, bottom/right 1 (PyTorch).
  // out[0][0] = x00 + x01 + x10 + x11 = 1 + 2 + 4 + 5 = 12; out[2][2] = x22 = 9 (the rest is 0).
  const Tensor x = Tensor::from_values(DType::f32, {1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const Tensor w = Tensor::from_values(DType::f32, {1, 1, 2, 2}, {1, 1, 1, 1});
  Conv2dParams p;
  p.padding = PaddingSpec::same();
  auto y = cs::gpu::conv2d(x, w, nullptr, p);
  ASSERT_TRUE(y) << y.error().message;
  ASSERT_EQ(y->shape(), (cs::Shape{1, 1, 3, 3}));
  EXPECT_EQ(y->get(0), 12.0);
  EXPECT_EQ(y->get(8), 9.0);
}

TEST(GpuConv2d, InvalidParamsGiveTheEngineSentence) {
  CS_REQUIRE_GPU();
  const Tensor x(DType::f32, {1, 1, 3, 3});
  const Tensor w(DType::f32, {1, 1, 5, 5});
  auto y = cs::gpu::conv2d(x, w, nullptr, Conv2dParams{});
  ASSERT_FALSE(y);
  EXPECT_FALSE(y.error().message.empty());
  // Operands the CPU engine refuses are refused with the same sentence.
  const Tensor w64(DType::f64, {1, 1, 3, 3});
  const Tensor b2(DType::f32, {1, 1});
  const Tensor w3(DType::f32, {1, 1, 3, 3});
  for (auto [weight, bias] :
       {std::pair{&w64, static_cast<const Tensor*>(nullptr)}, std::pair{&w3, &b2}}) {
    auto gpu = cs::gpu::conv2d(x, *weight, bias, Conv2dParams{});
    auto cpu = cs::conv2d(x, *weight, bias, Conv2dParams{});
    ASSERT_FALSE(gpu);
    ASSERT_FALSE(cpu);
    EXPECT_EQ(gpu.error().message, cpu.error().message);
    EXPECT_EQ(gpu.error().field, cpu.error().field);
  }
}

Tensor random_tensor(std::mt19937_64& rng, DType dtype, cs::Shape shape) {
  Tensor t(dtype, std::move(shape));
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.set(i, dist(rng));
  return t;
}

TEST(GpuConv2d, RandomizedAgainstTheReference) {
  CS_REQUIRE_GPU();
  const uint64_t seed = cs::test::test_seed(20261122);
  std::mt19937_64 rng(seed);
  int ran = 0;
  // NOTE: every new (kernel, stride, dilation) compiles a shader variant (~0.3 s on llvmpipe with a
  // cold cache), so the case count is kept modest.
  for (int trial = 0; trial < 300 && ran < 70; ++trial) {
    const cs::test::ConvCase c = cs::test::random_conv2d_case(rng, {23, 40, 5});
    const Conv2dParams& p = c.p;
    const DType dtype = cs::test::pick(rng, 0, 4) == 0 ? DType::f64 : DType::f32;
    auto geo = cs::conv2d_geometry_for(c.x, c.w, c.bias ? c.c_out : -1, p);
    if (!geo) continue;  // an invalid combination: the engine's validation is tested in core
    ++ran;
    const Tensor x = random_tensor(rng, dtype, c.x);
    const Tensor w = random_tensor(rng, dtype, c.w);
    const Tensor b = random_tensor(rng, dtype, {c.c_out});
    const Tensor* bp = c.bias ? &b : nullptr;
    // The ground truth in float64, from the same (float-representable) values.
    const Tensor b64 = b.to(DType::f64);
    auto want =
        cs::conv2d_reference(x.to(DType::f64), w.to(DType::f64), c.bias ? &b64 : nullptr, p);
    ASSERT_TRUE(want) << want.error().message;
    auto got = cs::gpu::conv2d(x, w, bp, p);
    std::ostringstream what;
    what << "seed " << seed << " trial " << trial << ": " << c.describe() << " "
         << cs::dtype_name(dtype);
    ASSERT_TRUE(got) << what.str() << ": " << got.error().message;
    ASSERT_EQ(got->shape(), want->shape()) << what.str();
    ASSERT_EQ(got->dtype(), dtype) << what.str();
    // Values lie in [-1, 1]: a window's sum has at most `taps` terms of magnitude <= 1, so the
    // float32 error is bounded by about taps · 2^-24 · taps; allow taps · 1e-6.
    const double taps = static_cast<double>(geo->c_in_per_group * geo->k_h * geo->k_w) + 1;
    const double tol = 1e-6 * taps;
    for (int64_t i = 0; i < want->numel(); ++i) {
      const double err = std::fabs(got->get(i) - want->get(i));
      if (err > tol) {
        // Name the output coordinate (in the output's layout order).
        std::ostringstream at;
        int64_t rest = i;
        std::vector<int64_t> idx(4);
        for (int d = 3; d >= 0; --d) {
          idx[static_cast<std::size_t>(d)] = rest % want->dim(d);
          rest /= want->dim(d);
        }
        at << "(" << idx[0] << ", " << idx[1] << ", " << idx[2] << ", " << idx[3] << ")";
        FAIL() << what.str() << ": output " << at.str() << " is " << got->get(i) << ", want "
               << want->get(i) << " (error " << err << " > " << tol << ")";
      }
    }
  }
  EXPECT_GE(ran, 70) << "too few valid random cases, seed " << seed;
}

TEST(GpuConv2d, LargeKernelsAndWideImages) {
  CS_REQUIRE_GPU();
  // Shapes that cross several work-group tiles in both directions and use the bigger kernels
  // the benchmark uses (11×11), with a 3→16 full convolution.
  const uint64_t seed = cs::test::test_seed(7);
  std::mt19937_64 rng(seed);
  for (int k : {3, 5, 11}) {
    for (auto mode : {PaddingMode::zeros, PaddingMode::reflect, PaddingMode::circular}) {
      Conv2dParams p;
      p.padding = PaddingSpec::same();
      p.padding_mode = mode;
      const Tensor x = random_tensor(rng, DType::f32, {1, 3, 67, 141});
      const Tensor w = random_tensor(rng, DType::f32, {16, 3, k, k});
      auto want = cs::conv2d_reference(x.to(DType::f64), w.to(DType::f64), nullptr, p);
      ASSERT_TRUE(want) << want.error().message;
      auto got = cs::gpu::conv2d(x, w, nullptr, p);
      ASSERT_TRUE(got) << got.error().message;
      double worst = 0;
      for (int64_t i = 0; i < want->numel(); ++i)
        worst = std::max(worst, std::fabs(got->get(i) - want->get(i)));
      EXPECT_LE(worst, 1e-6 * (3 * k * k + 1))
          << "k " << k << " mode " << cs::padding_mode_name(mode) << " seed " << seed;
    }
  }
}

}  // namespace
