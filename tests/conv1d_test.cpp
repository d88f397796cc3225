// conv1d (core/conv1d.hpp): the seed PyTorch notebook's np.convolve numbers, np.convolve's
// 'full', 'same' and 'valid' worked by hand (NumPy's even-kernel alignment and its swap when the
// kernel is the longer), torch.nn.functional.conv1d's rules in 1-D sentences, and randomized
// cases against naive loops written here from NumPy's and PyTorch's definitions (CONVSCOPE_SEED
// replays).
#include "core/conv1d.hpp"

#include <gtest/gtest.h>

#include <random>

#include "test_util.hpp"

namespace cs {
namespace {

using test::values;

Tensor f64(Shape shape, const std::vector<double>& v) {
  return Tensor::from_values(DType::f64, std::move(shape), v);
}

// np.convolve(a, v, mode) as conv1d --flip --padding mode on 1-D arrays.
Result<Tensor> np_convolve(const std::vector<double>& a, const std::vector<double>& v,
                           PaddingSpec mode) {
  Conv1dParams p;
  p.flip = true;
  p.padding = mode;
  return conv1d(f64({static_cast<int64_t>(a.size())}, a), f64({static_cast<int64_t>(v.size())}, v),
                nullptr, p);
}

// The seed notebook: np.convolve([1, 2, 3], [0, 1, 0.5], mode='full') printed
// [0. 1. 2.5 4. 1.5]: the kernel reversed is [0.5, 1, 0], sliding over [0 0 1 2 3 0 0]:
// 0, 1, 0.5 + 2 = 2.5, 1 + 3 = 4, 1.5. 'same' keeps the middle three, 'valid' the one full overlap.
TEST(Conv1dSeeds, NumpyConvolveModes) {
  const std::vector<double> a = {1, 2, 3}, v = {0, 1, 0.5};
  auto full = np_convolve(a, v, PaddingSpec::full());
  ASSERT_TRUE(full) << full.error().message;
  EXPECT_EQ(full->shape(), (Shape{5}));
  EXPECT_EQ(values(*full), (std::vector<double>{0, 1, 2.5, 4, 1.5}));
  EXPECT_EQ(values(*np_convolve(a, v, PaddingSpec::same())), (std::vector<double>{1, 2.5, 4}));
  EXPECT_EQ(values(*np_convolve(a, v, PaddingSpec::valid())), (std::vector<double>{2.5}));
}

// An even kernel: np.convolve([1 2 3 4 5], [1 10]) is 'full' [1, 12, 23, 34, 45, 50] (n-th value
// a[n] + 10·a[n − 1]). NumPy's 'same' keeps len(a) values from index ⌊(2 − 1)/2⌋ = 0:
// [1, 12, 23, 34, 45]; 'valid' [12, 23, 34, 45]. With [1 10 100 1000], 'same' starts at
// ⌊3/2⌋ = 1: [12, 123, 1234, 2345, 3450].
// PyTorch's own 'same' (no flip) puts the odd padding at the end: x[o] + 10·x[o + 1] =
// [21, 32, 43, 54, 5]; with --flip the split is mirrored, which is NumPy's.
TEST(Conv1d, NumpySameWithAnEvenKernel) {
  const std::vector<double> a = {1, 2, 3, 4, 5};
  EXPECT_EQ(values(*np_convolve(a, {1, 10}, PaddingSpec::full())),
            (std::vector<double>{1, 12, 23, 34, 45, 50}));
  EXPECT_EQ(values(*np_convolve(a, {1, 10}, PaddingSpec::same())),
            (std::vector<double>{1, 12, 23, 34, 45}));
  EXPECT_EQ(values(*np_convolve(a, {1, 10}, PaddingSpec::valid())),
            (std::vector<double>{12, 23, 34, 45}));
  EXPECT_EQ(values(*np_convolve(a, {1, 10, 100, 1000}, PaddingSpec::same())),
            (std::vector<double>{12, 123, 1234, 2345, 3450}));
  Conv1dParams torch_same;
  torch_same.padding = PaddingSpec::same();
  auto y = conv1d(f64({5}, a), f64({2}, {1, 10}), nullptr, torch_same);
  ASSERT_TRUE(y);
  EXPECT_EQ(values(*y), (std::vector<double>{21, 32, 43, 54, 5}));
}

// NumPy swaps a and v when v is the longer: np.convolve([1, 2], [1, 10, 100, 1000]) 'full' is
// [1, 12, 120, 1200, 2000]; 'same' has len(v) = 4 values from index ⌊(2 − 1)/2⌋ = 0 of it:
// [1, 12, 120, 1200]; 'valid' 4 − 2 + 1 = 3: [12, 120, 1200].
TEST(Conv1d, NumpySwapsWhenTheKernelIsLonger) {
  const std::vector<double> a = {1, 2}, v = {1, 10, 100, 1000};
  EXPECT_EQ(values(*np_convolve(a, v, PaddingSpec::full())),
            (std::vector<double>{1, 12, 120, 1200, 2000}));
  EXPECT_EQ(values(*np_convolve(a, v, PaddingSpec::same())),
            (std::vector<double>{1, 12, 120, 1200}));
  EXPECT_EQ(values(*np_convolve(a, v, PaddingSpec::valid())), (std::vector<double>{12, 120, 1200}));
  auto plan = conv1d_plan({2}, {4}, -1, [] {
    Conv1dParams p;
    p.flip = true;
    p.padding = PaddingSpec::valid();
    return p;
  }());
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->swapped);
  // Without --flip it is PyTorch's conv1d, which refuses a kernel longer than the input.
  Conv1dParams torch_valid;
  auto r = conv1d(f64({2}, a), f64({4}, v), nullptr, torch_valid);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "kernel of 4 taps spans 4 samples, but the padded input has only 2; use a smaller "
            "kernel or dilation, or more padding");
}

