// core/receptive_field: hand-worked stacks first (the arithmetic in comments), the textbook
// recurrence against the table on random conv/pool stacks, then brute force on random seeded
// stacks of conv, ReLU, max/avg pooling and transposed conv: the engine runs the stack with each
// input cell pushed up by a huge amount, and the cells that change an output cell must have
// exactly that cell's dependence box as their bounding box.
#include "core/receptive_field.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "core/conv2d.hpp"
#include "core/conv_transpose.hpp"
#include "core/pool2d.hpp"
#include "test_util.hpp"

namespace cs {
namespace {

// A conv layer of one 1-channel kernel k×k on a [1, 1, h, w] input.
RfLayer conv_layer(int64_t h, int64_t w, int64_t k, Conv2dParams p) {
  Result<ConvGeometry> g = conv2d_geometry({1, 1, h, w}, {1, 1, k, k}, -1, p);
  EXPECT_TRUE(g.has_value()) << (g ? "" : g.error().message);
  return rf_layer(*g, "conv");
}

Conv2dParams conv_params(int stride, int pad, int dilation = 1,
                         PaddingMode mode = PaddingMode::zeros) {
  Conv2dParams p;
  p.stride_h = p.stride_w = stride;
  p.padding = PaddingSpec::symmetric(pad);
  p.dilation_h = p.dilation_w = dilation;
  p.padding_mode = mode;
  return p;
}

Span span(int64_t lo, int64_t hi) {
  return {lo, hi};
}

TEST(ReceptiveField, TwoSameConvsGrowByTwo) {
  // 3×3, padding 1, stride 1, twice on 16×16: size 1 + 2·1 = 3, then 3 + 2·1 = 5; start −1, −2.
  std::vector<RfLayer> s{conv_layer(16, 16, 3, conv_params(1, 1))};
  s.push_back(conv_layer(16, 16, 3, conv_params(1, 1)));
  const std::vector<RfRow> t = rf_table(s);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].h.size_max, 3);
  EXPECT_EQ(t[1].h.size_min, 5);
  EXPECT_EQ(t[1].h.size_max, 5);
  EXPECT_EQ(t[1].h.jump, (Ratio{1, 1}));
  EXPECT_EQ(t[1].h.field0, span(-2, 2));
  EXPECT_EQ(t[1].w.out, 16);
  // Cell (0, 15): rows −2..2 (two in the top padding), columns 13..17 (two past the right edge).
  const RfBox b = rf_box(s, 0, 15);
  EXPECT_EQ(b.y.field, span(-2, 2));
  EXPECT_EQ(b.y.depends, span(0, 2));
  EXPECT_EQ(b.y.pad_before, 2);
  EXPECT_EQ(b.y.pad_after, 0);
  EXPECT_EQ(b.x.depends, span(13, 15));
  EXPECT_EQ(b.x.pad_after, 2);
}

TEST(ReceptiveField, StrideAndPoolingMultiplyTheJump) {
  // conv 3×3 stride 2 padding 1 on 16: out ⌊(16 + 2 − 3) / 2⌋ + 1 = 8, size 3, jump 2, start −1.
  // max pool 2: out 4, size 3 + (2 − 1)·1·2 = 5, jump 4, start −1 − 0·2 = −1.
  std::vector<RfLayer> s{conv_layer(16, 16, 3, conv_params(2, 1))};
  Pool2dParams pool;
  pool.k_h = pool.k_w = 2;
  s.push_back(rf_layer(*pool2d_geometry({1, 1, 8, 8}, pool), "pool"));
  const std::vector<RfRow> t = rf_table(s);
  EXPECT_EQ(t[0].h.jump, (Ratio{2, 1}));
  EXPECT_EQ(t[1].h.out, 4);
  EXPECT_EQ(t[1].h.size_max, 5);
  EXPECT_EQ(t[1].h.jump, (Ratio{4, 1}));
  EXPECT_EQ(t[1].h.field0, span(-1, 3));
  EXPECT_TRUE(t[1].exact_recurrence);
  // Cell 3: rows 4·3 − 1 = 11 .. 15.
  EXPECT_EQ(rf_box(s, 3, 3).y.depends, span(11, 15));
  EXPECT_EQ(rf_recurrence_text(s, 1, true),
            "size = 3 + (2 \xE2\x88\x92 1)\xC2\xB7"
            "1\xC2\xB7"
            "2 = 5; jump = 2\xC2\xB7"
            "2 = 4; "
            "start = \xE2\x88\x92"
            "1 \xE2\x88\x92 0\xC2\xB7"
            "2 = \xE2\x88\x92"
            "1");
}

