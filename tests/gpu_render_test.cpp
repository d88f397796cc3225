// `convscope render` end to end: the same photo, kernel and display through --backend gpu and
// --backend cpu give the same PNG (±1 level); --layers runs a pipeline; bad input exits 2 with
// one sentence and leaves no output file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "core/image_io.hpp"
#include "gpu_test_util.hpp"

namespace {

using cs::test::CommandRun;

// `convscope render <args>`: its stdout and stderr, and its exit status.
CommandRun run(const std::string& args) {
  return cs::test::run_command(std::string(CONVSCOPE_EXE) + " render " + args + " 2>&1");
}

const std::string k_photo = CONVSCOPE_SOURCE_DIR "/assets/images/landscape.jpg";

std::string out_path(const std::string& name) {
  return ::testing::TempDir() + "convscope_render_" + name + ".png";
}

void expect_same_png(const std::string& a, const std::string& b, const std::string& what) {
  auto ia = cs::load_image(a);
  auto ib = cs::load_image(b);
  ASSERT_TRUE(ia && ib) << what;
  ASSERT_EQ(ia->width, ib->width) << what;
  ASSERT_EQ(ia->height, ib->height) << what;
  ASSERT_EQ(ia->pixels.size(), ib->pixels.size()) << what;
  for (std::size_t i = 0; i < ia->pixels.size(); ++i) {
    ASSERT_NEAR(ia->pixels[i], ib->pixels[i], 1)
        << what << ": pixel (" << (i / 3) % static_cast<std::size_t>(ia->width) << ", "
        << (i / 3) / static_cast<std::size_t>(ia->width) << ") channel " << i % 3;
  }
}

TEST(GpuRender, GpuAndCpuWriteTheSamePicture) {
  CS_REQUIRE_GPU();
  const char* cases[][2] = {
      {"--kernel sobel-x --display signed", "sobel"},
      {"--kernel gaussian-5 --padding-mode reflect", "blur"},
      {"--kernel sharpen --stride 2 --padding 1 --display abs", "sharpen"},
      {"--kernel laplacian --dilation 2 --padding-mode circular --display minmax", "laplace"},
  };
  for (const auto& c : cases) {
    const std::string gpu = out_path(std::string(c[1]) + "_gpu");
    const std::string cpu = out_path(std::string(c[1]) + "_cpu");
    CommandRun g = run("--image " + k_photo + " " + c[0] + " --backend gpu --out " + gpu);
    ASSERT_EQ(g.status, 0) << c[0] << ": " << g.output;
    CommandRun p = run("--image " + k_photo + " " + c[0] + " --backend cpu --out " + cpu);
    ASSERT_EQ(p.status, 0) << c[0] << ": " << p.output;
    expect_same_png(gpu, cpu, c[0]);
    std::remove(gpu.c_str());
    std::remove(cpu.c_str());
  }
}

// Renders the sample photo through the layers file `json` on both backends: the same picture,
// of `width` × `height`.
void expect_layers_agree(const std::string& name, const std::string& json, int width, int height) {
  const std::string layers = ::testing::TempDir() + "convscope_" + name + ".json";
  std::ofstream(layers) << json;
  const std::string gpu = out_path(name + "_gpu"), cpu = out_path(name + "_cpu");
  CommandRun g = run("--image " + k_photo + " --layers " + layers + " --backend gpu --out " + gpu);
  ASSERT_EQ(g.status, 0) << g.output;
  CommandRun p = run("--image " + k_photo + " --layers " + layers + " --backend cpu --out " + cpu);
  ASSERT_EQ(p.status, 0) << p.output;
  auto img = cs::load_image(gpu);
  ASSERT_TRUE(img);
  EXPECT_EQ(img->width, width);
  EXPECT_EQ(img->height, height);
  expect_same_png(gpu, cpu, name);
  std::remove(gpu.c_str());
  std::remove(cpu.c_str());
  std::remove(layers.c_str());
}

TEST(GpuRender, LayersPipelineOnBothBackends) {
  CS_REQUIRE_GPU();
  // 960×540 → same-padded convs keep the size; avg pool 3, stride 2, pad 1, ceil:
  // ceil((960 + 2 − 3) / 2) + 1 = 481 (the last window starts at 960 − 1 + ... inside), 271 rows.
  expect_layers_agree("layers", R"([{"kernel": "gaussian-3", "padding_mode": "replicate"},
    {"kernel": [[0, -1, 0], [-1, 4, -1], [0, -1, 0]], "bias": 0.5},
    {"pool": "avg", "kernel": 3, "stride": 2, "padding": 1, "ceil_mode": true}])",
                      481, 271);
}

// ReLU between GPU layers (done on the read-back tensor) and a transposed convolution on the GPU
// give the CPU's picture.
TEST(GpuRender, ReluAndTransposedLayersOnBothBackends) {
  CS_REQUIRE_GPU();
  // 960×540 → stride 2: 480×270 → (480 − 1)·2 − 2 + 3 + 1 = 960 wide, 540 high.
  expect_layers_agree("up", R"([{"kernel": "sobel-x", "stride": 2, "padding": 1},
    {"relu": true},
    {"transpose": true, "kernel": "gaussian-3", "stride": 2, "padding": 1, "output_padding": 1,
     "bias": 0.1}])",
                      960, 540);
}

TEST(GpuRender, BadInputExitsTwoWithOneSentenceAndNoFile) {
  const std::string out = out_path("never");
  std::remove(out.c_str());
  const std::string gif = ::testing::TempDir() + "convscope_x.gif";
  std::ofstream(gif, std::ios::binary) << "GIF89a\x01\x00\x01\x00";
  const std::string cases[] = {
      "--image " + gif + " --kernel sobel-x --out " + out,
      "--image " + k_photo + " --kernel no-such-kernel --out " + out,
      "--image " + k_photo + " --kernel sobel-x --display loud --out " + out,
      "--image " + k_photo + " --kernel sobel-x --stride 0 --out " + out,
      "--image " + k_photo + " --out " + out,
  };
  for (const std::string& args : cases) {
    CommandRun r = run(args);
    EXPECT_EQ(r.status, 2) << args << ": " << r.output;
    EXPECT_EQ(r.output.rfind("convscope render: ", 0), 0u) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    EXPECT_EQ(std::fopen(out.c_str(), "rb"), nullptr) << args;
  }
  CommandRun r = run("--image " + gif + " --kernel sobel-x --out " + out);
  EXPECT_NE(r.output.find("is a GIF image; ConvScope reads PNG and JPEG"), std::string::npos)
      << r.output;
  std::remove(gif.c_str());
}

}  // namespace
