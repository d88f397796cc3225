// The shaders a moved binary falls back to: every shaders/*.comp is embedded, identical to the
// file, and the embedded copies compile and run (so the fallback is not just present but usable).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/gpu/gl_context.hpp"
#include "app/gpu/gl_util.hpp"
#include "app/gpu/shader_library.hpp"
#include "gpu_test_util.hpp"

namespace {

TEST(GpuShaders, EveryShaderFileIsEmbeddedVerbatim) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(CONVSCOPE_SOURCE_DIR "/shaders")) {
    if (entry.path().extension() != ".comp") continue;
    ++count;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const std::string name = entry.path().filename().string();
    const char* embedded = cs::gpu::embedded_shader(name);
    ASSERT_NE(embedded, nullptr) << name << " is not embedded: rebuild";
    EXPECT_EQ(std::string(embedded), text.str()) << name << " differs from its embedded copy";
  }
  EXPECT_GE(count, 5);
  EXPECT_EQ(cs::gpu::embedded_shader("no-such.comp"), nullptr);
}

TEST(GpuShaders, DefinesGoRightAfterTheVersionLine) {
  auto text = cs::gpu::shader_with_defines("probe.comp", {{"K_H", 3}, {"K_W", 5}});
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(text->rfind("#version 430\n#define K_H 3\n#define K_W 5\n#line 2\n", 0), 0u)
      << text->substr(0, 80);
  EXPECT_FALSE(cs::gpu::shader_source("no-such.comp"));
}

TEST(GpuShaders, EmbeddedCopiesCompileAndABrokenShaderShowsTheDriverLog) {
  CS_REQUIRE_GPU();
  auto context = cs::gpu::HeadlessContext::create();
  ASSERT_TRUE(context->valid() && context->is_43()) << context->error();
  const std::vector<std::pair<std::string, int>> conv_defines = {
      {"K_H", 3},        {"K_W", 3},    {"STRIDE_H", 1}, {"STRIDE_W", 1}, {"DILATION_H", 1},
      {"DILATION_W", 1}, {"SPAN_H", 3}, {"SPAN_W", 3},   {"LOCAL_X", 16}, {"LOCAL_Y", 16},
      {"PX", 8},         {"OCB", 4},    {"TILED", 1},    {"ROWS", 1}};
  for (const char* name :
       {"conv2d.comp", "pool2d.comp", "range.comp", "display.comp", "probe.comp"}) {
    std::string source = cs::gpu::embedded_shader(name);
    if (std::string(name) == "conv2d.comp") {
      std::string block;
      for (const auto& [k, v] : conv_defines)
        block += "#define " + k + " " + std::to_string(v) + "\n";
      source.insert(source.find('\n') + 1, block);
    }
    cs::gpu::ComputeProgram program(name, source);
    EXPECT_TRUE(program.valid()) << program.log();
  }
  cs::gpu::ComputeProgram broken("broken.comp",
                                 "#version 430\nlayout(local_size_x = 1) in;\nvoid main() { "
                                 "undeclared_name = 1; }\n");
  EXPECT_FALSE(broken.valid());
  EXPECT_NE(broken.log().find("compiling broken.comp failed; the driver says:"), std::string::npos)
      << broken.log();
  EXPECT_NE(broken.log().find("undeclared_name"), std::string::npos) << broken.log();
}

}  // namespace