TEST(ReceptiveField, DilationSpreadsTheField) {
  // 3×3 with dilation 2, no padding, on 9: span 2·(3 − 1) + 1 = 5, out 5; cell 4 reads 4, 6, 8.
  const std::vector<RfLayer> s{conv_layer(9, 9, 3, conv_params(1, 0, 2))};
  EXPECT_EQ(rf_table(s)[0].h.size_max, 5);
  EXPECT_EQ(rf_box(s, 4, 0).y.depends, span(4, 8));
}

TEST(ReceptiveField, RowsAStrideDropsAreNotDependedOn) {
  // conv 2×2 stride 2 valid on 5 rows: out 2, reading rows 0–3 (row 4 is dropped). conv 3×3
  // padding 1 on those 2: cell 1 reads layer-1 rows 0, 1 and the padding row 2. Its field is
  // rows 0–5 (row 5 past the input), but it depends on rows 0–3 only.
  std::vector<RfLayer> s{conv_layer(5, 5, 2, conv_params(2, 0))};
  s.push_back(conv_layer(2, 2, 3, conv_params(1, 1)));
  const RfBox b = rf_box(s, 1, 1);
  EXPECT_EQ(b.y.field, span(0, 5));
  EXPECT_EQ(b.y.pad_after, 1);
  EXPECT_EQ(b.y.depends, span(0, 3));
  // And layer 1's cell 1 at level 1 (rf_boxes): the layer-2 cell reads rows 0..2 of 2.
  const std::vector<RfBox> all = rf_boxes(s, 2, 1, 1);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].y.field, span(0, 2));
  EXPECT_EQ(all[1].y.depends, span(0, 1));
  EXPECT_EQ(all[1].y.pad_after, 1);
}

TEST(ReceptiveField, CircularPaddingReadsTheFarEdge) {
  // 3×3 padding 1 circular on 5: cell 0 reads rows −1 (= row 4), 0, 1: the box is rows 0–4.
  const std::vector<RfLayer> s{conv_layer(5, 5, 3, conv_params(1, 1, 1, PaddingMode::circular))};
  EXPECT_EQ(rf_box(s, 0, 2).y.depends, span(0, 4));
  EXPECT_EQ(rf_box(s, 0, 2).y.field, span(-1, 1));
  EXPECT_EQ(rf_box(s, 0, 2).x.depends, span(1, 3));
  // Reflect: row −1 reads row 1, inside the window anyway.
  const std::vector<RfLayer> r{conv_layer(5, 5, 3, conv_params(1, 1, 1, PaddingMode::reflect))};
  EXPECT_EQ(rf_box(r, 0, 2).y.depends, span(0, 1));
}

TEST(ReceptiveField, CeilModeWindowPastThePaddingReadsOnlyRealRows) {
  // max pool 2, stride 2, ceil_mode on 5: out ⌈(5 − 2) / 2⌉ + 1 = 3; cell 2 spans rows 4–5.
  Pool2dParams p;
  p.k_h = p.k_w = 2;
  p.ceil_mode = true;
  const std::vector<RfLayer> s{rf_layer(*pool2d_geometry({1, 1, 5, 5}, p), "pool")};
  EXPECT_EQ(s[0].h.out, 3);
  const RfBox b = rf_box(s, 2, 0);
  EXPECT_EQ(b.y.field, span(4, 5));
  EXPECT_EQ(b.y.depends, span(4, 4));
  EXPECT_EQ(b.y.pad_after, 1);
}

