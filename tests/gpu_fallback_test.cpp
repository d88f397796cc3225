// The fallback when GPU compute is unavailable, simulated the way macOS's GL 4.1 looks:
// MESA_GL_VERSION_OVERRIDE=4.1 set before any context exists. Then cs::gpu::* answer an error
// that says to use the CPU, LivePreview draws with the CPU fast path and says so once, and
// `convscope render` falls back (auto) or refuses (--backend gpu) with a clear sentence.
// Each test sets the variable first; ctest runs every test in its own process.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "app/gpu/compute.hpp"
#include "app/gpu/gl_context.hpp"
#include "app/gpu/live_preview.hpp"
#include "core/image_io.hpp"
#include "test_util.hpp"

namespace {

void pretend_gl_41() {
  ::setenv("MESA_GL_VERSION_OVERRIDE", "4.1", 1);
}

TEST(GpuFallback, ComputeIsUnavailableOnGl41AndTheFreeFunctionsSaySo) {
  pretend_gl_41();
  const cs::gpu::ComputeStatus status = cs::gpu::compute_status();
  EXPECT_FALSE(status.available);
  EXPECT_NE(status.reason.find("GPU compute is unavailable"), std::string::npos) << status.reason;
  // With a context at all (llvmpipe here), the reason names the version and what is needed.
  if (!status.version.empty()) {
    EXPECT_NE(status.reason.find("4.1"), std::string::npos) << status.reason;
    EXPECT_NE(status.reason.find("OpenGL 4.3"), std::string::npos) << status.reason;
  }
  const cs::Tensor x(cs::DType::f32, {1, 1, 4, 4});
  const cs::Tensor w(cs::DType::f32, {1, 1, 3, 3});
  auto y = cs::gpu::conv2d(x, w, nullptr, cs::Conv2dParams{});
  ASSERT_FALSE(y);
  EXPECT_NE(y.error().message.find("--backend cpu"), std::string::npos) << y.error().message;
  EXPECT_EQ(y.error().field, "backend");
  auto p = cs::gpu::pool2d(x, cs::Pool2dParams{});
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("--backend cpu"), std::string::npos);
}

TEST(GpuFallback, LivePreviewUsesTheCpuAndSaysSoOnce) {
  pretend_gl_41();
  auto context = cs::gpu::HeadlessContext::create();
  if (!context->valid()) {
    if (std::getenv("CI") != nullptr) FAIL() << "CI needs a GL context: " << context->error();
    GTEST_SKIP() << "no GL context at all here: " << context->error();
  }
  EXPECT_FALSE(context->is_43());
  cs::Image img;
  img.width = 8;
  img.height = 6;
  img.channels = 1;
  img.pixels.assign(48, 100);
  cs::gpu::LivePreview preview;
  ASSERT_TRUE(preview.set_image(img));
  ASSERT_TRUE(preview.set_kernel(cs::Tensor::from_values(cs::DType::f32, {1, 1, 1, 1}, {2.0}),
                                 nullptr, cs::Conv2dParams{}));
  preview.set_backend(cs::gpu::Backend::gpu);  // asked for, but unavailable
  ASSERT_TRUE(preview.render()) << preview.error();
  EXPECT_EQ(preview.backend(), "CPU fast path");
  const std::string msg = preview.take_message();
  EXPECT_NE(msg.find("GPU compute is unavailable"), std::string::npos) << msg;
  EXPECT_NE(msg.find("CPU fast path"), std::string::npos) << msg;
  // Once: a later change does not repeat it.
  preview.set_display(cs::gpu::DisplayMapping::minmax);
  ASSERT_TRUE(preview.render());
  EXPECT_TRUE(preview.message().empty()) << preview.message();
  // 100 / 255 · 2 = 0.784...
  const std::vector<float> v = preview.read_value(3, 2);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_NEAR(v[0], 200.0 / 255.0, 1e-6);
  EXPECT_NE(preview.result_texture(), 0u);
}

using cs::test::CommandRun;

// stdout and stderr of `command`, and its exit status.
CommandRun run(const std::string& command) {
  return cs::test::run_command(command + " 2>&1");
}

TEST(GpuFallback, RenderFallsBackOrRefusesClearly) {
  const std::string dir = ::testing::TempDir();
  const std::string out = dir + "convscope_fallback_out.png";
  std::remove(out.c_str());
  const std::string base = std::string("MESA_GL_VERSION_OVERRIDE=4.1 ") + CONVSCOPE_EXE +
                           " render --image " CONVSCOPE_SOURCE_DIR
                           "/assets/images/checker-grey.png --kernel box-blur --out " +
                           out;
  CommandRun refused = run(base + " --backend gpu");
  EXPECT_EQ(refused.status, 2) << refused.output;
  EXPECT_NE(refused.output.find("GPU compute is unavailable"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("--backend cpu"), std::string::npos) << refused.output;
  EXPECT_EQ(std::fopen(out.c_str(), "rb"), nullptr) << "no output after an error";

  CommandRun fell_back = run(base + " --backend auto");
  EXPECT_EQ(fell_back.status, 0) << fell_back.output;
  EXPECT_NE(fell_back.output.find("the CPU fast path does the work"), std::string::npos)
      << fell_back.output;
  auto img = cs::load_image(out);
  ASSERT_TRUE(img) << img.error().message;
  EXPECT_EQ(img->width, 64);
  std::remove(out.c_str());
}

}  // namespace
