// The engine's and the lessons' limits (core/limits.hpp): issue 10's reproductions end in one
// sentence, at once and before anything is allocated (they used to throw std::bad_alloc or run
// for hours); small limits set in the test stand in for the huge cases; the cost estimates cover
// what the engine really holds; the environment variables' values are parsed strictly.
#include "core/limits.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "core/conv2d.hpp"
#include "core/conv_transpose.hpp"
#include "core/pool2d.hpp"
#include "test_util.hpp"

namespace cs {
namespace {

// Sets the process's engine limits for one scope.
struct LimitsScope {
  EngineLimits saved = engine_limits();
  explicit LimitsScope(const EngineLimits& l) { set_engine_limits(l); }
  ~LimitsScope() { set_engine_limits(saved); }
};

Tensor ones(Shape shape) {
  Tensor t(DType::f32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i)
    t.set(i, 1.0);
  return t;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A transposed convolution whose stride makes a huge output is refused before it allocates,
// on the CPU (the GPU and the CLI reach the same check through conv_transpose2d).
TEST(EngineLimits, ATransposedConvolutionsHugeOutputIsASentence) {
  const Tensor x = ones({1, 1, 100, 100}), w = ones({1, 1, 3, 3});
  ConvTranspose2dParams p;
  p.stride_h = p.stride_w = 100000;  // (100 − 1)·100000 + 3 ≈ 9.9 million rows and columns
  auto y = conv_transpose2d(x, w, nullptr, p);
  ASSERT_FALSE(y);
  EXPECT_TRUE(contains(y.error().message, "this transposed convolution would need"))
      << y.error().message;
  EXPECT_TRUE(contains(y.error().message, "use a smaller stride")) << y.error().message;
  EXPECT_EQ(y.error().field, "stride");
  // Within the limits it runs.
  p.stride_h = p.stride_w = 2;
  EXPECT_TRUE(conv_transpose2d(x, w, nullptr, p));
}

TEST(EngineLimits, IssueReproductionsAreRefusedInASentenceAtOnce) {
  const Tensor x = ones({1, 1, 5, 5}), w = ones({1, 1, 3, 3});
  const auto t0 = std::chrono::steady_clock::now();

  // conv --padding 1000000 on a 5×5 input: a 2000003×2000003 output (std::bad_alloc before).
  Conv2dParams p;
  p.padding = PaddingSpec::symmetric(1000000);
  auto y = conv2d(x, w, nullptr, p);
  ASSERT_FALSE(y);
  EXPECT_EQ(y.error().message,
            "this convolution would need 14.6 TiB of memory (its output 1\xC3\x97"
            "1\xC3\x97"
            "2000003\xC3\x97"
            "2000003 float32: 14.6 TiB), more than the 4.0 GiB one operation may use; use less "
            "padding, or raise the limit with CONVSCOPE_MAX_BYTES");
  EXPECT_EQ(y.error().field, "padding");
  // The same for the trace and the reference loop.
  auto tr = conv2d_trace(x, w, nullptr, p);
  ASSERT_FALSE(tr);
  EXPECT_TRUE(contains(tr.error().message, "this convolution's trace would need"))
      << tr.error().message;
  EXPECT_FALSE(conv2d_reference(x, w, nullptr, p));

  // --dilation 2000000000 --padding 2000000000: a 5×5 output, but padded rows of 4·10⁹ columns.
  p.padding = PaddingSpec::symmetric(2000000000);
  p.dilation_h = p.dilation_w = 2000000000;
  y = conv2d(x, w, nullptr, p);
  ASSERT_FALSE(y);
  EXPECT_TRUE(contains(y.error().message, "EiB of memory (the padded input rows it copies"))
      << y.error().message;
  EXPECT_TRUE(contains(y.error().message, "use less padding and a smaller dilation"));

  // pool --op max --kernel 1000000 --padding 500000: 10¹² taps in its one window (ran for ever).
  Pool2dParams q;
  q.k_h = q.k_w = 1000000;
  q.pad_h = q.pad_w = 500000;
  auto m = pool2d(x, q);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message,
            "this pooling would take 1,000,000,000,000 taps (1 output \xC3\x97 "
            "1,000,000,000,000 each), more than the 100,000,000,000 one operation may do; use a "
            "smaller kernel, or raise the limit with CONVSCOPE_MAX_WORK");
  EXPECT_EQ(m.error().field, "kernel");
  EXPECT_FALSE(pool2d_trace(x, q));
  EXPECT_LT(seconds_since(t0), 1.0);
}

// Small limits stand in for huge inputs: the same checks, on operations that fit easily.
TEST(EngineLimits, SmallLimitsRefuseWhatTheDefaultsAllow) {
  const Tensor x = ones({1, 2, 64, 64}), w = ones({4, 2, 3, 3});
  Conv2dParams p;
  p.padding = PaddingSpec::symmetric(1);
  ASSERT_TRUE(conv2d(x, w, nullptr, p));
  ASSERT_TRUE(conv2d_trace(x, w, nullptr, p));
  Pool2dParams q;
  ASSERT_TRUE(pool2d(x, q));
  {
    // Output 4×64×64 float32 = 64 KiB.
    LimitsScope small({32 * 1024, EngineLimits{}.max_work});
    auto y = conv2d(x, w, nullptr, p);
    ASSERT_FALSE(y);
    EXPECT_TRUE(contains(y.error().message,
                         "more than the 32.0 KiB one operation may use; use a "
                         "smaller input or fewer channels, or raise the limit "
                         "with CONVSCOPE_MAX_BYTES"))
        << y.error().message;
    EXPECT_FALSE(conv2d_trace(x, w, nullptr, p));
    EXPECT_TRUE(pool2d(x, q));  // 2×32×32 float32 = 8 KiB
    Tensor big = ones({1, 2, 256, 256});
    auto m = pool2d(big, q);
    ASSERT_FALSE(m);
    EXPECT_TRUE(contains(m.error().message, "this pooling would need")) << m.error().message;
  }
  {
    // 4·64·64 outputs × 18 multiply-adds = 294,912.
    LimitsScope small({EngineLimits{}.max_bytes, 100000});
    auto y = conv2d(x, w, nullptr, p);
    ASSERT_FALSE(y);
    EXPECT_EQ(y.error().message,
              "this convolution would take 294,912 multiply-adds (16,384 outputs \xC3\x97 18 "
              "each), more than the 100,000 one operation may do; use a smaller input or fewer "
              "channels, or raise the limit with CONVSCOPE_MAX_WORK");
    EXPECT_TRUE(pool2d(x, q));  // 2·32·32 × 4 taps = 8,192
  }
  EXPECT_TRUE(conv2d(x, w, nullptr, p));
}

TEST(EngineLimits, TheMachinesFreeMemoryIsTheOtherBound) {
  EXPECT_GT(available_memory(), 0) << "Linux has /proc/meminfo";
  auto g = conv2d_geometry({1, 1, 100, 100}, {1, 1, 3, 3}, -1, Conv2dParams{});
  ASSERT_TRUE(g);
  const OpCost c = conv2d_cost(*g, DType::f32, Layout::nchw, 1);
  EXPECT_TRUE(check_cost(c, EngineLimits{}, -1));
  EXPECT_TRUE(check_cost(c, EngineLimits{}, int64_t{1} << 30));
  auto st = check_cost(c, EngineLimits{}, 1000);
  ASSERT_FALSE(st);
  EXPECT_TRUE(contains(st.error().message,
                       "more than the 1000 bytes this machine has free now; "
                       "use a smaller input or fewer channels, or close "
                       "other programs"))
      << st.error().message;
}

// The estimates cover what the engine really holds: the output, the trace's partial sums and its
// copy of the input, in both layouts and dtypes (random shapes, replayable seed).
TEST(EngineLimits, EstimatesCoverTheRealAllocations) {
  const uint64_t seed = test::test_seed(31);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> side(1, 40), ch(1, 4), k(1, 5), pad(0, 3), st(1, 3);
  for (int trial = 0; trial < 40; ++trial) {
    const DType dt = trial % 2 ? DType::f64 : DType::f32;
    const int kh = k(rng), kw = k(rng);
    const Tensor x =
        test::random_tensor(rng, dt, {1, ch(rng), kh + side(rng), kw + side(rng)}, true);
    const Tensor w = test::random_tensor(rng, dt, {ch(rng), x.dim(1), kh, kw}, true);
    Conv2dParams p;
    p.padding = PaddingSpec::pair(pad(rng), pad(rng));
    p.stride_h = st(rng);
    p.stride_w = st(rng);
    auto g = conv2d_geometry(x.shape(), w.shape(), -1, p);
    ASSERT_TRUE(g) << g.error().message;
    auto tr = conv2d_trace(x, w, nullptr, p);
    ASSERT_TRUE(tr) << tr.error().message;
    const double held = static_cast<double>(tr->partial_bytes() + tr->output().nbytes() +
                                            tr->input().nbytes() + tr->weight().nbytes());
    EXPECT_GE(conv2d_trace_cost(*g, dt, Layout::nchw).bytes, held) << "seed " << seed;
    EXPECT_GE(conv2d_cost(*g, dt, Layout::nchw, 2).bytes,
              static_cast<double>(tr->output().nbytes()))
        << "seed " << seed;
    EXPECT_EQ(conv2d_cost(*g, dt, Layout::nchw, 2).work(),
              static_cast<double>(tr->output().numel() * w.dim(1) * kh * kw));
  }
}

TEST(EngineLimits, EnvironmentValuesAreWholeNumbersWithUnits) {
  EXPECT_EQ(*parse_limit("V", "1", true), 1);
  EXPECT_EQ(*parse_limit("V", "512M", true), int64_t{512} << 20);
  EXPECT_EQ(*parse_limit("V", "8g", true), int64_t{8} << 30);
  EXPECT_EQ(*parse_limit("V", "2T", true), int64_t{2} << 40);
  EXPECT_EQ(*parse_limit("V", "500G", false), 500'000'000'000);
  EXPECT_EQ(*parse_limit("V", "3K", false), 3000);
  for (const char* bad :
       {"", "0", "-1", "1.5G", "G", "12Q", "1GB", "99999999999999999999", "9000000000T", " 1"}) {
    auto r = parse_limit("CONVSCOPE_MAX_BYTES", bad, true);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().message, "CONVSCOPE_MAX_BYTES=" + std::string(bad) +
                                     " is not a limit; give a whole number above 0, optionally "
                                     "followed by K, M, G or T (e.g. 512M or 8G)");
  }
}

TEST(EngineLimits, SizesAndCountsForSentences) {
  EXPECT_EQ(format_bytes(0), "0 bytes");
  EXPECT_EQ(format_bytes(1023), "1023 bytes");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(4.0 * (1 << 30)), "4.0 GiB");
  EXPECT_EQ(format_bytes(6.4e19), "55.5 EiB");
  EXPECT_EQ(format_bytes(1e30), "8.67e+11 EiB");
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_count(1000), "1,000");
  EXPECT_EQ(format_count(1e12), "1,000,000,000,000");
  EXPECT_EQ(format_count(6.4e19), "about 6.4e+19");
}

