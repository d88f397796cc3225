// Benchmarks of the CPU conv engine: the fast path on the five cases (kernel alone and
// through cs::conv2d, 1 and 2 threads, float32), and the trace's recording cost (conv2d_trace vs
// conv2d) with its memory. bench/compare_torch.py runs this (sample mode for the per-call table,
// --benchmark_format=json for the trace table) and puts PyTorch's times next to ours; results are
// kept in bench/RESULTS.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/conv2d.hpp"
#include "core/conv2d_fast.hpp"
#include "core/geometry.hpp"

namespace {

struct Case {
  const char* name;
  int64_t n, c_in, h, w, c_out, k;
  int stride, pad;
};

// The cases: photos with a 3×3 filter, ResNet's stem, a ResNet block, a big blur.
const Case kCases[] = {
    {"1x3x1080x1920->3_k3_p1", 1, 3, 1080, 1920, 3, 3, 1, 1},
    {"1x3x2160x3840->3_k3_p1", 1, 3, 2160, 3840, 3, 3, 1, 1},
    {"1x3x224x224->64_k7_s2_p3", 1, 3, 224, 224, 64, 7, 2, 3},
    {"1x64x56x56->64_k3_p1", 1, 64, 56, 56, 64, 3, 1, 1},
    {"1x1x512x512->1_k11_p5", 1, 1, 512, 512, 1, 11, 1, 5},
};

// Trace cost cases: 16 filters over an RGB image, then the five cases again.
const Case kTraceCases[] = {
    {"1x3x256x256->16_k3_p1", 1, 3, 256, 256, 16, 3, 1, 1},
    {"1x3x1080x1920->16_k3_p1", 1, 3, 1080, 1920, 16, 3, 1, 1},
    kCases[0],
    kCases[1],
    kCases[2],
    kCases[3],
    kCases[4],
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

struct Operands {
  cs::Tensor input, weight, bias;
  cs::Conv2dParams params;
  cs::ConvGeometry geo;
};

Operands make_operands(const Case& c) {
  Operands o;
  o.input = random_tensor({c.n, c.c_in, c.h, c.w}, 1);
  o.weight = random_tensor({c.c_out, c.c_in, c.k, c.k}, 2);
  o.bias = random_tensor({c.c_out}, 3);
  o.params.stride_h = o.params.stride_w = c.stride;
  o.params.padding = cs::PaddingSpec::symmetric(c.pad);
  auto geo = cs::conv2d_geometry(o.input.shape(), o.weight.shape(), c.c_out, o.params);
  if (geo) o.geo = *geo;
  return o;
}

// Peak resident memory of this process: VmHWM from /proc/self/status (ru_maxrss would also count
// the memory of the process that exec'd us, e.g. a Python interpreter holding torch tensors).
double peak_rss_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB => MiB
  }
  return -1.0;
}

