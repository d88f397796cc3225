// The display pass (shaders/range.comp + display.comp) against hand-made maps and against the CPU
// mapping (app/gpu/display_map.cpp) on random maps; plus LivePreview end to end on a photo.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <random>

#include "app/gpu/display_map.hpp"
#include "app/gpu/gl_context.hpp"
#include "app/gpu/gpu_engine.hpp"
#include "app/gpu/live_preview.hpp"
#include "core/conv2d.hpp"
#include "core/image_io.hpp"
#include "gpu_test_util.hpp"

namespace {

using cs::DType;
using cs::Tensor;
using cs::gpu::DisplayMapping;

struct Gl {
  std::unique_ptr<cs::gpu::HeadlessContext> context;
  std::unique_ptr<cs::gpu::GpuEngine> engine;
};

// A context on the test's own thread (the compute thread of cs::gpu::conv2d has its own).
Gl& gl() {
  static Gl g = [] {
    Gl r;
    r.context = cs::gpu::HeadlessContext::create();
    if (r.context->valid()) r.engine = cs::gpu::GpuEngine::create();
    return r;
  }();
  return g;
}

// RGB of pixel i
std::array<int, 3> rgb(const std::vector<uint8_t>& rgba, int i) {
  return {rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2]};
}

// Map [-0.5, 0, 0.5, 1.5] as a 1×1×1×4 grey row.
const Tensor k_row = Tensor::from_values(DType::f32, {1, 1, 1, 4}, {-0.5, 0, 0.5, 1.5});

struct Expect {
  DisplayMapping mapping;
  std::array<std::array<int, 3>, 4> rgb;
};

// clip:   0, 0, round(0.5·255) = round(127.5) = 128, 255
// abs:    128, 0, 128, 255
// minmax: lo −0.5, hi 1.5, t = 0, 0.25, 0.5, 1 → 0, round(63.75) = 64, 128, 255
// signed: s = max(|−0.5|, |1.5|) = 1.5, t = −1/3, 0, 1/3, 1:
//   −1/3: 247 + (33−247)/3 = 175.67 → 176, 247 + (102−247)/3 = 198.67 → 199, 247 − 25 = 222
//    0  : (247, 247, 247)   1/3: 247 − 23 = 224, 247 − 74.33 → 173, 247 − 68 = 179
//    1  : (178, 24, 43)
const Expect k_expected[] = {
    {DisplayMapping::clip, {{{0, 0, 0}, {0, 0, 0}, {128, 128, 128}, {255, 255, 255}}}},
    {DisplayMapping::abs, {{{128, 128, 128}, {0, 0, 0}, {128, 128, 128}, {255, 255, 255}}}},
    {DisplayMapping::minmax, {{{0, 0, 0}, {64, 64, 64}, {128, 128, 128}, {255, 255, 255}}}},
    {DisplayMapping::signed_, {{{176, 199, 222}, {247, 247, 247}, {224, 173, 179}, {178, 24, 43}}}},
};

TEST(DisplayMap, CpuHandMadeMaps) {
  for (const Expect& e : k_expected) {
    auto rgba = cs::gpu::map_to_rgba(k_row, e.mapping);
    ASSERT_TRUE(rgba) << rgba.error().message;
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ(rgb(*rgba, i), e.rgb[static_cast<std::size_t>(i)])
          << cs::gpu::display_mapping_name(e.mapping) << " pixel " << i;
      EXPECT_EQ((*rgba)[static_cast<std::size_t>(i * 4 + 3)], 255);
    }
  }
}

TEST(DisplayMap, FlatMapIsMidGreyInMinmaxAndWhiteInSigned) {
  const Tensor flat = Tensor::from_values(DType::f32, {1, 1, 1, 2}, {0.3, 0.3});
  auto mm = cs::gpu::map_to_rgba(flat, DisplayMapping::minmax);
  ASSERT_TRUE(mm);
  EXPECT_EQ(rgb(*mm, 0), (std::array<int, 3>{128, 128, 128}));
  const Tensor zeros(DType::f32, {1, 1, 1, 2});
  auto sg = cs::gpu::map_to_rgba(zeros, DisplayMapping::signed_);
  ASSERT_TRUE(sg);
  EXPECT_EQ(rgb(*sg, 1), (std::array<int, 3>{247, 247, 247}));
}

