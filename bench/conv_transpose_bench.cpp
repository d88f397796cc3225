// Benchmarks of the transposed convolution (core/conv_transpose.hpp): the scatter reference loop
// against the gather fast path (1 and 2 threads), float32, on a U-Net/DCGAN-like upsampling step
// and a large single-channel image. Results are kept in bench/RESULTS.md.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>

#include "core/conv_transpose.hpp"

namespace {

struct Case {
  const char* name;
  int64_t c_in, h, w, c_out, k;
  int stride, pad, output_padding;
};

const Case kCases[] = {
    // A U-Net decoder step: 2× upsampling of 64 channels to 32.
    {"1x64x28x28->32_k3_s2_p1_op1", 64, 28, 28, 32, 3, 2, 1, 1},
    // DCGAN's generator: 4×4 kernels, stride 2, padding 1.
    {"1x128x16x16->64_k4_s2_p1", 128, 16, 16, 64, 4, 2, 1, 0},
    // A photo-sized plane, one channel.
    {"1x1x540x960->1_k3_s2_p1_op1", 1, 540, 960, 1, 3, 2, 1, 1},
};

cs::Tensor random_tensor(cs::Shape shape, uint64_t seed) {
  cs::Tensor t(cs::DType::f32, std::move(shape));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i)
    p[i] = dist(rng);
  return t;
}

// mode 0: the scatter reference; 1, 2: the gather fast path on that many threads.
void run_case(benchmark::State& state, const Case& c, int mode) {
  const cs::Tensor x = random_tensor({1, c.c_in, c.h, c.w}, 1);
  const cs::Tensor w = random_tensor({c.c_in, c.c_out, c.k, c.k}, 2);
  cs::ConvTranspose2dParams p;
  p.stride_h = p.stride_w = c.stride;
  p.pad_h = p.pad_w = c.pad;
  p.output_padding_h = p.output_padding_w = c.output_padding;
  cs::ExecOptions exec;
  exec.threads = mode;
  for (auto _ : state) {
    auto y = mode == 0 ? cs::conv_transpose2d_reference(x, w, nullptr, p)
                       : cs::conv_transpose2d(x, w, nullptr, p, exec);
    if (!y) {
      state.SkipWithError(y.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(y->raw_data());
  }
}

int register_all() {
  for (const Case& c : kCases) {
    for (int mode : {0, 1, 2}) {
      const std::string name = std::string("conv_transpose/") + c.name +
                               (mode == 0   ? "/reference"
                                : mode == 1 ? "/gather_1t"
                                            : "/gather_2t");
      benchmark::RegisterBenchmark(name.c_str(),
                                   [c, mode](benchmark::State& s) { run_case(s, c, mode); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
  return 0;
}

const int kRegistered = register_all();

}  // namespace

BENCHMARK_MAIN();
