// The editing half of the visualizer (app/ui/ui_edit.hpp), two ways:
//  - in process, without a window: area downsampling, .npy shapes, dropped files, painting, kernel
//    actions (normalise, random, presets) and scenes <-> the app state;
//  - as a person uses it: the real convscope under the test command's X server, keys pressed with
//    xdotool, checked through --status-file, saved scenes and --screenshot (without a usable
//    display these fail under CI and skip elsewhere: CS_REQUIRE_DISPLAY).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>

#include <imgui.h>
#include <imgui_internal.h>
#include <nlohmann/json.hpp>

#include "app/ui/app_state.hpp"
#include "app/ui/preview_model.hpp"
#include "app/ui/ui_edit.hpp"
#include "app/ui/ui_frame.hpp"
#include "app/ui/ui_params.hpp"
#include "core/conv2d.hpp"
#include "core/file_io.hpp"
#include "core/image_io.hpp"
#include "core/npy.hpp"
#include "core/presets.hpp"
#include "core/scene.hpp"
#include "ui_test_util.hpp"

namespace cs {
namespace {

namespace fs = std::filesystem;

using test::AppConfig;
using test::AppWindow;
using test::TempDir;
using test::wait_until;

std::string slurp(const std::string& path) {
  auto b = read_file(path, 64 << 20);
  return b ? std::string(b->begin(), b->end()) : std::string();
}

// A scene with a 4×4 input 1..16 and a 2×2 box kernel of ones, padding 1.
std::string box_scene(const std::string& title, bool flip = false) {
  return std::string(R"({"format": "convscope-scene", "version": 1, "title": ")") + title +
         R"(", "description": "a test scene", "op": "conv", "flip_kernel": )" +
         (flip ? "true" : "false") + R"(, "conv": {"padding": 1},
  "preview": {"display": "abs"},
  "weight": {"shape": [1, 1, 2, 2], "values": [[[[1, 1], [1, 1]]]]},
  "input": {"shape": [1, 1, 4, 4], "values": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}})";
}

