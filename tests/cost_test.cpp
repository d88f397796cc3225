// What a layer costs (core/cost.hpp): parameters and multiply-adds against hand-worked numbers,
// the depthwise-separable equivalent and its ratio, pooling's compares/adds, the text lines,
// and the groups a conv accepts; then random geometries against a counting loop.
#include "core/cost.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "core/conv1d.hpp"
#include "core/conv_transpose.hpp"
#include "core/geometry.hpp"

namespace cs {
namespace {

ConvGeometry conv_geo(Shape x, Shape w, bool bias, Conv2dParams p) {
  auto g = conv2d_geometry(x, w, bias ? w[0] : -1, p);
  EXPECT_TRUE(g) << g.error().message;
  return *g;
}

// ResNet's first layer: 1×3×224×224, 64 filters 7×7, stride 2, padding 3 => 112×112.
ConvGeometry resnet_stem(bool bias) {
  Conv2dParams p;
  p.stride_h = p.stride_w = 2;
  p.padding = PaddingSpec::symmetric(3);
  return conv_geo({1, 3, 224, 224}, {64, 3, 7, 7}, bias, p);
}

TEST(LayerCost, ConvHandWorked) {
  // weights 64·3·7·7 = 9,408, bias 64 => 9,472 (torch.nn.Conv2d(3, 64, 7) has 9,472).
  // multiply-adds: 64·112·112 = 802,816 outputs, each 3·7·7 = 147 => 118,013,952.
  const LayerCost c = conv2d_layer_cost(resnet_stem(true));
  EXPECT_EQ(c.weights, 9408);
  EXPECT_EQ(c.biases, 64);
  EXPECT_EQ(c.parameters(), 9472);
  EXPECT_EQ(c.outputs, 802816);
  EXPECT_EQ(c.work_each, 147);
  EXPECT_EQ(c.work, 118013952);
  EXPECT_STREQ(c.work_unit, "multiply-adds");
  EXPECT_EQ(conv2d_layer_cost(resnet_stem(false)).parameters(), 9408);
}

TEST(LayerCost, GroupsDivideTheWeights) {
  // 1×3×8×8, 6 filters of 1 channel 3×3, groups 3, dilation 2 => out 8 − 2·2 = 4, so 4×4.
  // weights 6·1·3·3 = 54 + bias 6 = 60; multiply-adds 6·4·4 = 96 outputs × 9 = 864.
  Conv2dParams p;
  p.groups = 3;
  p.dilation_h = p.dilation_w = 2;
  const LayerCost c = conv2d_layer_cost(conv_geo({1, 3, 8, 8}, {6, 1, 3, 3}, true, p));
  EXPECT_EQ(c.parameters(), 60);
  EXPECT_EQ(c.work, 864);
}

TEST(LayerCost, SeparableHandWorked) {
  // depthwise 7×7, groups 3: weights 3·1·7·7 = 147 + bias 3 = 150; 3·112·112 = 37,632 outputs
  // × 49 = 1,843,968. pointwise 1×1, 3 → 64: 64·3 = 192 + bias 64 = 256; 802,816 outputs × 3 =
  // 2,408,448. Together 406 parameters and 4,252,416 multiply-adds; 4,252,416 / 118,013,952 =
  // 1/64 + 1/49 exactly.
  const ConvGeometry g = resnet_stem(true);
  const SeparableCost s = separable_cost(g);
  EXPECT_EQ(s.depthwise.parameters(), 150);
  EXPECT_EQ(s.depthwise.work, 1843968);
  EXPECT_EQ(s.pointwise.parameters(), 256);
  EXPECT_EQ(s.pointwise.work, 2408448);
  EXPECT_EQ(s.parameters(), 406);
  EXPECT_EQ(s.work(), 4252416);
  EXPECT_DOUBLE_EQ(static_cast<double>(s.work()) / 118013952.0, 1.0 / 64 + 1.0 / 49);
}

TEST(LayerCost, ConvTransposeCountsEveryStamp) {
  // 1×16×3×3, weight [16, 8, 3, 3], stride 2, padding 1, output_padding 1 => 6×6 (8 channels).
  // weights 16·8·3·3 = 1,152 + bias 8 = 1,160; each of the 16·3·3 = 144 input cells stamps
  // 8·3·3 = 72 products => 10,368 multiply-adds.
  ConvTranspose2dParams p;
  p.stride_h = p.stride_w = 2;
  p.pad_h = p.pad_w = 1;
  p.output_padding_h = p.output_padding_w = 1;
  auto g = conv_transpose2d_geometry({1, 16, 3, 3}, {16, 8, 3, 3}, 8, p);
  ASSERT_TRUE(g) << g.error().message;
  const LayerCost c = conv_transpose2d_layer_cost(*g);
  EXPECT_EQ(c.parameters(), 1160);
  EXPECT_EQ(c.outputs, 144);
  EXPECT_EQ(c.work, 10368);
  // With groups 2: weights 16·4·3·3 = 576; 144 cells × 4·3·3 = 36 => 5,184.
  p.groups = 2;
  g = conv_transpose2d_geometry({1, 16, 3, 3}, {16, 4, 3, 3}, -1, p);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(conv_transpose2d_layer_cost(*g).parameters(), 576);
  EXPECT_EQ(conv_transpose2d_layer_cost(*g).work, 5184);
}

TEST(LayerCost, PoolingHasNoParameters) {
  // 1×64×112×112, max 3×3 stride 2 padding 1 => 56×56: 64·56·56 = 200,704 outputs × 9 compares.
  Pool2dParams p;
  p.k_h = p.k_w = 3;
  p.stride_h = p.stride_w = 2;
  p.pad_h = p.pad_w = 1;
  auto g = pool2d_geometry({1, 64, 112, 112}, p);
  ASSERT_TRUE(g) << g.error().message;
  LayerCost c = pool2d_layer_cost(*g);
  EXPECT_EQ(c.parameters(), 0);
  EXPECT_EQ(c.work, 1806336);
  EXPECT_STREQ(c.work_unit, "compares");
  p.op = PoolOp::avg;
  g = pool2d_geometry({1, 64, 112, 112}, p);
  ASSERT_TRUE(g);
  EXPECT_STREQ(pool2d_layer_cost(*g).work_unit, "adds");
}

TEST(LayerCost, Conv1dThroughItsPlan) {
  // conv1d [1, 16, 100] * [32, 16, 5], stride 2, padding 2 => L_out ⌊(100 + 4 − 4 − 1)/2⌋ + 1
  // = 50. weights 32·16·5 = 2,560 + bias 32 = 2,592; 32·50 = 1,600 outputs × 80 = 128,000.
  Conv1dParams p;
  p.stride = 2;
  p.padding = PaddingSpec::symmetric(2);
  auto plan = conv1d_plan({1, 16, 100}, {32, 16, 5}, 32, p);
  ASSERT_TRUE(plan) << plan.error().message;
  const LayerCost c = conv2d_layer_cost(plan->geometry);
  EXPECT_EQ(c.parameters(), 2592);
  EXPECT_EQ(c.work, 128000);
  const auto lines = conv2d_cost_lines(plan->geometry, true);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0],
            "parameters: 2,592 = weights 32\xC2\xB7"
            "16\xC2\xB7"
            "5 = 2,560 + bias 32");
  EXPECT_EQ(lines[1],
            "multiply-adds: 128,000 = 1\xC2\xB7"
            "32\xC2\xB7"
            "50 outputs \xC3\x97 "
            "16\xC2\xB7"
            "5 = 80 each");
  EXPECT_EQ(lines[2],
            "depthwise-separable equivalent: depthwise 5 with groups 16, then pointwise "
            "1 (16 \xE2\x86\x92 32)");
}

