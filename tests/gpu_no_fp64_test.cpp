// A GPU without double precision, simulated with CONVSCOPE_GPU_NO_FP64=1 (set before the compute
// thread probes; ctest runs every test in its own process): float64 is refused with one sentence
// that names GL_ARB_gpu_shader_fp64 and --backend cpu, float32 still runs on the GPU, and the
// command line's --backend auto computes float64 on the CPU.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "app/gpu/compute.hpp"
#include "core/npy.hpp"
#include "gpu_test_util.hpp"

namespace {

using cs::DType;
using cs::Tensor;
namespace fs = std::filesystem;

void pretend_no_fp64() {
  ::setenv("CONVSCOPE_GPU_NO_FP64", "1", 1);
}

// The refusal: one sentence (no line break, one full stop at most at the end), naming the
// extension and the fix.
void expect_refusal(const std::string& message) {
  EXPECT_NE(message.find("GL_ARB_gpu_shader_fp64"), std::string::npos) << message;
  EXPECT_NE(message.find("float64"), std::string::npos) << message;
  EXPECT_NE(message.find("use --backend cpu"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(message.find(". "), std::string::npos) << message;
}

TEST(GpuNoFp64, Float64IsRefusedAndFloat32StillRuns) {
  pretend_no_fp64();
  CS_REQUIRE_GPU();
  const cs::gpu::ComputeStatus status = cs::gpu::compute_status();
  EXPECT_TRUE(status.available);
  EXPECT_FALSE(status.fp64);
  expect_refusal(status.fp64_reason);
  EXPECT_NE(status.fp64_reason.find("CONVSCOPE_GPU_NO_FP64"), std::string::npos);

  const Tensor x64 = Tensor::from_values(DType::f64, {1, 1, 2, 2}, {1, 2, 3, 4});
  const Tensor w64 = Tensor::from_values(DType::f64, {1, 1, 1, 1}, {2});
  auto conv = cs::gpu::conv2d(x64, w64, nullptr, cs::Conv2dParams{});
  ASSERT_FALSE(conv);
  expect_refusal(conv.error().message);
  EXPECT_EQ(conv.error().field, "backend");
  auto pool = cs::gpu::pool2d(x64, cs::Pool2dParams{});
  ASSERT_FALSE(pool);
  expect_refusal(pool.error().message);
  auto transposed = cs::gpu::conv_transpose2d(x64, w64, nullptr, cs::ConvTranspose2dParams{});
  ASSERT_FALSE(transposed);
  expect_refusal(transposed.error().message);

  // float32 is unaffected: 2·[1 2 3 4].
  auto conv32 = cs::gpu::conv2d(x64.to(DType::f32), w64.to(DType::f32), nullptr, {});
  ASSERT_TRUE(conv32) << conv32.error().message;
  EXPECT_EQ(conv32->get(3), 8.0);
}

// convscope `args` with double precision pretended away; stdout and stderr together.
cs::test::CommandRun convscope(const std::string& args) {
  return cs::test::run_command("CONVSCOPE_GPU_NO_FP64=1 " + std::string(CONVSCOPE_EXE) + " " +
                               args + " 2>&1");
}

TEST(GpuNoFp64, CommandLineRefusesGpuAndAutoUsesTheCpu) {
  pretend_no_fp64();
  CS_REQUIRE_GPU();
  const fs::path dir = fs::path(::testing::TempDir()) / "convscope_gpu_no_fp64";
  fs::create_directories(dir);
  const std::string x = (dir / "x.npy").string(), w = (dir / "w.npy").string(),
                    wt = (dir / "wt.npy").string(), y = (dir / "y.npy").string();
  // x = 1..9 in a 3×3, a 1×1 kernel 2 (conv and transposed alike): y = 2x on every backend.
  const Tensor x64 = Tensor::from_values(DType::f64, {1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const Tensor w64 = Tensor::from_values(DType::f64, {1, 1, 1, 1}, {2});
  ASSERT_TRUE(cs::write_npy(x, x64));
  ASSERT_TRUE(cs::write_npy(w, w64));
  const std::string commands[] = {
      "conv --input " + x + " --weight " + w,
      "pool --input " + x + " --op max --kernel 1",
      "conv-transpose --input " + x + " --weight " + w,
  };
  for (const std::string& command : commands) {
    SCOPED_TRACE(command);
    fs::remove(y);
    const cs::test::CommandRun refused = convscope(command + " --backend gpu --out " + y);
    EXPECT_EQ(refused.status, 2) << refused.output;
    expect_refusal(refused.output.substr(0, refused.output.find_last_not_of('\n') + 1));
    EXPECT_FALSE(fs::exists(y)) << "no output after an error";

    const cs::test::CommandRun fell_back = convscope(command + " --backend auto --out " + y);
    ASSERT_EQ(fell_back.status, 0) << fell_back.output;
    EXPECT_NE(fell_back.output.find("GL_ARB_gpu_shader_fp64"), std::string::npos)
        << fell_back.output;
    EXPECT_NE(fell_back.output.find("float64 [1, 1, 3, 3] on cpu"), std::string::npos)
        << fell_back.output;
    auto got = cs::read_npy(y);
    ASSERT_TRUE(got) << got.error().message;
    const double scale = command.rfind("pool", 0) == 0 ? 1.0 : 2.0;
    for (int64_t i = 0; i < 9; ++i)
      EXPECT_EQ(got->get(i), scale * static_cast<double>(i + 1)) << i;
  }
  fs::remove_all(dir);
}

}  // namespace