TEST(DisplayMap, RejectsMapsThatAreNotPictures) {
  auto r = cs::gpu::map_to_rgba(Tensor(DType::f32, {1, 16, 2, 2}), DisplayMapping::clip);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("1 (grey) or 3 (colour)"), std::string::npos);
  EXPECT_FALSE(cs::gpu::parse_display_mapping("log"));
  EXPECT_EQ(*cs::gpu::parse_display_mapping("signed"), DisplayMapping::signed_);
}

TEST(GpuDisplay, HandMadeMaps) {
  CS_REQUIRE_GPU();
  ASSERT_TRUE(gl().engine && gl().engine->valid()) << gl().engine->error();
  for (const Expect& e : k_expected) {
    auto rgba = gl().engine->display(k_row, e.mapping);
    ASSERT_TRUE(rgba) << rgba.error().message;
    for (int i = 0; i < 4; ++i) {
      const auto got = rgb(*rgba, i);
      // Exact where the arithmetic is exact in float32 (0.5·255 + 0.5 = 128 must round, not
      // truncate); ±1 for the diverging map's thirds.
      const int tolerance = e.mapping == DisplayMapping::signed_ ? 1 : 0;
      for (int c = 0; c < 3; ++c) {
        EXPECT_NEAR(got[static_cast<std::size_t>(c)],
                    e.rgb[static_cast<std::size_t>(i)][static_cast<std::size_t>(c)], tolerance)
            << cs::gpu::display_mapping_name(e.mapping) << " pixel " << i << " channel " << c;
      }
    }
  }
}

TEST(GpuDisplay, RandomMapsMatchTheCpuMapping) {
  CS_REQUIRE_GPU();
  ASSERT_TRUE(gl().engine && gl().engine->valid());
  const uint64_t seed = cs::test::test_seed(99);
  std::mt19937_64 rng(seed);
  for (int channels : {1, 3}) {
    Tensor map(DType::f32, {1, channels, 37, 53});
    std::uniform_real_distribution<float> dist(-2.0f, 3.0f);
    for (int64_t i = 0; i < map.numel(); ++i)
      map.set(i, dist(rng));
    map.set(5, NAN);  // ignored by the range, shown as 0
    for (const Expect& e : k_expected) {
      auto want = cs::gpu::map_to_rgba(map, e.mapping);
      auto got = gl().engine->display(map, e.mapping);
      ASSERT_TRUE(want && got);
      for (std::size_t i = 0; i < want->size(); ++i) {
        ASSERT_NEAR((*got)[i], (*want)[i], 1)
            << cs::gpu::display_mapping_name(e.mapping) << " channels " << channels << " byte " << i
            << " (pixel " << i / 4 << ") seed " << seed;
      }
    }
  }
}

cs::Image test_photo(int w, int h) {
  cs::Image img;
  img.width = w;
  img.height = h;
  img.channels = 3;
  img.pixels.resize(static_cast<std::size_t>(w * h * 3));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        img.pixels[static_cast<std::size_t>((y * w + x) * 3 + c)] =
            static_cast<uint8_t>(((x / 5 + y / 7) % 2) * 200 + c * 20);
  return img;
}

