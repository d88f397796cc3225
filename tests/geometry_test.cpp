// Validation sentences and the output-size formula: every error names the user's numbers.
#include <gtest/gtest.h>

#include "core/conv2d.hpp"
#include "core/geometry.hpp"

namespace cs {
namespace {

std::string conv_error(Shape x, Shape w, int64_t bias_len, Conv2dParams p) {
  auto g = conv2d_geometry_for(x, w, bias_len, p);
  return g ? std::string("(no error)") : g.error().message;
}

std::string conv_field(Shape x, Shape w, int64_t bias_len, Conv2dParams p) {
  auto g = conv2d_geometry_for(x, w, bias_len, p);
  return g ? std::string("(no error)") : g.error().field;
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE((haystack).find(needle), std::string::npos) << "message: " << (haystack)

TEST(Validation, StrideDilationGroupsMustBePositive) {
  Conv2dParams p;
  p.stride_w = 0;
  EXPECT_CONTAINS(conv_error({1, 1, 5, 5}, {1, 1, 3, 3}, -1, p),
                  "stride must be at least 1 in each direction; got 1\xC3\x97"
                  "0");
  EXPECT_EQ(conv_field({1, 1, 5, 5}, {1, 1, 3, 3}, -1, p), "stride");
  p = {};
  p.stride_h = -2;
  EXPECT_CONTAINS(conv_error({1, 1, 5, 5}, {1, 1, 3, 3}, -1, p),
                  "got -2\xC3\x97"
                  "1");
  p = {};
  p.dilation_h = 0;
  EXPECT_CONTAINS(conv_error({1, 1, 5, 5}, {1, 1, 3, 3}, -1, p), "dilation must be at least 1");
  p = {};
  p.groups = 0;
  EXPECT_CONTAINS(conv_error({1, 1, 5, 5}, {1, 1, 3, 3}, -1, p),
                  "groups must be at least 1; got 0");
  p.groups = -1;
  EXPECT_EQ(conv_field({1, 1, 5, 5}, {1, 1, 3, 3}, -1, p), "groups");
}

TEST(Validation, GroupsMustDivideChannels) {
  Conv2dParams p;
  p.groups = 2;
  EXPECT_CONTAINS(conv_error({1, 3, 5, 5}, {2, 1, 3, 3}, -1, p),
                  "groups 2 must divide the 3 input channels");
  EXPECT_CONTAINS(conv_error({1, 4, 5, 5}, {3, 2, 3, 3}, -1, p),
                  "groups 2 must divide the 3 output channels");
}

TEST(Validation, ChannelAndBiasMismatch) {
  EXPECT_CONTAINS(conv_error({1, 3, 5, 5}, {4, 2, 3, 3}, -1, {}),
                  "expects 2 input channels per group, but the input has 3 channels / 1 group = 3");
  EXPECT_CONTAINS(conv_error({1, 3, 5, 5}, {4, 3, 3, 3}, 2, {}),
                  "bias has 2 values but the weight has 4 filters");
  EXPECT_EQ(conv_field({1, 3, 5, 5}, {4, 3, 3, 3}, 2, {}), "bias");
  // NHWC messages show the shapes as the user gave them.
  Conv2dParams p;
  p.layout = Layout::nhwc;
  EXPECT_CONTAINS(conv_error({1, 5, 5, 3}, {3, 3, 2, 4}, -1, p),
                  "3\xC3\x97"
                  "3\xC3\x97"
                  "2\xC3\x97"
                  "4");
}

TEST(Validation, KernelLargerThanPaddedInput) {
  EXPECT_CONTAINS(conv_error({1, 1, 5, 5}, {1, 1, 9, 9}, -1, {}),
                  "kernel 9\xC3\x97"
                  "9 spans 9 rows, but the padded input has only 5");
  Conv2dParams p;
  p.dilation_h = p.dilation_w = 2;
  p.padding = PaddingSpec::symmetric(1);
  EXPECT_CONTAINS(conv_error({1, 1, 5, 5}, {1, 1, 5, 5}, -1, p),
                  "kernel 5\xC3\x97"
                  "5 with dilation 2\xC3\x97"
                  "2 spans 9 rows, but the padded "
                  "input has only 7");
  EXPECT_CONTAINS(conv_error({1, 1, 9, 3}, {1, 1, 3, 5}, -1, {}), "spans 5 columns");
}

TEST(Validation, PaddingModeLimits) {
  Conv2dParams p;
  p.padding = PaddingSpec::symmetric(3);
  p.padding_mode = PaddingMode::reflect;
  EXPECT_CONTAINS(conv_error({1, 1, 3, 8}, {1, 1, 3, 3}, -1, p),
                  "reflect padding of 3 rows needs an input with more than 3 rows, but it has 3");
  p.padding = PaddingSpec::symmetric(2);
  EXPECT_EQ(conv_error({1, 1, 3, 8}, {1, 1, 3, 3}, -1, p), "(no error)");
  p.padding_mode = PaddingMode::circular;
  p.padding = PaddingSpec::pair(0, 4);
  EXPECT_CONTAINS(conv_error({1, 1, 5, 3}, {1, 1, 3, 3}, -1, p),
                  "circular padding of 4 columns would wrap around the 3 columns");
  p.padding_mode = PaddingMode::replicate;
  EXPECT_EQ(conv_error({1, 1, 5, 3}, {1, 1, 3, 3}, -1, p), "(no error)");
  p.padding = PaddingSpec::pair(-1, 0);
  EXPECT_CONTAINS(conv_error({1, 1, 5, 3}, {1, 1, 3, 3}, -1, p), "padding cannot be negative");
}

TEST(Validation, SameNeedsStrideOne) {
  Conv2dParams p;
  p.padding = PaddingSpec::same();
  p.stride_h = 2;
  EXPECT_CONTAINS(conv_error({1, 1, 5, 5}, {1, 1, 3, 3}, -1, p), "padding 'same' needs stride 1");
  EXPECT_EQ(conv_field({1, 1, 5, 5}, {1, 1, 3, 3}, -1, p), "padding");
}

TEST(Validation, DimensionsAndOverflow) {
  EXPECT_CONTAINS(conv_error({3, 5, 5}, {1, 3, 3, 3}, -1, {}),
                  "input must have 4 dimensions [N, C, H, W]; got 3");
  EXPECT_CONTAINS(conv_error({1, 1, 0, 5}, {1, 1, 1, 1}, -1, {}), "empty dimension");
  const int64_t big = int64_t{1} << 40;
  EXPECT_CONTAINS(conv_error({big, 1, big, 1}, {1, 1, 1, 1}, -1, {}),
                  "more elements than a 64-bit count can hold");
  auto n = checked_numel({big, big}, "weight");
  ASSERT_FALSE(n);
  EXPECT_CONTAINS(n.error().message, "weight of shape");
}

TEST(Validation, DtypesMustMatch) {
  const Tensor x(DType::f32, {1, 1, 3, 3});
  const Tensor w(DType::f64, {1, 1, 3, 3});
  auto y = conv2d(x, w, nullptr, {});
  ASSERT_FALSE(y);
  EXPECT_CONTAINS(y.error().message, "the weight is float64 but the input is float32");
}

TEST(Validation, PoolingMessages) {
  Pool2dParams p;
  p.k_h = p.k_w = 3;
  p.pad_h = p.pad_w = 2;
  auto g = pool2d_geometry({1, 1, 8, 8}, p);
  ASSERT_FALSE(g);
  EXPECT_CONTAINS(g.error().message,
                  "pooling padding 2\xC3\x97"
                  "2 is more than half the kernel 3\xC3\x97"
                  "3 (at "
                  "most 1\xC3\x97"
                  "1)");
  p = {};
  p.op = PoolOp::avg;
  p.dilation_h = 2;
  g = pool2d_geometry({1, 1, 8, 8}, p);
  ASSERT_FALSE(g);
  EXPECT_CONTAINS(g.error().message, "average pooling has no dilation");
  p = {};
  p.k_h = p.k_w = 4;
  g = pool2d_geometry({1, 1, 3, 3}, p);
  ASSERT_FALSE(g);
  EXPECT_CONTAINS(g.error().message, "spans 4 rows, but the padded input has only 3");
  p = {};
  p.stride_h = -1;
  g = pool2d_geometry({1, 1, 3, 3}, p);
  ASSERT_FALSE(g);
  EXPECT_CONTAINS(g.error().message, "stride must be at least 1");
}

TEST(Formula, ConvSubstitutesTheNumbers) {
  Conv2dParams p;
  p.padding = PaddingSpec::symmetric(1);
  auto g = conv2d_geometry({1, 1, 5, 5}, {1, 1, 3, 3}, -1, p);
  ASSERT_TRUE(g);
  const std::string f = conv2d_formula(*g);
  EXPECT_CONTAINS(f, "out_h = \xE2\x8C\x8A(in_h + pad_top + pad_bottom");
  EXPECT_CONTAINS(f,
                  "\xE2\x8C\x8A(5 + 1 + 1 \xE2\x88\x92 1\xC2\xB7(3 \xE2\x88\x92 1) \xE2\x88\x92 1) "
                  "/ 1\xE2\x8C\x8B + 1 = 5");
  EXPECT_CONTAINS(f, "out_w");
}

TEST(Formula, StrideAndDilation) {
  Conv2dParams p;
  p.stride_h = p.stride_w = 2;
  p.padding = PaddingSpec::symmetric(3);
  auto g = conv2d_geometry({1, 3, 224, 224}, {64, 3, 7, 7}, 64, p);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->out_h, 112);
  EXPECT_CONTAINS(conv2d_formula(*g),
                  "(224 + 3 + 3 \xE2\x88\x92 1\xC2\xB7(7 \xE2\x88\x92 1) \xE2\x88\x92 1) / "
                  "2\xE2\x8C\x8B + 1 = 112");
}

// Conv and pooling share one WindowGeometry: the same window origin, taps and flat indices.
// Pooling keeps the channels, so its c_out is its c_in. 2×3×6×7, 3×3 window, stride 2,
// dilation 2, padding 1: out_h = ⌊(6 + 2 − 5) / 2⌋ + 1 = 2, out_w = ⌊(7 + 2 − 5) / 2⌋ + 1 = 3.
TEST(Geometry, ConvAndPoolingShareTheWindowFormulas) {
  Conv2dParams cp;
  cp.stride_h = cp.stride_w = 2;
  cp.dilation_h = cp.dilation_w = 2;
  cp.padding = PaddingSpec::symmetric(1);
  cp.groups = 3;
  auto conv = conv2d_geometry({2, 3, 6, 7}, {3, 1, 3, 3}, -1, cp);
  ASSERT_TRUE(conv) << conv.error().message;
  Pool2dParams pp;
  pp.k_h = pp.k_w = 3;
  pp.stride_h = pp.stride_w = 2;
  pp.dilation_h = pp.dilation_w = 2;
  pp.pad_h = pp.pad_w = 1;
  auto pool = pool2d_geometry({2, 3, 6, 7}, pp);
  ASSERT_TRUE(pool) << pool.error().message;
  EXPECT_EQ(pool->c_in, 3);
  EXPECT_EQ(pool->c_out, 3);
  for (const WindowGeometry* g :
       {static_cast<const WindowGeometry*>(&*conv), static_cast<const WindowGeometry*>(&*pool)}) {
    EXPECT_EQ(g->out_h, 2);
    EXPECT_EQ(g->out_w, 3);
    EXPECT_EQ(g->span_h(), 5);
    EXPECT_EQ(g->window_origin_y(1), 1);  // 1·2 − 1
    EXPECT_EQ(g->window_origin_x(2), 3);  // 2·2 − 1
    EXPECT_EQ(g->input_x(2, 2), 7);       // 3 + 2·2: past the input, in the right padding
    EXPECT_FALSE(g->inside(0, 7));
    EXPECT_EQ(g->outputs(), 2 * 3 * 2 * 3);
    EXPECT_EQ(g->input_index(1, 2, 5, 6), ((1 * 3 + 2) * 6 + 5) * 7 + 6);
    EXPECT_EQ(g->output_index(1, 2, 1, 2), ((1 * 3 + 2) * 2 + 1) * 3 + 2);
  }
}

// Padding of its own at the bottom/right (Keras's 'same', core/keras.hpp): 5 rows, window 2,
// stride 2, top 0 and bottom 1: ⌊(5 + 0 + 1 − 1·(2 − 1) − 1) / 2⌋ + 1 = 3. More than half the
// window is refused like PyTorch's symmetric padding.
TEST(Formula, PoolWithPaddingOfItsOwnAtTheBottom) {
  Pool2dParams p;
  p.k_h = p.k_w = 2;
  p.pad_bottom = 1;
  auto g = pool2d_geometry({1, 1, 5, 4}, p);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->pad.top, 0);
  EXPECT_EQ(g->pad.bottom, 1);
  EXPECT_EQ(g->pad.right, 0);
  EXPECT_EQ(g->out_h, 3);
  EXPECT_EQ(g->out_w, 2);
  EXPECT_CONTAINS(pool2d_formula(*g),
                  "out_h = \xE2\x8C\x8A(in_h + pad_top + pad_bottom \xE2\x88\x92 dilation\xC2\xB7"
                  "(k_h \xE2\x88\x92 1) \xE2\x88\x92 1) / stride\xE2\x8C\x8B + 1 = \xE2\x8C\x8A"
                  "(5 + 0 + 1 \xE2\x88\x92 1\xC2\xB7(2 \xE2\x88\x92 1) \xE2\x88\x92 1) / "
                  "2\xE2\x8C\x8B + 1 = 3");
  // The symmetric axis keeps PyTorch's 2·pad_w.
  EXPECT_CONTAINS(pool2d_formula(*g), "out_w = \xE2\x8C\x8A(in_w + 2\xC2\xB7pad_w");
  p.pad_right = 2;
  auto bad = pool2d_geometry({1, 1, 5, 4}, p);
  ASSERT_FALSE(bad);
  EXPECT_CONTAINS(bad.error().message,
                  "pooling padding of 1\xC3\x97"
                  "2 at the bottom, right is more than half the kernel 2\xC3\x97"
                  "2 (at most 1\xC3\x97"
                  "1)");
}

// 'full' and padding per side, as the command line resolves them.
TEST(Validation, FullAndSidesPadding) {
  Conv2dParams p;
  p.padding = PaddingSpec::full();
  p.padding_mode = PaddingMode::reflect;
  // reflect needs fewer padding rows than the input has: 'full' with a 3×3 kernel pads 2.
  EXPECT_CONTAINS(conv_error({1, 1, 2, 5}, {1, 1, 3, 3}, -1, p),
                  "reflect padding of 2 rows needs an input with more than 2 rows");
  p = {};
  p.padding = PaddingSpec::sides(0, -1, 0, 0);
  EXPECT_CONTAINS(conv_error({1, 1, 5, 5}, {1, 1, 3, 3}, -1, p),
                  "padding cannot be negative; got top 0, bottom -1, left 0, right 0");
  p.padding = PaddingSpec::sides(0, 1, 2, 0);
  auto g = conv2d_geometry({1, 1, 5, 5}, {1, 1, 3, 3}, -1, p);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->out_h, 4);  // 5 + 0 + 1 − 3 + 1
  EXPECT_EQ(g->out_w, 5);  // 5 + 2 + 0 − 3 + 1
  EXPECT_EQ(padding_spec_to_string(p.padding), "0,1,2,0");
  EXPECT_EQ(padding_spec_to_string(PaddingSpec::full()), "full");
  // same_arithmetic tells sides apart.
  Conv2dParams q = p;
  q.padding = PaddingSpec::sides(0, 1, 0, 2);
  EXPECT_FALSE(same_arithmetic(p, q));
}

TEST(Params, ParseNames) {
  EXPECT_EQ(*parse_padding_mode("circular"), PaddingMode::circular);
  EXPECT_FALSE(parse_padding_mode("mirror"));
  EXPECT_EQ(*parse_layout("NHWC"), Layout::nhwc);
  EXPECT_FALSE(parse_layout("chw"));
  EXPECT_EQ(padding_spec_to_string(PaddingSpec::pair(1, 2)), "1,2");
  EXPECT_EQ(padding_spec_to_string(PaddingSpec::same()), "same");
}

}  // namespace
}  // namespace cs