// ---- lessons: what the canvas can draw

TEST(LessonLimits, TheIssuesScenesAreTooBigForTheCanvas) {
  Conv2dParams p;
  p.padding = PaddingSpec::pair(1000000, 0);
  auto g = conv2d_geometry({1, 1, 5, 5}, {1, 1, 3, 3}, -1, p);
  ASSERT_TRUE(g);
  auto st = check_lesson_size(*g);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message,
            "this lesson's padded input would be 2000005\xC3\x97"
            "5 cells per channel, more than the 4096 rows or columns one grid of the canvas "
            "shows; use less padding (a large picture belongs in the live preview)");
  EXPECT_EQ(st.error().field, "padding");

  p.padding = PaddingSpec::symmetric(1000000);
  g = conv2d_geometry({1, 1, 5, 5}, {1, 1, 3, 3}, -1, p);
  ASSERT_TRUE(g);
  EXPECT_FALSE(check_lesson_size(*g));

  // 16 M values (the scenes' old per-tensor limit).
  g = conv2d_geometry({1, 1, 4096, 4096}, {1, 1, 1, 1}, -1, Conv2dParams{});
  ASSERT_TRUE(g);
  st = check_lesson_size(*g);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message,
            "the input has 16,777,216 values, more than the 1,048,576 a lesson holds; crop it, "
            "or open the picture in the live preview instead");
  EXPECT_EQ(st.error().field, "input");
}