TEST(ReceptiveField, TransposedConvGathersByParity) {
  // ConvTranspose 3, stride 2, padding 1, output_padding 1 on 4: out (4 − 1)·2 − 2 + 2 + 1 + 1
  // = 8. Output o gathers input i with o = 2i − 1 + k: o = 0 ← i 0 (k 1); o = 1 ← i 0 (k 2) and
  // i 1 (k 0); o = 7 ← i 3 (k 2; i 4 would be past the input).
  ConvTranspose2dParams p;
  p.stride_h = p.stride_w = 2;
  p.pad_h = p.pad_w = 1;
  p.output_padding_h = p.output_padding_w = 1;
  Result<ConvTransposeGeometry> g = conv_transpose2d_geometry({1, 1, 4, 4}, {1, 1, 3, 3}, -1, p);
  ASSERT_TRUE(g.has_value());
  const std::vector<RfLayer> s{rf_layer(*g, "up")};
  EXPECT_EQ(s[0].h.out, 8);
  EXPECT_EQ(rf_box(s, 0, 0).y.depends, span(0, 0));
  EXPECT_EQ(rf_box(s, 1, 0).y.depends, span(0, 1));
  EXPECT_EQ(rf_box(s, 7, 0).y.depends, span(3, 3));
  EXPECT_EQ(rf_box(s, 7, 0).y.field, span(3, 4));
  EXPECT_EQ(rf_box(s, 7, 0).y.pad_after, 1);
  const RfRow row = rf_table(s)[0];
  EXPECT_EQ(row.h.jump, (Ratio{1, 2}));
  EXPECT_EQ(row.h.size_min, 1);
  EXPECT_EQ(row.h.size_max, 2);
  EXPECT_FALSE(row.exact_recurrence);
}

TEST(ReceptiveField, TransposedConvCellWithNoInput) {
  // kernel 1, stride 3: only every third output cell gets an input; cell 1 is bias alone.
  ConvTranspose2dParams p;
  p.stride_h = p.stride_w = 3;
  const std::vector<RfLayer> s{
      rf_layer(*conv_transpose2d_geometry({1, 1, 3, 3}, {1, 1, 1, 1}, -1, p), "up")};
  EXPECT_TRUE(rf_box(s, 1, 0).y.depends.empty());
  EXPECT_TRUE(rf_box(s, 1, 0).y.field.empty());
  EXPECT_EQ(rf_box(s, 3, 0).y.depends, span(1, 1));
  EXPECT_EQ(rf_table(s)[0].h.size_min, 0);
  EXPECT_EQ(rf_table(s)[0].h.size_max, 1);
}

TEST(ReceptiveField, ReluChangesNothing) {
  std::vector<RfLayer> s{conv_layer(8, 8, 3, conv_params(1, 0))};
  s.push_back(rf_relu(1, 6, 6, "relu"));
  const std::vector<RfRow> t = rf_table(s);
  EXPECT_EQ(t[1].h.size_max, 3);
  EXPECT_EQ(t[1].h.field0, t[0].h.field0);
  EXPECT_EQ(rf_box(s, 5, 5).y.depends, span(5, 7));
}

TEST(ReceptiveField, LayersFileSentencesNameTheLayer) {
  Result<std::vector<Layer>> layers = layers_from_json(
      R"([{"kernel": "sobel-x"}, {"pool": "max", "kernel": 2}, {"kernel": "gaussian-5",
          "padding": 0}])",
      "l.json");
  ASSERT_TRUE(layers.has_value());
  Result<std::vector<RfLayer>> s = rf_layers(*layers, {1, 3, 16, 16});
  ASSERT_TRUE(s.has_value()) << s.error().message;
  ASSERT_EQ(s->size(), 3u);
  // sobel 3 same: 3, −1; pool 2: 3 + 1·1 = 4, jump 2, start −1; gaussian 5: 4 + 4·2 = 12, −1.
  const std::vector<RfRow> t = rf_table(*s);
  EXPECT_EQ(t[2].h.out, 4);
  EXPECT_EQ(t[2].h.size_max, 12);
  EXPECT_EQ(t[2].h.jump, (Ratio{2, 1}));
  EXPECT_EQ(t[2].h.field0, span(-1, 10));
  EXPECT_EQ(t[2].channels, 3);

  Result<std::vector<RfLayer>> small = rf_layers(*layers, {1, 3, 5, 5});
  ASSERT_FALSE(small.has_value());
  EXPECT_EQ(small.error().message.rfind("layer 3 (gaussian-5): ", 0), 0u) << small.error().message;
  EXPECT_FALSE(rf_layers(*layers, {3, 16, 16}).has_value());
}

