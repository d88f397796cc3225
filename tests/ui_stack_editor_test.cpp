// The Receptive field view's stack editor model (app/ui/stack_editor.*) and feature maps
// (app/ui/stack_maps.*), without a window: every edit gives a layers file the one reader reads,
// a bad edit names its layer while the last good stack stays, undo and redo, saving read back by
// `convscope render --layers` and `convscope receptive-field --layers`, and a feature map equal,
// byte for byte, to what `convscope render --layers --backend cpu` writes for the same photo.
// Depends on core/, app/ui (no GL), nlohmann-json and GoogleTest.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "app/ui/stack_editor.hpp"
#include "app/ui/stack_maps.hpp"
#include "core/image_io.hpp"
#include "core/layers.hpp"
#include "core/npy.hpp"
#include "test_util.hpp"

namespace cs {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const Shape kInput{1, 1, 16, 16};

class StackEditorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("convscope_stack_" + std::to_string(::getpid()));
    fs::create_directories(m_dir);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }
  std::string path(const std::string& name) const { return (m_dir / name).string(); }
  fs::path m_dir;
};

// Each edit, and the file the reader gets.
TEST_F(StackEditorTest, EditsGiveTheJsonTheReaderReads) {
  StackEditor ed;
  ed.insert(0, StackLayerKind::conv);
  ed.insert(1, StackLayerKind::max_pool);
  ed.insert(2, StackLayerKind::conv);
  ed.set_kernel(2, "sobel-x");
  ed.set_pair(2, "stride", 2, 2);
  ed.set_pair(0, "dilation", 1, 2);
  ed.set_padding_text(2, "0");
  ed.set_padding_text(0, "same");
  EXPECT_EQ(ed.text(),
            "[\n  {\"kernel\":\"box-blur\",\"padding\":\"same\",\"dilation\":[1,2]},\n"
            "  {\"pool\":\"max\",\"kernel\":2},\n"
            "  {\"kernel\":\"sobel-x\",\"padding\":0,\"stride\":2}\n]\n");
  ed.move(2, -1);  // sobel-x before the pool
  ed.move(0, -1);  // nothing above the first
  ed.remove(0);
  ed.set_kind(1, StackLayerKind::avg_pool);
  ed.set_pair(1, "kernel", 3, 2);
  EXPECT_EQ(ed.kind(1), StackLayerKind::avg_pool);
  Result<std::vector<Layer>> layers = layers_from_json(ed.text(), "t");
  ASSERT_TRUE(layers.has_value()) << layers.error().message;
  ASSERT_EQ(layers->size(), 2u);
  EXPECT_EQ((*layers)[0].kind, LayerKind::conv);
  EXPECT_EQ((*layers)[0].conv.stride_h, 2);
  EXPECT_EQ((*layers)[0].name, "layer 1 (sobel-x)");
  EXPECT_EQ((*layers)[1].kind, LayerKind::pool);
  EXPECT_EQ((*layers)[1].pool.op, PoolOp::avg);
  EXPECT_EQ((*layers)[1].pool.k_h, 3);
  EXPECT_EQ((*layers)[1].pool.k_w, 2);
  EXPECT_EQ(ed.pair(1, "kernel", 1), std::make_pair(3, 2));
  EXPECT_EQ(ed.padding_text(0), "0");
  const StackCheck c = check_stack(ed.text(), kInput);
  ASSERT_TRUE(c.good()) << c.error;
  EXPECT_EQ(c.rf[1].h.out, 2);  // 16 → stride 2, valid 3×3: 7 → avg 3×2: 2 rows
  EXPECT_EQ(c.rf[1].w.out, 3);
}

TEST_F(StackEditorTest, BadEditsNameTheLayerWithTheReadersSentence) {
  StackEditor ed;
  ASSERT_TRUE(
      ed.load_text(R"([{"kernel": "box-blur", "padding": 0}, {"kernel": "box-blur"}])", ""));
  ASSERT_TRUE(check_stack(ed.text(), kInput).good());
  ed.set_pair(1, "stride", 0, 0);
  StackCheck c = check_stack(ed.text(), kInput);
  EXPECT_FALSE(c.good());
  EXPECT_EQ(c.layer, 1);
  EXPECT_EQ(c.error.rfind("the stack layer 2", 0), 0u) << c.error;
  EXPECT_NE(c.error.find("stride"), std::string::npos) << c.error;
  ed.set_pair(1, "stride", 1, 1);
  ed.set_padding_text(1, "lots");
  c = check_stack(ed.text(), kInput);
  EXPECT_EQ(c.layer, 1);
  EXPECT_NE(c.error.find("padding lots is not a number"), std::string::npos) << c.error;
  // The geometry's sentence: a 5×5 pool on the 14×14 ... fine; a 20×20 one is not.
  ed.set_padding_text(1, "1");
  ed.insert(2, StackLayerKind::max_pool);
  ed.set_pair(2, "kernel", 20, 20);
  c = check_stack(ed.text(), kInput);
  EXPECT_EQ(c.layer, 2);
  EXPECT_NE(c.error.find("layer 3"), std::string::npos) << c.error;
  ed.remove(0), ed.remove(0), ed.remove(0);
  c = check_stack(ed.text(), kInput);
  EXPECT_EQ(c.layer, -1);
  EXPECT_NE(c.error.find("non-empty"), std::string::npos) << c.error;
  EXPECT_FALSE(ed.load_text("{\"kernel\": 1}", "x.json"));
  EXPECT_EQ(ed.size(), 0u);  // a refused load changes nothing
}