// Issue 10's scenes too big for a lesson: the box scene's 4×4 input with padding 1 000 000 or
// [1 000 000, 0] (a std::bad_alloc in the first frame, or 5.5 GB), and a 4096×4096 input of
// 16 M values (3.4 GB, no frame after 90 s).
std::string too_big_scene(const std::string& padding) {
  return std::string(
             R"({"format": "convscope-scene", "version": 1, "op": "conv", "conv": {"padding": )") +
         padding + R"(},
  "weight": {"shape": [1, 1, 2, 2], "values": [[[[1, 1], [1, 1]]]]},
  "input": {"shape": [1, 1, 4, 4], "values": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}})";
}
std::string sixteen_million_values_scene() {
  std::string values;
  values.reserve(33u << 20);
  for (int i = 0; i < 4096 * 4096; ++i)
    values += i ? ",1" : "1";
  return R"({"format": "convscope-scene", "version": 1, "op": "conv",
  "weight": {"shape": [1, 1, 1, 1], "values": [1]},
  "input": {"shape": [1, 1, 4096, 4096], "values": [)" +
         values + "]}}";
}

// ---------------------------------------------------------------------------------------------
// In process

TEST(UiEditDownsample, HandWorkedBlocksAndFractions) {
  // 4×1 grey image [0, 100, 200, 255] to 2×1: blocks {0, 100} and {200, 255} => 50 and 227.5.
  Image img{4, 1, 1, {0, 100, 200, 255}};
  Tensor t = downsample_area(img, 1, 2);
  ASSERT_EQ(t.shape(), (Shape{1, 1, 1, 2}));
  EXPECT_FLOAT_EQ(static_cast<float>(t.get(0)), 50.0f / 255.0f);
  EXPECT_FLOAT_EQ(static_cast<float>(t.get(1)), 227.5f / 255.0f);
  // 3×1 image [0, 255, 255] to 2×1: cell 0 covers [0, 1.5): (1·0 + 0.5·255) / 1.5 = 85;
  // cell 1 covers [1.5, 3): (0.5·255 + 1·255) / 1.5 = 255.
  Image three{3, 1, 1, {0, 255, 255}};
  Tensor u = downsample_area(three, 1, 2);
  EXPECT_NEAR(u.get(0), 85.0 / 255.0, 1e-6);
  EXPECT_NEAR(u.get(1), 1.0, 1e-6);
  // RGBA: alpha is dropped, channels planar [1, 3, H, W].
  Image rgba{1, 1, 4, {10, 20, 30, 99}};
  Tensor v = downsample_area(rgba, 1, 1);
  ASSERT_EQ(v.shape(), (Shape{1, 3, 1, 1}));
  EXPECT_NEAR(v.get(2), 30.0 / 255.0, 1e-6);
}

// Every output cell covers the same area, so the mean over outputs equals the image's mean; and
// for whole-number ratios each cell is its block's plain mean (naive loop below). Replayable seed.
TEST(UiEditDownsample, RandomImagesKeepTheMean) {
  const uint64_t seed = std::random_device{}();
  std::mt19937_64 rng(seed);
  for (int trial = 0; trial < 30; ++trial) {
    std::uniform_int_distribution<int> dim(1, 40), out(1, 12), byte(0, 255);
    Image img;
    img.width = dim(rng);
    img.height = dim(rng);
    img.channels = 1;
    img.pixels.resize(static_cast<std::size_t>(img.width * img.height));
    double sum = 0;
    for (auto& p : img.pixels) {
      p = static_cast<uint8_t>(byte(rng));
      sum += p;
    }
    const int oh = out(rng), ow = out(rng);
    Tensor t = downsample_area(img, oh, ow);
    double mean = 0;
    for (int64_t i = 0; i < t.numel(); ++i)
      mean += t.get(i);
    mean /= static_cast<double>(t.numel());
    EXPECT_NEAR(mean * 255.0, sum / (img.width * img.height), 1e-3)
        << "seed " << seed << " trial " << trial << " image " << img.width << "x" << img.height
        << " to " << ow << "x" << oh;
    // Whole-number ratio: naive block mean.
    const int bh = 1 + trial % 3, bw = 1 + trial % 4;
    Image blk{ow * bw, oh * bh, 1, {}};
    blk.pixels.resize(static_cast<std::size_t>(blk.width * blk.height));
    for (auto& p : blk.pixels)
      p = static_cast<uint8_t>(byte(rng));
    Tensor b = downsample_area(blk, oh, ow);
    for (int oy = 0; oy < oh; ++oy) {
      for (int ox = 0; ox < ow; ++ox) {
        double s = 0;
        for (int y = oy * bh; y < (oy + 1) * bh; ++y)
          for (int x = ox * bw; x < (ox + 1) * bw; ++x)
            s += blk.pixels[static_cast<std::size_t>(y * blk.width + x)];
        ASSERT_NEAR(b.get(oy * ow + ox) * 255.0, s / (bh * bw), 1e-3)
            << "seed " << seed << " trial " << trial << " at (oy, ox) = (" << oy << ", " << ox
            << ")";
      }
    }
  }
}

TEST(UiEditPhoto, APhotoBecomesASixteenCellLessonWithItsThumbnail) {
  // The lesson size keeps the picture's proportions: 16 cells along the longer side.
  EXPECT_EQ(photo_lesson_size(600, 400, 16), (std::pair<int64_t, int64_t>{11, 16}));  // 10.67
  EXPECT_EQ(photo_lesson_size(400, 600, 16), (std::pair<int64_t, int64_t>{16, 11}));
  EXPECT_EQ(photo_lesson_size(1920, 1080, 16), (std::pair<int64_t, int64_t>{9, 16}));
  EXPECT_EQ(photo_lesson_size(10, 10, 16), (std::pair<int64_t, int64_t>{10, 10}));
  EXPECT_EQ(photo_lesson_size(3000, 2, 16), (std::pair<int64_t, int64_t>{1, 16}));

  TempDir dir;
  AppState s;
  ASSERT_TRUE(load_lesson(s, "vertical-edge").has_value());  // a grey 5×5 lesson
  s.show_inputs = false;
  // 600×400: the left half black, the right half white.
  Image img{600, 400, 3, std::vector<uint8_t>(600 * 400 * 3, 0)};
  for (int y = 0; y < 400; ++y)
    for (int x = 300; x < 600; ++x)
      for (int c = 0; c < 3; ++c)
        img.pixels[static_cast<std::size_t>((y * 600 + x) * 3 + c)] = 255;
  ASSERT_TRUE(write_png(dir / "half.png", img).has_value());
  ASSERT_TRUE(load_input_image(s, dir / "half.png").has_value());
  // Not averaged into the lesson's 5×5: 11×16 cells, still grey (the lesson's kernels fit).
  ASSERT_EQ(s.input.shape(), (Shape{1, 1, 11, 16}));
  EXPECT_EQ(s.input.get(0), 0.0);   // row 0, column 0: black
  EXPECT_EQ(s.input.get(15), 1.0);  // column 15: white
  EXPECT_EQ(s.lesson_name, "half");
  EXPECT_NE(s.lesson_title.find("as a 11×16 input"), std::string::npos) << s.lesson_title;
  EXPECT_TRUE(s.show_inputs);  // the panel with the thumbnail
  recompute_if_dirty(s);
  EXPECT_FALSE(s.error.has_value());
  // The thumbnail: 160 pixels along the longer side, waiting to be uploaded.
  const EditState& es = edit_state(s);
  EXPECT_EQ(es.photo_thumb_w, 160);
  EXPECT_EQ(es.photo_thumb_h, 107);
  EXPECT_EQ(es.photo_thumb.size(), 160u * 107u);
  EXPECT_TRUE(es.photo_thumb_stale);
  // Another size from the kept picture, without reading the file again.
  ASSERT_TRUE(fs::remove(dir / "half.png"));
  ASSERT_TRUE(set_photo_cells(s, 8));
  EXPECT_EQ(s.input.shape(), (Shape{1, 1, 5, 8}));
  EXPECT_TRUE(set_photo_cells(s, 1000));  // clamped to 64
  EXPECT_EQ(s.input.shape(), (Shape{1, 1, 43, 64}));
  AppState fresh;
  EXPECT_FALSE(set_photo_cells(fresh, 8));  // no picture opened as the input
}

TEST(UiEditNpy, ShapesBecomeNCHW) {
  Tensor hw(DType::f32, {3, 4});
  EXPECT_EQ(npy_to_input(hw, false)->shape(), (Shape{1, 1, 3, 4}));
  Tensor chw(DType::f64, {2, 3, 4});
  EXPECT_EQ(npy_to_input(chw, false)->shape(), (Shape{1, 2, 3, 4}));
  EXPECT_EQ(npy_to_input(chw, true)->shape(), (Shape{1, 4, 2, 3}));  // HWC
  // NHWC [1, 2, 2, 3]: element (h=1, w=0, c=2) lands at NCHW (0, 2, 1, 0).
  Tensor nhwc(DType::f32, {1, 2, 2, 3});
  nhwc.set((1 * 2 + 0) * 3 + 2, 7.0);
  auto nchw = npy_to_input(nhwc, true);
  ASSERT_TRUE(nchw.has_value());
  EXPECT_EQ(nchw->shape(), (Shape{1, 3, 2, 2}));
  EXPECT_EQ(nchw->get((2 * 2 + 1) * 2 + 0), 7.0);
  auto five = npy_to_input(Tensor(DType::f32, {1, 1, 1, 1, 1}), false);
  ASSERT_FALSE(five.has_value());
  EXPECT_NE(five.error().message.find("needs 2 (H×W), 3 (C×H×W) or 4"), std::string::npos);
  auto empty = npy_to_input(Tensor(DType::f32, {0, 4}), false);
  ASSERT_FALSE(empty.has_value());
  EXPECT_NE(empty.error().message.find("empty dimension"), std::string::npos);
}

TEST(UiEditDrops, EachKindOfFileLandsWhereItShould) {
  TempDir dir;
  AppState s;
  load_lesson(s, builtin_lessons().front());
  ASSERT_EQ(s.input.ndim(), 4);
  const Shape lesson_shape = s.input.shape();

  // .npy (2-D) => the input, [1, 1, 3, 3].
  Tensor t = Tensor::from_values(DType::f64, {3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  ASSERT_TRUE(write_npy(dir / "x.npy", t).has_value());
  ui::handle_dropped_files(s, {dir / "x.npy"});
  EXPECT_EQ(s.input.shape(), (Shape{1, 1, 3, 3}));
  EXPECT_EQ(s.input.get(4), 5.0);
  EXPECT_EQ(s.lesson_name, "x");
  recompute_if_dirty(s);
  EXPECT_FALSE(s.error.has_value()) << s.error->message;

  // PNG => the preview picture and, averaged to the lesson's size, the input (grey lesson stays
  // grey: Rec. 601 luma of pure red 255 is 0.299).
  load_lesson(s, builtin_lessons().front());
  Image red{10, 10, 3, std::vector<uint8_t>(300, 0)};
  for (int i = 0; i < 100; ++i)
    red.pixels[static_cast<std::size_t>(i * 3)] = 255;
  ASSERT_TRUE(write_png(dir / "red.png", red).has_value());
  ui::handle_dropped_files(s, {dir / "red.png"});
  EXPECT_EQ(s.preview_path, dir / "red.png");
  EXPECT_TRUE(s.show_preview);
  // A picture smaller than kPhotoCells keeps its own size (never more cells than pixels).
  EXPECT_EQ(s.input.shape(), (Shape{1, lesson_shape[1], 10, 10}));
  EXPECT_NEAR(s.input.get(0), 0.299, 1e-6);

  // .json => a scene.
  ASSERT_TRUE(write_file_atomic(dir / "lesson.json", box_scene("Dropped", true)).has_value());
  ui::handle_dropped_files(s, {dir / "lesson.json"});
  EXPECT_EQ(s.lesson_title, "Dropped");
  EXPECT_TRUE(s.flip_kernel);
  EXPECT_EQ(s.preview_mapping, 1);  // "abs"

  // Anything else: a sentence, nothing changed.
  ui::handle_dropped_files(s, {dir / "notes.txt"});
  EXPECT_NE(s.notice.find("cannot open notes.txt"), std::string::npos) << s.notice;
  EXPECT_EQ(s.lesson_title, "Dropped");

  // A broken .npy: the reader's sentence, the input kept.
  ASSERT_TRUE(write_file_atomic(dir / "bad.npy", std::string("not numpy")).has_value());
  ui::handle_dropped_files(s, {dir / "bad.npy"});
  EXPECT_FALSE(edit_state(s).input_message.empty());
  EXPECT_EQ(s.input.shape(), (Shape{1, 1, 4, 4}));
}

TEST(UiEditPaint, BrushAndChannels) {
  AppState s;
  load_lesson(s, builtin_lessons().front());  // 1×1×5×5
  EditState& es = edit_state(s);
  es.paint_value = 9;
  es.brush = 3;
  s.clear_dirty(Dirty::trace);
  // Corner (0, 0) with a 3×3 brush paints (0..1, 0..1): 4 cells.
  EXPECT_TRUE(ui::paint_cell(s, 0, 0, 0, 0));
  EXPECT_TRUE(s.is_dirty(Dirty::trace));
  int nines = 0;
  for (int64_t i = 0; i < s.input.numel(); ++i)
    nines += s.input.get(i) == 9.0;
  EXPECT_EQ(nines, 4);
  EXPECT_FALSE(ui::paint_cell(s, 0, 0, 0, 0));  // nothing new
  EXPECT_FALSE(ui::paint_cell(s, 0, 0, 5, 0));  // outside: refused, no crash
  EXPECT_FALSE(ui::paint_cell(s, 0, 1, 0, 0));  // no channel 1
}

TEST(UiEditKernel, NormaliseSaysWhyAZeroSumStays) {
  AppState s;
  load_lesson(s, builtin_lessons().front());  // the [1 0 -1] kernel: sum 0
  const Tensor before = s.weight;
  const std::string msg = ui::kernel_action(s, ui::KernelAction::normalise_all);
  EXPECT_NE(msg.find("sum to 0"), std::string::npos) << msg;
  for (int64_t i = 0; i < before.numel(); ++i)
    EXPECT_EQ(s.weight.get(i), before.get(i));
  // Ones: 9 ones => 1/9 each, and the sum is 1.
  for (int64_t i = 0; i < s.weight.numel(); ++i)
    s.weight.set(i, 1.0);
  ui::kernel_action(s, ui::KernelAction::normalise_selected);
  double sum = 0;
  for (int64_t i = 0; i < s.weight.numel(); ++i)
    sum += s.weight.get(i);
  EXPECT_NEAR(sum, 1.0, 1e-6);
  EXPECT_NEAR(s.weight.get(0), 1.0 / 9.0, 1e-7);
}

TEST(UiEditKernel, RandomIsSeededAndPresetsResize) {
  AppState a, b;
  load_lesson(a, builtin_lessons().front());
  load_lesson(b, builtin_lessons().front());
  edit_state(a).kernel_seed = edit_state(b).kernel_seed = 42;
  ui::kernel_action(a, ui::KernelAction::random_all);
  ui::kernel_action(b, ui::KernelAction::random_all);
  for (int64_t i = 0; i < a.weight.numel(); ++i) {
    EXPECT_EQ(a.weight.get(i), b.weight.get(i));
    EXPECT_LE(std::abs(a.weight.get(i)), 1.0);
    EXPECT_EQ(a.weight.get(i), std::round(a.weight.get(i)));  // integers by default
  }
  EXPECT_EQ(edit_state(a).kernel_seed, 43u);
  // A 5×5 preset on a 3×3 lesson resizes every kernel.
  const auto& presets = kernel_presets();
  int g5 = -1;
  for (std::size_t i = 0; i < presets.size(); ++i) {
    if (presets[i].name == "gaussian-5") g5 = static_cast<int>(i);
  }
  ASSERT_GE(g5, 0);
  edit_state(a).preset = g5;
  const std::string msg = ui::kernel_action(a, ui::KernelAction::preset_selected);
  EXPECT_EQ(a.weight.shape(), (Shape{1, 1, 5, 5}));
  EXPECT_NE(msg.find("resized"), std::string::npos) << msg;
  EXPECT_NEAR(a.weight.get(12), 36.0 / 256.0, 1e-7);
  recompute_if_dirty(a);
  EXPECT_FALSE(a.error.has_value());
}

// Issue 10: a scene too big for the canvas is refused as it opens, with the lesson limits'
// sentence; the lesson on screen stays.
TEST(UiEditScene, TooBigScenesAreRefusedAndTheLessonStays) {
  TempDir dir;
  AppState s;
  ASSERT_TRUE(write_file_atomic(dir / "box.json", box_scene("Box test")).has_value());
  ASSERT_TRUE(open_scene_file(s, dir / "box.json").has_value());
  ASSERT_TRUE(write_file_atomic(dir / "pad.json", too_big_scene("1000000")).has_value());
  ASSERT_TRUE(write_file_atomic(dir / "rows.json", too_big_scene("[1000000, 0]")).has_value());
  ASSERT_TRUE(write_file_atomic(dir / "many.json", sixteen_million_values_scene()).has_value());
  for (const char* name : {"pad.json", "rows.json", "many.json"}) {
    auto st = open_scene_file(s, dir / name);
    ASSERT_FALSE(st.has_value()) << name;
    EXPECT_EQ(st.error().message.rfind(std::string(name) + ": ", 0), 0u) << st.error().message;
    EXPECT_EQ(s.lesson_name, "box") << name;
    EXPECT_EQ(s.input.shape(), (Shape{1, 1, 4, 4}));
  }
  EXPECT_NE(open_scene_file(s, dir / "rows.json")
                .error()
                .message.find("padded input would be 2000004\xC3\x97"
                              "4 cells per channel"),
            std::string::npos);
  // Dropped on the window: the sentence in the status bar.
  ui::handle_dropped_files(s, {dir / "pad.json"});
  EXPECT_NE(s.notice.find("pad.json: this lesson's padded input would be"), std::string::npos)
      << s.notice;
  EXPECT_EQ(s.lesson_name, "box");
}

TEST(UiEditScene, StateRoundTripThroughAFile) {
  TempDir dir;
  AppState s;
  if (!load_lesson(s, "keras-conv").has_value()) load_lesson(s, builtin_lessons().front());
  s.flip_kernel = true;
  s.preview_mapping = 3;
  s.preview_path = dir / "pic.png";
  ASSERT_TRUE(save_scene_file(s, dir / "k.json").has_value());
  AppState t;
  ASSERT_TRUE(open_scene_file(t, dir / "k.json").has_value());
  EXPECT_EQ(t.input.shape(), s.input.shape());
  EXPECT_EQ(t.weight.shape(), s.weight.shape());
  for (int64_t i = 0; i < s.input.numel(); ++i)
    ASSERT_EQ(t.input.get(i), s.input.get(i));
  for (int64_t i = 0; i < s.weight.numel(); ++i)
    ASSERT_EQ(t.weight.get(i), s.weight.get(i));
  EXPECT_EQ(t.conv.layout, s.conv.layout);
  EXPECT_EQ(t.has_bias, s.has_bias);
  EXPECT_TRUE(t.flip_kernel);
  EXPECT_EQ(t.preview_mapping, 3);
  EXPECT_EQ(t.preview_path, s.preview_path);
  EXPECT_EQ(t.lesson_name, "k");
  EXPECT_EQ(edit_state(t).scene_path, dir / "k.json");
}

// A transposed lesson, edited and saved from the window (even after the Layout radio said NHWC),
// opens again as the same transposed convolution; it used to be written as a pooling scene.
TEST(UiEditScene, ATransposedLessonSavesAndOpensAsItself) {
  TempDir dir;
  AppState s;
  ASSERT_TRUE(load_lesson(s, "transpose-stride-2").has_value());
  s.transpose.dilation_h = 2;
  s.conv.layout = s.pool.layout = Layout::nhwc;
  s.mark_dirty(Dirty::trace);
  recompute_if_dirty(s);
  ASSERT_FALSE(s.error.has_value()) << s.error->message;
  ASSERT_TRUE(save_scene_file(s, dir / "up.json").has_value());
  AppState t;
  const Status opened = open_scene_file(t, dir / "up.json");
  ASSERT_TRUE(opened.has_value()) << opened.error().message;
  EXPECT_EQ(t.op, LessonOp::conv_transpose);
  EXPECT_EQ(t.transpose.dilation_h, 2);
  EXPECT_TRUE(t.weight.identical(s.weight));
  ASSERT_TRUE(t.has_trace() && s.has_trace());
  EXPECT_TRUE(t.trace->output().identical(s.trace->output()));
}

// ---------------------------------------------------------------------------------------------
// The live preview's model without GL: which kernel it applies, and the inspector's geometry

TEST(UiEditPreview, TheKernelFitsThePicturesChannels) {
  AppState s;
  // The whole layer when it maps the picture's channels to 1 or 3: rgb-3-filters on colour.
  ASSERT_TRUE(load_lesson(s, "rgb-3-filters").has_value());
  PreviewKernel k = choose_preview_kernel(s, 0, 0, 3);
  EXPECT_EQ(k.weight.shape(), (Shape{3, 3, 3, 3}));
  EXPECT_EQ(k.params.groups, 1);
  EXPECT_TRUE(k.weight.identical(s.weight.to(DType::f32)));
  EXPECT_NE(k.note.find("the whole weight"), std::string::npos) << k.note;

  // One filter of two: rgb-2-filters' filter 1 (and its bias) as a grey feature map.
  ASSERT_TRUE(load_lesson(s, "rgb-2-filters").has_value());
  s.has_bias = true;
  s.bias = Tensor::from_values(DType::f32, {2}, {0.5, -2});
  k = choose_preview_kernel(s, 1, 0, 3);
  ASSERT_EQ(k.weight.shape(), (Shape{1, 3, 3, 3}));
  for (int64_t j = 0; j < 27; ++j)
    ASSERT_EQ(k.weight.get(j), s.weight.get(27 + j)) << j;
  ASSERT_TRUE(k.has_bias);
  EXPECT_EQ(k.bias.get(0), -2);
  EXPECT_NE(k.note.find("filter 1 of 2"), std::string::npos) << k.note;

  // A grey lesson on a colour picture: the selected kernel once per channel, groups 3, straight
  // from the OIHW weight ([1, 1, 3, 3] => [3, 1, 3, 3]); no bias.
  ASSERT_TRUE(load_lesson(s, "vertical-edge").has_value());
  k = choose_preview_kernel(s, 0, 0, 3);
  ASSERT_EQ(k.weight.shape(), (Shape{3, 1, 3, 3}));
  EXPECT_EQ(k.params.groups, 3);
  EXPECT_FALSE(k.has_bias);
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t j = 0; j < 9; ++j)
      ASSERT_EQ(k.weight.get(c * 9 + j), s.weight.get(j)) << c << ", " << j;
  // ... and on a grey picture the whole weight.
  k = choose_preview_kernel(s, 0, 0, 1);
  EXPECT_EQ(k.weight.shape(), (Shape{1, 1, 3, 3}));
  EXPECT_EQ(k.params.groups, 1);

  // Depthwise (groups 3): kernel [2, 0] on each colour channel, flipped when the lesson flips.
  ASSERT_TRUE(load_lesson(s, "depthwise").has_value());
  s.flip_kernel = true;
  k = choose_preview_kernel(s, 2, 0, 3);
  ASSERT_EQ(k.weight.shape(), (Shape{3, 1, 3, 3}));
  EXPECT_EQ(k.params.groups, 3);
  const Tensor flipped = s.effective_weight();
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t j = 0; j < 9; ++j)
      ASSERT_EQ(k.weight.get(c * 9 + j), flipped.get(18 + j)) << c << ", " << j;
  EXPECT_NE(k.note.find("kernel [2, 0] on each colour channel"), std::string::npos) << k.note;
  EXPECT_NE(k.note.find("flipped (true convolution)"), std::string::npos) << k.note;
}

TEST(UiEditPreview, ReceptiveFieldAndItsCentre) {
  // 3×3 kernel, stride 2, padding 1, dilation 2: output (x 3, y 1) reads from
  // x = 3·2 − 1 = 5 and y = 1·2 − 1 = 1, over (3 − 1)·2 + 1 = 5 cells each way.
  Conv2dParams p;
  p.stride_h = p.stride_w = 2;
  p.padding = PaddingSpec::symmetric(1);
  p.dilation_h = p.dilation_w = 2;
  auto g = conv2d_geometry({1, 1, 12, 12}, {1, 1, 3, 3}, -1, p);
  ASSERT_TRUE(g) << g.error().message;
  const FieldRect f = receptive_field(*g, 3, 1);
  EXPECT_EQ(f.x0, 5);
  EXPECT_EQ(f.y0, 1);
  EXPECT_EQ(f.w, 5);
  EXPECT_EQ(f.h, 5);
  // That output is drawn over the centre of its field: x0 = −1 + (5 − 2) / 2 = 0.5, so picture
  // cell 7 (centre 7.5) lies in result column ⌊(7.5 − 0.5) / 2⌋ = 3, cell 3 (3.5) in row
  // ⌊(3.5 − 0.5) / 2⌋ = 1.
  int ox = -1, oy = -1;
  ASSERT_TRUE(result_pixel_at(*g, 7.5, 3.5, ox, oy));
  EXPECT_EQ(ox, 3);
  EXPECT_EQ(oy, 1);
  EXPECT_EQ(result_place(*g).x0, 0.5);
  EXPECT_EQ(result_place(*g).sx, 2);
  // The output is 5×5 (⌊(12 + 2 − 5) / 2⌋ + 1), drawn over [0.5, 10.5).
  EXPECT_FALSE(result_pixel_at(*g, 0.4, 3.5, ox, oy));
  EXPECT_TRUE(result_pixel_at(*g, 10.4, 3.5, ox, oy));
  EXPECT_EQ(ox, 4);
  EXPECT_FALSE(result_pixel_at(*g, 10.6, 3.5, ox, oy));
  // Stride 1, 'same' padding: each result pixel exactly over its own picture pixel.
  Conv2dParams same;
  same.padding = PaddingSpec::symmetric(1);
  auto g1 = conv2d_geometry({1, 1, 12, 12}, {1, 1, 3, 3}, -1, same);
  ASSERT_TRUE(g1);
  ASSERT_TRUE(result_pixel_at(*g1, 4.2, 9.9, ox, oy));
  EXPECT_EQ(ox, 4);
  EXPECT_EQ(oy, 9);
  // The first output's field starts in the padding.
  EXPECT_EQ(receptive_field(*g, 0, 0).x0, -1);
}

TEST(UiEditPreview, TheHoveredPixelsArithmeticIsTheEngines) {
  // Every output of a few layers, against the reference loop: the taps read the input through
  // the padding mode, each product is x·w, the partials and the bias add up to the output.
  std::mt19937_64 rng(test::test_seed());
  struct Case {
    int64_t c_in, c_out, k, groups;
    int stride, dilation, pad;
    PaddingMode mode;
    bool bias;
  };
  for (const Case& c : {Case{3, 3, 3, 3, 1, 1, 1, PaddingMode::zeros, false},
                        Case{3, 3, 3, 1, 2, 1, 1, PaddingMode::reflect, true},
                        Case{3, 1, 5, 1, 1, 2, 3, PaddingMode::replicate, true},
                        Case{1, 1, 3, 1, 3, 1, 2, PaddingMode::circular, false}}) {
    SCOPED_TRACE("k " + std::to_string(c.k) + " groups " + std::to_string(c.groups) + " stride " +
                 std::to_string(c.stride));
    const Tensor x = test::random_tensor(rng, DType::f32, {1, c.c_in, 9, 11}, false);
    PreviewKernel k;
    k.weight = test::random_tensor(rng, DType::f32, {c.c_out, c.c_in / c.groups, c.k, c.k}, false);
    k.has_bias = c.bias;
    if (c.bias) k.bias = test::random_tensor(rng, DType::f32, {c.c_out}, false);
    k.params.groups = static_cast<int>(c.groups);
    k.params.stride_h = k.params.stride_w = c.stride;
    k.params.dilation_h = k.params.dilation_w = c.dilation;
    k.params.padding = PaddingSpec::symmetric(c.pad);
    k.params.padding_mode = c.mode;
    auto g = conv2d_geometry(x.shape(), k.weight.shape(), c.bias ? c.c_out : -1, k.params);
    ASSERT_TRUE(g) << g.error().message;
    auto want = conv2d_reference(x, k.weight, c.bias ? &k.bias : nullptr, k.params);
    ASSERT_TRUE(want) << want.error().message;
    for (int oy = 0; oy < g->out_h; ++oy) {
      for (int ox = 0; ox < g->out_w; ++ox) {
        const PixelDetail d = inspect_pixel(x, k, *g, ox, oy);
        ASSERT_EQ(d.outputs.size(), static_cast<std::size_t>(c.c_out));
        for (const InspectOutput& out : d.outputs) {
          ASSERT_EQ(out.channels.size(), static_cast<std::size_t>(c.c_in / c.groups));
          double sum = 0;
          for (const InspectChannel& ch : out.channels) {
            ASSERT_EQ(ch.taps.size(), static_cast<std::size_t>(c.k * c.k));
            double partial = 0;
            for (const InspectTap& t : ch.taps) {
              ASSERT_EQ(t.product, t.x * t.w);
              partial += t.product;
            }
            ASSERT_EQ(ch.partial, partial);
            sum += ch.partial;
          }
          ASSERT_EQ(out.value, sum + out.bias);
          const double engine = want->get(g->output_index(0, out.oc, oy, ox));
          ASSERT_NEAR(out.value, engine, 1e-5 * (1 + std::abs(engine)))
              << "(oc " << out.oc << ", oy " << oy << ", ox " << ox << ")";
        }
      }
    }
  }
  // Hand-worked: 1×1×2×2 input [[1, 2], [3, 4]], 3×3 kernel of ones, padding 1 (zeros): the
  // result pixel (0, 0) reads 5 padding cells and 1 + 2 + 3 + 4 = 10.
  const Tensor x = Tensor::from_values(DType::f32, {1, 1, 2, 2}, {1, 2, 3, 4});
  PreviewKernel k;
  k.weight = Tensor::from_values(DType::f32, {1, 1, 3, 3}, {1, 1, 1, 1, 1, 1, 1, 1, 1});
  k.params.padding = PaddingSpec::symmetric(1);
  auto g = conv2d_geometry(x.shape(), k.weight.shape(), -1, k.params);
  ASSERT_TRUE(g);
  const PixelDetail d = inspect_pixel(x, k, *g, 0, 0);
  ASSERT_EQ(d.outputs.size(), 1u);
  EXPECT_EQ(d.outputs[0].value, 10.0);
  int padding = 0;
  for (const InspectTap& t : d.outputs[0].channels[0].taps)
    padding += t.padding ? 1 : 0;
  EXPECT_EQ(padding, 5);
  EXPECT_EQ(d.field.x0, -1);
  EXPECT_EQ(d.field.w, 3);
  EXPECT_EQ(inspect_pixel(x, k, *g, 2, 0).ox, -1);  // outside the result: nothing
}

TEST(UiEditPreview, TheCopyDrawnIsTheSmallestWithATexelPerScreenPixel) {
  EXPECT_EQ(level_for_zoom(1.0f, 6), 0);
  EXPECT_EQ(level_for_zoom(4.0f, 6), 0);
  EXPECT_EQ(level_for_zoom(0.5f, 6), 1);  // half size: the halved copy, one texel per pixel
  EXPECT_EQ(level_for_zoom(0.3f, 6), 1);  // 1/0.3 = 3.3: halving twice would be too coarse
  EXPECT_EQ(level_for_zoom(0.25f, 6), 2);
  EXPECT_EQ(level_for_zoom(0.01f, 6), 5);  // as small as the pyramid goes
  EXPECT_EQ(level_for_zoom(0.01f, 1), 0);
  EXPECT_EQ(level_for_zoom(0.0f, 6), 0);
}

// ---------------------------------------------------------------------------------------------
// The views' code in a headless ImGui context (no window, no renderer)

class HeadlessImGui {
 public:
  HeadlessImGui() {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(1600, 1400);
    io.DeltaTime = 1.0f / 60.0f;
    io.IniFilename = nullptr;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // builds the atlas NewFrame needs
  }
  ~HeadlessImGui() { ImGui::DestroyContext(); }
  HeadlessImGui(const HeadlessImGui&) = delete;
  HeadlessImGui& operator=(const HeadlessImGui&) = delete;

  // One frame of the parameters panel alone, `width` wide, with the keys pressed in it.
  void params_frame(AppState& s, float width = 450) {
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(width, 1400));
    ui::draw_params(s);
    ImGui::Render();
    recompute_if_dirty(s);
  }

  // One frame of the kernel editor alone, `width` wide (1600×900's default layout gives it about
  // 445 pixels): its horizontal extent is the window's ContentSize.
  float kernel_editor_frame(AppState& s, float width) {
    ImGui::NewFrame();
    s.clipped.clear();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(width, 1400));
    ui::draw_kernel_editor(s);
    ImGui::Render();
    recompute_if_dirty(s);
    const ImGuiWindow* w = ImGui::FindWindowByName("Kernel editor");
    // The room the editor's content has: its width less padding, and less the vertical
    // scrollbar only when one is shown.
    last_inner = w ? w->ContentRegionRect.GetWidth() : 0.0f;
    return w ? w->ContentSize.x : 0.0f;
  }
  float last_inner = 0;

  // Clicks the text box at (x, y), selects all of it and types `text` (one frame per key).
  void type_into(AppState& s, float x, float y, const std::string& text) {
    ImGuiIO& io = ImGui::GetIO();
    io.KeyMap[ImGuiKey_A] = 'A';
    io.MousePos = ImVec2(x, y);
    params_frame(s);
    io.MouseDown[0] = true;
    params_frame(s);
    io.MouseDown[0] = false;
    params_frame(s);
    io.KeyCtrl = true;
    io.KeysDown['A'] = true;
    params_frame(s);
    io.KeysDown['A'] = false;
    io.KeyCtrl = false;
    params_frame(s);
    for (char c : text) {
      io.AddInputCharacter(static_cast<unsigned>(c));
      params_frame(s);
    }
    io.MousePos = ImVec2(-1, -1);  // click elsewhere: the box lets go
    io.MouseDown[0] = true;
    params_frame(s);
    io.MouseDown[0] = false;
    params_frame(s);
  }

  // One frame of the editing views, each window at a fixed place.
  void frame(AppState& s) {
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(700, 1400));
    ui::draw_kernel_editor(s);
    ImGui::SetNextWindowPos(ImVec2(700, 0));
    ImGui::SetNextWindowSize(ImVec2(450, 1400));
    ui::draw_inputs_panel(s);
    if (s.show_file_browser) {
      ImGui::SetNextWindowPos(ImVec2(1150, 0));
      ImGui::SetNextWindowSize(ImVec2(450, 700));
      ui::draw_file_browser(s);
    }
    ImGui::Render();
    recompute_if_dirty(s);
  }
};

