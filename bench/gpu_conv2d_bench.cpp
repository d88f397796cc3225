// conv2d per backend on full-resolution RGB frames: the CPU fast path (cs::conv2d), the GPU's
// tiled shader and the naive one-output-per-invocation baseline (compute time from GL timer
// queries, plus the upload and readback), 1920×1080 and 3840×2160, 3×3 / 5×5 / 11×11 kernels,
// 3→3 depthwise and 3→16 full. Results: bench/RESULTS.md, "GPU compute shaders vs CPU fast path".
// Run: LIBGL_ALWAYS_SOFTWARE=1 build/release/bench/gpu_conv2d_bench --benchmark_min_time=0.01
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <random>

#include "app/gpu/gl_context.hpp"
#include "app/gpu/gpu_engine.hpp"
#include "app/gpu/live_preview.hpp"
#include "core/conv2d.hpp"
#include "core/geometry.hpp"

namespace {

struct Gpu {
  std::unique_ptr<cs::gpu::HeadlessContext> context;
  std::unique_ptr<cs::gpu::GpuEngine> engine;
};

Gpu& gpu() {
  static Gpu g = [] {
    Gpu r;
    r.context = cs::gpu::HeadlessContext::create();
    if (r.context->valid()) r.engine = cs::gpu::GpuEngine::create();
    return r;
  }();
  return g;
}

cs::Tensor random_tensor(cs::Shape shape, uint64_t seed) {
  cs::Tensor t(cs::DType::f32, std::move(shape));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(0.0f, 1.0f);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i)
    p[i] = dist(rng);
  return t;
}

struct Case {
  int w, h, k, c_out;  // c_out 3: depthwise 3→3; 16: full 3→16
};

Case case_of(const benchmark::State& state) {
  return {static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
          static_cast<int>(state.range(2)), static_cast<int>(state.range(3))};
}

struct Operands {
  cs::Tensor input, weight;
  cs::Conv2dParams params;
  cs::ConvGeometry geo;
};

Operands operands(const Case& c) {
  Operands o;
  o.input = random_tensor({1, 3, c.h, c.w}, 1);
  const bool depthwise = c.c_out == 3;
  o.weight = random_tensor({c.c_out, depthwise ? 1 : 3, c.k, c.k}, 2);
  o.params.padding = cs::PaddingSpec::same();
  o.params.groups = depthwise ? 3 : 1;
  o.geo = *cs::conv2d_geometry(o.input.shape(), o.weight.shape(), -1, o.params);
  return o;
}