// A layers file with ReLU and a transposed convolution (the format's reader, rf_layers and
// run_layers_cpu): every output cell's dependence box is what pushing each input cell changes.
TEST(ReceptiveField, LayersFileWithReluAndTransposedMatchesBruteForce) {
  auto layers = layers_from_json(R"([{"kernel": "box-blur", "stride": 2, "padding": 1},
      {"relu": true},
      {"transpose": true, "kernel": "gaussian-3", "stride": 2, "padding": 1, "output_padding": 1},
      {"relu": true},
      {"transpose": true, "kernel": [[1, 1]], "stride": 3, "dilation": 2}])",
                                 "up.json");
  ASSERT_TRUE(layers.has_value()) << layers.error().message;
  const Shape input{1, 1, 7, 9};
  auto rf = rf_layers(*layers, input, "up.json");
  ASSERT_TRUE(rf.has_value()) << rf.error().message;
  EXPECT_EQ(rf->at(1).kind, RfKind::relu);
  EXPECT_EQ(rf->at(2).kind, RfKind::conv_transpose);
  Tensor x(DType::f32, input);
  for (int64_t i = 0; i < x.numel(); ++i)
    x.set(i, 1.0 + 0.01 * static_cast<double>(i));  // positive: ReLU passes all, nothing cancels
  const Tensor base = run_layers_cpu(*layers, x, layers->size()).value();
  ASSERT_EQ(base.dim(2), rf->back().h.out);
  ASSERT_EQ(base.dim(3), rf->back().w.out);
  const int64_t oh = base.dim(2), ow = base.dim(3), h = input[2], w = input[3];
  std::vector<Span> rows(oh * ow), cols(oh * ow);
  for (int64_t i = 0; i < h * w; ++i) {
    Tensor pushed = x;
    pushed.set(i, 1e6);
    const Tensor y = run_layers_cpu(*layers, pushed, layers->size()).value();
    for (int64_t o = 0; o < oh * ow; ++o) {
      if (y.get(o) == base.get(o)) continue;
      const int64_t iy = i / w, ix = i % w;
      Span& r = rows[o];
      Span& c = cols[o];
      r = r.empty() ? Span{iy, iy} : Span{std::min(r.lo, iy), std::max(r.hi, iy)};
      c = c.empty() ? Span{ix, ix} : Span{std::min(c.lo, ix), std::max(c.hi, ix)};
    }
  }
  int empty_cells = 0;
  for (int64_t o = 0; o < oh * ow; ++o) {
    const RfBox box = rf_box(*rf, o / ow, o % ow);
    if (rows[o].empty()) {
      EXPECT_TRUE(box.y.depends.empty() || box.x.depends.empty()) << "cell " << o;
      ++empty_cells;
      continue;
    }
    EXPECT_EQ(box.y.depends, rows[o]) << "cell (" << o / ow << ", " << o % ow << ")";
    EXPECT_EQ(box.x.depends, cols[o]) << "cell (" << o / ow << ", " << o % ow << ")";
  }
  EXPECT_GT(empty_cells, 0);  // stride 3 with a 1×2 kernel at dilation 2 leaves gaps
}

TEST(ReceptiveField, HugeFeatureMapsAreRefused) {
  Result<std::vector<Layer>> layers = layers_from_json(R"([{"kernel": "identity"}])", "l.json");
  ASSERT_TRUE(layers.has_value());
  Result<std::vector<RfLayer>> s = rf_layers(*layers, {1, 1, 4, 100000000}, "l.json");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().message,
            "l.json layer 1 (identity) makes 100000000 columns; receptive fields are worked out "
            "for feature maps up to 16777216 columns; give a smaller input");
}