TEST(LayerCost, LinesShowTheArithmetic) {
  const auto lines = conv2d_cost_lines(resnet_stem(true), true);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0],
            "parameters: 9,472 = weights 64\xC2\xB7"
            "3\xC2\xB7"
            "7\xC2\xB7"
            "7 = 9,408 "
            "+ bias 64");
  EXPECT_EQ(lines[1],
            "multiply-adds: 118,013,952 = 1\xC2\xB7"
            "64\xC2\xB7"
            "112\xC2\xB7"
            "112 "
            "outputs \xC3\x97 3\xC2\xB7"
            "7\xC2\xB7"
            "7 = 147 each");
  EXPECT_EQ(
      lines[3],
      "  depthwise: 150 parameters (weights 3\u00b71\u00b77\u00b77 = 147 + bias 3), "
      "1,843,968 multiply-adds (1\u00b73\u00b7112\u00b7112 outputs \u00d7 1\u00b77\u00b77 = 49 "
      "each)");
  EXPECT_EQ(lines[5],
            "  together: 406 parameters (0.0429\xC3\x97 the layer's), 4,252,416 "
            "multiply-adds (0.036\xC3\x97 = 1/64 + 1/49)");
  // No separable lines for a grouped conv, or when not asked.
  EXPECT_EQ(conv2d_cost_lines(resnet_stem(false), false).size(), 2u);
  EXPECT_EQ(conv2d_cost_lines(resnet_stem(false), false)[0],
            "parameters: 9,408 = weights 64\xC2\xB7"
            "3\xC2\xB7"
            "7\xC2\xB7"
            "7 = 9,408 (no bias)");
}