void set_counters(benchmark::State& state, const Case& c, const cs::ConvGeometry& g) {
  const double macs = static_cast<double>(g.outputs() * g.c_in_per_group * g.k_h * g.k_w);
  state.counters["GMAC/s"] =
      benchmark::Counter(macs * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_rss_MiB"] = peak_rss_mib();
  state.SetLabel(c.name);
}

// The kernel alone: cs::detail::conv2d_fast on preallocated NCHW buffers.
void BM_fast(benchmark::State& state) {
  const Case& c = kCases[state.range(0)];
  const int threads = static_cast<int>(state.range(1));
  Operands o = make_operands(c);
  std::vector<float> out(static_cast<std::size_t>(o.geo.outputs()));
  for (auto _ : state) {
    cs::detail::conv2d_fast(o.geo, o.input.data<float>(), o.weight.data<float>(),
                            o.bias.data<float>(), out.data(), threads);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, c, o.geo);
  state.counters["isa_avx512"] = std::string(cs::detail::conv2d_fast_isa()) == "avx512";
}

// The public entry point: validation, output allocation, then the fast path.
void BM_conv2d(benchmark::State& state) {
  const Case& c = kCases[state.range(0)];
  Operands o = make_operands(c);
  const cs::ExecOptions exec{static_cast<int>(state.range(1))};
  for (auto _ : state) {
    auto y = cs::conv2d(o.input, o.weight, &o.bias, o.params, exec);
    if (!y) {
      state.SkipWithError(y.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(y->raw_data());
  }
  set_counters(state, c, o.geo);
}

// Trace recording cost: conv2d_trace (all hardware threads) next to conv2d with the same
// threads, on the same operands. Compare the two rows of one case; peak RSS is the process's
// (run one case per process for a clean figure, as compare_torch.py does).
void BM_trace_plain(benchmark::State& state) {
  const Case& c = kTraceCases[state.range(0)];
  Operands o = make_operands(c);
  for (auto _ : state) {
    auto y = cs::conv2d(o.input, o.weight, &o.bias, o.params, cs::ExecOptions{0});
    if (!y) {
      state.SkipWithError(y.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(y->raw_data());
  }
  set_counters(state, c, o.geo);
}

// The kernel alone on the trace cases (preallocated output), for the strictest ratio.
void BM_trace_kernel(benchmark::State& state) {
  const Case& c = kTraceCases[state.range(0)];
  Operands o = make_operands(c);
  std::vector<float> out(static_cast<std::size_t>(o.geo.outputs()));
  const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (auto _ : state) {
    cs::detail::conv2d_fast(o.geo, o.input.data<float>(), o.weight.data<float>(),
                            o.bias.data<float>(), out.data(), threads);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, c, o.geo);
}

void BM_trace_record(benchmark::State& state) {
  const Case& c = kTraceCases[state.range(0)];
  Operands o = make_operands(c);
  for (auto _ : state) {
    auto t = cs::conv2d_trace(o.input, o.weight, &o.bias, o.params);
    if (!t) {
      state.SkipWithError(t.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(t->output().raw_data());
  }
  set_counters(state, c, o.geo);
}

void five_cases(benchmark::internal::Benchmark* b) {
  b->ArgNames({"case", "threads"});
  for (int64_t i = 0; i < static_cast<int64_t>(std::size(kCases)); ++i) {
    for (int64_t threads : {1, 2})
      b->Args({i, threads});
  }
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

void trace_cases(benchmark::internal::Benchmark* b) {
  b->ArgNames({"case"});
  for (int64_t i = 0; i < static_cast<int64_t>(std::size(kTraceCases)); ++i)
    b->Args({i});
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK(BM_fast)->Apply(five_cases);
BENCHMARK(BM_conv2d)->Apply(five_cases);
BENCHMARK(BM_trace_kernel)->Apply(trace_cases);
BENCHMARK(BM_trace_plain)->Apply(trace_cases);
BENCHMARK(BM_trace_record)->Apply(trace_cases);

// Sample mode, for bench/compare_torch.py: times single calls like the PyTorch side does.
//   conv2d_bench --samples=N --case=I [--threads=T] [--api]
// prints {"case": I, "threads": T, "api": "fast"|"conv2d", "ms": [N wall times], "cpu_ms": [N
// calling-thread CPU times]} after 3 warm-up calls. --api times cs::conv2d (allocation included)
// instead of the kernel.
int sample_mode(int samples, int case_index, int threads, bool api) {
  if (case_index < 0 || case_index >= static_cast<int>(std::size(kCases)) || samples < 1) {
    std::fprintf(stderr, "--case must be 0..%zu and --samples at least 1\n", std::size(kCases) - 1);
    return 2;
  }
  const Case& c = kCases[case_index];
  Operands o = make_operands(c);
  std::vector<float> out(static_cast<std::size_t>(o.geo.outputs()));
  auto call = [&] {
    if (api) {
      auto y = cs::conv2d(o.input, o.weight, &o.bias, o.params, cs::ExecOptions{threads});
      benchmark::DoNotOptimize(y);
    } else {
      cs::detail::conv2d_fast(o.geo, o.input.data<float>(), o.weight.data<float>(),
                              o.bias.data<float>(), out.data(), threads);
      benchmark::DoNotOptimize(out.data());
    }
  };
  for (int i = 0; i < 3; ++i) {
    call();
  }
  std::vector<double> wall, cpu;
  for (int i = 0; i < samples; ++i) {
    timespec c0{}, c1{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    const auto t0 = std::chrono::steady_clock::now();
    call();
    const std::chrono::duration<double, std::milli> dt = std::chrono::steady_clock::now() - t0;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    wall.push_back(dt.count());
    cpu.push_back(static_cast<double>(c1.tv_sec - c0.tv_sec) * 1e3 +
                  static_cast<double>(c1.tv_nsec - c0.tv_nsec) * 1e-6);
  }
  auto print_list = [](const char* name, const std::vector<double>& v) {
    std::printf(", \"%s\": [", name);
    for (std::size_t i = 0; i < v.size(); ++i) {
      std::printf("%s%.6f", i == 0 ? "" : ", ", v[i]);
    }
    std::printf("]");
  };
  std::printf("{\"case\": %d, \"threads\": %d, \"api\": \"%s\"", case_index, threads,
              api ? "conv2d" : "fast");
  print_list("ms", wall);
  print_list("cpu_ms", cpu);  // the calling thread's CPU time (all of it with --threads=1)
  std::printf("}\n");
  return 0;
}

// Trace sample mode, for the trace table of bench/compare_torch.py:
//   conv2d_bench --trace-samples=N --case=I [--isa=L]
// alternates cs::conv2d and cs::conv2d_trace (all hardware threads) on trace case I, N calls each
// after 3 warm-up pairs, so both see the same machine; prints {"case": I, "conv2d_ms": [...],
// "trace_ms": [...], "trace_cpu_ms": [...]} (wall times, and the CPU time of the whole process
// per trace call: its work on every thread, which other processes on the cores disturb less).
// --isa caps the instruction set of both (0 baseline, 1 AVX2, 2 AVX-512), to see the kernels a
// machine without AVX-512 would run.
int trace_sample_mode(int samples, int case_index) {
  if (case_index < 0 || case_index >= static_cast<int>(std::size(kTraceCases)) || samples < 1) {
    std::fprintf(stderr, "--case must be 0..%zu and --trace-samples at least 1\n",
                 std::size(kTraceCases) - 1);
    return 2;
  }
  const Case& c = kTraceCases[case_index];
  Operands o = make_operands(c);
  auto plain = [&] {
    auto y = cs::conv2d(o.input, o.weight, &o.bias, o.params, cs::ExecOptions{0});
    benchmark::DoNotOptimize(y);
  };
  auto trace = [&] {
    auto t = cs::conv2d_trace(o.input, o.weight, &o.bias, o.params);
    benchmark::DoNotOptimize(t);
  };
  auto timed = [](auto&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  };
  for (int i = 0; i < 3; ++i) {
    plain();
    trace();
  }
  auto process_cpu_ms = [] {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) * 1e-6;
  };
  std::vector<double> plain_ms, trace_ms, trace_cpu_ms;
  for (int i = 0; i < samples; ++i) {
    plain_ms.push_back(timed(plain));
    const double cpu0 = process_cpu_ms();
    trace_ms.push_back(timed(trace));
    trace_cpu_ms.push_back(process_cpu_ms() - cpu0);
  }
  auto print_list = [](const char* name, const std::vector<double>& v) {
    std::printf(", \"%s\": [", name);
    for (std::size_t i = 0; i < v.size(); ++i) {
      std::printf("%s%.6f", i == 0 ? "" : ", ", v[i]);
    }
    std::printf("]");
  };
  std::printf("{\"case\": %d, \"isa\": \"%s\"", case_index, cs::detail::conv2d_fast_isa());
  print_list("conv2d_ms", plain_ms);
  print_list("trace_ms", trace_ms);
  print_list("trace_cpu_ms", trace_cpu_ms);
  std::printf("}\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int samples = 0, trace_samples = 0, case_index = -1, threads = 2, isa = 2;
  bool api = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* prefix) -> const char* {
      const std::size_t n = std::strlen(prefix);
      return arg.compare(0, n, prefix) == 0 ? argv[i] + n : nullptr;
    };
    if (const char* v = value("--samples=")) samples = std::atoi(v);
    if (const char* v = value("--trace-samples=")) trace_samples = std::atoi(v);
    if (const char* v = value("--isa=")) isa = std::atoi(v);
    if (const char* v = value("--case=")) case_index = std::atoi(v);
    if (const char* v = value("--threads=")) threads = std::atoi(v);
    if (arg == "--api") api = true;
  }
  if (samples > 0) return sample_mode(samples, case_index, threads, api);
  if (trace_samples > 0) {
    cs::detail::conv2d_fast_limit_isa(isa);
    return trace_sample_mode(trace_samples, case_index);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