TEST(UiEditViews, ThePreviewOpensBesideTheCanvasNotOverIt) {
  HeadlessImGui gui;  // a 1600×1400 display
  AppState s;
  ASSERT_TRUE(load_lesson(s, "vertical-edge").has_value());
  // NOTE: the canvas needs the theme's fonts, which need a GL context; the timeline stands for
  // the canvas's column (it lies right under the canvas, as wide).
  s.show_canvas = false;
  auto frames = [&] {
    for (int i = 0; i < 2; ++i) {
      ImGui::NewFrame();
      ui::draw_frame(s, 0.0f);
      ImGui::Render();
    }
  };
  auto rect = [](const char* name) {
    const ImGuiWindow* w = ImGui::FindWindowByName(name);
    return w != nullptr && w->Active ? w->Rect() : ImRect();
  };
  frames();
  const ImRect column_alone = rect("Timeline");
  ASSERT_GT(column_alone.GetWidth(), 0.0f);
  EXPECT_GT(rect("Parameters").GetWidth(), 0.0f);
  // Ctrl+P's state: the preview gets its own region, the full height, and the canvas's column
  // the rest of the middle; nothing of the preview lies over it or the right column.
  s.show_preview = true;
  frames();
  const ImRect preview = rect("Live preview"), column = rect("Timeline");
  ASSERT_GT(preview.GetWidth(), 0.0f);
  for (const char* other : {"Timeline", "Arithmetic", "Kernel editor"}) {
    const ImRect r = rect(other);
    ASSERT_GT(r.GetWidth(), 0.0f) << other;
    EXPECT_LE(preview.Max.x, r.Min.x + 0.5f) << other << " lies under the preview";
  }
  EXPECT_GE(preview.GetWidth(), 0.3f * 1600.0f);
  EXPECT_GE(preview.GetHeight(), 0.9f * (1400.0f - 2.0f * ImGui::GetFrameHeight()));
  EXPECT_GE(column.GetWidth(), ImGui::GetFontSize() * 42.0f - 1.0f);
  EXPECT_NEAR(column.Max.x, column_alone.Max.x, 1.0f);  // the right column keeps its place
  EXPECT_EQ(rect("Parameters").GetWidth(), 0.0f);       // stepped aside...
  EXPECT_EQ(rect("Inputs").GetWidth(), 0.0f);
  EXPECT_TRUE(s.show_params);  // ... without forgetting that they are wanted
  EXPECT_TRUE(s.show_inputs);
  // Closed again: the canvas's column and the left column come back.
  s.show_preview = false;
  frames();
  EXPECT_EQ(rect("Timeline").Min.x, column_alone.Min.x);
  EXPECT_EQ(rect("Timeline").GetWidth(), column_alone.GetWidth());
  EXPECT_GT(rect("Parameters").GetWidth(), 0.0f);
  EXPECT_GT(rect("Inputs").GetWidth(), 0.0f);
}

