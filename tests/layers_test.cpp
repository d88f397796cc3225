// core/layers: the --layers format of docs/gpu.md read into layers (presets, .npy files next to
// the JSON, rows of numbers, pooling), its refusals word for word, the issue-10 limits (numbers
// beyond an int, float32 overflow, nesting), padding text, and what a layer computes per channel.
#include "core/layers.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/npy.hpp"

namespace cs {
namespace {

namespace fs = std::filesystem;

// A scratch folder with a 3×3 kernel.npy and a bias.npy of 3 values.
class LayersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("convscope_layers_test_" + std::to_string(::getpid()));
    fs::create_directories(m_dir);
    ASSERT_TRUE(write_npy((m_dir / "edges.npy").string(),
                          Tensor::from_values(DType::f64, {3, 3}, {1, 0, -1, 2, 0, -2, 1, 0, -1}))
                    .has_value());
    ASSERT_TRUE(write_npy((m_dir / "bias.npy").string(),
                          Tensor::from_values(DType::f32, {3}, {0.5, 1, 1.5}))
                    .has_value());
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }
  std::string file() const { return (m_dir / "layers.json").string(); }

  // The sentence refusing `text` (read as the file layers.json in the scratch folder).
  std::string refusal(const std::string& text) const {
    auto r = layers_from_json(text, file());
    EXPECT_FALSE(r.has_value()) << text;
    return r ? std::string() : r.error().message;
  }

  fs::path m_dir;
};

TEST_F(LayersTest, TheDocumentedExampleReads) {
  auto r = layers_from_json(R"([
    {"kernel": "gaussian-5", "padding_mode": "reflect"},
    {"kernel": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], "bias": 0.5},
    {"kernel": "edges.npy", "stride": 2, "padding": [1, 0], "dilation": 1, "groups": 1,
     "bias": "bias.npy"},
    {"pool": "max", "kernel": 2},
    {"pool": "avg", "kernel": [3, 2], "stride": 2, "padding": 1, "ceil_mode": true,
     "count_include_pad": false}
  ])",
                            file());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), 5u);
  const std::vector<Layer>& l = *r;
  EXPECT_EQ(l[0].name, "layer 1 (gaussian-5)");
  EXPECT_EQ(l[0].weight.shape(), (Shape{5, 5}));
  EXPECT_EQ(l[0].conv.padding.kind, PaddingSpec::Kind::same);  // the default
  EXPECT_EQ(l[0].conv.padding_mode, PaddingMode::reflect);
  EXPECT_EQ(l[1].name, "layer 2");
  EXPECT_EQ(l[1].weight.get(3), -2.0);
  ASSERT_TRUE(l[1].bias.has_value());
  EXPECT_EQ(l[1].bias->get(0), 0.5);
  EXPECT_EQ(l[2].name, "layer 3 (edges.npy)");  // read next to the JSON file, as float32
  EXPECT_EQ(l[2].weight.dtype(), DType::f32);
  EXPECT_EQ(l[2].weight.get(3), 2.0);
  EXPECT_EQ(l[2].conv.stride_h, 2);
  EXPECT_EQ(l[2].conv.padding.h, 1);
  EXPECT_EQ(l[2].conv.padding.w, 0);
  EXPECT_EQ(l[2].bias->numel(), 3);
  EXPECT_EQ(l[3].kind, LayerKind::pool);
  EXPECT_EQ(l[3].name, "layer 4 (max pool)");
  EXPECT_EQ(l[3].pool.op, PoolOp::max);
  EXPECT_EQ(l[3].pool.k_h, 2);
  EXPECT_EQ(l[3].pool.stride_h, 0);  // 0: the kernel, as PyTorch's default
  EXPECT_EQ(l[4].pool.op, PoolOp::avg);
  EXPECT_EQ(l[4].pool.k_w, 2);
  EXPECT_EQ(l[4].pool.pad_h, 1);
  EXPECT_TRUE(l[4].pool.ceil_mode);
  EXPECT_FALSE(l[4].pool.count_include_pad);
}

