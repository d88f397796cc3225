// The display pass (shaders/range.comp + display.comp) against hand-made maps and against the CPU
// mapping (app/gpu/display_map.cpp) on random maps, in both diverging palettes; plus LivePreview
// end to end on a photo, following the window's palette.
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

// blue-orange (four stops a side) on the same row, t = −1/3, 0, 1/3, 1: |t|·4 = 4/3 falls in the
// second segment, a third of the way from stop 0 to stop 1:
//   −1/3: 178 + (117−178)/3 = 157.67 → 158, 210 − 37/3 = 197.67 → 198, 236 − 19/3 = 229.67 → 230
//    1/3: 238 − 20/3 = 231.33 → 231, 203 − 42/3 = 189, 166 − 60/3 = 146;  1: the last stop.
const std::array<std::array<int, 3>, 4> k_blue_orange = {
    {{158, 198, 230}, {247, 247, 247}, {231, 189, 146}, {169, 78, 0}}};

TEST(DisplayMap, BlueOrangeByHandAndTheDefaultStaysRedBlue) {
  using cs::gpu::DivergingPalette;
  auto rgba = cs::gpu::map_to_rgba(k_row, DisplayMapping::signed_, DivergingPalette::blue_orange);
  ASSERT_TRUE(rgba) << rgba.error().message;
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(rgb(*rgba, i), k_blue_orange[static_cast<std::size_t>(i)]) << "pixel " << i;
  // The window's choice is process-wide; the command line never sets it.
  EXPECT_EQ(cs::gpu::diverging_palette(), DivergingPalette::red_blue);
  EXPECT_EQ(*cs::gpu::parse_diverging_palette("blue-orange"), DivergingPalette::blue_orange);
  auto bad = cs::gpu::parse_diverging_palette("viridis");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "unknown palette 'viridis'; use red-blue (the default) or blue-orange (colour-blind "
            "safe)");
}

// Each stop is met exactly at its |t|, and the map is continuous where segments meet.
TEST(DisplayMap, DivergingStopsAreMetAndSegmentsJoin) {
  using cs::gpu::DivergingPalette;
  for (DivergingPalette p : {DivergingPalette::red_blue, DivergingPalette::blue_orange}) {
    const cs::gpu::DivergingStops& s = cs::gpu::diverging_stops(p);
    for (int j = 0; j < s.count; ++j) {
      const float t = static_cast<float>(j + 1) / static_cast<float>(s.count);
      uint8_t lo[3], hi[3], below[3];
      cs::gpu::diverging_colour(-t, lo, p);
      cs::gpu::diverging_colour(t, hi, p);
      cs::gpu::diverging_colour(t - 1e-4f, below, p);
      for (int ch = 0; ch < 3; ++ch) {
        EXPECT_EQ(lo[ch], static_cast<int>(s.neg[j][ch])) << diverging_palette_name(p) << j;
        EXPECT_EQ(hi[ch], static_cast<int>(s.pos[j][ch])) << diverging_palette_name(p) << j;
        EXPECT_NEAR(below[ch], hi[ch], 1) << diverging_palette_name(p) << " stop " << j;
      }
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

TEST(GpuDisplay, BlueOrangeByHand) {
  CS_REQUIRE_GPU();
  ASSERT_TRUE(gl().engine && gl().engine->valid()) << gl().engine->error();
  auto rgba =
      gl().engine->display(k_row, DisplayMapping::signed_, cs::gpu::DivergingPalette::blue_orange);
  ASSERT_TRUE(rgba) << rgba.error().message;
  for (int i = 0; i < 4; ++i) {
    const auto got = rgb(*rgba, i);
    for (std::size_t c = 0; c < 3; ++c) {
      EXPECT_NEAR(got[c], k_blue_orange[static_cast<std::size_t>(i)][c], 1)
          << "pixel " << i << " channel " << c;
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
      for (auto palette :
           {cs::gpu::DivergingPalette::red_blue, cs::gpu::DivergingPalette::blue_orange}) {
        auto want = cs::gpu::map_to_rgba(map, e.mapping, palette);
        auto got = gl().engine->display(map, e.mapping, palette);
        ASSERT_TRUE(want && got);
        for (std::size_t i = 0; i < want->size(); ++i) {
          ASSERT_NEAR((*got)[i], (*want)[i], 1)
              << cs::gpu::display_mapping_name(e.mapping) << " "
              << cs::gpu::diverging_palette_name(palette) << " channels " << channels << " byte "
              << i << " (pixel " << i / 4 << ") seed " << seed;
        }
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

// The window's palette (View > Palette) recolours the preview's signed mapping on the next
// render, on either backend; other mappings have no palette and are not redrawn for it.
TEST(GpuLivePreview, FollowsTheWindowsPalette) {
  CS_REQUIRE_GPU();
  ASSERT_TRUE(gl().context->make_current());
  using cs::gpu::DivergingPalette;
  for (cs::gpu::Backend backend : {cs::gpu::Backend::gpu, cs::gpu::Backend::cpu}) {
    cs::gpu::LivePreview preview;
    preview.set_backend(backend);
    ASSERT_TRUE(preview.set_image(test_photo(40, 30)));
    ASSERT_TRUE(
        preview.set_kernel(Tensor::from_values(DType::f32, {1, 3, 1, 2}, {1, 1, 1, -1, -1, -1}),
                           nullptr, cs::Conv2dParams{}));
    preview.set_display(DisplayMapping::signed_);
    ASSERT_TRUE(preview.render()) << preview.error();
    EXPECT_FALSE((preview.render(), preview.last_render_ran()));
    cs::gpu::set_diverging_palette(DivergingPalette::blue_orange);
    EXPECT_TRUE(preview.render()) << preview.error();
    EXPECT_TRUE(preview.last_render_ran()) << "a new palette must redraw the signed picture";
    preview.set_display(DisplayMapping::minmax);
    EXPECT_TRUE(preview.render());
    cs::gpu::set_diverging_palette(DivergingPalette::red_blue);
    EXPECT_TRUE(preview.render());
    EXPECT_FALSE(preview.last_render_ran()) << "minmax has no palette: nothing to redraw";
  }
  cs::gpu::set_diverging_palette(DivergingPalette::red_blue);
}

}  // namespace