TEST(UiEditViews, EveryLessonDrawsWithoutErrors) {
  HeadlessImGui gui;
  AppState s;
  for (const Lesson& l : builtin_lessons()) {
    SCOPED_TRACE(l.name);
    load_lesson(s, l);
    ASSERT_FALSE(s.error.has_value()) << s.error->message;
    gui.frame(s);
    gui.frame(s);
    EXPECT_FALSE(s.error.has_value()) << s.error->message;
    EXPECT_TRUE(s.show_kernel_editor);
    EXPECT_TRUE(s.show_inputs);
  }
}

TEST(UiEditViews, GridClicksStepTheWeight) {
  HeadlessImGui gui;
  AppState s;
  load_lesson(s, builtin_lessons().front());  // [1 0 -1] rows, 3×3
  gui.frame(s);
  EditState& es = edit_state(s);
  ASSERT_GT(es.grid_cell, 0.0f);
  es.step = 0.5;
  const int64_t at = 1 * 3 + 2;  // (ky, kx) = (1, 2), weight -1
  const double before = s.weight.get(at);
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = ImVec2(es.grid_x + 2.5f * es.grid_cell, es.grid_y + 1.5f * es.grid_cell);
  gui.frame(s);  // hover
  auto click = [&](int button) {
    io.MouseDown[button] = true;
    gui.frame(s);
    io.MouseDown[button] = false;
    gui.frame(s);
  };
  click(0);
  EXPECT_EQ(s.weight.get(at), before + 0.5);
  click(0);
  EXPECT_EQ(s.weight.get(at), before + 1.0);
  click(1);
  EXPECT_EQ(s.weight.get(at), before + 0.5);
  ASSERT_TRUE(s.trace && s.trace->is_conv());
  EXPECT_EQ(s.trace->weight()->get(at), before + 0.5);  // the lesson ran with the edit
  // Shift+click selects the cell for typing and leaves the value alone.
  io.KeyShift = true;
  click(0);
  io.KeyShift = false;
  EXPECT_EQ(es.sel_ky, 1);
  EXPECT_EQ(es.sel_kx, 2);
  EXPECT_EQ(s.weight.get(at), before + 0.5);
}