// The sentences `convscope render --layers` has always printed (tests/golden holds one of them).
TEST_F(LayersTest, RefusalsNameTheFileTheLayerAndTheKey) {
  const std::string f = file();
  EXPECT_EQ(refusal("[{"), f + " is not valid JSON; it must be a list like [{\"kernel\": "
                               "\"gaussian-5\"}, {\"pool\": \"max\", \"kernel\": 2}]");
  EXPECT_EQ(refusal("[]"), f + " must hold a non-empty JSON list of layers, like [{\"kernel\": "
                               "\"sobel-x\"}]");
  EXPECT_EQ(refusal(R"([{"kernel": "sobel-x"}, 3])"),
            f + " layer 2 must be an object like {\"kernel\": \"sobel-x\"}");
  EXPECT_EQ(refusal(R"([{"kernel": "gaussian-5", "strde": 2}])"),
            f + " layer 1 has an unknown key \"strde\"; a convolution layer takes kernel, bias, "
                "stride, padding, padding_mode, dilation, groups");
  EXPECT_EQ(refusal(R"([{"pool": "max"}])"),
            f + " layer 1 needs a \"kernel\" (a preset name, a .npy file or a list of rows for a "
                "convolution; a size for pooling)");
  EXPECT_EQ(refusal(R"([{"pool": "min", "kernel": 2}])"),
            f + " layer 1: \"pool\" must be \"max\" or \"avg\"");
  EXPECT_EQ(refusal(R"([{"pool": "max", "kernel": [2, 2, 2]}])"),
            f + " layer 1 kernel must be a whole number or a pair [h, w], not [2,2,2]");
  EXPECT_EQ(refusal(R"([{"pool": "avg", "kernel": 2, "ceil_mode": 1}])"),
            f + " layer 1: ceil_mode is true or false");
  EXPECT_EQ(refusal(R"([{"kernel": [[1, 2], [3]]}])"),
            f + " layer 1: every row of the kernel needs 2 numbers");
  EXPECT_EQ(refusal(R"([{"kernel": [[1, "2"]]}])"),
            f + " layer 1: the kernel holds a non-number \"2\"");
  EXPECT_EQ(refusal(R"([{"kernel": 5}])"),
            f + " layer 1: \"kernel\" is a preset name, a .npy file or a list of rows like [[0, "
                "-1, 0], [-1, 5, -1], [0, -1, 0]]");
  EXPECT_EQ(refusal(R"([{"kernel": "sobel-x", "bias": [1]}])"),
            f + " layer 1: \"bias\" is a number or a .npy file");
  EXPECT_EQ(refusal(R"([{"kernel": "sobel-x", "padding": "fulll"}])"),
            f + " layer 1: padding fulll is not a number, a pair like 1,2 (rows, columns), 'same', "
                "'valid' or 'full'");
  EXPECT_EQ(refusal(R"([{"kernel": "sobel-x", "padding_mode": 3}])"),
            f + " layer 1: padding_mode is a string");
  EXPECT_EQ(refusal(R"([{"kernel": "sobel-x", "groups": 1.5}])"),
            f + " layer 1: groups is a whole number");
  EXPECT_NE(refusal(R"([{"kernel": "missing.npy"}])").find(f + " layer 1: "), std::string::npos);
}

// Issue 10: kernel 4294967298 and stride 4294967297 ran as kernel 2, stride 1. Every whole number
// is checked once converted; below the minimum still passes, for the engine names the layer.
TEST_F(LayersTest, NumbersBeyondAnIntAreRefusedNotWrapped) {
  const std::string f = file();
  EXPECT_EQ(refusal(R"([{"pool": "max", "kernel": 4294967298, "stride": 4294967297}])"),
            f + " layer 1: kernel is 4294967298; it must be between 1 and 2147483647");
  EXPECT_EQ(refusal(R"([{"pool": "max", "kernel": 2, "stride": [1, 4294967297]}])"),
            f + " layer 1: stride[1] is 4294967297; it must be between 1 and 2147483647");
  EXPECT_EQ(refusal(R"([{"kernel": "sobel-x", "padding": -4294967296}])"),
            f + " layer 1: padding is -4294967296; it must be between 0 and 2147483647");
  EXPECT_EQ(refusal(R"([{"kernel": "sobel-x", "dilation": 18446744073709551615}])"),
            f + " layer 1: dilation is 18446744073709551615; it must be between 1 and 2147483647");
  EXPECT_EQ(refusal(R"([{"kernel": "sobel-x", "groups": 2147483648}])"),
            f + " layer 1: groups is 2147483648; it must be between 1 and 2147483647");
  auto low =
      layers_from_json(R"([{"kernel": "sobel-x", "stride": 0, "padding": [-1, 2147483647]}])", f);
  ASSERT_TRUE(low.has_value()) << low.error().message;
  EXPECT_EQ(low->front().conv.stride_h, 0);
  EXPECT_EQ(low->front().conv.padding.h, -1);
  EXPECT_EQ(low->front().conv.padding.w, 2147483647);
}