// torch.nn.functional.conv1d(x, w, stride=2, padding=1, dilation=2) on x = [1 2 3 4 5 6], w =
// [1 10]: padded [0 1 2 3 4 5 6 0], span 2·1 + 1 = 3, out ⌊(6 + 2 − 2·1 − 1)/2⌋ + 1 = 3 windows
// at 0, 2, 4: 0 + 10·2 = 20, 2 + 10·4 = 42, 4 + 10·6 = 64.
TEST(Conv1d, StrideDilationPadding) {
  Conv1dParams p;
  p.stride = 2;
  p.dilation = 2;
  p.padding = PaddingSpec::symmetric(1);
  auto plan = conv1d_plan({1, 1, 6}, {1, 1, 2}, -1, p);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->output, (Shape{1, 1, 3}));
  EXPECT_EQ(conv1d_formula(plan->geometry),
            "out_l = \xE2\x8C\x8A(in_l + pad_left + pad_right \xE2\x88\x92 dilation\xC2\xB7(k "
            "\xE2\x88\x92 1) \xE2\x88\x92 1) / stride\xE2\x8C\x8B + 1 = \xE2\x8C\x8A(6 + 1 + 1 "
            "\xE2\x88\x92 2\xC2\xB7(2 \xE2\x88\x92 1) \xE2\x88\x92 1) / 2\xE2\x8C\x8B + 1 = 3");
  auto y = conv1d(f64({1, 1, 6}, {1, 2, 3, 4, 5, 6}), f64({1, 1, 2}, {1, 10}), nullptr, p);
  ASSERT_TRUE(y);
  EXPECT_EQ(values(*y), (std::vector<double>{20, 42, 64}));
}

TEST(Conv1d, ShapesFollowTheInputsRank) {
  Conv1dParams p;
  auto unbatched = conv1d_plan({2, 5}, {3, 2, 2}, 3, p);  // PyTorch: [C, L] => [C_out, L_out]
  ASSERT_TRUE(unbatched);
  EXPECT_EQ(unbatched->output, (Shape{3, 4}));
  auto one = conv1d_plan({5}, {3}, -1, p);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->output, (Shape{3}));
  auto many = conv1d_plan({5}, {2, 1, 3}, -1, p);  // one signal, two filters
  ASSERT_TRUE(many);
  EXPECT_EQ(many->output, (Shape{2, 3}));
  p.padding = PaddingSpec::full();
  auto full = conv1d_plan({2, 3, 5}, {4, 3, 3}, -1, p);  // 5 + 2·2 − 3 + 1 = 7
  ASSERT_TRUE(full);
  EXPECT_EQ(full->output, (Shape{2, 4, 7}));
}