TEST(GpuLivePreview, GpuAndCpuBackendsAgreeAndReadValuesMatchTheEngine) {
  CS_REQUIRE_GPU();
  ASSERT_TRUE(gl().context->make_current());
  const cs::Image photo = test_photo(97, 61);
  const Tensor sobel = Tensor::from_values(DType::f32, {3, 3}, {-1, 0, 1, -2, 0, 2, -1, 0, 1});
  // The Sobel kernel on each colour channel on its own: [3, 1, 3, 3] with groups 3.
  Tensor w(DType::f32, {3, 1, 3, 3});
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 9; ++i)
      w.set(c * 9 + i, sobel.get(i));
  cs::Conv2dParams params;
  params.padding = cs::PaddingSpec::same();
  params.padding_mode = cs::PaddingMode::reflect;
  params.groups = 3;
  std::vector<std::vector<float>> values;
  std::vector<std::string> names;
  for (auto backend : {cs::gpu::Backend::gpu, cs::gpu::Backend::cpu}) {
    cs::gpu::LivePreview preview;
    EXPECT_FALSE(preview.render());  // nothing to show yet
    ASSERT_TRUE(preview.set_image(photo));
    ASSERT_TRUE(preview.set_kernel(w, nullptr, params));
    preview.set_display(DisplayMapping::signed_);
    preview.set_backend(backend);
    ASSERT_TRUE(preview.render()) << preview.error();
    EXPECT_TRUE(preview.last_render_ran());
    EXPECT_TRUE(preview.render());
    EXPECT_FALSE(preview.last_render_ran()) << "nothing changed: no recompute";
    EXPECT_EQ(preview.result_width(), 97);
    EXPECT_EQ(preview.result_height(), 61);
    EXPECT_EQ(preview.result_channels(), 3);
    EXPECT_NE(preview.result_texture(), 0u);
    EXPECT_NE(preview.original_texture(), 0u);
    values.push_back(preview.read_value(10, 20));
    names.push_back(preview.backend());
  }
  EXPECT_NE(names[0].find("GPU"), std::string::npos) << names[0];
  EXPECT_EQ(names[1], "CPU fast path");
  // The engine's value at (x 10, y 20), channel by channel.
  auto want = cs::conv2d_reference(cs::image_to_tensor(photo), w, nullptr, params);
  ASSERT_TRUE(want);
  for (std::size_t i = 0; i < 2; ++i) {
    ASSERT_EQ(values[i].size(), 3u) << names[i];
    for (int c = 0; c < 3; ++c) {
      EXPECT_NEAR(values[i][static_cast<std::size_t>(c)], want->get((c * 61 + 20) * 97 + 10), 1e-5)
          << names[i] << " channel " << c;
    }
  }
}

TEST(GpuLivePreview, AutomaticBackendMeasuresAndExplains) {
  CS_REQUIRE_GPU();
  ASSERT_TRUE(gl().context->make_current());
  cs::gpu::LivePreview preview;
  ASSERT_TRUE(preview.set_image(test_photo(64, 48)));
  ASSERT_TRUE(preview.set_kernel(Tensor::from_values(DType::f32, {1, 3, 1, 1}, {0.3, 0.6, 0.1}),
                                 nullptr, cs::Conv2dParams{}));
  ASSERT_TRUE(preview.render()) << preview.error();
  EXPECT_EQ(preview.result_channels(), 1);
  const std::string msg = preview.take_message();
  EXPECT_NE(msg.find("Automatic backend"), std::string::npos) << msg;
  EXPECT_NE(msg.find("GPU"), std::string::npos) << msg;
  EXPECT_NE(msg.find("CPU fast path"), std::string::npos) << msg;
  EXPECT_TRUE(preview.message().empty());
  // A kernel that cannot make a picture is refused and the previous one stays.
  auto bad = preview.set_kernel(Tensor(DType::f32, {16, 3, 3, 3}), nullptr, cs::Conv2dParams{});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "weight");
  // So is one past the engine's memory limits (issue 10: padding 1000000 made a 2M×2M map).
  cs::Conv2dParams huge;
  huge.padding = cs::PaddingSpec::symmetric(1000000);
  bad = preview.set_kernel(Tensor::from_values(DType::f32, {1, 3, 1, 1}, {0.3, 0.6, 0.1}), nullptr,
                           huge);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("this convolution would need"), std::string::npos)
      << bad.error().message;
  EXPECT_EQ(bad.error().field, "padding");
  preview.set_display(DisplayMapping::minmax);
  EXPECT_TRUE(preview.render());
  EXPECT_TRUE(preview.last_render_ran());
}

}  // namespace