// Issue 10: the kernel and bias are float32; 1e300 became +inf.
TEST_F(LayersTest, Float32OverflowIsRefused) {
  const std::string f = file();
  EXPECT_EQ(refusal(R"([{"kernel": [[0, 1], [2, 1e300]]}])"),
            f + " layer 1: kernel[1][1] is 1e+300, beyond float32's range (-3.4028235e+38 to "
                "3.4028235e+38)");
  EXPECT_EQ(refusal(R"([{"kernel": "sobel-x", "bias": -3.5e38}])"),
            f + " layer 1: bias is -3.5e+38, beyond float32's range (-3.4028235e+38 to "
                "3.4028235e+38)");
  EXPECT_TRUE(layers_from_json(R"([{"kernel": [[3.4028235e38]], "bias": 1e-50}])", f).has_value());
}

// Issue 10: a 0.8 MB file of nested lists crashed the recursive dump of an error message.
TEST_F(LayersTest, DeepNestingIsRefusedAndValuesAreCut) {
  const std::string f = file();
  const std::string deep = std::string(400000, '[') + std::string(400000, ']');
  const std::string too_deep =
      f +
      " nests lists and objects more than 64 levels deep; a layers file needs at most 4 (a "
      "list of layers, each an object, a kernel as a list of rows)";
  EXPECT_EQ(refusal(deep), too_deep);
  EXPECT_EQ(refusal(R"([{"kernel": [[)" + deep + "]]}]"), too_deep);
  EXPECT_EQ(refusal(R"([{"pool": "max", "kernel": )" + std::string(70, '[') + "1" +
                    std::string(70, ']') + "}]"),
            too_deep);
  EXPECT_EQ(
      refusal(R"([{"kernel": [[)" + std::string(50, '[') + "1" + std::string(50, ']') + "]]}]"),
      f + " layer 1: the kernel holds a non-number " + std::string(40, '[') + "...");
  EXPECT_EQ(refusal(R"([{"pool": "max", "kernel": ")" + std::string(100, 'z') + "\"}]"),
            f + " layer 1 kernel must be a whole number or a pair [h, w], not \"" +
                std::string(39, 'z') + "...");
  LayerLimits tight;
  tight.max_depth = 3;  // one less than a kernel of rows needs
  auto r = layers_from_json(R"([{"kernel": [[1]]}])", f, tight);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("more than 3 levels deep"), std::string::npos);
}

TEST_F(LayersTest, LoadLayersReadsAFileOfAtMostAMegabyte) {
  std::ofstream(file()) << R"([{"kernel": "edges.npy"}])";
  auto r = load_layers(file());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->front().weight.shape(), (Shape{3, 3}));
  LayerLimits small;
  small.max_file_bytes = 10;
  EXPECT_FALSE(load_layers(file(), small).has_value());
  EXPECT_FALSE(load_layers((m_dir / "none.json").string()).has_value());
}

// The fuzzer's seed corpus (fuzz/corpus/layers) in the ordinary run: valid_* read, bad_* are
// refused with a sentence naming the file, other names (inputs the fuzzer found) only need to
// not crash.
TEST(Layers, FuzzCorpusReplays) {
  const fs::path dir = fs::path(CONVSCOPE_SOURCE_DIR) / "fuzz/corpus/layers";
  int valid = 0, bad = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    auto layers = load_layers(entry.path().string());
    if (name.rfind("valid_", 0) == 0) {
      ++valid;
      EXPECT_TRUE(layers.has_value()) << name << ": " << layers.error().message;
    } else if (name.rfind("bad_", 0) == 0) {
      ++bad;
      ASSERT_FALSE(layers.has_value()) << name << " was accepted";
      EXPECT_EQ(layers.error().message.rfind(entry.path().string(), 0), 0u)
          << layers.error().message;
    }
  }
  EXPECT_GE(valid, 3);
  EXPECT_GE(bad, 3);
}

TEST(Layers, PaddingTextFollowsTheCommandLine) {
  for (const char* same : {"same", "SAME", "Same"})
    EXPECT_EQ(padding_from_text("padding", same)->kind, PaddingSpec::Kind::same);
  EXPECT_EQ(padding_from_text("padding", "VALID")->kind, PaddingSpec::Kind::valid);
  auto p = padding_from_text("padding", "1,2");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->h, 1);
  EXPECT_EQ(p->w, 2);
  p = padding_from_text("padding", "+3");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->h, 3);
  EXPECT_EQ(p->w, 3);
  EXPECT_EQ(padding_from_text("padding", "-1")->h, -1);  // the engine refuses it, naming the layer
  // 'full', as on the command line: dilation·(k − 1) on every side.
  EXPECT_EQ(padding_from_text("padding", "full")->kind, PaddingSpec::Kind::full);
  for (const char* bad : {"", " 1", "1,", ",1", "1,2,3", "x", "99999999999", "1.5", "++1"}) {
    auto r = padding_from_text("padding", bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().message, std::string("padding ") + bad +
                                     " is not a number, a pair like 1,2 (rows, columns), 'same', "
                                     "'valid' or 'full'");
  }
}