TEST(Conv1d, SentencesInOneDimension) {
  auto msg = [](const Shape& x, const Shape& w, int64_t bias, const Conv1dParams& p) {
    auto r = conv1d_plan(x, w, bias, p);
    return r ? std::string("ok") : r.error().message;
  };
  Conv1dParams p;
  EXPECT_EQ(msg({1, 1, 2, 5}, {3}, -1, p),
            "input of shape 1\xC3\x97"
            "1\xC3\x97"
            "2\xC3\x97"
            "5 has 4 dimensions; conv1d takes [N, C_in, L], [C_in, L] or one signal [L]");
  EXPECT_EQ(msg({5}, {3, 3}, -1, p),
            "weight of shape 3\xC3\x97"
            "3 has 2 dimensions; conv1d takes [C_out, C_in/groups, K] or one kernel [K]");
  p.stride = 2;
  p.padding = PaddingSpec::same();
  EXPECT_EQ(msg({5}, {3}, -1, p),
            "padding 'same' needs stride 1 (PyTorch refuses it for strided convolutions), but "
            "the stride is 2; give the padding as a number");
  p = {};
  p.groups = 2;
  EXPECT_EQ(msg({1, 3, 5}, {2, 1, 3}, -1, p),
            "groups 2 must divide the 3 input channels; choose a divisor of 3");
  p = {};
  EXPECT_EQ(msg({1, 4, 5}, {2, 3, 3}, -1, p),
            "weight of shape 2\xC3\x97"
            "3\xC3\x97"
            "3 [C_out, C_in/groups, K] expects 3 input channels per group, but the input has 4 "
            "channels / 1 group = 4");
  EXPECT_EQ(msg({1, 1, 5}, {2, 1, 3}, 3, p),
            "bias has 3 values but the weight has 2 filters; give one bias per output channel");
  p.padding = PaddingSpec::symmetric(3);
  p.padding_mode = PaddingMode::reflect;
  EXPECT_EQ(msg({3}, {3}, -1, p),
            "reflect padding of 3 needs a signal longer than 3 samples, but it has 3 (reflection "
            "does not repeat the edge); use less padding or padding mode replicate");
  p = {};
  p.dilation = 2;
  EXPECT_EQ(msg({4}, {3}, -1, p),
            "kernel of 3 taps with dilation 2 spans 5 samples, but the padded input has only 4; "
            "use a smaller kernel or dilation, or more padding");
  p = {};
  p.padding = PaddingSpec::pair(1, 2);
  p.padding.kind = PaddingSpec::Kind::sides;
  EXPECT_EQ(msg({4}, {3}, -1, p),
            "padding per side is a 2-D setting; conv1d takes a number, 'same', 'valid' or "
            "'full'");
  p = {};
  p.stride = 0;
  EXPECT_EQ(msg({4}, {3}, -1, p), "stride must be at least 1; got 0");
}

// ---- Randomized ----

// np.convolve from its definition: (a * v)[n] = Σ_m a[m]·v[n − m]; 'full' n = 0 .. N + M − 2;
// with the longer array first (NumPy's swap), 'same' keeps max(N, M) values from ⌊(min − 1)/2⌋,
// 'valid' max − min + 1 values from min − 1.
std::vector<double> naive_np_convolve(std::vector<double> a, std::vector<double> v,
                                      PaddingSpec::Kind mode) {
  if (v.size() > a.size()) std::swap(a, v);
  const int64_t n = static_cast<int64_t>(a.size()), m = static_cast<int64_t>(v.size());
  std::vector<double> full(static_cast<std::size_t>(n + m - 1), 0.0);
  for (int64_t i = 0; i < n + m - 1; ++i)
    for (int64_t j = 0; j < n; ++j)
      if (i - j >= 0 && i - j < m) full[static_cast<std::size_t>(i)] += a[j] * v[i - j];
  int64_t start = 0, count = n + m - 1;
  if (mode == PaddingSpec::Kind::same) {
    start = (m - 1) / 2;
    count = n;
  } else if (mode == PaddingSpec::Kind::valid) {
    start = m - 1;
    count = n - m + 1;
  }
  return std::vector<double>(full.begin() + start, full.begin() + start + count);
}

