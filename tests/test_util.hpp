// Helpers shared by the tests: a seeded RNG that prints how to replay a failing case, random
// tensors, and a naive conv2d written independently of the engine (the ground truth).
#pragma once

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "core/conv2d_fast.hpp"
#include "core/params.hpp"
#include "core/tensor.hpp"

namespace cs::test {

// CONVSCOPE_SEED=<n> replays a run; otherwise (unset or empty) a fixed default seed keeps CI
// deterministic.
inline uint64_t test_seed(uint64_t fallback = 20261122) {
  if (const char* e = std::getenv("CONVSCOPE_SEED"); e != nullptr && *e != '\0') {
    return std::strtoull(e, nullptr, 10);
  }
  return fallback;
}

// Every element as a double, in storage order.
inline std::vector<double> values(const Tensor& t) {
  std::vector<double> v(static_cast<std::size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i)
    v[static_cast<std::size_t>(i)] = t.get(i);
  return v;
}

inline Tensor random_tensor(std::mt19937_64& rng, DType dtype, Shape shape, bool integers) {
  Tensor t(dtype, std::move(shape));
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  std::uniform_int_distribution<int> ints(-3, 3);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.set(i, integers ? ints(rng) : real(rng));
  return t;
}

// Independent naive conv2d on NCHW/OIHW, written from PyTorch's definition with explicit
// per-side padding: out[n,o,y,x] = b[o] + Σ_c Σ_ky Σ_kx pad(x)[n, g·cpg + c, y·sh + ky·dh,
// x·sw + kx·dw] · w[o, c, ky, kx] (all in double).
inline double naive_read(const Tensor& x, int64_t n, int64_t c, int64_t py, int64_t px,
                         PaddingMode mode) {
  const int64_t h = x.dim(2), w = x.dim(3);
  auto fix = [&](int64_t i, int64_t size) -> int64_t {
    if (i >= 0 && i < size) return i;
    switch (mode) {
      case PaddingMode::zeros:
        return -1;
      case PaddingMode::reflect:
        return i < 0 ? -i : 2 * size - 2 - i;
      case PaddingMode::replicate:
        return i < 0 ? 0 : size - 1;
      case PaddingMode::circular:
        return ((i % size) + size) % size;
    }
    return -1;
  };
  const int64_t y = fix(py, h), xx = fix(px, w);
  if (y < 0 || xx < 0) return 0.0;
  return x.get(((n * x.dim(1) + c) * h + y) * w + xx);
}

struct NaivePad {
  int top, bottom, left, right;
};

inline Tensor naive_conv2d(const Tensor& x, const Tensor& w, const Tensor* b, int sh, int sw,
                           int dh, int dw, int groups, NaivePad pad, PaddingMode mode) {
  const int64_t n = x.dim(0), cin = x.dim(1), h = x.dim(2), wd = x.dim(3);
  const int64_t cout = w.dim(0), cpg = w.dim(1), kh = w.dim(2), kw = w.dim(3);
  const int64_t oh = (h + pad.top + pad.bottom - dh * (kh - 1) - 1) / sh + 1;
  const int64_t ow = (wd + pad.left + pad.right - dw * (kw - 1) - 1) / sw + 1;
  (void)cin;
  Tensor y(DType::f64, {n, cout, oh, ow});
  const int64_t opg = cout / groups;
  for (int64_t in = 0; in < n; ++in)
    for (int64_t o = 0; o < cout; ++o)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          double s = b ? b->get(o) : 0.0;
          for (int64_t c = 0; c < cpg; ++c)
            for (int64_t ky = 0; ky < kh; ++ky)
              for (int64_t kx = 0; kx < kw; ++kx) {
                const int64_t ic = (o / opg) * cpg + c;
                s += naive_read(x, in, ic, oy * sh + ky * dh - pad.top,
                                ox * sw + kx * dw - pad.left, mode) *
                     w.get(((o * cpg + c) * kh + ky) * kw + kx);
              }
          y.set(((in * cout + o) * oh + oy) * ow + ox, s);
        }
  return y;
}

inline std::string nchw_index(const Shape& s, int64_t flat) {
  const int64_t x = flat % s[3], y = (flat / s[3]) % s[2], c = (flat / (s[3] * s[2])) % s[1],
                n = flat / (s[3] * s[2] * s[1]);
  return "(n=" + std::to_string(n) + ", c=" + std::to_string(c) + ", y=" + std::to_string(y) +
         ", x=" + std::to_string(x) + ")";
}

// What a shell command printed on stdout, and its exit status (-1 when it did not run or exit).
// Append " 2>&1" to capture stderr too.
struct CommandRun {
  int status = -1;
  std::string output;
};

inline CommandRun run_command(const std::string& command) {
  CommandRun r;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr)
    r.output += buf;
  const int raw = ::pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

// A fresh directory under /tmp named <prefix>-XXXXXX, removed with everything in it at the end
// of its scope; dir / "name" is the path of a file in it.
struct TempDir {
  explicit TempDir(const std::string& prefix = "convscope-test") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) != nullptr) path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const { return (path / name).string(); }
  std::filesystem::path path;
};

// Caps the instruction set of the CPU kernels (fast path and trace) for one scope, so every
// kernel runs on one machine; restores the previous cap afterwards.
struct IsaCap {
  explicit IsaCap(int level) : previous(detail::conv2d_fast_limit_isa(level)) {}
  ~IsaCap() { detail::conv2d_fast_limit_isa(previous); }
  IsaCap(const IsaCap&) = delete;
  IsaCap& operator=(const IsaCap&) = delete;
  int previous;
};

}  // namespace cs::test