// [KH, KW] on C channels => [C, 1, KH, KW] with groups C; one bias value per channel.
TEST(Layers, ConvOperandsMakeATwoDimensionalKernelDepthwise) {
  Layer layer;
  layer.name = "layer 1";
  layer.weight = Tensor::from_values(DType::f32, {1, 2}, {1, -1});
  layer.bias = Tensor::from_values(DType::f32, {1}, {0.5});
  auto op = conv_operands(layer, 3);
  ASSERT_TRUE(op.has_value()) << op.error().message;
  EXPECT_EQ(op->weight.shape(), (Shape{3, 1, 1, 2}));
  EXPECT_EQ(op->weight.get(4), 1.0);
  EXPECT_EQ(op->weight.get(5), -1.0);
  EXPECT_EQ(op->params.groups, 3);
  ASSERT_TRUE(op->bias.has_value());
  EXPECT_EQ(op->bias->shape(), (Shape{3}));
  EXPECT_EQ(op->bias->get(2), 0.5);
  layer.bias = Tensor::from_values(DType::f32, {2}, {1, 2});
  auto bad = conv_operands(layer, 3);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message,
            "layer 1: a KH×KW kernel takes one bias value or one per channel (3), not 2");
  // OIHW with C_out 2: one bias value is repeated for both outputs.
  layer.weight = Tensor(DType::f32, {2, 3, 1, 1});
  layer.bias = Tensor::from_values(DType::f32, {1}, {7});
  op = conv_operands(layer, 3);
  ASSERT_TRUE(op.has_value());
  EXPECT_EQ(op->weight.shape(), (Shape{2, 3, 1, 1}));
  EXPECT_EQ(op->bias->numel(), 2);
  EXPECT_EQ(op->bias->get(1), 7.0);
}

TEST_F(LayersTest, ReluAndTransposedLayersRead) {
  auto r = layers_from_json(R"([
    {"relu": true},
    {"transpose": true, "kernel": "edges.npy", "stride": [2, 3], "padding": 1,
     "output_padding": [1, 2], "dilation": 1, "groups": 1, "bias": 0.25},
    {"transpose": true, "kernel": "sobel-x"}
  ])",
                            file());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const std::vector<Layer>& l = *r;
  EXPECT_EQ(l[0].kind, LayerKind::relu);
  EXPECT_EQ(l[0].name, "layer 1 (relu)");
  EXPECT_EQ(l[1].kind, LayerKind::conv_transpose);
  EXPECT_EQ(l[1].name, "layer 2 (edges.npy)");
  EXPECT_EQ(l[1].weight.shape(), (Shape{3, 3}));
  EXPECT_EQ(l[1].transpose.stride_h, 2);
  EXPECT_EQ(l[1].transpose.stride_w, 3);
  EXPECT_EQ(l[1].transpose.pad_h, 1);
  EXPECT_EQ(l[1].transpose.output_padding_h, 1);
  EXPECT_EQ(l[1].transpose.output_padding_w, 2);
  EXPECT_EQ(l[1].bias->get(0), 0.25);
  EXPECT_EQ(l[2].transpose.pad_h, 0);  // torch's default, not 'same'
  EXPECT_EQ(l[2].transpose.stride_w, 1);
  EXPECT_EQ(photo_channels(l[0]).value(), 0);
}