TEST(LessonLimits, WhatTheWindowOffersFits) {
  // The biggest --random lesson the window's options allow with 3 → 8 channels and K 15, the
  // benchmark's 64×64×3 → 8, and a 1024×1024 grey input with a 3×3 kernel.
  Conv2dParams p;
  p.padding = PaddingSpec::symmetric(7);
  auto g = conv2d_geometry({1, 3, 512, 512}, {8, 3, 15, 15}, 8, p);
  ASSERT_TRUE(g);
  EXPECT_TRUE(check_lesson_size(*g)) << check_lesson_size(*g).error().message;
  p.padding = PaddingSpec::symmetric(1);
  g = conv2d_geometry({1, 3, 64, 64}, {8, 3, 3, 3}, 8, p);
  EXPECT_TRUE(check_lesson_size(*g));
  g = conv2d_geometry({1, 1, 1022, 1022}, {1, 1, 3, 3}, -1, p);
  EXPECT_TRUE(check_lesson_size(*g));
  Pool2dParams q;
  q.k_h = q.k_w = 3;
  auto pg = pool2d_geometry({1, 3, 512, 512}, q);
  EXPECT_TRUE(check_lesson_size(*pg));
}

// A transposed convolution's canvas draws the zero-stuffed input: a large stride is what makes it
// too big, and the sentence blames the stride.
TEST(LessonLimits, ATransposedLessonsStuffedInputIsBounded) {
  ConvTranspose2dParams p;
  auto fits = conv_transpose2d_geometry({1, 1, 64, 64}, {1, 1, 3, 3}, -1, p);
  ASSERT_TRUE(fits);
  EXPECT_TRUE(check_lesson_size(*fits));
  p.stride_h = p.stride_w = 16;  // (256 − 1)·16 + 1 = 4081 stuffed rows and columns
  auto big = conv_transpose2d_geometry({1, 1, 256, 256}, {1, 1, 3, 3}, -1, p);
  ASSERT_TRUE(big);
  const Status st = check_lesson_size(*big);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().field, "stride");
  EXPECT_NE(st.error().message.find("stuffed input"), std::string::npos) << st.error().message;
  EXPECT_NE(st.error().message.find("use a smaller stride"), std::string::npos);
}

