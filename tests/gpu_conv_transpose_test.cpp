// GPU transposed convolution (cs::gpu::conv_transpose2d, shaders/conv_transpose2d.comp, gather
// form) against the CPU engine: a hand-worked case, randomized cases over stride, padding,
// output_padding, dilation, groups, bias, NCHW/NHWC and float32/float64 against
// cs::conv_transpose2d_reference, Keras's cropped plans, and the command line.
// Replay a run with CONVSCOPE_SEED=<seed>.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <sstream>

#include "app/gpu/compute.hpp"
#include "core/conv_transpose.hpp"
#include "core/keras.hpp"
#include "core/npy.hpp"
#include "gpu_test_util.hpp"
#include "random_cases.hpp"

namespace {

using cs::ConvTranspose2dParams;
using cs::DType;
using cs::Tensor;

TEST(GpuConvTranspose, HandWorkedStrideTwoPaddingOutputPadding) {
  CS_REQUIRE_GPU();
  // x = k = [[1 2] [3 4]], stride 2, padding 1, output_padding 1:
  // out = (2 − 1)·2 − 2·1 + 1·(2 − 1) + 1 + 1 = 3. The stamps x[iy][ix]·k tile a 4×4 without
  // overlap: rows [1 2 2 4] [3 4 6 8] [3 6 4 8] [9 12 12 16]; output_padding adds a zero row and
  // column at the bottom/right; padding 1 crops one from each side, leaving rows/columns 1..3:
  // [4 6 8] [6 4 8] [12 12 16].
  const Tensor x = Tensor::from_values(DType::f32, {1, 1, 2, 2}, {1, 2, 3, 4});
  ConvTranspose2dParams p;
  p.stride_h = p.stride_w = 2;
  p.pad_h = p.pad_w = 1;
  p.output_padding_h = p.output_padding_w = 1;
  auto y = cs::gpu::conv_transpose2d(x, x, nullptr, p);
  ASSERT_TRUE(y) << y.error().message;
  ASSERT_EQ(y->shape(), (cs::Shape{1, 1, 3, 3}));
  const double want[] = {4, 6, 8, 6, 4, 8, 12, 12, 16};
  for (int i = 0; i < 9; ++i)
    EXPECT_EQ(y->get(i), want[i]) << i;
}

TEST(GpuConvTranspose, OverlappingStampsAddAndTheBiasComesLast) {
  CS_REQUIRE_GPU();
  // Stride 1, 2×2 kernel of ones on x = [[1 2] [3 4]]: out is 3×3 and each output sums the
  // inputs whose stamp covers it: centre (1, 1) = 1 + 2 + 3 + 4 = 10, corner (0, 0) = 1,
  // (0, 1) = 1 + 2 = 3; plus bias 0.5.
  const Tensor x = Tensor::from_values(DType::f64, {1, 1, 2, 2}, {1, 2, 3, 4});
  const Tensor k = Tensor::from_values(DType::f64, {1, 1, 2, 2}, {1, 1, 1, 1});
  const Tensor b = Tensor::from_values(DType::f64, {1}, {0.5});
  auto y = cs::gpu::conv_transpose2d(x, k, &b, ConvTranspose2dParams{});
  ASSERT_TRUE(y) << y.error().message;
  ASSERT_EQ(y->shape(), (cs::Shape{1, 1, 3, 3}));
  EXPECT_EQ(y->dtype(), DType::f64);
  EXPECT_EQ(y->get(0), 1.5);
  EXPECT_EQ(y->get(1), 3.5);
  EXPECT_EQ(y->get(4), 10.5);
  EXPECT_EQ(y->get(8), 4.5);
}

TEST(GpuConvTranspose, InvalidOperandsGiveTheEngineSentence) {
  CS_REQUIRE_GPU();
  const Tensor x(DType::f32, {1, 4, 3, 3});
  const Tensor w_groups(DType::f32, {4, 1, 3, 3});
  const Tensor w64(DType::f64, {4, 1, 3, 3});
  ConvTranspose2dParams three_groups;
  three_groups.groups = 3;
  ConvTranspose2dParams crop_all;
  crop_all.pad_h = 4;
  for (auto [w, p] : {std::pair{&w_groups, three_groups}, std::pair{&w64, ConvTranspose2dParams{}},
                      std::pair{&w_groups, crop_all}}) {
    auto gpu = cs::gpu::conv_transpose2d(x, *w, nullptr, p);
    auto cpu = cs::conv_transpose2d(x, *w, nullptr, p);
    ASSERT_FALSE(gpu);
    ASSERT_FALSE(cpu);
    EXPECT_EQ(gpu.error().message, cpu.error().message);
    EXPECT_EQ(gpu.error().field, cpu.error().field);
  }
}

// The largest |got − want| over all outputs within `tol`, or a failure naming the first output
// (as stored) that is not.
::testing::AssertionResult close(const Tensor& got, const Tensor& want, double tol) {
  if (got.shape() != want.shape() || got.dtype() != want.dtype()) {
    return ::testing::AssertionFailure()
           << "shape " << cs::shape_to_string(got.shape()) << " " << cs::dtype_name(got.dtype())
           << ", want " << cs::shape_to_string(want.shape()) << " " << cs::dtype_name(want.dtype());
  }
  for (int64_t i = 0; i < want.numel(); ++i) {
    const double err = std::fabs(got.get(i) - want.get(i));
    if (!(err <= tol)) {
      return ::testing::AssertionFailure()
             << "output " << cs::test::nchw_index(want.shape(), i) << " is " << got.get(i)
             << ", want " << want.get(i) << " (error " << err << " > " << tol << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

// Per dtype: float32 sums round at 2^-24 per term, float64 at 2^-53; values lie in [-1, 1], so
// an output's terms add up to at most `terms` in magnitude.
double tolerance(DType dtype, double terms) {
  return (dtype == DType::f32 ? 1e-6 : 1e-12) * (1 + terms);
}

TEST(GpuConvTranspose, RandomizedAgainstTheReference) {
  CS_REQUIRE_GPU();
  const uint64_t seed = cs::test::test_seed(20261204);
  std::mt19937_64 rng(seed);
  int ran = 0, ran_f64 = 0, ran_nhwc = 0;
  // NOTE: every new (kernel, stride, dilation, dtype) compiles a shader variant on first use.
  for (int trial = 0; trial < 400 && ran < 60; ++trial) {
    const cs::test::ConvTransposeCase c = cs::test::random_conv_transpose2d_case(rng, {13, 21, 3});
    const ConvTranspose2dParams& p = c.p;
    const DType dtype = cs::test::pick(rng, 0, 1) == 0 ? DType::f64 : DType::f32;
    auto geo = cs::conv_transpose2d_geometry_for(c.x, c.w, c.bias ? c.c_out : -1, p);
    if (!geo) continue;  // an invalid combination: validation is tested in core
    ++ran;
    ran_f64 += dtype == DType::f64 ? 1 : 0;
    ran_nhwc += p.layout == cs::Layout::nhwc ? 1 : 0;
    const Tensor x = cs::test::random_tensor(rng, dtype, c.x, false);
    const Tensor w = cs::test::random_tensor(rng, dtype, c.w, false);
    const Tensor b = cs::test::random_tensor(rng, dtype, {c.c_out}, false);
    const Tensor* bp = c.bias ? &b : nullptr;
    auto want = cs::conv_transpose2d_reference(x, w, bp, p);
    ASSERT_TRUE(want) << want.error().message;
    auto got = cs::gpu::conv_transpose2d(x, w, bp, p);
    std::ostringstream what;
    what << "seed " << seed << " trial " << trial << ": " << c.describe() << " "
         << cs::dtype_name(dtype);
    ASSERT_TRUE(got) << what.str() << ": " << got.error().message;
    // An output takes at most one tap per (input channel, kernel cell), plus the bias.
    const double terms = static_cast<double>(geo->c_in_per_group * geo->k_h * geo->k_w) + 1;
    EXPECT_TRUE(close(*got, *want, tolerance(dtype, terms))) << what.str();
  }
  EXPECT_GE(ran, 60) << "too few valid random cases, seed " << seed;
  EXPECT_GE(ran_f64, 10) << "seed " << seed;
  EXPECT_GE(ran_nhwc, 10) << "seed " << seed;
}

TEST(GpuConvTranspose, KerasPlansCropLikeTheCpu) {
  CS_REQUIRE_GPU();
  const uint64_t seed = cs::test::test_seed(11);
  std::mt19937_64 rng(seed);
  // 'same' with stride 2 and an odd kernel crops one row and column at the bottom/right.
  for (auto padding : {cs::KerasPadding::same, cs::KerasPadding::valid}) {
    for (int k : {2, 3}) {
      for (DType dtype : {DType::f32, DType::f64}) {
        ConvTranspose2dParams asked;
        asked.stride_h = asked.stride_w = 2;
        asked.layout = cs::Layout::nhwc;
        const Tensor x = cs::test::random_tensor(rng, dtype, {1, 5, 6, 2}, false);
        const Tensor w = cs::test::random_tensor(rng, dtype, {k, k, 3, 2}, false);
        const Tensor b = cs::test::random_tensor(rng, dtype, {3}, false);
        auto plan = cs::keras_conv_transpose2d_plan(asked, padding, false, x.shape(), w.shape());
        ASSERT_TRUE(plan) << plan.error().message;
        auto want = cs::keras_conv_transpose2d(x, w, &b, *plan);
        ASSERT_TRUE(want) << want.error().message;
        auto got = cs::gpu::keras_conv_transpose2d(x, w, &b, *plan);
        ASSERT_TRUE(got) << got.error().message;
        EXPECT_TRUE(close(*got, *want, tolerance(dtype, 2 * k * k + 1)))
            << "seed " << seed << " k " << k << " " << cs::dtype_name(dtype)
            << (padding == cs::KerasPadding::same ? " same" : " valid") << " crop "
            << plan->crop_bottom << "," << plan->crop_right;
      }
    }
  }
}

TEST(GpuConvTranspose, ManyChannelsAndTiles) {
  CS_REQUIRE_GPU();
  // An output larger than one work group (16×8) in both directions, 8 → 12 channels.
  const uint64_t seed = cs::test::test_seed(5);
  std::mt19937_64 rng(seed);
  ConvTranspose2dParams p;
  p.stride_h = p.stride_w = 2;
  p.pad_h = p.pad_w = 1;
  p.output_padding_h = 1;
  const Tensor x = cs::test::random_tensor(rng, DType::f32, {2, 8, 19, 23}, false);
  const Tensor w = cs::test::random_tensor(rng, DType::f32, {8, 12, 4, 4}, false);
  const Tensor b = cs::test::random_tensor(rng, DType::f32, {12}, false);
  auto want = cs::conv_transpose2d_reference(x, w, &b, p);
  ASSERT_TRUE(want) << want.error().message;
  auto got = cs::gpu::conv_transpose2d(x, w, &b, p);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(close(*got, *want, tolerance(DType::f32, 8 * 16 + 1))) << "seed " << seed;
}

namespace fs = std::filesystem;

TEST(GpuConvTranspose, CommandLineRunsOnTheGpu) {
  CS_REQUIRE_GPU();
  const fs::path dir = fs::path(::testing::TempDir()) / "convscope_gpu_conv_transpose";
  fs::create_directories(dir);
  std::mt19937_64 rng(cs::test::test_seed(3));
  const Tensor x = cs::test::random_tensor(rng, DType::f32, {1, 2, 5, 6}, false);
  const Tensor w = cs::test::random_tensor(rng, DType::f32, {2, 3, 3, 3}, false);
  ASSERT_TRUE(cs::write_npy((dir / "x.npy").string(), x));
  ASSERT_TRUE(cs::write_npy((dir / "w.npy").string(), w));
  const std::string base = std::string(CONVSCOPE_EXE) + " conv-transpose --input " +
                           (dir / "x.npy").string() + " --weight " + (dir / "w.npy").string() +
                           " --stride 2 --padding 1 --output-padding 1 --out ";
  // out = (5 − 1)·2 − 2 + 2 + 1 + 1 = 10 rows, (6 − 1)·2 − 2 + 2 + 1 + 1 = 12 columns.
  for (const char* backend : {"gpu", "auto", "cpu"}) {
    const cs::test::CommandRun r = cs::test::run_command(base + (dir / backend).string() +
                                                         ".npy --backend " + backend + " 2>&1");
    ASSERT_EQ(r.status, 0) << r.output;
    const std::string where = std::string(backend) == "cpu" ? "cpu" : "gpu";
    EXPECT_NE(r.output.find("float32 [1, 3, 10, 12] on " + where), std::string::npos) << r.output;
  }
  auto cpu = cs::read_npy((dir / "cpu.npy").string());
  ASSERT_TRUE(cpu) << cpu.error().message;
  for (const char* backend : {"gpu", "auto"}) {
    auto got = cs::read_npy((dir / backend).string() + ".npy");
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_TRUE(close(*got, *cpu, tolerance(DType::f32, 2 * 9 + 1))) << backend;
  }
  fs::remove_all(dir);
}

}  // namespace