TEST_F(LayersTest, ReluAndTransposedRefusalsNameTheLayerAndTheKey) {
  const std::string f = file();
  EXPECT_EQ(refusal(R"([{"relu": true, "kernel": "sobel-x"}])"),
            f + " layer 1 has an unknown key \"kernel\"; a ReLU layer takes relu");
  EXPECT_EQ(refusal(R"([{"relu": false}])"),
            f + " layer 1: \"relu\" is true (a ReLU layer) or left out");
  EXPECT_EQ(refusal(R"([{"relu": 1}])"), f + " layer 1: relu is true or false");
  EXPECT_EQ(refusal(R"([{"transpose": true, "kernel": "sobel-x", "padding_mode": "reflect"}])"),
            f + " layer 1 has an unknown key \"padding_mode\"; a transposed convolution layer "
                "takes transpose, kernel, bias, stride, padding, output_padding, dilation, "
                "groups");
  EXPECT_EQ(refusal(R"([{"transpose": true}])"),
            f + " layer 1 needs a \"kernel\" (a preset name, a .npy file or a list of rows for "
                "a convolution; a size for pooling)");
  EXPECT_EQ(refusal(R"([{"transpose": false, "kernel": "sobel-x"}])"),
            f + " layer 1: \"transpose\" is true (a transposed convolution) or left out");
  EXPECT_EQ(refusal(R"([{"transpose": true, "kernel": "sobel-x", "padding": "same"}])"),
            f + " layer 1 padding must be a whole number or a pair [h, w], not \"same\"");
  EXPECT_EQ(refusal(R"([{"transpose": true, "kernel": "sobel-x", "output_padding": [1]}])"),
            f + " layer 1 output_padding must be a whole number or a pair [h, w], not [1]");
  EXPECT_EQ(refusal(R"([{"kernel": "sobel-x", "output_padding": 1}])"),
            f + " layer 1 has an unknown key \"output_padding\"; a convolution layer takes "
                "kernel, bias, stride, padding, padding_mode, dilation, groups");
}

// ReLU by hand; a transposed layer equals cs::conv_transpose2d on its operands, and a hand case.
TEST(Layers, RunLayersCpuComputesReluAndTransposed) {
  auto layers = layers_from_json(
      R"([{"relu": true}, {"transpose": true, "kernel": [[1, 2], [3, 4]], "stride": 2,
          "bias": 0.5}])",
      "t.json");
  ASSERT_TRUE(layers.has_value()) << layers.error().message;
  const Tensor x = Tensor::from_values(DType::f32, {1, 1, 2, 2}, {-1, 2, 3, -4});
  auto relu_only = run_layers_cpu(*layers, x, 1);
  ASSERT_TRUE(relu_only.has_value());
  EXPECT_EQ(relu_only->shape(), (Shape{1, 1, 2, 2}));
  const std::vector<double> want_relu = {0, 2, 3, 0};
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(relu_only->get(i), want_relu[static_cast<std::size_t>(i)]) << i;
  auto both = run_layers_cpu(*layers, x, 2);
  ASSERT_TRUE(both.has_value()) << both.error().message;
  // Stride 2, kernel 2: each input cell stamps its own 2×2 block, (H − 1)·2 + 2 = 4.
  ASSERT_EQ(both->shape(), (Shape{1, 1, 4, 4}));
  const std::vector<double> want = {0.5, 0.5, 2.5, 4.5, 0.5, 0.5,  6.5, 8.5,
                                    3.5, 6.5, 0.5, 0.5, 9.5, 12.5, 0.5, 0.5};
  for (int i = 0; i < 16; ++i)
    EXPECT_EQ(both->get(i), want[static_cast<std::size_t>(i)]) << i;
  auto op = conv_transpose_operands((*layers)[1], 1);
  ASSERT_TRUE(op.has_value());
  auto direct = conv_transpose2d(*relu_only, op->weight, &*op->bias, op->params);
  ASSERT_TRUE(direct.has_value());
  EXPECT_TRUE(direct->identical(*both));
}

// A 2-D kernel on 3 channels: [3, 1, KH, KW] with groups 3 and C_out 3; a 4-D one's C_in is its
// first axis, which is also what a photo must give.
TEST(Layers, TransposeOperandsAndPhotoChannels) {
  Layer layer;
  layer.kind = LayerKind::conv_transpose;
  layer.name = "layer 1";
  layer.weight = Tensor::from_values(DType::f32, {1, 2}, {1, -1});
  layer.bias = Tensor::from_values(DType::f32, {1}, {0.5});
  auto op = conv_transpose_operands(layer, 3);
  ASSERT_TRUE(op.has_value());
  EXPECT_EQ(op->weight.shape(), (Shape{3, 1, 1, 2}));
  EXPECT_EQ(op->params.groups, 3);
  EXPECT_EQ(op->bias->numel(), 3);
  layer.weight = Tensor(DType::f32, {3, 2, 1, 1});  // C_in 3, C_out 2
  op = conv_transpose_operands(layer, 3);
  ASSERT_TRUE(op.has_value());
  EXPECT_EQ(op->bias->numel(), 2);
  EXPECT_EQ(photo_channels(layer).value(), 3);
  layer.weight = Tensor(DType::f32, {2, 3, 1, 1});
  ASSERT_FALSE(photo_channels(layer).has_value());
}

}  // namespace
}  // namespace cs