// Issue 9: a stride of 0 typed into the panel was silently put back to 1. It now reaches the
// engine, which refuses it with its sentence under the control (the picture keeps stride 1),
// and the panel says why; a value past the panel's own range is brought back with a note.
TEST(UiEditViews, StrideZeroIsRefusedWithItsSentenceNotPutBack) {
  HeadlessImGui gui;
  AppState s;
  ASSERT_TRUE(load_lesson(s, "vertical-edge").has_value());
  gui.params_frame(s);
  const ui::ParamRow row = ui::param_row("stride");
  ASSERT_GT(row.h, 0.0f) << "the panel drew no stride row";
  gui.type_into(s, row.x + 20, row.y + row.h * 0.5f, "0");
  EXPECT_EQ(s.conv.stride_h, 0) << "the typed 0 was changed by the panel";
  ASSERT_TRUE(s.error.has_value());
  EXPECT_EQ(s.error->field, "stride");
  EXPECT_EQ(s.error->message,
            "stride must be at least 1 in each direction; got 0×1 (height×width)");
  ASSERT_TRUE(s.trace);
  EXPECT_EQ(s.trace->shape().stride_h, 1) << "the picture keeps the last stride that worked";
  gui.type_into(s, row.x + 20, row.y + row.h * 0.5f, "40");
  EXPECT_EQ(s.conv.stride_h, 16);
  EXPECT_FALSE(s.error.has_value());
  EXPECT_EQ(ui::param_row("stride").note, "stride can be 0 to 16 here; 40 became 16.");
  gui.type_into(s, row.x + 20, row.y + row.h * 0.5f, "2");
  EXPECT_EQ(s.conv.stride_h, 2);
  EXPECT_EQ(ui::param_row("stride").note, "") << "an edit in range clears the note";
}

