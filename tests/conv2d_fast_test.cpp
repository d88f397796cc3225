// The CPU fast path (cs::detail::conv2d_fast) and its thread pool: hand-worked cases, then
// randomized cases over every option (stride, dilation, groups, uneven padding, all padding modes,
// batch, bias, float/double, every instruction set, 1-5 threads) against a naive loop written here.
// CONVSCOPE_SEED=<n> replays a run; failures print the seed, the case and (n, oc, oy, ox).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "core/conv2d.hpp"
#include "core/conv2d_fast.hpp"
#include "core/geometry.hpp"
#include "core/thread_pool.hpp"
#include "test_util.hpp"

namespace cs {
namespace {

using test::IsaCap;

// Output size from PyTorch's formula (the test's own copy).
// 0 when the dilated kernel does not fit the padded input.
int64_t out_size(int64_t in, int64_t pad_a, int64_t pad_b, int64_t k, int64_t dil, int64_t s) {
  const int64_t span = dil * (k - 1) + 1;
  if (in + pad_a + pad_b < span) return 0;
  return (in + pad_a + pad_b - span) / s + 1;
}

ConvGeometry make_geometry(int64_t n, int64_t c_in, int64_t in_h, int64_t in_w, int64_t c_out,
                           int64_t k_h, int64_t k_w, int sh, int sw, int dh, int dw, int64_t groups,
                           Pad4 pad, PaddingMode mode, bool has_bias) {
  ConvGeometry g;
  g.n = n;
  g.c_in = c_in;
  g.in_h = in_h;
  g.in_w = in_w;
  g.c_out = c_out;
  g.k_h = k_h;
  g.k_w = k_w;
  g.groups = groups;
  g.c_in_per_group = c_in / groups;
  g.c_out_per_group = c_out / groups;
  g.stride_h = sh;
  g.stride_w = sw;
  g.dilation_h = dh;
  g.dilation_w = dw;
  g.pad = pad;
  g.padding_mode = mode;
  g.has_bias = has_bias;
  g.out_h = out_size(in_h, pad.top, pad.bottom, k_h, dh, sh);
  g.out_w = out_size(in_w, pad.left, pad.right, k_w, dw, sw);
  return g;
}

std::string describe(const ConvGeometry& g) {
  std::ostringstream s;
  s << g.n << "×" << g.c_in << "×" << g.in_h << "×" << g.in_w << " → " << g.c_out << " k" << g.k_h
    << "×" << g.k_w << " stride " << g.stride_h << "," << g.stride_w << " dilation " << g.dilation_h
    << "," << g.dilation_w << " groups " << g.groups << " pad t" << g.pad.top << " b"
    << g.pad.bottom << " l" << g.pad.left << " r" << g.pad.right << " "
    << padding_mode_name(g.padding_mode) << (g.has_bias ? " bias" : " no bias");
  return s.str();
}

// The padded input's value at padded coordinate (py, px), written from PyTorch's definitions
// (independent of cs::pad_source_index).
template <class T>
double naive_read(const ConvGeometry& g, const std::vector<T>& x, int64_t n, int64_t c, int64_t py,
                  int64_t px) {
  auto fix = [&](int64_t i, int64_t size) -> int64_t {
    if (i >= 0 && i < size) return i;
    switch (g.padding_mode) {
      case PaddingMode::zeros:
        return -1;
      case PaddingMode::reflect:  // mirror about the edge element
        return i < 0 ? -i : 2 * size - 2 - i;
      case PaddingMode::replicate:
        return std::clamp<int64_t>(i, 0, size - 1);
      case PaddingMode::circular:
        return ((i % size) + size) % size;
    }
    return -1;
  };
  const int64_t y = fix(py - g.pad.top, g.in_h), xx = fix(px - g.pad.left, g.in_w);
  if (y < 0 || xx < 0) return 0.0;
  return static_cast<double>(
      x[static_cast<std::size_t>(((n * g.c_in + c) * g.in_h + y) * g.in_w + xx)]);
}

// out[n,o,y,x] = b[o] + Σ_c Σ_ky Σ_kx xpad[n, grp·cpg + c, y·sh + ky·dh, x·sw + kx·dw]·w[o,c,ky,kx]
// in double; `magnitude` gets Σ|x·w| + |b| per output (the tolerance's scale).
template <class T>
std::vector<double> naive_conv(const ConvGeometry& g, const std::vector<T>& x,
                               const std::vector<T>& w, const std::vector<T>* b,
                               std::vector<double>& magnitude) {
  std::vector<double> out(static_cast<std::size_t>(g.outputs()));
  magnitude.assign(out.size(), 0.0);
  std::size_t i = 0;
  for (int64_t n = 0; n < g.n; ++n) {
    for (int64_t o = 0; o < g.c_out; ++o) {
      const int64_t grp = o / g.c_out_per_group;
      for (int64_t oy = 0; oy < g.out_h; ++oy) {
        for (int64_t ox = 0; ox < g.out_w; ++ox, ++i) {
          double s = b ? static_cast<double>((*b)[static_cast<std::size_t>(o)]) : 0.0;
          double mag = std::abs(s);
          for (int64_t c = 0; c < g.c_in_per_group; ++c) {
            for (int64_t ky = 0; ky < g.k_h; ++ky) {
              for (int64_t kx = 0; kx < g.k_w; ++kx) {
                const double xv = naive_read(g, x, n, grp * g.c_in_per_group + c,
                                             oy * g.stride_h + ky * g.dilation_h,
                                             ox * g.stride_w + kx * g.dilation_w);
                const double wv = static_cast<double>(w[static_cast<std::size_t>(
                    ((o * g.c_in_per_group + c) * g.k_h + ky) * g.k_w + kx)]);
                s += xv * wv;
                mag += std::abs(xv * wv);
              }
            }
          }
          out[i] = s;
          magnitude[i] = mag;
        }
      }
    }
  }
  return out;
}

template <class T>
std::vector<T> random_values(std::mt19937_64& rng, int64_t count) {
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<T> v(static_cast<std::size_t>(count));
  for (T& e : v)
    e = static_cast<T>(dist(rng));
  return v;
}

// Runs the fast path and compares every output; returns "" or the first mismatch described.
template <class T>
std::string check_case(const ConvGeometry& g, std::mt19937_64& rng, int threads) {
  const auto x = random_values<T>(rng, g.n * g.c_in * g.in_h * g.in_w);
  const auto w = random_values<T>(rng, g.c_out * g.c_in_per_group * g.k_h * g.k_w);
  const auto b = random_values<T>(rng, g.c_out);
  std::vector<double> magnitude;
  const auto expected = naive_conv(g, x, w, g.has_bias ? &b : nullptr, magnitude);
  // Sentinel: every output must be written.
  std::vector<T> out(static_cast<std::size_t>(g.outputs()), static_cast<T>(12345.0));
  detail::conv2d_fast(g, x.data(), w.data(), g.has_bias ? b.data() : nullptr, out.data(), threads);
  const double rel = std::is_same_v<T, float> ? 1e-5 : 1e-12;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double tol = rel * magnitude[i] + rel * 1e-2;
    const double got = static_cast<double>(out[i]);
    if (!(std::abs(got - expected[i]) <= tol)) {
      const auto flat = static_cast<int64_t>(i);
      const int64_t ox = flat % g.out_w, oy = (flat / g.out_w) % g.out_h;
      const int64_t oc = (flat / (g.out_w * g.out_h)) % g.c_out;
      const int64_t n = flat / (g.out_w * g.out_h * g.c_out);
      std::ostringstream s;
      s << describe(g) << ", " << threads << " threads, isa " << detail::conv2d_fast_isa()
        << ": at (n, oc, oy, ox) = (" << n << ", " << oc << ", " << oy << ", " << ox
        << ") expected " << expected[i] << " got " << got << " (tolerance " << tol << ")";
      return s.str();
    }
  }
  return "";
}

// ---- hand-worked cases ----

// 1×1×3×3 input 1..9, 2×2 kernel of ones, bias 1, no padding:
// (0,0) = 1+2+4+5 + 1 = 13, (0,1) = 2+3+5+6 + 1 = 17, (1,0) = 4+5+7+8 + 1 = 25, (1,1) = 29.
TEST(Conv2dFast, HandWorkedOnes) {
  const ConvGeometry g =
      make_geometry(1, 1, 3, 3, 1, 2, 2, 1, 1, 1, 1, 1, {}, PaddingMode::zeros, true);
  const std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w = {1, 1, 1, 1}, b = {1};
  for (int isa = 0; isa <= 2; ++isa) {
    IsaCap cap(isa);
    std::vector<float> out(4, -1.0f);
    detail::conv2d_fast(g, x.data(), w.data(), b.data(), out.data(), 1);
    EXPECT_EQ(out, (std::vector<float>{13, 17, 25, 29})) << detail::conv2d_fast_isa();
  }
}

// Row [1 2 3], kernel [1 1 1], one column of padding on each side:
//   zeros     [0 1 2 3 0] => 3 6 5
//   reflect   [2 1 2 3 2] => 5 6 7
//   replicate [1 1 2 3 3] => 4 6 8
//   circular  [3 1 2 3 1] => 6 6 6
TEST(Conv2dFast, HandWorkedPaddingModes) {
  const std::vector<double> x = {1, 2, 3}, w = {1, 1, 1};
  const std::pair<PaddingMode, std::vector<double>> cases[] = {{PaddingMode::zeros, {3, 6, 5}},
                                                               {PaddingMode::reflect, {5, 6, 7}},
                                                               {PaddingMode::replicate, {4, 6, 8}},
                                                               {PaddingMode::circular, {6, 6, 6}}};
  for (const auto& [mode, want] : cases) {
    const ConvGeometry g =
        make_geometry(1, 1, 1, 3, 1, 1, 3, 1, 1, 1, 1, 1, Pad4{0, 0, 1, 1}, mode, false);
    for (int isa = 0; isa <= 2; ++isa) {
      IsaCap cap(isa);
      std::vector<double> out(3, -1.0);
      detail::conv2d_fast(g, x.data(), w.data(), nullptr, out.data(), 2);
      EXPECT_EQ(out, want) << padding_mode_name(mode) << " " << detail::conv2d_fast_isa();
    }
  }
}

// Stride 2 with dilation 2 on a 1×1×5×5 ramp x[y][x] = 5y + x, 2×2 kernel [[1, 0], [0, 1]],
// no padding: taps (2oy, 2ox) and (2oy + 2, 2ox + 2); out_h = ⌊(5 − 2 − 1)/2⌋ + 1 = 2.
// (0,0) = 0 + 12 = 12, (0,1) = 2 + 14 = 16, (1,0) = 10 + 22 = 32, (1,1) = 12 + 24 = 36.
TEST(Conv2dFast, HandWorkedStrideDilation) {
  const ConvGeometry g =
      make_geometry(1, 1, 5, 5, 1, 2, 2, 2, 2, 2, 2, 1, {}, PaddingMode::zeros, false);
  std::vector<float> x(25);
  for (int i = 0; i < 25; ++i)
    x[static_cast<std::size_t>(i)] = static_cast<float>(i);
  const std::vector<float> w = {1, 0, 0, 1};
  for (int isa = 0; isa <= 2; ++isa) {
    IsaCap cap(isa);
    std::vector<float> out(4, -1.0f);
    detail::conv2d_fast(g, x.data(), w.data(), nullptr, out.data(), 1);
    EXPECT_EQ(out, (std::vector<float>{12, 16, 32, 36})) << detail::conv2d_fast_isa();
  }
}

// ---- randomized cases ----

struct RandomCase {
  ConvGeometry g;
  bool f64 = false;
  int threads = 1;
};

RandomCase random_case(std::mt19937_64& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  RandomCase rc;
  const int64_t groups = pick(0, 3) == 0 ? pick(2, 4) : 1;
  const bool depthwise = groups > 1 && pick(0, 1) == 0;
  const int64_t cpg_in = depthwise ? 1 : pick(1, 5);
  const int64_t cpg_out = depthwise ? pick(1, 2) : pick(1, 11);
  const int k_h = pick(1, 5), k_w = pick(1, 5);
  const int sh = pick(1, 3), sw = pick(1, 3), dh = pick(1, 3), dw = pick(1, 3);
  const int64_t in_h = pick(1, 3) == 1 ? pick(1, 8) : pick(8, 40);
  const int64_t in_w = pick(1, 3) == 1 ? pick(1, 8) : pick(8, 70);
  const PaddingMode mode = static_cast<PaddingMode>(pick(0, 3));
  // Padding limits: reflect needs pad < size, circular pad <= size (PyTorch's rules).
  auto pad_max = [&](int64_t size) -> int {
    const int64_t cap = mode == PaddingMode::reflect    ? size - 1
                        : mode == PaddingMode::circular ? size
                                                        : 4;
    return static_cast<int>(std::clamp<int64_t>(cap, 0, 4));
  };
  Pad4 pad;
  pad.top = pick(0, pad_max(in_h));
  pad.bottom = pick(0, 2) == 0 ? pad.top : pick(0, pad_max(in_h));
  pad.left = pick(0, pad_max(in_w));
  pad.right = pick(0, 2) == 0 ? pad.left : pick(0, pad_max(in_w));
  rc.g =
      make_geometry(pick(1, 3) == 1 ? pick(2, 3) : 1, groups * cpg_in, in_h, in_w, groups * cpg_out,
                    k_h, k_w, sh, sw, dh, dw, groups, pad, mode, pick(0, 1) == 1);
  rc.f64 = pick(0, 3) == 0;
  rc.threads = pick(1, 5);
  return rc;
}

TEST(Conv2dFast, RandomizedAgainstNaiveLoop) {
  const uint64_t seed = test::test_seed(20261122);
  std::mt19937_64 rng(seed);
  int run = 0;
  for (int trial = 0; trial < 600; ++trial) {
    RandomCase rc = random_case(rng);
    const ConvGeometry& g = rc.g;
    if (g.out_h < 1 || g.out_w < 1) continue;  // the kernel does not fit: invalid, skip
    ++run;
    for (int isa = 0; isa <= 2; ++isa) {
      IsaCap cap(isa);
      std::mt19937_64 data_rng(seed * 1000003 + static_cast<uint64_t>(trial));
      const std::string err = rc.f64 ? check_case<double>(g, data_rng, rc.threads)
                                     : check_case<float>(g, data_rng, rc.threads);
      ASSERT_EQ(err, "") << "seed " << seed << " (CONVSCOPE_SEED=" << seed << "), trial " << trial
                         << (rc.f64 ? " float64" : " float32");
    }
  }
  EXPECT_GT(run, 300);  // most random geometries are valid
}

// Sizes around the vector and tile widths (16 lanes, tiles of up to 12 vectors) and tiny images.
TEST(Conv2dFast, WidthsAroundVectorAndTileEdges) {
  const uint64_t seed = test::test_seed(7);
  std::mt19937_64 rng(seed);
  for (int64_t in_w : {1, 2, 15, 16, 17, 31, 33, 63, 65, 193, 200, 385}) {
    for (int64_t c_out : {1, 3, 8, 9, 17}) {
      const ConvGeometry g = make_geometry(1, 2, 3, in_w, c_out, 3, 3, 1, 1, 1, 1, 1,
                                           Pad4{1, 1, 1, 1}, PaddingMode::zeros, true);
      const std::string err = check_case<float>(g, rng, 2);
      ASSERT_EQ(err, "") << "seed " << seed;
    }
  }
}

// The five benchmark shapes (with extra variations), checked everywhere: the sizes the app runs.
TEST(Conv2dFast, BenchmarkShapes) {
  const uint64_t seed = test::test_seed(11);
  std::mt19937_64 rng(seed);
  const ConvGeometry cases[] = {
      make_geometry(1, 3, 270, 480, 3, 3, 3, 1, 1, 1, 1, 1, Pad4{1, 1, 1, 1}, PaddingMode::zeros,
                    true),
      make_geometry(1, 3, 224, 224, 64, 7, 7, 2, 2, 1, 1, 1, Pad4{3, 3, 3, 3}, PaddingMode::zeros,
                    true),
      make_geometry(1, 64, 56, 56, 64, 3, 3, 1, 1, 1, 1, 1, Pad4{1, 1, 1, 1}, PaddingMode::zeros,
                    true),
      make_geometry(1, 1, 128, 128, 1, 11, 11, 1, 1, 1, 1, 1, Pad4{5, 5, 5, 5},
                    PaddingMode::reflect, true),
      make_geometry(2, 32, 30, 30, 32, 3, 3, 1, 1, 1, 1, 32, Pad4{1, 1, 1, 1},
                    PaddingMode::replicate, false),
  };
  for (const ConvGeometry& g : cases) {
    for (int threads : {1, 2}) {
      const std::string err = check_case<float>(g, rng, threads);
      ASSERT_EQ(err, "") << "seed " << seed;
    }
  }
}

// Many channels (block tails: 20 = 8 + 8 + 4 output channels), 1×1 kernels with stride, a wide
// dilated kernel on a long thin image, and an image larger than one band in both directions.
TEST(Conv2dFast, ChannelTailsOneByOneAndWideDilation) {
  const uint64_t seed = test::test_seed(13);
  std::mt19937_64 rng(seed);
  const ConvGeometry cases[] = {
      make_geometry(1, 70, 9, 13, 20, 3, 3, 1, 1, 1, 1, 1, Pad4{1, 1, 1, 1}, PaddingMode::zeros,
                    true),
      make_geometry(2, 64, 15, 17, 20, 1, 1, 2, 2, 1, 1, 1, Pad4{}, PaddingMode::zeros, false),
      make_geometry(1, 1, 3, 2000, 2, 1, 7, 1, 3, 1, 100, 1, Pad4{0, 0, 50, 60},
                    PaddingMode::circular, true),
      make_geometry(1, 2, 301, 700, 5, 4, 2, 1, 1, 1, 1, 1, Pad4{2, 1, 0, 1}, PaddingMode::reflect,
                    true),
  };
  for (const ConvGeometry& g : cases) {
    for (int threads : {1, 2}) {
      const std::string err = check_case<float>(g, rng, threads);
      ASSERT_EQ(err, "") << "seed " << seed;
    }
  }
}

// Same result whatever the thread count (the work split must not change any output).
TEST(Conv2dFast, ThreadCountDoesNotChangeResults) {
  std::mt19937_64 rng(test::test_seed(3));
  const ConvGeometry g = make_geometry(2, 6, 37, 91, 10, 3, 5, 1, 2, 2, 1, 2, Pad4{2, 1, 3, 0},
                                       PaddingMode::circular, true);
  const auto x = random_values<float>(rng, g.n * g.c_in * g.in_h * g.in_w);
  const auto w = random_values<float>(rng, g.c_out * g.c_in_per_group * g.k_h * g.k_w);
  const auto b = random_values<float>(rng, g.c_out);
  std::vector<float> one(static_cast<std::size_t>(g.outputs()));
  detail::conv2d_fast(g, x.data(), w.data(), b.data(), one.data(), 1);
  for (int threads : {2, 3, 4, 7}) {
    std::vector<float> many(one.size());
    detail::conv2d_fast(g, x.data(), w.data(), b.data(), many.data(), threads);
    EXPECT_EQ(many, one) << threads << " threads";
  }
}

// Several application threads calling at once (each asking for 2 threads) get the same results
// as one call at a time.
TEST(Conv2dFast, ConcurrentCallersGetTheSameResults) {
  std::mt19937_64 rng(test::test_seed(17));
  const ConvGeometry g = make_geometry(1, 8, 40, 50, 12, 3, 3, 1, 1, 1, 1, 1, Pad4{1, 1, 1, 1},
                                       PaddingMode::zeros, true);
  const auto x = random_values<float>(rng, g.n * g.c_in * g.in_h * g.in_w);
  const auto w = random_values<float>(rng, g.c_out * g.c_in_per_group * g.k_h * g.k_w);
  const auto b = random_values<float>(rng, g.c_out);
  std::vector<float> want(static_cast<std::size_t>(g.outputs()));
  detail::conv2d_fast(g, x.data(), w.data(), b.data(), want.data(), 1);
  std::vector<std::vector<float>> got(4, std::vector<float>(want.size()));
  std::vector<std::thread> callers;
  for (std::size_t i = 0; i < got.size(); ++i) {
    callers.emplace_back([&, i] {
      for (int rep = 0; rep < 20; ++rep) {
        detail::conv2d_fast(g, x.data(), w.data(), b.data(), got[i].data(), 2);
      }
    });
  }
  for (std::thread& t : callers)
    t.join();
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_EQ(got[i], want) << "caller " << i;
}

// ---- the thread pool ----

TEST(ThreadPool, EveryTaskRunsExactlyOnce) {
  for (int threads : {1, 2, 3, 8}) {
    for (int64_t count : {0, 1, 2, 5, 100, 1000}) {
      std::vector<std::atomic<int>> hits(static_cast<std::size_t>(count));
      detail::run_tasks(count, threads, [&](int64_t t) { hits[static_cast<std::size_t>(t)]++; });
      for (int64_t t = 0; t < count; ++t) {
        ASSERT_EQ(hits[static_cast<std::size_t>(t)].load(), 1)
            << "task " << t << " of " << count << " with " << threads << " threads";
      }
    }
  }
}

TEST(ThreadPool, ReusesWorkersAcrossCalls) {
  detail::run_tasks(16, 3, [](int64_t) {});
  const int workers = detail::pool_worker_count();
  EXPECT_GE(workers, 2);
  for (int i = 0; i < 200; ++i)
    detail::run_tasks(16, 3, [](int64_t) {});
  EXPECT_EQ(detail::pool_worker_count(), workers);
}

TEST(ThreadPool, NestedCallRunsSerially) {
  std::atomic<int> inner{0};
  detail::run_tasks(4, 2, [&](int64_t) { detail::run_tasks(10, 2, [&](int64_t) { inner++; }); });
  EXPECT_EQ(inner.load(), 40);
}

// ---- the whole path: cs::conv2d (validation, layouts) over the fast path ----

TEST(Conv2dFast, PublicConv2dMatchesNaiveLoopInBothLayouts) {
  const uint64_t seed = test::test_seed(5);
  std::mt19937_64 rng(seed);
  // 2×4×9×11 → 6, 3×2 kernel, stride (2, 1), dilation (1, 2), groups 2, padding (1, 2) reflect.
  Conv2dParams params;
  params.stride_h = 2;
  params.dilation_w = 2;
  params.groups = 2;
  params.padding = PaddingSpec::pair(1, 2);
  params.padding_mode = PaddingMode::reflect;
  const ConvGeometry g = make_geometry(2, 4, 9, 11, 6, 3, 2, 2, 1, 1, 2, 2, Pad4{1, 1, 2, 2},
                                       PaddingMode::reflect, true);
  const auto x = random_values<float>(rng, g.n * g.c_in * g.in_h * g.in_w);
  const auto w = random_values<float>(rng, g.c_out * g.c_in_per_group * g.k_h * g.k_w);
  const auto b = random_values<float>(rng, g.c_out);
  std::vector<double> magnitude;
  const auto expected = naive_conv(g, x, w, &b, magnitude);

  std::vector<double> xd(x.begin(), x.end()), wd(w.begin(), w.end()), bd(b.begin(), b.end());
  const Tensor input = Tensor::from_values(DType::f32, {g.n, g.c_in, g.in_h, g.in_w}, xd);
  const Tensor weight =
      Tensor::from_values(DType::f32, {g.c_out, g.c_in_per_group, g.k_h, g.k_w}, wd);
  const Tensor bias = Tensor::from_values(DType::f32, {g.c_out}, bd);
  for (int threads : {1, 2, 0}) {
    for (Layout layout : {Layout::nchw, Layout::nhwc}) {
      params.layout = layout;
      const bool nhwc = layout == Layout::nhwc;
      auto y = conv2d(nhwc ? nchw_to_nhwc(input) : input, nhwc ? oihw_to_hwio(weight) : weight,
                      &bias, params, ExecOptions{threads});
      ASSERT_TRUE(y) << y.error().message;
      const Tensor out = nhwc ? nhwc_to_nchw(*y) : *y;
      ASSERT_EQ(out.shape(), (Shape{g.n, g.c_out, g.out_h, g.out_w}));
      for (int64_t i = 0; i < out.numel(); ++i) {
        const auto k = static_cast<std::size_t>(i);
        ASSERT_NEAR(out.get(i), expected[k], 1e-5 * magnitude[k] + 1e-7)
            << "seed " << seed << " flat output " << i << " layout " << layout_name(layout);
      }
    }
  }
}

}  // namespace
}  // namespace cs
