// The live preview's worker (app/ui/preview_worker.hpp), in process and without a display:
//  - the UI thread's calls never wait for a computation: with the worker held inside a job,
//    submit(), take(), busy() and counts() all return, and requests queued meanwhile collapse
//    into the newest (stale kernels are dropped, the newest is computed next);
//  - what it computes is the engine's convolution with the display mapping, shrunk for display
//    with the full result's colours; halve() and shrink by block means, hand-worked.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <future>
#include <mutex>
#include <random>
#include <thread>

#include "app/gpu/display_map.hpp"
#include "app/ui/preview_worker.hpp"
#include "core/conv2d.hpp"
#include "test_util.hpp"

namespace cs {
namespace {

using namespace std::chrono_literals;

// A gate the worker's hook waits at until the test opens it, and which says when it was reached.
class Gate {
 public:
  void arrive_and_wait() {
    std::unique_lock<std::mutex> lock(m_mutex);
    ++m_arrived;
    m_cv.notify_all();
    m_cv.wait(lock, [this] { return m_open; });
  }
  bool wait_arrived(int count, std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> lock(m_mutex);
    return m_cv.wait_for(lock, timeout, [&] { return m_arrived >= count; });
  }
  void open() {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_open = true;
    m_cv.notify_all();
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  int m_arrived = 0;
  bool m_open = false;
};

PreviewJob small_job(uint64_t id, double w0) {
  PreviewJob job;
  job.id = id;
  auto input = std::make_shared<Tensor>(DType::f32, Shape{1, 1, 4, 4});
  for (int64_t i = 0; i < 16; ++i)
    input->set(i, static_cast<double>(i) / 16.0);
  job.input = input;
  job.weight = Tensor::from_values(DType::f32, {1, 1, 1, 1}, {w0});
  job.mapping = gpu::DisplayMapping::clip;
  return job;
}

// Runs `call` on another thread and says whether it returned within two seconds while the
// worker is held at `gate` (a call that waited for the held computation would not; the gate is
// then opened so that it can end, and the test fails instead of hanging).
bool returns_promptly(Gate& gate, const std::function<void()>& call) {
  auto done = std::async(std::launch::async, call);
  if (done.wait_for(2s) == std::future_status::ready) return true;
  gate.open();
  done.wait();
  return false;
}

std::unique_ptr<PreviewResult> take_within(PreviewWorker& worker, std::chrono::seconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (auto r = worker.take()) return r;
    std::this_thread::sleep_for(1ms);
  }
  return nullptr;
}

TEST(PreviewWorker, TheUiThreadNeverWaitsAndStaleRequestsAreDropped) {
  Gate gate;
  PreviewWorker worker;
  worker.set_before_job([&] { gate.arrive_and_wait(); });
  worker.submit(small_job(1, 1.0));
  ASSERT_TRUE(gate.wait_arrived(1, 10s)) << "the worker never started job 1";
  // Job 1 is held inside the worker. Everything the UI thread calls still returns at once.
  std::unique_ptr<PreviewResult> none;
  EXPECT_TRUE(returns_promptly(gate, [&] { worker.submit(small_job(2, 2.0)); }));
  EXPECT_TRUE(returns_promptly(gate, [&] { worker.submit(small_job(3, 3.0)); }));
  EXPECT_TRUE(returns_promptly(gate, [&] { worker.submit(small_job(4, 4.0)); }));
  EXPECT_TRUE(returns_promptly(gate, [&] { none = worker.take(); }));
  EXPECT_EQ(none, nullptr);
  bool busy = false;
  EXPECT_TRUE(returns_promptly(gate, [&] { busy = worker.busy(); }));
  EXPECT_TRUE(busy);
  PreviewWorkerCounts c;
  EXPECT_TRUE(returns_promptly(gate, [&] { c = worker.counts(); }));
  EXPECT_EQ(c.submitted, 4u);
  EXPECT_EQ(c.dropped, 2u);  // 2 and 3 were replaced before the worker reached them
  EXPECT_EQ(c.finished, 0u);

  gate.open();
  // Job 1 finishes, then only the newest request (4) is computed.
  std::vector<uint64_t> ids;
  while (ids.empty() || ids.back() != 4) {
    auto r = take_within(worker, 10s);
    ASSERT_NE(r, nullptr) << "no result after " << ids.size() << " results";
    EXPECT_TRUE(r->error.empty()) << r->error;
    ids.push_back(r->id);
  }
  for (uint64_t id : ids)
    EXPECT_TRUE(id == 1 || id == 4) << id;
  EXPECT_EQ(worker.counts().finished, 2u);
  EXPECT_FALSE(worker.busy());
}

TEST(PreviewWorker, ResultsAreTheEngineAndTheDisplayMapping) {
  std::mt19937_64 rng(test::test_seed());
  const Tensor x = test::random_tensor(rng, DType::f32, {1, 3, 23, 37}, false);
  const Tensor w = test::random_tensor(rng, DType::f32, {3, 3, 3, 3}, false);
  const Tensor b = test::random_tensor(rng, DType::f32, {3}, false);
  Conv2dParams p;
  p.padding = PaddingSpec::symmetric(1);
  p.padding_mode = PaddingMode::reflect;
  for (auto mapping : {gpu::DisplayMapping::clip, gpu::DisplayMapping::abs,
                       gpu::DisplayMapping::signed_, gpu::DisplayMapping::minmax}) {
    SCOPED_TRACE(gpu::display_mapping_name(mapping));
    PreviewJob job;
    job.id = 7;
    job.input = std::make_shared<Tensor>(x);
    job.weight = w;
    job.bias = b;
    job.has_bias = true;
    job.params = p;
    job.mapping = mapping;
    Tensor scratch;
    auto want = conv2d(x, w, &b, p);
    ASSERT_TRUE(want) << want.error().message;
    const gpu::MapRange range = gpu::map_range(want->data<float>(), want->numel());
    // Level 0: the engine's result with the display mapping, texel for texel.
    auto r0 = compute_preview(job, scratch);
    ASSERT_TRUE(r0->error.empty()) << r0->error;
    EXPECT_EQ(r0->id, 7u);
    EXPECT_EQ(r0->channels, 3);
    EXPECT_EQ(r0->range.lo, range.lo);
    EXPECT_EQ(r0->range.hi, range.hi);
    auto rgba = gpu::map_to_rgba(*want, mapping);
    ASSERT_TRUE(rgba);
    ASSERT_EQ(r0->pixels.width, 37);
    ASSERT_EQ(r0->pixels.height, 23);
    ASSERT_EQ(r0->pixels.texels.size() * 4, rgba->size());
    EXPECT_EQ(std::memcmp(r0->pixels.texels.data(), rgba->data(), rgba->size()), 0);
    // Level 1: 2×2 block means of the result (12×19, the last row and column of blocks half
    // full), mapped with the full result's range.
    job.level = 1;
    auto r1 = compute_preview(job, scratch);
    ASSERT_TRUE(r1->error.empty()) << r1->error;
    ASSERT_EQ(r1->pixels.width, 19);
    ASSERT_EQ(r1->pixels.height, 12);
    Tensor shrunk(DType::f32, {1, 3, 12, 19});
    for (int64_t c = 0; c < 3; ++c) {
      for (int64_t oy = 0; oy < 12; ++oy) {
        for (int64_t ox = 0; ox < 19; ++ox) {
          double sum = 0;
          int n = 0;
          for (int64_t y = 2 * oy; y < std::min<int64_t>(23, 2 * oy + 2); ++y)
            for (int64_t xx = 2 * ox; xx < std::min<int64_t>(37, 2 * ox + 2); ++xx, ++n)
              sum += want->get((c * 23 + y) * 37 + xx);
          shrunk.set((c * 12 + oy) * 19 + ox, sum / n);
        }
      }
    }
    auto small = gpu::map_to_rgba(shrunk, mapping, range);
    ASSERT_TRUE(small);
    ASSERT_EQ(r1->pixels.texels.size() * 4, small->size());
    const auto* got = reinterpret_cast<const uint8_t*>(r1->pixels.texels.data());
    for (std::size_t i = 0; i < small->size(); ++i)  // float sums in another order: ±1 level
      ASSERT_LE(std::abs(int{got[i]} - int{(*small)[i]}), 1) << "byte " << i;
  }
}

TEST(PreviewWorker, TheRangeSkipsNaNAndInfinityAsMapRangeDoes) {
  // A 1×1 kernel of 1 copies the picture: its range is the picture's finite values, 0.25..0.75,
  // with a NaN and an infinity among them (the fast pass hands infinities to map_range).
  PreviewJob job = small_job(5, 1.0);
  auto input = std::make_shared<Tensor>(DType::f32, Shape{1, 1, 5, 7});  // 35: not lanes × n
  for (int64_t i = 0; i < 35; ++i)
    input->set(i, 0.25 + 0.5 * static_cast<double>(i) / 34.0);
  Tensor scratch;
  for (const double odd : {std::nan(""), double{INFINITY}, -double{INFINITY}}) {
    input->set(17, odd);
    job.input = input;
    auto r = compute_preview(job, scratch);
    ASSERT_TRUE(r->error.empty()) << r->error;
    const gpu::MapRange want = gpu::map_range(scratch.data<float>(), scratch.numel());
    EXPECT_EQ(r->range.lo, want.lo) << odd;
    EXPECT_EQ(r->range.hi, want.hi) << odd;
    EXPECT_FLOAT_EQ(r->range.lo, 0.25f) << odd;
    EXPECT_FLOAT_EQ(r->range.hi, 0.75f) << odd;
  }
}

TEST(PreviewWorker, AKernelThatDoesNotFitIsASentence) {
  PreviewJob job = small_job(3, 1.0);
  job.weight = Tensor(DType::f32, {1, 1, 7, 7});  // 7×7 on a 4×4 picture, no padding
  Tensor scratch;
  auto r = compute_preview(job, scratch);
  EXPECT_EQ(r->id, 3u);
  EXPECT_FALSE(r->error.empty());
  EXPECT_TRUE(r->pixels.texels.empty());
}

TEST(PreviewWorker, HalveAveragesTwoByTwoBlocks) {
  // 3×2 texels (width 3, height 2): the last column's blocks are one texel wide.
  TexelLevel t;
  t.width = 3;
  t.height = 2;
  //   R of row 0: 10 20 30, row 1: 30 40 50; G 0; B 255; A 255.
  const uint32_t rows[6] = {10, 20, 30, 30, 40, 50};
  for (uint32_t r : rows)
    t.texels.push_back(r | (0u << 8) | (255u << 16) | (255u << 24));
  const TexelLevel h = halve(t);
  ASSERT_EQ(h.width, 2);
  ASSERT_EQ(h.height, 1);
  // (10 + 20 + 30 + 40) / 4 = 25; the last column twice: (30 + 30 + 50 + 50) / 4 = 40.
  EXPECT_EQ(h.texels[0] & 0xffu, 25u);
  EXPECT_EQ(h.texels[1] & 0xffu, 40u);
  EXPECT_EQ((h.texels[0] >> 16) & 0xffu, 255u);
  EXPECT_EQ(h.texels[0] >> 24, 255u);
}

}  // namespace
}  // namespace cs