// A transposed lesson's Parameters are ConvTranspose2d's (not pooling's, as before): typing an
// output_padding as large as the stride is refused with the engine's sentence under that row, and
// a stride the canvas could not draw is refused under the stride.
TEST(UiEditViews, TheTransposedLessonEditsItsOwnParameters) {
  HeadlessImGui gui;
  AppState s;
  ASSERT_TRUE(load_lesson(s, "transpose-stride-2").has_value());
  gui.params_frame(s);
  const ui::ParamRow out_pad = ui::param_row("out padding");
  ASSERT_GT(out_pad.h, 0.0f) << "the panel drew no output_padding row";
  gui.type_into(s, out_pad.x + 20, out_pad.y + out_pad.h * 0.5f, "2");
  EXPECT_EQ(s.transpose.output_padding_h, 2);
  ASSERT_TRUE(s.error.has_value());
  EXPECT_EQ(s.error->field, "output_padding");
  EXPECT_TRUE(s.trace && s.trace->op() == TraceOp::conv_transpose2d);
  gui.type_into(s, out_pad.x + 20, out_pad.y + out_pad.h * 0.5f, "0");
  EXPECT_FALSE(s.error.has_value()) << s.error->message;
  EXPECT_EQ(s.trace->output().dim(2), 5) << "(3 − 1)·2 − 2·1 + 1·(3 − 1) + 0 + 1 = 5";
  const ui::ParamRow stride = ui::param_row("stride");
  ASSERT_GT(stride.h, 0.0f);
  gui.type_into(s, stride.x + 20, stride.y + stride.h * 0.5f, "3");
  EXPECT_EQ(s.transpose.stride_h, 3);
  EXPECT_FALSE(s.error.has_value()) << s.error->message;
  EXPECT_EQ(s.trace->output().dim(2), 7) << "(3 − 1)·3 − 2 + 2 + 0 + 1 = 7";
}