TEST(ReceptiveField, HugeStridesAreRefusedNotOverflowed) {
  std::string json = "[";
  for (int i = 0; i < 40; ++i)
    json += std::string(i ? "," : "") + R"({"kernel": "identity", "stride": 4, "padding": 1})";
  Result<std::vector<Layer>> layers = layers_from_json(json + "]", "deep.json");
  ASSERT_TRUE(layers.has_value());
  Result<std::vector<RfLayer>> s = rf_layers(*layers, {1, 1, 8, 8});
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message.find("grows past"), std::string::npos) << s.error().message;
}

// --- random stacks ----------------------------------------------------------------------------

int pick(std::mt19937_64& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

// One layer of a random stack: what the engine runs and what the receptive field reads.
struct TestLayer {
  RfLayer rf;
  RfKind kind = RfKind::relu;
  Tensor weight;
  Conv2dParams conv;
  Pool2dParams pool;
  ConvTranspose2dParams transpose;
};

Tensor positive(std::mt19937_64& rng, Shape shape, double lo, double hi) {
  Tensor t(DType::f64, std::move(shape));
  std::uniform_real_distribution<double> d(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.set(i, d(rng));
  return t;
}

// A random layer on `in` ([1, C, H, W]) whose geometry is valid, or nothing after some tries.
std::optional<TestLayer> random_layer(std::mt19937_64& rng, const Shape& in, bool conv_only) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    TestLayer l;
    l.kind = static_cast<RfKind>(pick(rng, 0, conv_only ? 1 : 3));
    const int kh = pick(rng, 1, 3), kw = pick(rng, 1, 3);
    if (l.kind == RfKind::conv) {
      Conv2dParams& p = l.conv;
      p.stride_h = pick(rng, 1, 2), p.stride_w = pick(rng, 1, 2);
      p.dilation_h = pick(rng, 1, 2), p.dilation_w = pick(rng, 1, 2);
      p.padding = PaddingSpec::pair(pick(rng, 0, 2), pick(rng, 0, 2));
      p.padding_mode = conv_only ? PaddingMode::zeros : static_cast<PaddingMode>(pick(rng, 0, 3));
      l.weight = positive(rng, {pick(rng, 1, 2), in[1], kh, kw}, 0.5, 1.0);
      Result<ConvGeometry> g = conv2d_geometry(in, l.weight.shape(), -1, p);
      if (g) l.rf = rf_layer(*g, "conv");
      if (g) return l;
    } else if (l.kind == RfKind::pool) {
      Pool2dParams& p = l.pool;
      p.op = pick(rng, 0, 1) ? PoolOp::max : PoolOp::avg;
      p.k_h = kh, p.k_w = kw;
      p.stride_h = pick(rng, 1, 3), p.stride_w = pick(rng, 1, 3);
      p.pad_h = pick(rng, 0, kh / 2), p.pad_w = pick(rng, 0, kw / 2);
      if (p.op == PoolOp::max) p.dilation_h = pick(rng, 1, 2), p.dilation_w = pick(rng, 1, 2);
      p.ceil_mode = pick(rng, 0, 1);
      p.count_include_pad = pick(rng, 0, 1);
      Result<PoolGeometry> g = pool2d_geometry(in, p);
      if (g) l.rf = rf_layer(*g, "pool");
      if (g) return l;
    } else if (l.kind == RfKind::conv_transpose) {
      ConvTranspose2dParams& p = l.transpose;
      p.stride_h = pick(rng, 1, 3), p.stride_w = pick(rng, 1, 3);
      p.dilation_h = pick(rng, 1, 2), p.dilation_w = pick(rng, 1, 2);
      p.pad_h = pick(rng, 0, 2), p.pad_w = pick(rng, 0, 2);
      p.output_padding_h = pick(rng, 0, 1), p.output_padding_w = pick(rng, 0, 1);
      l.weight = positive(rng, {in[1], pick(rng, 1, 2), kh, kw}, 0.5, 1.0);
      Result<ConvTransposeGeometry> g = conv_transpose2d_geometry(in, l.weight.shape(), -1, p);
      if (g && g->out_h <= 24 && g->out_w <= 24) l.rf = rf_layer(*g, "up");
      if (g && g->out_h <= 24 && g->out_w <= 24) return l;
    } else {
      l.rf = rf_relu(in[1], in[2], in[3], "relu");
      return l;
    }
  }
  return std::nullopt;
}

