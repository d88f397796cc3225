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
  EXPECT_GE(count, 7);
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
  using Defines = std::vector<std::pair<std::string, int>>;
  const Defines conv_defines = {
      {"K_H", 3},        {"K_W", 3},    {"STRIDE_H", 1}, {"STRIDE_W", 1}, {"DILATION_H", 1},
      {"DILATION_W", 1}, {"SPAN_H", 3}, {"SPAN_W", 3},   {"LOCAL_X", 16}, {"LOCAL_Y", 16},
      {"PX", 8},         {"OCB", 4},    {"TILED", 1},    {"ROWS", 1}};
  const Defines transpose_defines = {{"K_H", 3},      {"K_W", 2},        {"STRIDE_H", 2},
                                     {"STRIDE_W", 1}, {"DILATION_H", 1}, {"DILATION_W", 2}};
  // Those read by the engine with FP64 are compiled in both precisions (FP64 0 and 1).
  struct Case {
    const char* name;
    Defines defines;
    bool has_fp64;
  };
  const Case cases[] = {{"conv2d.comp", conv_defines, true},
                        {"pool2d.comp", {}, true},
                        {"conv_transpose2d.comp", transpose_defines, true},
                        {"range.comp", {}, false},
                        {"display.comp", {}, false},
                        {"probe.comp", {}, false},
                        {"probe_fp64.comp", {}, false}};
  for (const Case& c : cases) {
    for (int fp64 = 0; fp64 <= (c.has_fp64 ? 1 : 0); ++fp64) {
      std::string source = cs::gpu::embedded_shader(c.name);
      std::string block = c.has_fp64 ? "#define FP64 " + std::to_string(fp64) + "\n" : "";
      for (const auto& [k, v] : c.defines)
        block += "#define " + k + " " + std::to_string(v) + "\n";
      source.insert(source.find('\n') + 1, block);
      cs::gpu::ComputeProgram program(c.name, source);
      EXPECT_TRUE(program.valid()) << c.name << " FP64 " << fp64 << ": " << program.log();
    }
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