// The groups slider beside the groups box steps only through the divisors of both C_in and
// C_out: depthwise (C_in 3, C_out 3, groups 3) offers 1 and 3. A click at its left end makes a
// full conv (weight [3, 3, 3, 3]), at its right end the depthwise one again ([3, 1, 3, 3]).
TEST(UiEditViews, TheGroupsSliderStepsThroughTheDivisors) {
  HeadlessImGui gui;
  AppState s;
  ASSERT_TRUE(load_lesson(s, "depthwise").has_value());
  ASSERT_EQ(s.conv.groups, 3);
  gui.params_frame(s);
  const ui::ParamRow row = ui::param_row("groups that fit");
  ASSERT_GT(row.h, 0.0f) << "the panel drew no groups slider";
  auto click = [&](float x) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(x, row.y + row.h * 0.5f);
    gui.params_frame(s);
    io.MouseDown[0] = true;
    gui.params_frame(s);
    io.MouseDown[0] = false;
    gui.params_frame(s);
    io.MousePos = ImVec2(-1, -1);
    gui.params_frame(s);
  };
  click(row.x + 4);
  EXPECT_EQ(s.conv.groups, 1);
  EXPECT_EQ(s.weight.shape(), (Shape{3, 3, 3, 3}));
  EXPECT_FALSE(s.error.has_value()) << s.error->message;
  click(row.x + 150);  // the slider is about 190 pixels wide: its right end
  EXPECT_EQ(s.conv.groups, 3);
  EXPECT_EQ(s.weight.shape(), (Shape{3, 1, 3, 3}));
  EXPECT_FALSE(s.error.has_value()) << s.error->message;
}

// Issue 9: at 1600×900 the cross-correlation vs convolution comparison ran off the kernel
// editor's right edge ("kernel rota…"), and so did "rotate stored weights 180°". The comparison's
// labels now wrap to two columns (or it stacks) and rows of buttons wrap, so the editor never
// scrolls sideways; anything wider would be reported in state.clipped.
TEST(UiEditViews, TheFlipComparisonFitsTheKernelEditor) {
  HeadlessImGui gui;
  AppState s;
  // The comparison's own width: the editor's content with it open, against it folded.
  auto set_open = [](bool open) {
    ImGuiWindow* w = ImGui::FindWindowByName("Kernel editor");
    ASSERT_NE(w, nullptr);
    w->StateStorage.SetInt(w->GetID("Cross-correlation vs convolution"), open ? 1 : 0);
  };
  for (const char* lesson : {"vertical-edge", "rgb-3-filters", "dilation-2"}) {
    ASSERT_TRUE(load_lesson(s, lesson).has_value());
    for (float width : {300.0f, 445.0f, 700.0f}) {
      gui.kernel_editor_frame(s, width);
      set_open(false);
      gui.kernel_editor_frame(s, width);
      const float folded = gui.kernel_editor_frame(s, width);
      set_open(true);
      gui.kernel_editor_frame(s, width);
      const float open = gui.kernel_editor_frame(s, width);
      const float inner = gui.last_inner;
      EXPECT_LE(open, std::max(folded, inner) + 1.0f) << lesson << " at " << width << " px";
      // From the width 1600×900 gives it, no row of buttons runs past the edge either: they wrap.
      if (width >= 445.0f) {
        EXPECT_LE(open, inner + 1.0f) << lesson << " at " << width << " px";
      }
      EXPECT_TRUE(s.clipped.empty()) << lesson << " at " << width << " px: " << s.clipped.front();
    }
  }
}

TEST(UiEditViews, FileBrowserListsFiltersAndReports) {
  HeadlessImGui gui;
  TempDir dir;
  fs::create_directories(dir.path / "sub");
  ASSERT_TRUE(write_file_atomic(dir / "a.json", std::string("{}")).has_value());
  ASSERT_TRUE(write_file_atomic(dir / "b.PNG", std::string("x")).has_value());
  ASSERT_TRUE(write_file_atomic(dir / ".hidden.json", std::string("{}")).has_value());
  AppState s;
  load_lesson(s, builtin_lessons().front());
  ImGui::NewFrame();
  ui::open_file_browser(s, BrowseFor::scene_open);
  ImGui::Render();
  EditState& es = edit_state(s);
  es.browse_dir = dir.path.string();
  es.browse_needs_listing = true;
  gui.frame(s);
  EXPECT_EQ(es.listing_dirs, std::vector<std::string>{"sub"});
  EXPECT_EQ(es.listing_files, std::vector<std::string>{"a.json"});
  es.filter = ".png .jpg";  // case-insensitive
  es.browse_needs_listing = true;
  gui.frame(s);
  EXPECT_EQ(es.listing_files, std::vector<std::string>{"b.PNG"});
  es.filter = "";
  es.show_hidden = true;
  es.browse_needs_listing = true;
  gui.frame(s);
  EXPECT_EQ(es.listing_files, (std::vector<std::string>{".hidden.json", "a.json", "b.PNG"}));
  es.browse_dir = (dir.path / "gone").string();
  es.browse_needs_listing = true;
  gui.frame(s);
  EXPECT_NE(es.browse_error.find("Cannot read the folder " + (dir.path / "gone").string()),
            std::string::npos)
      << es.browse_error;
  EXPECT_TRUE(es.listing_files.empty());
  EXPECT_TRUE(s.show_file_browser);
}

// ---------------------------------------------------------------------------------------------
// The real window

// convscope in `dir` (relative paths are the test's files) with a private XDG_STATE_HOME in
// it; stdout and stderr go to dir/app.log, the status (when `status`) to dir/status.json.
AppConfig in_dir(const TempDir& dir, std::vector<std::string> args, bool status = false) {
  AppConfig c;
  c.args = std::move(args);
  c.state_home = dir / "state";
  c.cwd = dir.path;
  c.log = dir / "app.log";
  if (status) c.status_file = dir / "status.json";
  return c;
}

TEST(UiEditWindow, SceneOnTheCommandLineRendersAndReports) {
  CS_REQUIRE_DISPLAY();
  TempDir dir;
  ASSERT_TRUE(write_file_atomic(dir / "box.json", box_scene("Box test", true)).has_value());
  AppWindow app(in_dir(
      dir, {"--scene", dir / "box.json", "--frames", "4", "--screenshot", dir / "shot.png"}, true));
  ASSERT_EQ(app.wait_exit(120), 0) << slurp(dir / "app.log");
  const std::string png = slurp(dir / "shot.png");
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(1, 3), "PNG");
  const auto st = app.status();
  EXPECT_EQ(st.value("lesson", ""), "box");
  EXPECT_EQ(st.value("flip_kernel", false), true);
  EXPECT_EQ(st["input_shape"], nlohmann::json::array({1, 1, 4, 4}));
  EXPECT_EQ(st.value("error", "?"), "");
}

TEST(UiEditWindow, ABrokenSceneIsRefusedWithItsSentence) {
  CS_REQUIRE_DISPLAY();
  TempDir dir;
  ASSERT_TRUE(
      write_file_atomic(
          dir / "bad.json",
          std::string(R"({"format": "convscope-scene", "version": 1, "op": "conv", "strid": 2})"))
          .has_value());
  AppWindow app(in_dir(dir, {"--scene", dir / "bad.json", "--frames", "2"}));
  EXPECT_EQ(app.wait_exit(120), 2);
  EXPECT_NE(slurp(dir / "app.log").find("unknown key \"strid\""), std::string::npos)
      << slurp(dir / "app.log");
}

