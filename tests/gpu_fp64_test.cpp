// float64 on the GPU (shaders compiled with FP64 1, GL_ARB_gpu_shader_fp64): hand-worked cases
// that float32 cannot represent, then randomized conv2d and pooling cases against the CPU engine
// at float64 tolerance (1e-12 relative to the sum of the terms' magnitudes), NCHW and NHWC, and
// the command line. The refusal where double precision is missing: gpu_no_fp64_test.cpp.
// Replay a run with CONVSCOPE_SEED=<seed>.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <sstream>

#include "app/gpu/compute.hpp"
#include "core/conv2d.hpp"
#include "core/geometry.hpp"
#include "core/npy.hpp"
#include "core/pool2d.hpp"
#include "gpu_test_util.hpp"
#include "random_cases.hpp"

namespace {

using cs::Conv2dParams;
using cs::DType;
using cs::PaddingMode;
using cs::PaddingSpec;
using cs::Pool2dParams;
using cs::PoolOp;
using cs::Tensor;

// At the top of a float64 test: the GPU must have double precision (llvmpipe has it, so CI
// fails rather than skips when it is missing).
#define CS_REQUIRE_GPU_FP64()                                                                      \
  do {                                                                                             \
    CS_REQUIRE_GPU();                                                                              \
    const cs::gpu::ComputeStatus cs_fp64 = cs::gpu::compute_status();                              \
    if (!cs_fp64.fp64) {                                                                           \
      if (std::getenv("CI") != nullptr) FAIL() << "CI needs GPU float64: " << cs_fp64.fp64_reason; \
      GTEST_SKIP() << cs_fp64.fp64_reason;                                                         \
    }                                                                                              \
  } while (0)

const double k_eps30 = std::ldexp(1.0, -30);  // below float32's 2^-24 resolution at 1

TEST(GpuFp64, ConvKeepsBitsFloat32WouldLose) {
  CS_REQUIRE_GPU_FP64();
  // 1×1 kernel 1 and bias 2^-31: out = (1 + 2^-30)·1 + 2^-31 = 1 + 3·2^-31, exact in double; in
  // float32 both small parts round away and the output is 1.
  const Tensor x = Tensor::from_values(DType::f64, {1, 1, 1, 2}, {1 + k_eps30, -1 - k_eps30});
  const Tensor w = Tensor::from_values(DType::f64, {1, 1, 1, 1}, {1});
  const Tensor b = Tensor::from_values(DType::f64, {1}, {k_eps30 / 2});
  auto y = cs::gpu::conv2d(x, w, &b, Conv2dParams{});
  ASSERT_TRUE(y) << y.error().message;
  ASSERT_EQ(y->dtype(), DType::f64);
  EXPECT_EQ(y->get(0), 1 + 3 * k_eps30 / 2);
  EXPECT_EQ(y->get(1), -1 - k_eps30 / 2);
}

TEST(GpuFp64, PoolingKeepsBitsFloat32WouldLose) {
  CS_REQUIRE_GPU_FP64();
  // x = [1 + 2^-30, 1, 1 + 2^-29, 3]: max of the first pair = 1 + 2^-30, avg of the pair
  // = (2 + 2^-30) / 2 = 1 + 2^-31; second pair: max 3, avg (4 + 2^-29) / 2 = 2 + 2^-30.
  const Tensor x =
      Tensor::from_values(DType::f64, {1, 1, 1, 4}, {1 + k_eps30, 1, 1 + 2 * k_eps30, 3});
  Pool2dParams p;
  p.k_h = 1;
  p.k_w = p.stride_w = 2;
  p.stride_h = 1;
  auto mx = cs::gpu::pool2d(x, p);
  ASSERT_TRUE(mx) << mx.error().message;
  EXPECT_EQ(mx->get(0), 1 + k_eps30);
  EXPECT_EQ(mx->get(1), 3.0);
  p.op = PoolOp::avg;
  auto av = cs::gpu::pool2d(x, p);
  ASSERT_TRUE(av) << av.error().message;
  EXPECT_EQ(av->get(0), 1 + k_eps30 / 2);
  EXPECT_EQ(av->get(1), 2 + k_eps30);
}

// Every output of `got` within 1e-12 · (1 + `scale`) of `want`, or a failure naming the first
// one that is not (its NCHW or NHWC index as stored).
::testing::AssertionResult close_f64(const Tensor& got, const Tensor& want, double scale) {
  if (got.shape() != want.shape() || got.dtype() != DType::f64) {
    return ::testing::AssertionFailure() << "shape " << cs::shape_to_string(got.shape())
                                         << " dtype " << cs::dtype_name(got.dtype()) << ", want "
                                         << cs::shape_to_string(want.shape()) << " float64";
  }
  const double tol = 1e-12 * (1 + scale);
  for (int64_t i = 0; i < want.numel(); ++i) {
    const double a = got.get(i), b = want.get(i);
    const bool same = (std::isnan(a) && std::isnan(b)) || a == b || std::fabs(a - b) <= tol;
    if (!same) {
      return ::testing::AssertionFailure()
             << "output " << cs::test::nchw_index(want.shape(), i) << " is " << a << ", want " << b
             << " (error " << std::fabs(a - b) << " > " << tol << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(GpuFp64, Conv2dRandomizedAgainstTheCpu) {
  CS_REQUIRE_GPU_FP64();
  const uint64_t seed = cs::test::test_seed(20261202);
  std::mt19937_64 rng(seed);
  int ran = 0;
  for (int trial = 0; trial < 200 && ran < 40; ++trial) {
    const cs::test::ConvCase c = cs::test::random_conv2d_case(rng, {21, 37, 2});
    const Conv2dParams& p = c.p;
    auto geo = cs::conv2d_geometry_for(c.x, c.w, c.bias ? c.c_out : -1, p);
    if (!geo) continue;  // an invalid combination: validation is tested in core
    ++ran;
    // Full float64 values in [-1, 1] (not float32-representable).
    const Tensor x = cs::test::random_tensor(rng, DType::f64, c.x, false);
    const Tensor w = cs::test::random_tensor(rng, DType::f64, c.w, false);
    const Tensor b = cs::test::random_tensor(rng, DType::f64, {c.c_out}, false);
    const Tensor* bp = c.bias ? &b : nullptr;
    auto want = cs::conv2d(x, w, bp, p);
    ASSERT_TRUE(want) << want.error().message;
    auto got = cs::gpu::conv2d(x, w, bp, p);
    std::ostringstream what;
    what << "seed " << seed << " trial " << trial << ": " << c.describe();
    ASSERT_TRUE(got) << what.str() << ": " << got.error().message;
    // |x|, |w|, |b| <= 1: a window's terms add up to at most taps + 1 in magnitude.
    const double taps = static_cast<double>(geo->c_in_per_group * geo->k_h * geo->k_w) + 1;
    EXPECT_TRUE(close_f64(*got, *want, taps)) << what.str();
  }
  EXPECT_GE(ran, 40) << "too few valid random cases, seed " << seed;
}

TEST(GpuFp64, Pool2dRandomizedAgainstTheCpu) {
  CS_REQUIRE_GPU_FP64();
  const uint64_t seed = cs::test::test_seed(20261203);
  std::mt19937_64 rng(seed);
  int ran = 0;
  for (int trial = 0; trial < 400 && ran < 80; ++trial) {
    const cs::test::PoolCase c = cs::test::random_pool2d_case(rng, {19, 27, 2});
    const Pool2dParams& p = c.p;
    if (!cs::pool2d_geometry_for(c.x, p)) continue;
    ++ran;
    const Tensor x = cs::test::random_tensor(rng, DType::f64, c.x, false);
    auto want = cs::pool2d(x, p);
    ASSERT_TRUE(want) << want.error().message;
    auto got = cs::gpu::pool2d(x, p);
    std::ostringstream what;
    what << "seed " << seed << " trial " << trial << ": " << c.describe();
    ASSERT_TRUE(got) << what.str() << ": " << got.error().message;
    // Max picks one of the values (exactly); avg divides a sum of at most k_h·k_w terms.
    EXPECT_TRUE(close_f64(*got, *want, p.op == PoolOp::max ? 0.0 : 1.0)) << what.str();
  }
  EXPECT_GE(ran, 80) << "too few valid random cases, seed " << seed;
}

namespace fs = std::filesystem;

TEST(GpuFp64, CommandLineComputesFloat64OnTheGpu) {
  CS_REQUIRE_GPU_FP64();
  const fs::path dir = fs::path(::testing::TempDir()) / "convscope_gpu_fp64";
  fs::create_directories(dir);
  std::mt19937_64 rng(cs::test::test_seed(99));
  const Tensor x = cs::test::random_tensor(rng, DType::f64, {1, 2, 9, 11}, false);
  const Tensor w = cs::test::random_tensor(rng, DType::f64, {3, 2, 3, 3}, false);
  ASSERT_TRUE(cs::write_npy((dir / "x.npy").string(), x));
  ASSERT_TRUE(cs::write_npy((dir / "w.npy").string(), w));
  const std::string base = std::string(CONVSCOPE_EXE) + " conv --input " +
                           (dir / "x.npy").string() + " --weight " + (dir / "w.npy").string() +
                           " --padding 1 --padding-mode reflect --out ";
  for (const char* backend : {"gpu", "cpu"}) {
    const cs::test::CommandRun r =
        cs::test::run_command(base + (dir / backend).string() + ".npy --backend " + backend);
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find(std::string("float64 [1, 3, 9, 11] on ") + backend), std::string::npos)
        << r.output;
  }
  auto gpu = cs::read_npy((dir / "gpu.npy").string());
  auto cpu = cs::read_npy((dir / "cpu.npy").string());
  ASSERT_TRUE(gpu) << gpu.error().message;
  ASSERT_TRUE(cpu) << cpu.error().message;
  EXPECT_TRUE(close_f64(*gpu, *cpu, 2 * 9 + 1));
  fs::remove_all(dir);
}

}  // namespace