TEST(LessonLimits, EachLimitHasItsSentence) {
  auto conv = [](Shape x, Shape w, int pad = 0) {
    Conv2dParams p;
    p.padding = PaddingSpec::symmetric(pad);
    auto g = conv2d_geometry(x, w, -1, p);
    EXPECT_TRUE(g);
    Status st = check_lesson_size(*g);
    return st ? std::string() : st.error().message;
  };
  EXPECT_EQ(conv({1, 1, 1000, 1000}, {1, 1, 1, 1}, 30),
            "this lesson's padded input would be 1060\xC3\x97"
            "1060 cells per channel, more than the 1,048,576 cells one grid of the canvas shows; "
            "use a smaller input or fewer channels (a large picture belongs in the live preview)");
  EXPECT_EQ(conv({1, 2000, 1, 1}, {1, 2000, 1, 1}),
            "this lesson has 2000 input channels, more than the 1024 grids one column of the "
            "canvas shows; use fewer channels");
  EXPECT_EQ(conv({1, 1, 1000, 1000}, {4, 1, 1, 1}),
            "this lesson's canvas would hold 5,000,001 cells in all, more than the 4,194,304 it "
            "draws; use a smaller input or fewer channels");
  EXPECT_EQ(conv({1, 512, 16, 16}, {1, 512, 16, 16}),
            "each window of this lesson has 131,072 taps, more than the 65,536 the arithmetic "
            "panel lists; use a smaller kernel or fewer channels");
  EXPECT_EQ(conv({1, 1024, 32, 32}, {40, 1024, 1, 1}),
            "this lesson would record 41,943,040 values in its trace, more than the 40,000,000 a "
            "lesson keeps; use a smaller input or fewer channels (or the full-resolution preview)");
  LessonLimits small;
  small.max_work = 1000;
  auto g = conv2d_geometry({1, 1, 20, 20}, {1, 1, 3, 3}, -1, Conv2dParams{});
  Status st = check_lesson_size(*g, small);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message,
            "this lesson would take 2,916 multiply-adds at every change, more than the 1,000 a "
            "lesson computes; use a smaller input or fewer channels");
  Pool2dParams q;
  q.k_h = q.k_w = 300;
  auto pg = pool2d_geometry({1, 1, 300, 300}, q);
  st = check_lesson_size(*pg);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message,
            "each window of this lesson has 90,000 taps, more than the 65,536 the arithmetic "
            "panel lists; use a smaller kernel or fewer channels");
}

}  // namespace
}  // namespace cs
