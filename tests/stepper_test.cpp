// Tests of cs::Stepper, the cursor over a trace: hand-worked positions first (arithmetic in the
// comments), then random step sequences against a brute-force model written here.
#include "core/stepper.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "core/trace.hpp"

namespace cs {
namespace {

// N=1, C_out=2, OH=2, OW=3, 4 taps per window: 5 steps per window (4 multiplies + the result),
// 1·2·2·3 = 12 windows, 60 steps in all.
StepperGeometry small_geo() {
  return {1, 2, 2, 3, 4};
}

TEST(Stepper, CountsStepsAndWindows) {
  Stepper s(small_geo());
  EXPECT_EQ(s.geometry().windows(), 12);
  EXPECT_EQ(s.total(), 60);
  EXPECT_EQ(s.global(), 0);
  EXPECT_TRUE(s.at_home());
  EXPECT_FALSE(s.at_end());
}

TEST(Stepper, SeekDecomposesGlobalIndex) {
  Stepper s(small_geo());
  // 37 = 7·5 + 2: window 7, tap 2. Window 7 = ((0·2 + 1)·2 + 0)·3 + 1: o=1, y=0, x=1.
  s.seek(37);
  EXPECT_EQ(s.window(), 7);
  EXPECT_EQ(s.tap(), 2);
  EXPECT_EQ(s.n(), 0);
  EXPECT_EQ(s.oc(), 1);
  EXPECT_EQ(s.oy(), 0);
  EXPECT_EQ(s.ox(), 1);
  EXPECT_FALSE(s.at_result());
  // 59 = 11·5 + 4: the last window's result step (o=1, y=1, x=2).
  s.seek(59);
  EXPECT_EQ(s.window(), 11);
  EXPECT_TRUE(s.at_result());
  EXPECT_TRUE(s.at_end());
  EXPECT_EQ(s.oc(), 1);
  EXPECT_EQ(s.oy(), 1);
  EXPECT_EQ(s.ox(), 2);
  // Out of range clamps.
  s.seek(1000);
  EXPECT_EQ(s.global(), 59);
  s.seek(-5);
  EXPECT_EQ(s.global(), 0);
  s.seek_window(3, 99);  // tap clamps to 4
  EXPECT_EQ(s.global(), 3 * 5 + 4);
}

TEST(Stepper, WrittenWindows) {
  Stepper s(small_geo());
  s.seek(7);  // window 1, tap 2: window 0 written, window 1 not yet
  EXPECT_TRUE(s.is_written(0));
  EXPECT_FALSE(s.is_written(1));
  s.seek(9);  // window 1, tap 4: its result step
  EXPECT_TRUE(s.is_written(1));
  EXPECT_FALSE(s.is_written(2));
}

TEST(Stepper, MultiplySteps) {
  Stepper s(small_geo());
  EXPECT_TRUE(s.step(StepUnit::multiply, +1));
  EXPECT_EQ(s.global(), 1);
  EXPECT_TRUE(s.step(StepUnit::multiply, -1));
  EXPECT_EQ(s.global(), 0);
  EXPECT_FALSE(s.step(StepUnit::multiply, -1));  // already home
  s.end();
  EXPECT_FALSE(s.step(StepUnit::multiply, +1));  // already at the end
  EXPECT_EQ(s.global(), 59);
}

TEST(Stepper, WindowStepsLandOnResults) {
  Stepper s(small_geo());
  s.seek(7);  // window 1, tap 2
  s.step(StepUnit::window, +1);
  EXPECT_EQ(s.global(), 9);  // finish window 1: 1·5 + 4
  s.step(StepUnit::window, +1);
  EXPECT_EQ(s.global(), 14);  // window 2's result: 2·5 + 4
  s.step(StepUnit::window, -1);
  EXPECT_EQ(s.global(), 9);
  s.seek(7);
  s.step(StepUnit::window, -1);
  EXPECT_EQ(s.global(), 4);  // window 0's result
  s.seek(2);
  s.step(StepUnit::window, -1);
  EXPECT_EQ(s.global(), 0);  // no earlier result: home
}

TEST(Stepper, RowAndChannelSteps) {
  Stepper s(small_geo());
  // Rows are 3 windows: stops at windows 2, 5, 8, 11 => 14, 29, 44, 59.
  s.step(StepUnit::row, +1);
  EXPECT_EQ(s.global(), 14);
  s.step(StepUnit::row, +1);
  EXPECT_EQ(s.global(), 29);
  s.seek(20);  // window 4, tap 0: inside row 1
  s.step(StepUnit::row, -1);
  EXPECT_EQ(s.global(), 14);
  s.step(StepUnit::row, -1);
  EXPECT_EQ(s.global(), 0);
  // Channels are 6 windows: stops at windows 5 and 11 => 29 and 59.
  s.step(StepUnit::channel, +1);
  EXPECT_EQ(s.global(), 29);
  s.step(StepUnit::channel, +1);
  EXPECT_EQ(s.global(), 59);
  EXPECT_FALSE(s.step(StepUnit::channel, +1));
  s.step(StepUnit::channel, -1);
  EXPECT_EQ(s.global(), 29);
}

TEST(Stepper, KeepsCoordinateWhenTheTraceChanges) {
  Stepper s(small_geo());
  s.seek(11 * 5 + 3);  // o=1, y=1, x=2, tap 3
  // New shape: C_out=1, OH=3, OW=2, 2 taps. o clamps to 0, y stays 1, x clamps to 1; window
  // (0·3 + 1)·2 + 1 = 3, tap clamps to 2.
  s.set_geometry({1, 1, 3, 2, 2});
  EXPECT_EQ(s.window(), 3);
  EXPECT_EQ(s.tap(), 2);
  EXPECT_EQ(s.oc(), 0);
  EXPECT_EQ(s.oy(), 1);
  EXPECT_EQ(s.ox(), 1);
  // Growing keeps the coordinate as is: C_out=4, OH=5, OW=5 => window (0·5 + 1)·5 + 1 = 6.
  s.set_geometry({1, 4, 5, 5, 9});
  EXPECT_EQ(s.window(), 6);
  EXPECT_EQ(s.tap(), 2);
  // An empty shape parks at 0 and stops playing.
  s.play();
  s.set_geometry({0, 0, 0, 0, 0});
  EXPECT_TRUE(s.empty());
  EXPECT_FALSE(s.playing());
  EXPECT_FALSE(s.step(StepUnit::multiply, +1));
}

TEST(Stepper, PlayIsTimeBasedWithFractions) {
  Stepper s(small_geo());
  s.set_speed(2.0);               // 2 steps per second
  EXPECT_EQ(s.advance(0.25), 0);  // not playing: nothing
  s.play();
  EXPECT_EQ(s.advance(0.25), 0);  // 0.5 step carried
  EXPECT_EQ(s.advance(0.25), 1);  // 1.0: one step
  EXPECT_EQ(s.global(), 1);
  EXPECT_EQ(s.advance(0.125), 0);  // 0.25 carried
  EXPECT_EQ(s.advance(0.125), 0);  // 0.5
  EXPECT_EQ(s.advance(0.25), 1);   // 1.0
  EXPECT_EQ(s.global(), 2);
  s.set_speed(8.0);
  EXPECT_EQ(s.advance(0.25), 2);  // 8 · 0.25 = 2 steps
  EXPECT_EQ(s.global(), 4);
}

TEST(Stepper, PlayStopsAtTheEndAndRestartsFromHome) {
  Stepper s(small_geo());
  s.seek(57);
  s.set_speed(100.0);
  s.play();
  EXPECT_EQ(s.advance(0.25), 2);  // 25 steps asked, 2 left
  EXPECT_TRUE(s.at_end());
  EXPECT_FALSE(s.playing());
  s.play();  // at the end: starts again
  EXPECT_TRUE(s.playing());
  EXPECT_EQ(s.global(), 0);
  s.toggle_play();
  EXPECT_FALSE(s.playing());
}

TEST(Stepper, PlayByWindow) {
  Stepper s(small_geo());
  s.set_speed(8.0);
  s.set_play_unit(StepUnit::window);
  s.play();
  EXPECT_EQ(s.advance(0.25), 2);  // 8 · 0.25 = two windows: results of windows 0 and 1
  EXPECT_EQ(s.global(), 9);
}

TEST(Stepper, ALongStallDoesNotJump) {
  Stepper s(small_geo());
  s.set_speed(1.0);
  s.play();
  // A 10 s stall counts as 0.25 s: 0.25 step carried, nothing taken.
  EXPECT_EQ(s.advance(10.0), 0);
  EXPECT_EQ(s.advance(10.0), 0);  // 0.5
  EXPECT_EQ(s.advance(10.0), 0);  // 0.75
  EXPECT_EQ(s.advance(10.0), 1);  // 1.0
  EXPECT_EQ(s.global(), 1);
}

TEST(Stepper, GeometryOfConvAndPoolTraces) {
  // Input [1, 2, 5, 5], weight [3, 2, 3, 3], padding 1, stride 2: out ⌊(5+2−3)/2⌋+1 = 3, so
  // 1·3·3·3 windows of 2·3·3 = 18 taps.
  Tensor in(DType::f32, {1, 2, 5, 5});
  Tensor w(DType::f32, {3, 2, 3, 3});
  Conv2dParams p;
  p.stride_h = p.stride_w = 2;
  p.padding = PaddingSpec::symmetric(1);
  auto trace = trace_conv2d(in, w, nullptr, p);
  ASSERT_TRUE(trace.has_value()) << trace.error().message;
  EXPECT_EQ((*trace)->stepper_geometry(), (StepperGeometry{1, 3, 3, 3, 18}));
  // Max pool 2×2 over [1, 2, 4, 6]: out 2×3 per channel, 4 taps.
  Tensor pin(DType::f32, {1, 2, 4, 6});
  Pool2dParams pp;
  auto ptrace = trace_pool2d(pin, pp);
  ASSERT_TRUE(ptrace.has_value()) << ptrace.error().message;
  EXPECT_EQ((*ptrace)->stepper_geometry(), (StepperGeometry{1, 2, 2, 3, 4}));
}

// Brute-force model: a coarse unit's stops are the result steps of each block's last window.
int64_t model_step(const StepperGeometry& g, int64_t pos, StepUnit unit, int dir) {
  const int64_t total = g.total_steps();
  if (unit == StepUnit::multiply) return std::clamp<int64_t>(pos + dir, 0, total - 1);
  int64_t bw = 1;
  if (unit == StepUnit::row) bw = g.out_w;
  if (unit == StepUnit::channel) bw = g.out_h * g.out_w;
  std::vector<int64_t> stops;
  for (int64_t w = 0; w < g.windows(); ++w) {
    if ((w + 1) % bw == 0 || w == g.windows() - 1) {
      stops.push_back(w * g.steps_per_window() + g.taps_per_window);
    }
  }
  if (dir > 0) {
    for (int64_t s : stops) {
      if (s > pos) return s;
    }
    return pos;
  }
  int64_t best = 0;
  for (int64_t s : stops) {
    if (s < pos) best = s;
  }
  return best;
}

TEST(Stepper, RandomStepsMatchTheModel) {
  const char* env = std::getenv("STEPPER_SEED");
  const uint64_t seed = env ? std::strtoull(env, nullptr, 10) : std::random_device{}();
  std::printf("stepper random seed: %llu (set STEPPER_SEED to replay)\n",
              static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int round = 0; round < 200; ++round) {
    StepperGeometry g{pick(1, 2), pick(1, 3), pick(1, 4), pick(1, 5), pick(1, 9)};
    Stepper s(g);
    s.seek(pick(0, static_cast<int>(g.total_steps()) - 1));
    for (int i = 0; i < 40; ++i) {
      const StepUnit unit = static_cast<StepUnit>(pick(0, 3));
      const int dir = pick(0, 1) ? +1 : -1;
      const int64_t before = s.global();
      const int64_t want = model_step(g, before, unit, dir);
      const bool moved = s.step(unit, dir);
      ASSERT_EQ(s.global(), want) << "seed " << seed << " round " << round << " geometry " << g.n
                                  << "×" << g.c_out << "×" << g.out_h << "×" << g.out_w << " taps "
                                  << g.taps_per_window << " from " << before << " unit "
                                  << step_unit_name(unit) << " dir " << dir;
      ASSERT_EQ(moved, want != before);
      ASSERT_EQ(s.window() * g.steps_per_window() + s.tap(), s.global());
      ASSERT_EQ(((s.n() * g.c_out + s.oc()) * g.out_h + s.oy()) * g.out_w + s.ox(), s.window());
    }
  }
}

}  // namespace
}  // namespace cs