TEST(LayerCost, Summaries) {
  const ConvGeometry g = resnet_stem(true);
  const LayerCost c = conv2d_layer_cost(g);
  EXPECT_EQ(cost_summary(c), "9,472 parameters, 118.0 M multiply-adds");
  EXPECT_EQ(
      separable_summary(c, separable_cost(g)),
      "depthwise-separable: 406 parameters (0.0429\u00d7), 4.3 M multiply-adds (0.036\u00d7)");
  EXPECT_EQ(group_digits(0), "0");
  EXPECT_EQ(group_digits(999), "999");
  EXPECT_EQ(group_digits(1000), "1,000");
  EXPECT_EQ(group_digits(-1234567), "-1,234,567");
}

TEST(LayerCost, CommonDivisors) {
  EXPECT_EQ(common_divisors(12, 8), (std::vector<int>{1, 2, 4}));
  EXPECT_EQ(common_divisors(3, 64), (std::vector<int>{1}));
  EXPECT_EQ(common_divisors(6, 6), (std::vector<int>{1, 2, 3, 6}));
  EXPECT_EQ(common_divisors(0, 6), (std::vector<int>{1}));
}

// Random geometries: the counts against a loop that visits every output and tap.
TEST(LayerCost, RandomConvAgainstCountingLoop) {
  const char* env = std::getenv("CONVSCOPE_SEED");
  const unsigned seed = env ? static_cast<unsigned>(std::strtoul(env, nullptr, 10)) : 20261202u;
  std::mt19937 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int trial = 0; trial < 200; ++trial) {
    Conv2dParams p;
    p.groups = pick(1, 3);
    p.stride_h = pick(1, 3);
    p.stride_w = pick(1, 3);
    p.padding = PaddingSpec::pair(pick(0, 2), pick(0, 2));
    const int64_t cpg = pick(1, 3), opg = pick(1, 3), kh = pick(1, 3), kw = pick(1, 3);
    const Shape x{pick(1, 2), p.groups * cpg, pick(3, 9), pick(3, 9)};
    const Shape w{p.groups * opg, cpg, kh, kw};
    const bool bias = pick(0, 1) == 1;
    auto g = conv2d_geometry(x, w, bias ? w[0] : -1, p);
    if (!g) continue;
    int64_t taps = 0;
    for (int64_t o = 0; o < g->outputs(); ++o)
      for (int64_t ic = 0; ic < cpg; ++ic)
        for (int64_t k = 0; k < kh * kw; ++k)
          ++taps;
    const LayerCost c = conv2d_layer_cost(*g);
    EXPECT_EQ(c.work, taps) << "seed " << seed << " trial " << trial;
    EXPECT_EQ(c.parameters(), w[0] * w[1] * w[2] * w[3] + (bias ? w[0] : 0))
        << "seed " << seed << " trial " << trial;
  }
}

}  // namespace
}  // namespace cs
