// The live preview's worker job (app/ui/preview_worker.hpp): what one refresh costs the worker
// thread while a weight is dragged. 1920×1080 RGB picture, one thread (as the worker runs it),
// `signed` display; range(0) is the display level (0: full size, 1: halved, 2: quartered, what a
// pane a third of a 1080p screen wide draws), range(1) the kernel: 0 a 3×3 Sobel on each colour
// channel ([3, 1, 3, 3], groups 3), 1 a full 3×3 weight over the colours ([3, 3, 3, 3]).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "app/ui/preview_worker.hpp"

namespace {

void BM_PreviewJob(benchmark::State& state) {
  const int level = static_cast<int>(state.range(0));
  const bool full = state.range(1) == 1;
  auto input = std::make_shared<cs::Tensor>(cs::DType::f32, cs::Shape{1, 3, 1080, 1920});
  for (int64_t i = 0; i < input->numel(); ++i)
    input->set(i, static_cast<double>((i * 2654435761u) >> 24) / 255.0);
  cs::PreviewJob job;
  job.input = input;
  job.params.padding = cs::PaddingSpec::same();
  job.mapping = cs::gpu::DisplayMapping::signed_;
  job.level = level;
  const double sobel[9] = {-1, 0, 1, -2, 0, 2, -1, 0, 1};
  job.weight = cs::Tensor(cs::DType::f32, {3, full ? 3 : 1, 3, 3});
  for (int64_t i = 0; i < job.weight.numel(); ++i)
    job.weight.set(i, sobel[i % 9]);
  if (!full) job.params.groups = 3;
  cs::Tensor scratch;
  double value = 2;
  for (auto _ : state) {
    value = value == 2 ? 3 : 2;  // an edit of the centre-left weight, as a drag makes
    job.weight.set(3, -value);
    auto r = cs::compute_preview(job, scratch);
    if (!r->error.empty()) state.SkipWithError(r->error.c_str());
    benchmark::DoNotOptimize(r->pixels.texels.data());
  }
  state.SetLabel(std::string(full ? "3x3x3x3" : "3x1x3x3 groups 3") + ", level " +
                 std::to_string(level));
}
BENCHMARK(BM_PreviewJob)
    ->ArgsProduct({{0, 1, 2}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