TEST(Conv1dRandom, NumpyConvolveExactly) {
  const uint64_t seed = test::test_seed();
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const PaddingSpec::Kind modes[] = {PaddingSpec::Kind::full, PaddingSpec::Kind::same,
                                     PaddingSpec::Kind::valid};
  for (int iter = 0; iter < 300; ++iter) {
    const Tensor a = test::random_tensor(rng, DType::f64, {pick(1, 9)}, true);
    const Tensor v = test::random_tensor(rng, DType::f64, {pick(1, 9)}, true);
    const PaddingSpec::Kind mode = modes[pick(0, 2)];
    PaddingSpec spec;
    spec.kind = mode;
    const std::string where = "seed " + std::to_string(seed) + " iter " + std::to_string(iter);
    auto got = np_convolve(values(a), values(v), spec);
    ASSERT_TRUE(got) << where << ": " << got.error().message;
    EXPECT_EQ(values(*got), naive_np_convolve(values(a), values(v), mode))
        << where << ": len(a) " << a.numel() << ", len(v) " << v.numel() << ", mode "
        << padding_spec_to_string(spec);
  }
}

// torch.nn.functional.conv1d from its definition, on the padded signal (every padding mode).
TEST(Conv1dRandom, MatchesTorchsDefinition) {
  const uint64_t seed = test::test_seed();
  std::mt19937_64 rng(seed + 1);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const PaddingMode modes[] = {PaddingMode::zeros, PaddingMode::reflect, PaddingMode::replicate,
                               PaddingMode::circular};
  for (int iter = 0; iter < 200; ++iter) {
    const int64_t n = pick(1, 2), groups = pick(1, 2), cpg = pick(1, 2), opg = pick(1, 2);
    const int64_t length = pick(2, 10), k = pick(1, 4);
    Conv1dParams p;
    p.groups = static_cast<int>(groups);
    p.dilation = pick(1, 3);
    p.padding_mode = modes[pick(0, 3)];
    const int kind = pick(0, 2);
    p.padding = kind == 0   ? PaddingSpec::symmetric(pick(0, 1))
                : kind == 1 ? PaddingSpec::same()
                            : PaddingSpec::full();
    p.stride = kind == 1 ? 1 : pick(1, 3);
    p.flip = pick(0, 1) == 1;
    const DType dt = pick(0, 1) ? DType::f32 : DType::f64;
    const Tensor x = test::random_tensor(rng, dt, {n, groups * cpg, length}, false);
    const Tensor w = test::random_tensor(rng, dt, {groups * opg, cpg, k}, false);
    const Tensor b = test::random_tensor(rng, dt, {groups * opg}, false);
    const std::string where = "seed " + std::to_string(seed) + " iter " + std::to_string(iter);
    auto plan = conv1d_plan(x.shape(), w.shape(), b.dim(0), p);
    if (!plan) continue;  // too much reflect/circular padding, or the kernel does not fit
    auto y = conv1d(x, w, &b, p);
    ASSERT_TRUE(y) << where << ": " << y.error().message;
    const int64_t span = p.dilation * (k - 1) + 1;
    int64_t left = 0, right = 0;
    if (kind == 0) left = right = p.padding.w;
    if (kind == 1) {  // PyTorch: the odd one at the end; flipped, at the start
      left = p.flip ? span / 2 : (span - 1) / 2;
      right = span - 1 - left;
    }
    if (kind == 2) left = right = span - 1;
    // The flipped kernel is reversed; the naive loop reads it back to front.
    Tensor w4(DType::f64, {w.dim(0), cpg, 1, k});
    for (int64_t i = 0; i < w.numel(); ++i) {
      const int64_t kk = i % k, row = i / k;
      w4.set(i, w.get(row * k + (p.flip ? k - 1 - kk : kk)));
    }
    const Tensor want =
        test::naive_conv2d(*x.to(DType::f64).reshaped({n, groups * cpg, 1, length}), w4, &b, 1,
                           p.stride, 1, p.dilation, p.groups,
                           {0, 0, static_cast<int>(left), static_cast<int>(right)}, p.padding_mode);
    ASSERT_EQ(y->numel(), want.numel()) << where;
    const double tol = dt == DType::f32 ? 1e-4 : 1e-12;
    for (int64_t i = 0; i < want.numel(); ++i)
      ASSERT_NEAR(y->get(i), want.get(i), tol)
          << where << " at " << test::nchw_index(want.shape(), i);
  }
}

}  // namespace
}  // namespace cs