// Issue 10: on the command line these scenes aborted the first frame (std::bad_alloc, exit 134),
// grew the window to 5.5 GB, or showed no frame after 90 s; now `convscope --scene` says why and
// exits 2 before drawing anything.
TEST(UiEditWindow, TooBigScenesEndInASentenceNotACrash) {
  CS_REQUIRE_DISPLAY();
  TempDir dir;
  ASSERT_TRUE(write_file_atomic(dir / "pad.json", too_big_scene("1000000")).has_value());
  ASSERT_TRUE(write_file_atomic(dir / "rows.json", too_big_scene("[1000000, 0]")).has_value());
  ASSERT_TRUE(write_file_atomic(dir / "many.json", sixteen_million_values_scene()).has_value());
  for (const char* name : {"pad.json", "rows.json", "many.json"}) {
    AppWindow app(in_dir(dir, {"--scene", dir / name, "--frames", "2"}));
    EXPECT_EQ(app.wait_exit(60), 2) << name << ": " << slurp(dir / "app.log");
    const std::string log = slurp(dir / "app.log");
    EXPECT_NE(log.find(std::string("convscope: ") + name + ": "), std::string::npos) << log;
    EXPECT_NE(log.find("lesson"), std::string::npos) << log;
  }
}

// The same scene opened from inside the window (Ctrl+O): refused with its sentence (the file
// browser's and the status bar's), the lesson on screen stays and the window goes on.
TEST(UiEditWindow, OpeningATooBigSceneInTheWindowKeepsTheLesson) {
  CS_REQUIRE_DISPLAY();
  TempDir dir;
  const std::string box = dir / "box.json", big = dir / "big.json";
  ASSERT_TRUE(write_file_atomic(box, box_scene("Box test")).has_value());
  ASSERT_TRUE(write_file_atomic(big, too_big_scene("[1000000, 0]")).has_value());
  AppWindow app(in_dir(dir, {"--scene", box}, true));
  ASSERT_TRUE(wait_until([&] { return app.status().value("lesson", "") == "box"; }, 60))
      << slurp(dir / "app.log");
  ASSERT_TRUE(app.focus()) << "no ConvScope window appeared";
  app.press("ctrl+o");
  app.type_into_field(big);
  app.press("Return");
  ASSERT_TRUE(wait_until(
      [&] {
        return app.status().value("notice", "").find("big.json: this lesson's padded input") !=
               std::string::npos;
      },
      20))
      << app.status().dump();
  const auto s = app.status();
  EXPECT_EQ(s.value("lesson", ""), "box");
  EXPECT_EQ(s["input_shape"], nlohmann::json::array({1, 1, 4, 4}));
  EXPECT_EQ(s.value("error", "?"), "");
  app.press("Escape");
  app.press("ctrl+q");
  EXPECT_EQ(app.wait_exit(60), 0) << slurp(dir / "app.log");
}

TEST(UiEditWindow, KeysEditTheKernelSaveAndOpenScenes) {
  CS_REQUIRE_DISPLAY();
  TempDir dir;
  const std::string scene = dir / "box.json", other = dir / "other.json", copy = dir / "copy.json";
  ASSERT_TRUE(write_file_atomic(scene, box_scene("Box test")).has_value());
  ASSERT_TRUE(write_file_atomic(other, box_scene("Other scene")).has_value());
  AppWindow app(in_dir(dir, {"--scene", scene}, true));
  ASSERT_TRUE(wait_until([&] { return app.status().value("lesson", "") == "box"; }, 60))
      << slurp(dir / "app.log");
  ASSERT_TRUE(app.focus()) << "no ConvScope window appeared";

  // Ctrl+F: true convolution on.
  app.press("ctrl+f");
  EXPECT_TRUE(wait_until([&] { return app.status().value("flip_kernel", false); }, 20));

  // Ctrl+N normalises the box (four ones => 0.25 each); Ctrl+S saves over the scene it came from.
  app.press("ctrl+n");
  app.press("ctrl+s");
  auto saved = [&](const std::string& path, double w0) {
    auto s = load_scene(path);
    return s.has_value() && s->lesson.weight.numel() == 4 && s->lesson.weight.get(0) == w0;
  };
  ASSERT_TRUE(wait_until([&] { return saved(scene, 0.25); }, 20)) << slurp(scene);
  auto s1 = load_scene(scene);
  ASSERT_TRUE(s1.has_value()) << s1.error().message;
  EXPECT_TRUE(s1->lesson.flip_kernel);
  EXPECT_EQ(s1->display, "abs");
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(s1->lesson.weight.get(i), 0.25);

  // Ctrl+R: random integer weights in [-1, 1] from seed 1, saved again.
  app.press("ctrl+r");
  app.press("ctrl+s");
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = load_scene(scene);
        return s.has_value() && s->lesson.weight.get(0) != 0.25;
      },
      20));
  auto s2 = load_scene(scene);
  ASSERT_TRUE(s2.has_value());
  for (int i = 0; i < 4; ++i) {
    const double w = s2->lesson.weight.get(i);
    EXPECT_EQ(w, std::round(w));
    EXPECT_LE(std::abs(w), 1.0);
  }

  // Ctrl+O opens the file browser with the keyboard in its path box: type a scene, Enter.
  app.press("ctrl+o");
  app.type_into_field(other);
  app.press("Return");
  ASSERT_TRUE(wait_until([&] { return app.status().value("lesson", "") == "other"; }, 20))
      << app.status().dump();

  // Ctrl+Shift+S: save as, the path box starts with the current scene's path; replace it.
  app.wait_text_field(false);  // (the browser closed on opening the scene)
  app.press("ctrl+shift+s");
  app.wait_text_field(true);
  app.press("ctrl+a");
  app.type(copy);
  app.press("Return");
  ASSERT_TRUE(wait_until([&] { return fs::exists(copy); }, 20));
  auto s3 = load_scene(copy);
  ASSERT_TRUE(s3.has_value()) << s3.error().message;
  EXPECT_EQ(s3->lesson.title, "Other scene");

  // Ctrl+P shows the live preview; Ctrl+Q quits cleanly.
  app.press("ctrl+p");
  EXPECT_TRUE(wait_until([&] { return app.status().value("show_preview", false); }, 20));
  app.press("ctrl+q");
  EXPECT_EQ(app.wait_exit(60), 0) << slurp(dir / "app.log");
}

TEST(UiEditWindow, PreviewOfAPictureRenders) {
  CS_REQUIRE_DISPLAY();
  TempDir dir;
  Image img{64, 48, 3, std::vector<uint8_t>(64 * 48 * 3)};
  for (std::size_t i = 0; i < img.pixels.size(); ++i)
    img.pixels[i] = static_cast<uint8_t>(i * 7);
  ASSERT_TRUE(write_png(dir / "pic.png", img).has_value());
  // Two frames: the picture is decoded and filtered off the UI thread, but a scripted screenshot
  // waits for both, so the one saved after the second frame shows the result.
  AppWindow app(
      in_dir(dir, {"--preview", dir / "pic.png", "--frames", "2", "--screenshot", dir / "shot.png"},
             true));
  ASSERT_EQ(app.wait_exit(120), 0) << slurp(dir / "app.log");
  const auto st = app.status();
  EXPECT_TRUE(st.value("show_preview", false));
  ASSERT_TRUE(st.contains("preview")) << st.dump();
  EXPECT_GE(st["preview"].value("results", 0), 1) << st.dump();
  EXPECT_GT(slurp(dir / "shot.png").size(), 1000u);
}

}  // namespace
}  // namespace cs