// The engine on one layer ([1, C, H, W] => [1, C', H', W']).
Tensor run(const TestLayer& l, const Tensor& x) {
  Result<Tensor> y = Tensor();
  switch (l.kind) {
    case RfKind::conv:
      y = conv2d(x, l.weight, nullptr, l.conv);
      break;
    case RfKind::pool:
      y = pool2d(x, l.pool);
      break;
    case RfKind::conv_transpose:
      y = conv_transpose2d(x, l.weight, nullptr, l.transpose);
      break;
    case RfKind::relu: {
      Tensor r = x;
      for (int64_t i = 0; i < r.numel(); ++i)
        r.set(i, std::max(0.0, r.get(i)));
      return r;
    }
  }
  EXPECT_TRUE(y.has_value()) << (y ? "" : y.error().message);
  return *y;
}

Tensor run_stack(const std::vector<TestLayer>& stack, Tensor x) {
  for (const TestLayer& l : stack)
    x = run(l, x);
  return x;
}

std::vector<TestLayer> random_stack(std::mt19937_64& rng, const Shape& input, bool conv_only) {
  std::vector<TestLayer> stack;
  Shape shape = input;
  const int depth = pick(rng, 1, 4);
  while (static_cast<int>(stack.size()) < depth) {
    std::optional<TestLayer> l = random_layer(rng, shape, conv_only);
    if (!l) break;
    shape = {1, l->rf.channels, l->rf.h.out, l->rf.w.out};
    stack.push_back(std::move(*l));
  }
  return stack;
}

std::vector<RfLayer> rf_of(const std::vector<TestLayer>& stack) {
  std::vector<RfLayer> s;
  for (const TestLayer& l : stack)
    s.push_back(l.rf);
  return s;
}

std::string describe(const std::vector<TestLayer>& stack) {
  std::string d;
  for (const TestLayer& l : stack) {
    const RfAxis& a = l.rf.h;
    d += std::string(rf_kind_name(l.kind)) + "(in " + std::to_string(a.in) + " out " +
         std::to_string(a.out) + " k " + std::to_string(a.k) + " s " + std::to_string(a.stride) +
         " d " + std::to_string(a.dilation) + " p " + std::to_string(a.pad_before) + "/" +
         std::to_string(a.pad_after) + " mode " + padding_mode_name(a.mode) + ") ";
  }
  return d;
}

