// GPU pooling (cs::gpu::pool2d, shaders/pool2d.comp) against the CPU engine (cs::pool2d):
// hand-worked cases, then randomized max/avg cases over kernel, stride, padding, dilation,
// ceil_mode and count_include_pad. Replay with CONVSCOPE_SEED=<seed>.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>

#include "app/gpu/compute.hpp"
#include "core/geometry.hpp"
#include "core/pool2d.hpp"
#include "gpu_test_util.hpp"
#include "random_cases.hpp"

namespace {

using cs::DType;
using cs::Pool2dParams;
using cs::PoolOp;
using cs::Tensor;

const Tensor k_x = Tensor::from_values(DType::f32, {1, 1, 4, 4},
                                       {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});

TEST(GpuPool2d, HandWorkedMaxAndAvg) {
  CS_REQUIRE_GPU();
  // 2×2 windows, stride 2: max of [[1 2] [5 6]] = 6, then 8, 14, 16;
  // avg of [[1 2] [5 6]] = 14 / 4 = 3.5, then 5.5, 11.5, 13.5.
  Pool2dParams p;
  auto mx = cs::gpu::pool2d(k_x, p);
  ASSERT_TRUE(mx) << mx.error().message;
  EXPECT_EQ(mx->shape(), (cs::Shape{1, 1, 2, 2}));
  const double want_max[] = {6, 8, 14, 16};
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(mx->get(i), want_max[i]) << i;
  p.op = PoolOp::avg;
  auto av = cs::gpu::pool2d(k_x, p);
  ASSERT_TRUE(av) << av.error().message;
  const double want_avg[] = {3.5, 5.5, 11.5, 13.5};
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(av->get(i), want_avg[i]) << i;
}

TEST(GpuPool2d, CeilModeAndExcludedPadding) {
  CS_REQUIRE_GPU();
  // avg 3×3, stride 2, padding 1, ceil_mode, count_include_pad false on 4×4:
  // out = ceil((4 + 2 − 3) / 2) + 1 = 3 (the last window starts at 3, inside the input).
  // Window (0, 0) covers rows/cols −1..1: real cells 1 2 5 6 → 14 / 4 = 3.5.
  // Window (2, 2) covers rows/cols 3..5: real cell 16 only → 16 / 1 = 16.
  Pool2dParams p;
  p.op = PoolOp::avg;
  p.k_h = p.k_w = 3;
  p.stride_h = p.stride_w = 2;
  p.pad_h = p.pad_w = 1;
  p.ceil_mode = true;
  p.count_include_pad = false;
  auto y = cs::gpu::pool2d(k_x, p);
  ASSERT_TRUE(y) << y.error().message;
  ASSERT_EQ(y->shape(), (cs::Shape{1, 1, 3, 3}));
  EXPECT_EQ(y->get(0), 3.5);
  EXPECT_EQ(y->get(8), 16.0);
}

TEST(GpuPool2d, RandomizedAgainstTheEngine) {
  CS_REQUIRE_GPU();
  const uint64_t seed = cs::test::test_seed(4242);
  std::mt19937_64 rng(seed);
  int ran = 0;
  for (int trial = 0; trial < 600 && ran < 200; ++trial) {
    const cs::test::PoolCase c = cs::test::random_pool2d_case(rng, {19, 27, 4});
    const Pool2dParams& p = c.p;
    if (!cs::pool2d_geometry_for(c.x, p)) continue;
    ++ran;
    const DType dtype = cs::test::pick(rng, 0, 4) == 0 ? DType::f64 : DType::f32;
    Tensor x(dtype, c.x);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    for (int64_t i = 0; i < x.numel(); ++i)
      x.set(i, dist(rng));
    auto want = cs::pool2d(x.to(DType::f64), p);
    ASSERT_TRUE(want) << want.error().message;
    auto got = cs::gpu::pool2d(x, p);
    std::ostringstream what;
    what << "seed " << seed << " trial " << trial << ": " << c.describe();
    ASSERT_TRUE(got) << what.str() << ": " << got.error().message;
    ASSERT_EQ(got->shape(), want->shape()) << what.str();
    ASSERT_EQ(got->dtype(), dtype) << what.str();
    for (int64_t i = 0; i < want->numel(); ++i) {
      // A dilated max window may hold only padding: both engines answer −inf there.
      if (std::isinf(want->get(i)) && got->get(i) == want->get(i)) continue;
      ASSERT_NEAR(got->get(i), want->get(i), 1e-6 * (p.k_h * p.k_w))
          << what.str() << " at flat output index " << i;
    }
  }
  EXPECT_GE(ran, 150) << "seed " << seed;
}

}  // namespace