TEST_F(StackEditorTest, UndoAndRedoStepThroughEditsAndTypingIsOneStep) {
  StackEditor ed;
  ed.insert(0, StackLayerKind::conv);
  const std::string one = ed.text();
  ed.set_pair(0, "stride", 2, 2);
  ed.set_pair(0, "stride", 23, 23);  // typing "23": one step
  ed.set_pair(0, "stride", 3, 3);
  ed.insert(1, StackLayerKind::avg_pool);
  const std::string last = ed.text();
  ASSERT_TRUE(ed.undo());
  EXPECT_EQ(ed.size(), 1u);
  EXPECT_EQ(ed.pair(0, "stride", 1), std::make_pair(3, 3));
  ASSERT_TRUE(ed.undo());
  EXPECT_EQ(ed.text(), one);
  ASSERT_TRUE(ed.redo());
  ASSERT_TRUE(ed.redo());
  EXPECT_EQ(ed.text(), last);
  EXPECT_FALSE(ed.redo());
  ed.undo();
  ed.remove(0);  // a new edit clears redo
  EXPECT_FALSE(ed.can_redo());
}

TEST_F(StackEditorTest, SavedStackIsReadByRenderAndReceptiveField) {
  fs::copy_file(fs::path(CONVSCOPE_SOURCE_DIR) / "assets/images/coffee.png", path("photo.png"));
  // A kernel file beside the opened stack: the saved copy elsewhere still finds it.
  fs::create_directories(m_dir / "in");
  std::ofstream(path("in/stack.json")) << R"([{"kernel": "k.npy", "padding": 1}])";
  Tensor k = Tensor::from_values(DType::f32, {3, 3}, {0, 0, 0, 0, 1, 0, 0, 0, 0});
  ASSERT_TRUE(write_npy(path("in/k.npy"), k));
  StackEditor ed;
  ASSERT_TRUE(ed.load_file(path("in/stack.json")));
  ed.insert(1, StackLayerKind::max_pool);
  ed.insert(2, StackLayerKind::conv);
  ed.set_kernel(2, "sobel-y");
  ASSERT_TRUE(ed.save(path("saved.json"), kInput));
  Result<std::vector<Layer>> back = load_layers(path("saved.json"));
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->size(), 3u);
  const std::string exe = CONVSCOPE_EXE;
  test::CommandRun r = test::run_command(exe + " receptive-field --layers " + path("saved.json") +
                                         " --input-shape 1,1,16,16 2>&1");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("sobel-y"), std::string::npos) << r.output;
  r = test::run_command(exe + " render --image " + path("photo.png") + " --layers " +
                        path("saved.json") + " --backend cpu --out " + path("out.png") + " 2>&1");
  EXPECT_EQ(r.status, 0) << r.output;
  Result<Image> out = load_image(path("out.png"));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->width, 300);  // 600×400 → same → max pool 2 → same
  EXPECT_EQ(out->height, 200);

  // A bad stack is not saved: no file, the layer's sentence.
  ed.set_pair(2, "stride", 0, 0);
  const Status st = ed.save(path("bad.json"), kInput);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("the stack layer 3"), std::string::npos) << st.error().message;
  EXPECT_FALSE(fs::exists(path("bad.json")));
}