void label(benchmark::State& state, const Case& c) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%dx%d %dx%d %s", c.w, c.h, c.k, c.k,
                c.c_out == 3 ? "3->3 depthwise" : "3->16 full");
  state.SetLabel(buf);
  state.counters["Mpix/s"] = benchmark::Counter(static_cast<double>(c.w) * c.h,
                                                benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Cpu(benchmark::State& state) {
  const Case c = case_of(state);
  const Operands o = operands(c);
  for (auto _ : state) {
    auto y = cs::conv2d(o.input, o.weight, nullptr, o.params);
    benchmark::DoNotOptimize(y);
  }
  label(state, c);
}

// GPU compute only (glFinish after the dispatch), the input and kernel resident, as the live
// preview runs it.
void gpu_compute(benchmark::State& state, cs::gpu::ConvVariant variant) {
  Gpu& g = gpu();
  if (!g.engine || !g.engine->valid()) {
    state.SkipWithError("no GL 4.3 compute");
    return;
  }
  const Case c = case_of(state);
  const Operands o = operands(c);
  if (!g.engine->upload_input(o.input) || !g.engine->upload_kernel(o.weight, nullptr) ||
      !g.engine->run_conv_resident(o.geo, variant)) {  // warm-up: compiles the variant
    state.SkipWithError("the GPU could not run this case");
    return;
  }
  g.engine->finish();
  // NOTE: wall clock with glFinish, not GL_TIME_ELAPSED: llvmpipe's timer query does not cover
  // the compute work it runs, so it reads near zero.
  for (auto _ : state) {
    (void)g.engine->run_conv_resident(o.geo, variant);
    g.engine->finish();
  }
  label(state, c);
}
void BM_GpuTiled(benchmark::State& state) {
  gpu_compute(state, cs::gpu::ConvVariant::tiled);
}
void BM_GpuTiledPlain(benchmark::State& state) {
  gpu_compute(state, cs::gpu::ConvVariant::tiled_plain);
}
void BM_GpuNaive(benchmark::State& state) {
  gpu_compute(state, cs::gpu::ConvVariant::naive);
}

// The whole host round trip of cs::gpu::conv2d's engine call: upload, compute, readback.
void BM_GpuRoundTrip(benchmark::State& state) {
  Gpu& g = gpu();
  if (!g.engine || !g.engine->valid()) {
    state.SkipWithError("no GL 4.3 compute");
    return;
  }
  const Case c = case_of(state);
  const Operands o = operands(c);
  (void)g.engine->conv2d(o.geo, o.input, o.weight, nullptr);  // warm-up
  cs::gpu::GpuTimings sum;
  for (auto _ : state) {
    cs::gpu::GpuTimings t;
    auto y = g.engine->conv2d(o.geo, o.input, o.weight, nullptr, cs::gpu::ConvVariant::tiled, &t);
    benchmark::DoNotOptimize(y);
    sum.upload_ms += t.upload_ms;
    sum.compute_ms += t.compute_ms;
    sum.readback_ms += t.readback_ms;
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["upload_ms"] = sum.upload_ms / n;
  state.counters["compute_ms"] = sum.compute_ms / n;
  state.counters["readback_ms"] = sum.readback_ms / n;
  label(state, c);
}

// The live preview's redraw after a kernel edit (conv + display pass + texture), per backend:
// range(0) 0 = auto, 1 = gpu, 2 = cpu. 1920×1080 RGB photo, 3×3 kernel, `signed` display.
void BM_PreviewRedraw(benchmark::State& state) {
  Gpu& g = gpu();
  if (!g.context || !g.context->valid()) {
    state.SkipWithError("no GL context");
    return;
  }
  cs::Image photo;
  photo.width = 1920;
  photo.height = 1080;
  photo.channels = 3;
  photo.pixels.resize(1920u * 1080u * 3u);
  for (std::size_t i = 0; i < photo.pixels.size(); ++i)
    photo.pixels[i] = static_cast<uint8_t>((i * 2654435761u) >> 24);
  const cs::gpu::Backend backends[] = {cs::gpu::Backend::automatic, cs::gpu::Backend::gpu,
                                       cs::gpu::Backend::cpu};
  cs::gpu::LivePreview preview;
  preview.set_backend(backends[state.range(0)]);
  (void)preview.set_image(photo);
  // The Sobel kernel on each colour channel on its own: [3, 1, 3, 3] with groups 3.
  const double sobel[9] = {-1, 0, 1, -2, 0, 2, -1, 0, 1};
  cs::Tensor k(cs::DType::f32, {3, 1, 3, 3});
  for (int i = 0; i < 27; ++i)
    k.set(i, sobel[i % 9]);
  cs::Conv2dParams params;
  params.padding = cs::PaddingSpec::same();
  params.groups = 3;
  (void)preview.set_kernel(k, nullptr, params);
  preview.set_display(cs::gpu::DisplayMapping::signed_);
  if (!preview.render()) {  // the first render measures (auto) and compiles
    state.SkipWithError(preview.error().c_str());
    return;
  }
  double value = 2;
  for (auto _ : state) {
    value = value == 2 ? 3 : 2;  // an edit of the centre-left weight, as the kernel editor does
    for (int c = 0; c < 3; ++c)
      k.set(c * 9 + 3, -value);
    (void)preview.set_kernel(k, nullptr, params);
    if (!preview.render()) state.SkipWithError(preview.error().c_str());
  }
  state.SetLabel(std::string(cs::gpu::backend_name(backends[state.range(0)])) + " -> " +
                 preview.backend());
}
BENCHMARK(BM_PreviewRedraw)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void cases(benchmark::internal::Benchmark* b) {
  for (auto [w, h] : {std::pair{1920, 1080}, std::pair{3840, 2160}})
    for (int k : {3, 5, 11})
      for (int c_out : {3, 16})
        b->Args({w, h, k, c_out});
  b->Unit(benchmark::kMillisecond);
}

BENCHMARK(BM_Cpu)->Apply(cases)->UseRealTime();
BENCHMARK(BM_GpuTiled)->Apply(cases)->UseRealTime();
BENCHMARK(BM_GpuTiledPlain)->Apply(cases)->UseRealTime();
BENCHMARK(BM_GpuNaive)->Apply(cases)->UseRealTime();
BENCHMARK(BM_GpuRoundTrip)->Apply(cases)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