TEST(ReceptiveField, DependenceBoxMatchesBruteForceOnRandomStacks) {
  const uint64_t seed = test::test_seed();
  std::mt19937_64 rng(seed);
  // NOTE: every weight and input is positive, so ReLU passes everything and a cell pushed up by
  // 1e12 pushes up every cell that reads it, by far more than any window's spread of ordinary
  // values (at most ~1e5 here): a max pool's maximum moves too. Nothing cancels, so "changed"
  // is exactly "depends on", what the gradient would mark.
  constexpr double kPush = 1e12;
  int checked_cells = 0;
  for (int round = 0; round < 120; ++round) {
    const Shape input{1, pick(rng, 1, 2), pick(rng, 4, 11), pick(rng, 4, 11)};
    const std::vector<TestLayer> stack = random_stack(rng, input, false);
    if (stack.empty()) continue;
    const std::vector<RfLayer> rf = rf_of(stack);
    const Tensor x = positive(rng, input, 1.0, 2.0);
    const Tensor base = run_stack(stack, x);
    const int64_t oh = base.dim(2), ow = base.dim(3), h = input[2], w = input[3];
    // changed[(oy·ow + ox)] = the input cells (iy·w + ix) that change output (0, 0, oy, ox).
    std::vector<std::vector<char>> changed(oh * ow, std::vector<char>(h * w, 0));
    for (int64_t iy = 0; iy < h; ++iy) {
      for (int64_t ix = 0; ix < w; ++ix) {
        Tensor pushed = x;
        for (int64_t c = 0; c < input[1]; ++c) {
          const int64_t i = (c * h + iy) * w + ix;
          pushed.set(i, pushed.get(i) + kPush);
        }
        const Tensor y = run_stack(stack, pushed);
        for (int64_t o = 0; o < oh * ow; ++o)
          changed[o][iy * w + ix] = y.get(o) != base.get(o);
      }
    }
    for (int64_t oy = 0; oy < oh; ++oy) {
      for (int64_t ox = 0; ox < ow; ++ox) {
        const RfBox box = rf_box(rf, oy, ox);
        Span rows, cols;
        for (int64_t i = 0; i < h * w; ++i) {
          if (!changed[oy * ow + ox][i]) continue;
          const int64_t iy = i / w, ix = i % w;
          rows = rows.empty() ? Span{iy, iy} : Span{std::min(rows.lo, iy), std::max(rows.hi, iy)};
          cols = cols.empty() ? Span{ix, ix} : Span{std::min(cols.lo, ix), std::max(cols.hi, ix)};
        }
        const bool none = rows.empty();
        ASSERT_EQ(box.y.depends.empty() || box.x.depends.empty(), none)
            << "seed " << seed << " round " << round << " cell (" << oy << ", " << ox << ") "
            << describe(stack);
        if (none) continue;
        ASSERT_EQ(box.y.depends, rows) << "seed " << seed << " round " << round << " cell (" << oy
                                       << ", " << ox << ") " << describe(stack);
        ASSERT_EQ(box.x.depends, cols) << "seed " << seed << " round " << round << " cell (" << oy
                                       << ", " << ox << ") " << describe(stack);
        ++checked_cells;
      }
    }
  }
  EXPECT_GT(checked_cells, 1000);
}

TEST(ReceptiveField, TableFollowsTheRecurrenceOnConvAndPoolStacks) {
  const uint64_t seed = test::test_seed();
  std::mt19937_64 rng(seed + 1);
  for (int round = 0; round < 200; ++round) {
    const Shape input{1, 1, pick(rng, 8, 30), pick(rng, 8, 30)};
    const std::vector<TestLayer> stack = random_stack(rng, input, true);
    if (stack.empty()) continue;
    const std::vector<RfLayer> rf = rf_of(stack);
    const std::vector<RfRow> table = rf_table(rf);
    // The textbook recurrence, written out here: size += (k − 1)·d·jump, start −= pad·jump,
    // jump *= stride.
    int64_t size = 1, jump = 1, start = 0;
    for (std::size_t i = 0; i < rf.size(); ++i) {
      const RfAxis& a = rf[i].h;
      size += (a.k - 1) * a.dilation * jump;
      start -= a.pad_before * jump;
      jump *= a.stride;
      ASSERT_TRUE(table[i].exact_recurrence);
      ASSERT_EQ(table[i].h.size_min, size) << "seed " << seed << " " << describe(stack);
      ASSERT_EQ(table[i].h.size_max, size);
      ASSERT_EQ(table[i].h.jump, (Ratio{jump, 1}));
      ASSERT_EQ(table[i].h.field0.lo, start);
      // A cell whose field lies inside the input reads no padding at any level: it depends on
      // its whole field.
      for (int64_t oy = 0; oy < a.out; ++oy) {
        const RfAxisBox b = rf_boxes(rf, i + 1, oy, 0)[0].y;
        ASSERT_EQ(b.field, (Span{start + oy * jump, start + oy * jump + size - 1}));
        if (b.pad_before == 0 && b.pad_after == 0) {
          ASSERT_EQ(b.depends, b.field) << "seed " << seed << " " << describe(stack);
        }
      }
    }
  }
}

}  // namespace
}  // namespace cs
