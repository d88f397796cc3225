// What the window asks the trace view (core/trace.hpp) in one frame, timed: a window's taps, a
// window and its taps, and the calls the canvas and the arithmetic panel make per frame, on a
// lesson-sized conv, a conv with 400 taps per window, and max and average pooling. Each
// iteration moves to the next window (so a view that caches its last window gains only within
// the iteration), except in BM_frame_calls_same_window. Results (with the old build run against the
// new one) are in bench/RESULTS.md.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "core/trace.hpp"

namespace {

cs::Tensor random_tensor(cs::Shape shape, uint64_t seed) {
  cs::Tensor t(cs::DType::f32, std::move(shape));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.set(i, dist(rng));
  return t;
}

cs::TraceViewPtr conv_view(int64_t c_in, int64_t hw, int64_t c_out, int64_t k) {
  cs::Conv2dParams p;
  p.padding = cs::PaddingSpec::symmetric(static_cast<int>(k / 2));
  const cs::Tensor x = random_tensor({1, c_in, hw, hw}, 1);
  const cs::Tensor w = random_tensor({c_out, c_in, k, k}, 2);
  const cs::Tensor b = random_tensor({c_out}, 3);
  return *cs::trace_conv2d(x, w, &b, p);
}

cs::TraceViewPtr pool_view(cs::PoolOp op, int k, int stride, bool ceil_mode) {
  cs::Pool2dParams p;
  p.op = op;
  p.k_h = p.k_w = k;
  p.stride_h = p.stride_w = stride;
  p.pad_h = p.pad_w = k / 2;
  p.ceil_mode = ceil_mode;
  return *cs::trace_pool2d(random_tensor({1, 3, 32, 32}, 4), p);
}

// The views: arg 0..3.
const cs::TraceView& view(int64_t which) {
  static const std::vector<cs::TraceViewPtr> views = {
      conv_view(3, 8, 4, 3),    // 27 taps per window (a lesson)
      conv_view(16, 24, 8, 5),  // 400 taps per window
      pool_view(cs::PoolOp::max, 3, 2, false),
      pool_view(cs::PoolOp::avg, 2, 2, true),
  };
  return *views[static_cast<std::size_t>(which)];
}

void label(benchmark::State& state) {
  static const char* names[] = {"conv 1x3x8x8->4 k3 (27 taps)", "conv 1x16x24x24->8 k5 (400 taps)",
                                "max pool 3x3 s2", "avg pool 2x2 s2 ceil"};
  state.SetLabel(names[state.range(0)]);
}

// taps(w) of window after window.
void BM_taps(benchmark::State& state) {
  const cs::TraceView& v = view(state.range(0));
  int64_t w = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(v.taps(w).back().running);
    w = (w + 1) % v.window_count();
  }
  label(state);
}

// window(w) then taps(w): what `convscope lesson` and the explanation ask per window.
void BM_window_and_taps(benchmark::State& state) {
  const cs::TraceView& v = view(state.range(0));
  int64_t w = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(v.window(w).value);
    benchmark::DoNotOptimize(v.taps(w).back().running);
    w = (w + 1) % v.window_count();
  }
  label(state);
}

// One frame of the window before this change: the canvas (window, the current tap, max
// pooling's best tap), the arithmetic panel's header (window, current tap) and its rows (window,
// current tap again, explain).
void BM_frame_calls_before(benchmark::State& state) {
  const cs::TraceView& v = view(state.range(0));
  const int64_t tap = v.taps_per_window() / 2;
  int64_t w = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(v.window(w).value);
    const cs::TraceTap t = v.tap(w, tap);
    if (t.best_tap >= 0 && t.best_tap != t.index) benchmark::DoNotOptimize(v.tap(w, t.best_tap).x);
    benchmark::DoNotOptimize(v.window(w).value);
    benchmark::DoNotOptimize(v.tap(w, tap).x);
    benchmark::DoNotOptimize(v.window(w).value);
    benchmark::DoNotOptimize(v.tap(w, tap).x);
    benchmark::DoNotOptimize(v.explain(w).lines.size());
    w = (w + 1) % v.window_count();
  }
  label(state);
}

// One frame after it: the arithmetic panel asks for the window and the current tap once and
// hands them to its rows.
void BM_frame_calls(benchmark::State& state) {
  const cs::TraceView& v = view(state.range(0));
  const int64_t tap = v.taps_per_window() / 2;
  int64_t w = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(v.window(w).value);
    const cs::TraceTap t = v.tap(w, tap);
    if (t.best_tap >= 0 && t.best_tap != t.index) benchmark::DoNotOptimize(v.tap(w, t.best_tap).x);
    benchmark::DoNotOptimize(v.window(w).value);
    benchmark::DoNotOptimize(v.tap(w, tap).x);
    benchmark::DoNotOptimize(v.explain(w).lines.size());
    w = (w + 1) % v.window_count();
  }
  label(state);
}

// The frame after this change while the stepper stays on one window (most frames: playing at a
// few steps per second redraws each window for many frames).
void BM_frame_calls_same_window(benchmark::State& state) {
  const cs::TraceView& v = view(state.range(0));
  const int64_t tap = v.taps_per_window() / 2, w = v.window_count() / 2;
  for (auto _ : state) {
    benchmark::DoNotOptimize(v.window(w).value);
    const cs::TraceTap t = v.tap(w, tap);
    if (t.best_tap >= 0 && t.best_tap != t.index) benchmark::DoNotOptimize(v.tap(w, t.best_tap).x);
    benchmark::DoNotOptimize(v.window(w).value);
    benchmark::DoNotOptimize(v.tap(w, tap).x);
    benchmark::DoNotOptimize(v.explain(w).lines.size());
  }
  label(state);
}

BENCHMARK(BM_taps)->DenseRange(0, 3);
BENCHMARK(BM_window_and_taps)->DenseRange(0, 3);
BENCHMARK(BM_frame_calls_before)->DenseRange(0, 3);
BENCHMARK(BM_frame_calls)->DenseRange(0, 3);
BENCHMARK(BM_frame_calls_same_window)->DenseRange(0, 3);

}  // namespace

BENCHMARK_MAIN();