// The window's feature map of the first n layers is what render writes for those n layers.
TEST_F(StackEditorTest, FeatureMapEqualsRenderLayersOutput) {
  const std::string photo = std::string(CONVSCOPE_SOURCE_DIR) + "/assets/images/coffee.png";
  StackEditor ed;
  ASSERT_TRUE(ed.load_text(R"([{"kernel": "gaussian-5", "padding": 0},
      {"pool": "max", "kernel": 2}, {"kernel": "sobel-x", "stride": 2, "dilation": 2, "padding": 2}])",
                           ""));
  Result<std::vector<Layer>> layers = layers_from_json(ed.text(), "the stack");
  ASSERT_TRUE(layers.has_value());
  Result<Image> image = load_image(photo);
  ASSERT_TRUE(image.has_value());
  for (std::size_t n : {std::size_t{1}, std::size_t{3}}) {
    for (auto [mapping, name] : {std::pair{gpu::DisplayMapping::minmax, "minmax"},
                                 std::pair{gpu::DisplayMapping::signed_, "signed"}}) {
      StackMapJob job;
      job.count = n;
      job.mapping = mapping;
      job.photo = std::make_shared<const Image>(*image);
      job.layers = *layers;
      const StackMap m = compute_stack_map(job);
      ASSERT_EQ(m.error, "");
      StackEditor first = ed;
      while (first.size() > n)
        first.remove(first.size() - 1);
      ASSERT_TRUE(first.save(path("first.json"), kInput));
      const test::CommandRun r =
          test::run_command(std::string(CONVSCOPE_EXE) + " render --image " + photo + " --layers " +
                            path("first.json") + " --backend cpu --display " + name + " --out " +
                            path("r.png") + " 2>&1");
      ASSERT_EQ(r.status, 0) << r.output;
      Result<Image> want = load_image(path("r.png"));
      ASSERT_TRUE(want.has_value());
      EXPECT_EQ(m.picture.width, want->width);
      EXPECT_EQ(m.picture.height, want->height);
      EXPECT_TRUE(m.picture.pixels == want->pixels) << n << " layers, " << name;
    }
  }
  // 600×400 → valid 5×5: 596×396 → pool: 298×198 → stride 2, dilation 2, padding 2: 149×99.
  StackMapJob job{1,      "", 3, gpu::DisplayMapping::clip, std::make_shared<const Image>(*image),
                  *layers};
  const StackMap m = compute_stack_map(job);
  EXPECT_EQ(m.picture.width, 149);
  EXPECT_EQ(m.picture.height, 99);
}

// ReLU and transposed conv: added and set in the editor, saved, read back; the feature map of
// a stack with both is what render writes, and the editor's JSON round-trips.
TEST_F(StackEditorTest, ReluAndTransposedRoundTripAndMapEqualsRender) {
  const std::string photo = std::string(CONVSCOPE_SOURCE_DIR) + "/assets/images/coffee.png";
  StackEditor ed;
  ed.insert(0, StackLayerKind::conv);
  ed.set_pair(0, "stride", 2, 2);
  ed.insert(1, StackLayerKind::relu);
  ed.insert(2, StackLayerKind::conv_transpose);
  ed.set_kernel(2, "sobel-x");
  ed.set_pair(2, "output_padding", 1, 0);
  EXPECT_EQ(ed.kind(1), StackLayerKind::relu);
  EXPECT_EQ(ed.kind(2), StackLayerKind::conv_transpose);
  EXPECT_STREQ(stack_kind_name(StackLayerKind::conv_transpose), "transposed conv");
  EXPECT_EQ(ed.layer(1).dump(), R"({"relu":true})");
  EXPECT_EQ(
      ed.layer(2).dump(),
      R"({"transpose":true,"kernel":"sobel-x","stride":2,"padding":1,"output_padding":[1,0]})");
  ASSERT_TRUE(ed.save(path("ut.json"), kInput));
  StackEditor back;
  ASSERT_TRUE(back.load_file(path("ut.json")));
  EXPECT_EQ(back.text(), ed.text());
  EXPECT_EQ(back.pair(2, "output_padding", 0), (std::pair{1, 0}));
  // A kind change out of ReLU takes the new kind's defaults; into ReLU drops stride.
  back.set_kind(0, StackLayerKind::relu);
  EXPECT_EQ(back.layer(0).dump(), R"({"relu":true})");

  Result<std::vector<Layer>> layers = layers_from_json(ed.text(), "the stack");
  ASSERT_TRUE(layers.has_value()) << layers.error().message;
  EXPECT_EQ((*layers)[1].kind, LayerKind::relu);
  EXPECT_EQ((*layers)[2].kind, LayerKind::conv_transpose);
  Result<Image> image = load_image(photo);
  ASSERT_TRUE(image.has_value());
  StackMapJob job;
  job.count = 3;
  job.mapping = gpu::DisplayMapping::signed_;
  job.photo = std::make_shared<const Image>(*image);
  job.layers = *layers;
  const StackMap m = compute_stack_map(job);
  ASSERT_EQ(m.error, "");
  const test::CommandRun r = test::run_command(
      std::string(CONVSCOPE_EXE) + " render --image " + photo + " --layers " + path("ut.json") +
      " --backend cpu --display signed --out " + path("ut.png") + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.output;
  Result<Image> want = load_image(path("ut.png"));
  ASSERT_TRUE(want.has_value());
  // 600×400 → box-blur stride 2 padding 1: 300×200 → ReLU → sobel-x transposed stride 2
  // padding 1 output_padding (1, 0): (300 − 1)·2 − 2 + 3 + 0 = 599 wide, 399 + 1 = 400 high.
  EXPECT_EQ(want->width, 599);
  EXPECT_EQ(want->height, 400);
  EXPECT_EQ(m.picture.width, want->width);
  EXPECT_EQ(m.picture.height, want->height);
  EXPECT_TRUE(m.picture.pixels == want->pixels);
}

}  // namespace
}  // namespace cs
