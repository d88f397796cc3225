// Tests for the command line, run as a student would: the real `convscope` executable
// (CONVSCOPE_EXE) on .npy files written with cs::write_npy into a temporary folder, stdout/stderr
// and the exit status captured. Seeds' numbers first, then layouts, pooling, the trace JSON,
// shapes, every error path (exit 2, one sentence, no output file) and randomized runs against
// the naive loop in test_util.hpp. Depends on core/, nlohmann-json and GoogleTest.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/conv2d.hpp"
#include "core/limits.hpp"
#include "core/npy.hpp"
#include "core/tensor.hpp"
#include "test_util.hpp"

extern char** environ;

namespace cs {
namespace {

namespace fs = std::filesystem;

struct RunResult {
  int status = -1;  // exit status, or -1 when the process did not exit normally
  std::string out, err;
};

std::string read_text(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "convscope_cli_test_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    m_dir = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }

  std::string path(const std::string& name) const { return (m_dir / name).string(); }

  std::string save(const std::string& name, const Tensor& t) const {
    const std::string p = path(name);
    auto s = write_npy(p, t);
    EXPECT_TRUE(s.has_value()) << s.error().message;
    return p;
  }

  Tensor load(const std::string& name) const {
    auto t = read_npy(path(name));
    EXPECT_TRUE(t.has_value()) << (t ? "" : t.error().message);
    return t ? std::move(*t) : Tensor();
  }

  // Runs CONVSCOPE_EXE with args (and `env`, "NAME=value" entries added to this process's
  // environment); stdout and stderr go to files in the temp folder.
  RunResult run(const std::vector<std::string>& args,
                const std::vector<std::string>& env = {}) const {
    const std::string out_path = path("stdout.txt"), err_path = path("stderr.txt");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> all = {CONVSCOPE_EXE};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_all(env);
    for (char** e = environ; *e != nullptr; ++e)
      env_all.emplace_back(*e);
    std::vector<char*> envp;
    for (std::string& e : env_all)
      envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = 0;
    RunResult r;
    const int rc = posix_spawn(&pid, CONVSCOPE_EXE, &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
      ADD_FAILURE() << "cannot start " << CONVSCOPE_EXE << ": " << std::strerror(rc);
      return r;
    }
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    r.out = read_text(out_path);
    r.err = read_text(err_path);
    return r;
  }

  // A failing command: exit status 2, one sentence on stderr naming the command, nothing on
  // stdout, and `out` (if given) not created.
  void expect_failure(const std::vector<std::string>& args, const std::string& needle,
                      const std::string& out = "", const std::vector<std::string>& env = {}) {
    SCOPED_TRACE(testing::Message() << "args: " << testing::PrintToString(args));
    const RunResult r = run(args, env);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.rfind("convscope", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << "expected '" << needle << "' in: " << r.err;
    if (!out.empty()) {
      EXPECT_FALSE(fs::exists(out)) << out << " was left behind";
    }
  }

  static void expect_values(const Tensor& t, const Shape& shape, const std::vector<double>& want,
                            double tol = 0.0) {
    ASSERT_EQ(t.shape(), shape) << shape_to_string(t.shape());
    ASSERT_EQ(t.numel(), static_cast<int64_t>(want.size()));
    for (int64_t i = 0; i < t.numel(); ++i) {
      EXPECT_NEAR(t.get(i), want[static_cast<std::size_t>(i)], tol) << "at flat index " << i;
    }
  }

  fs::path m_dir;
};

// The seeds' tensors.
Tensor seed_5x5(DType dt = DType::f32) {
  return Tensor::from_values(dt, {1, 1, 5, 5}, {1, 2, 3, 0, 1, 0, 1, 2, 3, 0, 3, 0, 1,
                                                2, 1, 0, 2, 3, 0, 2, 1, 1, 0, 3, 0});
}
Tensor vertical_edge() {
  return Tensor::from_values(DType::f32, {1, 1, 3, 3}, {1, 0, -1, 1, 0, -1, 1, 0, -1});
}
Tensor rgb_3x3() {
  return Tensor::from_values(DType::f32, {1, 3, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9,    // red
                                                        9, 8, 7, 6, 5, 4, 3, 2, 1,    // green
                                                        0, 1, 0, 1, 0, 1, 0, 1, 0});  // blue
}
Tensor rgb_3_filters() {
  return Tensor::from_values(
      DType::f32, {3, 3, 3, 3},
      {1,  0, -1, 1, 0, -1, 1, 0,  -1, 0,  1,  0,  0,  1,  0,  0,  1, 0,  1,  0, 1,
       1,  0, 1,  1, 0, 1,  1, -1, 1,  1,  -1, 1,  1,  -1, 1,  -1, 1, -1, -1, 1, -1,
       -1, 1, -1, 0, 0, 1,  0, 0,  1,  0,  0,  1,  0,  1,  0,  1,  0, 1,  0,  1, 0,
       1,  0, -1, 1, 0, -1, 1, 0,  -1, -1, 1,  -1, -1, 1,  -1, -1, 1, -1});
}

// ------------------------------------------------------------------ help and version

TEST_F(CliTest, HelpAndVersionExitZero) {
  RunResult r = run({"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("usage: convscope"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("trace"), std::string::npos);
  for (const char* cmd : {"conv", "pool", "trace", "shape", "lesson"}) {
    r = run({cmd, "--help"});
    EXPECT_EQ(r.status, 0) << cmd;
    EXPECT_NE(r.out.find(std::string("usage: convscope ") + cmd), std::string::npos) << r.out;
    EXPECT_TRUE(r.err.empty()) << r.err;
  }
  r = run({"conv", "--help"});
  EXPECT_NE(r.out.find("--stride S|SH,SW"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--flip"), std::string::npos);
  r = run({"help", "pool"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("--exclude-pad"), std::string::npos);
  r = run({"--version"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out.rfind("convscope ", 0), 0u) << r.out;
}

// ------------------------------------------------------------------ the seeds through `conv`

// The PyTorch seed: each output is (left column − right column) of its 3×3 window, e.g.
// y[0,0] = (1 + 0 + 3) − (3 + 2 + 1) = −2, y[0,2] = (3 + 2 + 1) − (1 + 0 + 1) = 4.
TEST_F(CliTest, VerticalEdgeSeed) {
  const std::string x = save("x.npy", seed_5x5()), w = save("w.npy", vertical_edge());
  const RunResult r = run({"conv", "--input", x, "--weight", w, "--out", path("y.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("y.npy"), std::string::npos) << r.out;
  const Tensor y = load("y.npy");
  EXPECT_EQ(y.dtype(), DType::f32);
  expect_values(y, {1, 1, 3, 3}, {-2, -2, 4, -3, -2, 3, 0, -2, 1});
}

// RGB seed (column sums: red 12, 15, 18; green 18, 15, 12; blue 1, 2, 1).
// Filter 0: red 12 − 18 = −6, green 15, blue 1 + 1 = 2 (rows [1 0 1]): −6 + 15 + 2 = 11.
// Filter 1: red 12 − 15 + 18 = 15, green −18 + 15 − 12 = −15, blue 1: 15 − 15 + 1 = 1.
// Filter 2: red 2 + 4 + 6 + 8 = 20, green 18 − 12 = 6, blue −1 + 2 − 1 = 0: 26.
TEST_F(CliTest, RgbThreeFiltersSeed) {
  const std::string x = save("x.npy", rgb_3x3()), w = save("w.npy", rgb_3_filters());
  const std::string b = save("b.npy", Tensor(DType::f32, {3}));
  const RunResult r =
      run({"conv", "--input", x, "--weight", w, "--bias", b, "--out", path("y.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_values(load("y.npy"), {1, 3, 1, 1}, {11, 1, 26});
}

// scipy.signal.convolve(a, laplacian, mode='same') with a = 1..9: a true convolution (--flip)
// with zero padding 1; a [H, W] input gives an [H, W] output. y[0,0] = −4·1 + 2 + 4 = 2.
TEST_F(CliTest, ScipyLaplacianSameWithFlip) {
  const std::string a =
      save("a.npy", Tensor::from_values(DType::f64, {3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}));
  const std::string k =
      save("k.npy", Tensor::from_values(DType::f64, {3, 3}, {0, 1, 0, 1, -4, 1, 0, 1, 0}));
  const RunResult r = run(
      {"conv", "--input", a, "--weight", k, "--padding", "same", "--flip", "--out", path("y.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  const Tensor y = load("y.npy");
  EXPECT_EQ(y.dtype(), DType::f64);
  expect_values(y, {3, 3}, {2, 1, -4, -3, 0, -7, -16, -11, -22});
}

// The Laplacian is symmetric, so that case cannot tell --flip from no flip. With k = [[1, 2],
// [0, 0]] a true convolution ('valid') reads k rotated, [[0, 0], [2, 1]]:
// y[i,j] = 2·a[i+1,j] + a[i+1,j+1] => [[2·4+5, 2·5+6], [2·7+8, 2·8+9]] = [[13, 16], [22, 25]],
// while the cross-correlation is a[i,j] + 2·a[i,j+1] => [[5, 8], [14, 17]].
TEST_F(CliTest, FlipIsATrueConvolution) {
  const std::string a =
      save("a.npy", Tensor::from_values(DType::f32, {3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}));
  const std::string k = save("k.npy", Tensor::from_values(DType::f32, {2, 2}, {1, 2, 0, 0}));
  RunResult r = run({"conv", "--input", a, "--weight", k, "--flip", "--out", path("y.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_values(load("y.npy"), {2, 2}, {13, 16, 22, 25});
  r = run({"conv", "--input", a, "--weight", k, "--out", path("c.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_values(load("c.npy"), {2, 2}, {5, 8, 14, 17});
}

// ------------------------------------------------------------------ layouts and operand forms

// The same two seeds in Keras order: NHWC input, HWIO weight, NHWC output.
TEST_F(CliTest, NhwcLayout) {
  const std::string x = save("x.npy", nchw_to_nhwc(seed_5x5())),
                    w = save("w.npy", oihw_to_hwio(vertical_edge()));
  RunResult r =
      run({"conv", "--input", x, "--weight", w, "--layout", "nhwc", "--out", path("y.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_values(load("y.npy"), {1, 3, 3, 1}, {-2, -2, 4, -3, -2, 3, 0, -2, 1});

  const std::string xr = save("xr.npy", nchw_to_nhwc(rgb_3x3())),
                    wr = save("wr.npy", oihw_to_hwio(rgb_3_filters()));
  r = run({"conv", "--input", xr, "--weight", wr, "--layout", "nhwc", "--out", path("yr.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_values(load("yr.npy"), {1, 1, 1, 3}, {11, 1, 26});
}

// An unbatched [C, H, W] input gives a [C_out, OH, OW] output (PyTorch's rule); a float64
// weight with a float32 input computes in float32.
TEST_F(CliTest, UnbatchedInputAndMixedDtypes) {
  const Tensor x3 = *rgb_3x3().reshaped({3, 3, 3});
  const std::string x = save("x.npy", x3), w = save("w.npy", rgb_3_filters().to(DType::f64));
  const RunResult r = run({"conv", "--input", x, "--weight", w, "--out", path("y.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  const Tensor y = load("y.npy");
  EXPECT_EQ(y.dtype(), DType::f32);
  expect_values(y, {3, 1, 1}, {11, 1, 26});
}

// ------------------------------------------------------------------ pooling

// 4×4 input 0..15. max 2×2: [[5, 7], [13, 15]]; avg 2×2: (0+1+4+5)/4 = 2.5, (2+3+6+7)/4 = 4.5,
// (8+9+12+13)/4 = 10.5, (10+11+14+15)/4 = 12.5.
TEST_F(CliTest, PoolMaxAndAvg) {
  std::vector<double> v(16);
  for (int i = 0; i < 16; ++i)
    v[static_cast<std::size_t>(i)] = i;
  const std::string x = save("x.npy", Tensor::from_values(DType::f32, {1, 1, 4, 4}, v));
  RunResult r = run({"pool", "--input", x, "--op", "max", "--kernel", "2", "--out", path("m.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_values(load("m.npy"), {1, 1, 2, 2}, {5, 7, 13, 15});
  r = run({"pool", "--input", x, "--op", "avg", "--kernel", "2,2", "--out", path("a.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_values(load("a.npy"), {1, 1, 2, 2}, {2.5, 4.5, 10.5, 12.5});
}

// [[1, 2], [3, 4]], avg 2×2, stride 1, padding 1 => 3×3. The corner window holds three padding
// cells and the 1: counted (PyTorch's default) 1/4 = 0.25; --exclude-pad 1/1 = 1. The centre
// window holds 1..4: 10/4 = 2.5 either way. Edge (0,1): (1+2)/4 = 0.75 or (1+2)/2 = 1.5.
TEST_F(CliTest, PoolAvgPaddingCountedOrExcluded) {
  const std::string x = save("x.npy", Tensor::from_values(DType::f64, {1, 1, 2, 2}, {1, 2, 3, 4}));
  RunResult r = run({"pool", "--input", x, "--op", "avg", "--kernel", "2", "--stride", "1",
                     "--padding", "1", "--out", path("in.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_values(load("in.npy"), {1, 1, 3, 3}, {0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1});
  r = run({"pool", "--input", x, "--op", "avg", "--kernel", "2", "--stride", "1", "--padding", "1",
           "--exclude-pad", "--out", path("ex.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_values(load("ex.npy"), {1, 1, 3, 3}, {1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4});
}

// The Keras seed's second feature map, max 2×2 with stride 1 (NHWC, one channel):
// [[-1.06, 1.30, 0.67], [0.24, 0.27, -0.74], [-0.84, 0.72, 0.47]] => [[1.30, 1.30], [0.72, 0.72]].
TEST_F(CliTest, KerasMaxPoolSeedNhwc) {
  const std::string x =
      save("x.npy", Tensor::from_values(DType::f32, {1, 3, 3, 1},
                                        {-1.0616233, 1.2988867, 0.6712394, 0.23607667, 0.27193436,
                                         -0.73882663, -0.8419535, 0.7197448, 0.47066653}));
  const RunResult r = run({"pool", "--input", x, "--op", "max", "--kernel", "2", "--stride", "1",
                           "--layout", "nhwc", "--out", path("y.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  const Tensor y = load("y.npy");
  expect_values(y, {1, 2, 2, 1}, {1.2988867, 1.2988867, 0.7197448, 0.7197448}, 1e-7);
  EXPECT_EQ(y.get(0), static_cast<double>(1.2988867f));  // max copies a value exactly
}

// ------------------------------------------------------------------ trace

// Every window of a strided, padded, biased 3-channel conv: count, NCHW order, origins
// oy·stride − pad, every number reading back to exactly the engine's float32, value ==
// ((0 + p0) + p1 + p2) + bias in float32 exactly, and values equal to the naive loop.
TEST_F(CliTest, TraceJsonInvariants) {
  std::mt19937_64 rng(test::test_seed(7));
  const Tensor xin = test::random_tensor(rng, DType::f32, {2, 3, 5, 6}, false);
  const Tensor win = test::random_tensor(rng, DType::f32, {4, 3, 3, 2}, false);
  const Tensor bin = test::random_tensor(rng, DType::f32, {4}, false);
  const std::string x = save("x.npy", xin), w = save("w.npy", win), b = save("b.npy", bin);
  const RunResult r = run({"trace", "--input", x, "--weight", w, "--bias", b, "--stride", "2,1",
                           "--padding", "1,2", "--out", path("t.json")});
  ASSERT_EQ(r.status, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(read_text(path("t.json")));
  // out_h = ⌊(5 + 2 − 2 − 1) / 2⌋ + 1 = 3, out_w = ⌊(6 + 4 − 1 − 1) / 1⌋ + 1 = 9
  ASSERT_EQ(j["output_shape"], nlohmann::json({2, 4, 3, 9}));
  EXPECT_EQ(j["padding"], nlohmann::json({1, 1, 2, 2}));
  EXPECT_EQ(j["dtype"], "float32");
  const auto& windows = j["windows"];
  ASSERT_EQ(windows.size(), 2u * 4 * 3 * 9);
  const Tensor want =
      test::naive_conv2d(xin, win, &bin, 2, 1, 1, 1, 1, {1, 1, 2, 2}, PaddingMode::zeros);
  Conv2dParams params;
  params.stride_h = 2;
  params.padding = PaddingSpec::pair(1, 2);
  const auto engine = conv2d_trace(xin, win, &bin, params);
  ASSERT_TRUE(engine.has_value());
  int64_t index = 0;
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t o = 0; o < 4; ++o)
      for (int64_t oy = 0; oy < 3; ++oy)
        for (int64_t ox = 0; ox < 9; ++ox, ++index) {
          const auto& win_j = windows[static_cast<std::size_t>(index)];
          SCOPED_TRACE(testing::Message() << "window " << index << " (n=" << n << ", o=" << o
                                          << ", y=" << oy << ", x=" << ox << ")");
          ASSERT_EQ(win_j["n"], n);
          ASSERT_EQ(win_j["o"], o);
          ASSERT_EQ(win_j["y"], oy);
          ASSERT_EQ(win_j["x"], ox);
          EXPECT_EQ(win_j["origin"], nlohmann::json({oy * 2 - 1, ox - 2}));
          ASSERT_EQ(win_j["partials"].size(), 3u);
          float acc = 0;
          for (int64_t c = 0; c < 3; ++c) {
            // The text reads back to exactly the engine's float32 partial sum.
            const float f = static_cast<float>(win_j["partials"][c].get<double>());
            EXPECT_EQ(f, static_cast<float>(engine->partial(index, c))) << "channel " << c;
            acc += f;
          }
          const float bias = static_cast<float>(win_j["bias"].get<double>());
          EXPECT_EQ(bias, static_cast<float>(bin.get(o)));
          const float value = static_cast<float>(win_j["value"].get<double>());
          EXPECT_EQ(acc + bias, value);
          EXPECT_EQ(value, static_cast<float>(engine->output().get(index)));
          EXPECT_NEAR(value, want.get(index), 1e-5);
        }
}

// With --flip and nhwc the windows still come in NCHW order and the shapes in PyTorch order.
TEST_F(CliTest, TraceNhwcFlipSeed) {
  const std::string a =
      save("a.npy", Tensor::from_values(DType::f32, {1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9}));
  const std::string k = save("k.npy", Tensor::from_values(DType::f32, {2, 2, 1, 1}, {1, 2, 0, 0}));
  const RunResult r = run({"trace", "--input", a, "--weight", k, "--flip", "--layout", "nhwc",
                           "--out", path("t.json")});
  ASSERT_EQ(r.status, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(read_text(path("t.json")));
  EXPECT_EQ(j["output_shape"], nlohmann::json({1, 1, 2, 2}));
  EXPECT_EQ(j["params"]["flip"], true);
  std::vector<double> values;
  for (const auto& w : j["windows"])
    values.push_back(w["value"].get<double>());
  EXPECT_EQ(values, (std::vector<double>{13, 16, 22, 25}));
}

TEST_F(CliTest, TracePoolingWindows) {
  std::vector<double> v(16);
  for (int i = 0; i < 16; ++i)
    v[static_cast<std::size_t>(i)] = i;
  const std::string x = save("x.npy", Tensor::from_values(DType::f32, {1, 1, 4, 4}, v));
  const RunResult r =
      run({"trace", "--input", x, "--op", "max", "--kernel", "2", "--out", path("t.json")});
  ASSERT_EQ(r.status, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(read_text(path("t.json")));
  EXPECT_EQ(j["output_shape"], nlohmann::json({1, 1, 2, 2}));
  ASSERT_EQ(j["windows"].size(), 4u);
  EXPECT_EQ(j["windows"][1]["taps"], nlohmann::json({2, 3, 6, 7}));
  EXPECT_EQ(j["windows"][1]["value"], 7);
  EXPECT_EQ(j["windows"][1]["argmax"], nlohmann::json({1, 3}));
}

TEST_F(CliTest, TraceRefusesHugeTraces) {
  const std::string x = save("x.npy", seed_5x5()), w = save("w.npy", vertical_edge());
  expect_failure(
      {"trace", "--input", x, "--weight", w, "--max-windows", "4", "--out", path("t.json")},
      "the trace would hold 9 windows", path("t.json"));
}

// ------------------------------------------------------------------ memory and work limits

// Issue 10: these aborted with std::bad_alloc (exit 134) or ran for hours; now each command
// checks the bytes and the work before it allocates, and says so in one sentence at once.
TEST_F(CliTest, HugeOperationsAreRefusedBeforeTheyAllocate) {
  const std::string x = save("x.npy", seed_5x5()), w = save("w.npy", vertical_edge());
  const std::string out = path("y.npy"), t = path("t.json");
  const auto t0 = std::chrono::steady_clock::now();
  for (const char* backend : {"cpu", "auto"}) {
    expect_failure({"conv", "--input", x, "--weight", w, "--padding", "1000000", "--backend",
                    backend, "--out", out},
                   "convscope conv: this convolution would need 14.6 TiB of memory (its output "
                   "1\xC3\x97"
                   "1\xC3\x97"
                   "2000003\xC3\x97"
                   "2000003 float32: 14.6 TiB), more "
                   "than the 4.0 GiB one operation may use; use less padding, or raise the limit "
                   "with CONVSCOPE_MAX_BYTES",
                   out);
  }
  expect_failure({"conv", "--input", x, "--weight", w, "--dilation", "2000000000", "--padding",
                  "2000000000", "--out", out},
                 "EiB of memory (the padded input rows it copies", out);
  expect_failure({"pool", "--input", x, "--op", "max", "--kernel", "1000000", "--padding", "500000",
                  "--out", out},
                 "convscope pool: this pooling would take 1,000,000,000,000 taps (1 output "
                 "\xC3\x97 1,000,000,000,000 each), more than the 100,000,000,000 one operation "
                 "may do; use a smaller kernel, or raise the limit with CONVSCOPE_MAX_WORK",
                 out);
  expect_failure({"trace", "--input", x, "--weight", w, "--dilation", "2000000000", "--padding",
                  "2000000000", "--out", t},
                 "convscope trace: this convolution's trace would need", t);
  const std::string photo = std::string(CONVSCOPE_SOURCE_DIR) + "/assets/images/checker-grey.png";
  expect_failure({"render", "--image", photo, "--kernel", "sobel-x", "--padding", "1000000",
                  "--backend", "cpu", "--out", path("r.png")},
                 "this convolution would need", path("r.png"));
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 10.0);
}

// Small limits through the environment stand in for huge inputs; a value that is not a limit
// is refused before anything runs.
TEST_F(CliTest, LimitsComeFromTheEnvironment) {
  std::mt19937_64 rng(test::test_seed(17));
  const std::string x = save("x.npy", test::random_tensor(rng, DType::f32, {1, 2, 64, 64}, true));
  const std::string w = save("w.npy", test::random_tensor(rng, DType::f32, {4, 2, 3, 3}, true));
  const std::string out = path("y.npy");
  const std::vector<std::string> conv = {"conv",      "--input", x,       "--weight", w,
                                         "--padding", "1",       "--out", out};
  expect_failure(conv, "more than the 32.0 KiB one operation may use", out,
                 {"CONVSCOPE_MAX_BYTES=32K"});
  expect_failure(conv,
                 "this convolution would take 294,912 multiply-adds (16,384 outputs \xC3\x97 18 "
                 "each), more than the 100,000 one operation may do",
                 out, {"CONVSCOPE_MAX_WORK=100K"});
  expect_failure({"pool", "--input", x, "--op", "avg", "--kernel", "2", "--out", out},
                 "this pooling would take 8,192 taps", out, {"CONVSCOPE_MAX_WORK=8000"});
  expect_failure({"trace", "--input", x, "--weight", w, "--out", path("t.json")},
                 "this convolution's trace would need", path("t.json"),
                 {"CONVSCOPE_MAX_BYTES=64K"});
  RunResult r = run(conv, {"CONVSCOPE_MAX_BYTES=1.5G"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err,
            "convscope: CONVSCOPE_MAX_BYTES=1.5G is not a limit; give a whole number above 0, "
            "optionally followed by K, M, G or T (e.g. 512M or 8G)\n");
  EXPECT_FALSE(fs::exists(out));
  r = run(conv, {"CONVSCOPE_MAX_BYTES=8G", "CONVSCOPE_MAX_WORK=1T"});
  EXPECT_EQ(r.status, 0) << r.err;
}

// The last resort: an allocation that fails anyway (here under an address-space limit, the
// documented limit raised past it) ends in one sentence and status 1, not an abort (134).
TEST_F(CliTest, AFailedAllocationIsASentenceNotAnAbort) {
  // 1×1×1×1 input padded by 8000: a 16001×16001 float32 output, 1 GiB, under a 600 MB limit.
  if (available_memory() < (int64_t{3} << 30)) {
    GTEST_SKIP() << "needs 3 GiB free, so that the machine check lets the allocation be tried";
  }
  const std::string one = save("one.npy", Tensor::from_values(DType::f32, {1, 1, 1, 1}, {1}));
  const test::CommandRun r =
      test::run_command("ulimit -v 600000 && CONVSCOPE_MAX_BYTES=64G exec '" +
                        std::string(CONVSCOPE_EXE) + "' conv --input '" + one + "' --weight '" +
                        one + "' --padding 8000 --out '" + path("y.npy") + "' 2>&1");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_EQ(r.output,
            "convscope: ran out of memory (an allocation failed); use a smaller input or lower "
            "CONVSCOPE_MAX_BYTES so that the operation is refused before it starts\n");
  EXPECT_FALSE(fs::exists(path("y.npy")));
}

// ------------------------------------------------------------------ shape

// ResNet's stem: ⌊(224 + 3 + 3 − 1·(7 − 1) − 1) / 2⌋ + 1 = ⌊223 / 2⌋ + 1 = 112.
TEST_F(CliTest, ShapeConvAndPool) {
  RunResult r = run({"shape", "--input-shape", "1,3,224,224", "--kernel-shape", "64,3,7,7",
                     "--stride", "2", "--padding", "3"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("output shape: [1, 64, 112, 112]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("out_h = "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(224 + 3 + 3 \xE2\x88\x92 1\xC2\xB7(7 \xE2\x88\x92 1) \xE2\x88\x92 1) / 2"),
            std::string::npos)
      << r.out;
  // Then its max pooling: ⌊(112 + 2 − 2 − 1) / 2⌋ + 1 = 56.
  r = run({"shape", "--input-shape", "1,64,112,112", "--op", "max", "--kernel", "3", "--stride",
           "2", "--padding", "1"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("output shape: [1, 64, 56, 56]"), std::string::npos) << r.out;
  // Keras order, 'same': 28×28 stays 28×28 with 32 channels last.
  r = run({"shape", "--input-shape", "1,28,28,1", "--kernel-shape", "3,3,1,32", "--layout", "nhwc",
           "--padding", "same", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["output_shape"], nlohmann::json({1, 28, 28, 32}));
  EXPECT_EQ(j["formula"].size(), 2u);
}

TEST_F(CliTest, ShapeErrors) {
  expect_failure({"shape", "--input-shape", "1,3,4,4", "--kernel-shape", "2,3,5,5"}, "kernel");
  expect_failure({"shape", "--input-shape", "1,3,x,4", "--kernel-shape", "2,3,5,5"},
                 "--input-shape 1,3,x,4");
  expect_failure({"shape", "--input-shape", "1,3,8,8"}, "--kernel-shape");
  expect_failure(
      {"shape", "--input-shape", "1,3,8,8", "--kernel", "2", "--op", "max", "--groups", "2"},
      "--groups");
}

// ------------------------------------------------------------------ errors

TEST_F(CliTest, ErrorsExitTwoAndLeaveNoFile) {
  const std::string x = save("x.npy", seed_5x5()), w = save("w.npy", vertical_edge());
  const std::string y = path("y.npy");
  expect_failure({"conv", "--input", x, "--weight", w, "--strid", "2", "--out", y},
                 "unknown option --strid (did you mean --stride?)", y);
  expect_failure({"conv", "--input", x, "--out", y}, "--weight", y);
  expect_failure({"conv", "--input", x, "--weight", w, "--repeat", "1000000000", "--out", y},
                 "--repeat 1000000000 is more than the 10000 runs", y);
  expect_failure(
      {"pool", "--input", x, "--op", "max", "--kernel", "2", "--repeat", "10001", "--out", y},
      "use at most 10000", y);
  expect_failure({"conv", "--input", x, "--weight", w, "--threads", "1000000", "--out", y},
                 "--threads 1000000 is more than 1024 threads", y);
  expect_failure({"conv", "--input", x, "--weight", w, "--stride", "0,x", "--out", y},
                 "--stride 0,x is not a number or pair of numbers like 2 or 2,1", y);
  expect_failure({"conv", "--input", x, "--weight", w, "--padding", "lots", "--out", y},
                 "--padding lots", y);
  expect_failure({"conv", "--input", x, "--weight", w, "--out"}, "--out needs a value");
  expect_failure({"conv", "--input", path("missing.npy"), "--weight", w, "--out", y}, "missing.npy",
                 y);
  expect_failure({"conv", "--input", x, "--weight", w, "--stride", "0", "--out", y}, "stride", y);
  expect_failure({"conv", "--input", x, "--weight", w, "--backend", "tpu", "--out", y},
                 "--backend tpu", y);
  expect_failure({"conv", "--input", x, "--weight", w, "--repeat", "0", "--out", y}, "--repeat", y);
  expect_failure({"conv", "--input", x, "--weight", w, "--padding-mode", "mirror", "--out", y},
                 "mirror", y);
  expect_failure({"conv", "stray", "--input", x, "--weight", w, "--out", y}, "'stray'", y);
  expect_failure({"conv", "--input", x, "--weight", w, "--flip=yes", "--out", y}, "--flip", y);
  expect_failure({"frobnicate"}, "frobnicate");

  // A file that is not .npy.
  {
    std::ofstream bad(path("bad.npy"), std::ios::binary);
    bad << "this is not a numpy file";
  }
  expect_failure({"conv", "--input", path("bad.npy"), "--weight", w, "--out", y}, "bad.npy", y);
  // A .npy cut short: the header promises 25 floats.
  {
    const std::string full = read_text(x);
    std::ofstream cut(path("cut.npy"), std::ios::binary);
    cut << full.substr(0, full.size() - 10);
  }
  expect_failure({"conv", "--input", path("cut.npy"), "--weight", w, "--out", y}, "cut.npy", y);

  // Geometry the engine refuses: a 5×5 kernel on a 3×3 input; 'same' with stride 2; channels
  // that do not match.
  const std::string small = save("small.npy", Tensor(DType::f32, {1, 1, 3, 3}));
  const std::string big = save("big.npy", Tensor(DType::f32, {1, 1, 5, 5}));
  expect_failure({"conv", "--input", small, "--weight", big, "--out", y}, "kernel", y);
  expect_failure(
      {"conv", "--input", x, "--weight", w, "--padding", "same", "--stride", "2", "--out", y},
      "same", y);
  const std::string rgb = save("rgb.npy", rgb_3x3());
  expect_failure({"conv", "--input", rgb, "--weight", w, "--out", y}, "channel", y);

  // Pooling.
  expect_failure({"pool", "--input", x, "--kernel", "2", "--out", y}, "--op", y);
  expect_failure({"pool", "--input", x, "--op", "median", "--kernel", "2", "--out", y},
                 "--op median", y);
  expect_failure(
      {"pool", "--input", x, "--op", "max", "--kernel", "2", "--exclude-pad", "--out", y},
      "--exclude-pad", y);
  expect_failure(
      {"pool", "--input", x, "--op", "max", "--kernel", "2", "--padding", "2", "--out", y},
      "padding", y);
  expect_failure({"pool", "--input", x, "--op", "max", "--kernel", "9", "--out", y}, "9", y);

  // Trace.
  const std::string t = path("t.json");
  expect_failure({"trace", "--input", small, "--weight", big, "--out", t}, "kernel", t);
  expect_failure({"trace", "--input", x, "--weight", w, "--backend", "gpu", "--out", t},
                 "--backend does not apply", t);
}

// A failing command leaves an existing output file exactly as it was.
TEST_F(CliTest, FailureKeepsExistingOutput) {
  const std::string x = save("x.npy", seed_5x5());
  const std::string big = save("big.npy", Tensor(DType::f32, {1, 1, 7, 7}));
  const std::string y = path("y.npy");
  {
    std::ofstream f(y);
    f << "previous result";
  }
  const RunResult r = run({"conv", "--input", x, "--weight", big, "--out", y});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(read_text(y), "previous result");
  // ... and no temporary files beside it.
  int files = 0;
  for (const auto& e : fs::directory_iterator(m_dir)) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 5);  // x.npy, big.npy, y.npy, stdout.txt, stderr.txt
}

// ------------------------------------------------------------------ render --layers files

// Issue 10: files that crashed or ran with wrapped numbers end in one sentence naming the file,
// the key and the allowed range (exit 2, no picture). The layers are read before the photo.
TEST_F(CliTest, RenderLayersRefusesWhatUsedToCrashOrWrap) {
  const std::string photo = std::string(CONVSCOPE_SOURCE_DIR) + "/assets/images/checker-grey.png";
  const std::string out = path("r.png");
  auto layers = [&](const std::string& text) {
    const std::string p = path("layers.json");
    std::ofstream(p, std::ios::binary) << text;
    return p;
  };
  auto render = [&](const std::string& file) {
    return std::vector<std::string>{"render",    "--image", photo,   "--layers", file,
                                    "--backend", "cpu",     "--out", out};
  };
  // Ran as kernel 2, stride 1 and exited 0.
  std::string f = layers(R"([{"pool": "max", "kernel": 4294967298, "stride": 4294967297}])");
  expect_failure(render(f),
                 f + " layer 1: kernel is 4294967298; it must be between 1 and 2147483647", out);
  f = layers(R"([{"kernel": "sobel-x", "stride": [1, 4294967297]}])");
  expect_failure(render(f),
                 f + " layer 1: stride[1] is 4294967297; it must be between 1 and 2147483647", out);
  // Ran with an infinite kernel.
  f = layers(R"([{"kernel": [[1e300]]}])");
  expect_failure(render(f), f + " layer 1: kernel[0][0] is 1e+300, beyond float32's range", out);
  // A 0.8 MB file of nested lists: SIGSEGV in the recursive dump of the error message.
  f = layers(R"([{"kernel": [[)" + std::string(400000, '[') + std::string(400000, ']') + "]]}]");
  ASSERT_GT(fs::file_size(f), 800000u);
  expect_failure(render(f), f + " nests lists and objects more than 64 levels deep", out);
  f = layers(R"([{"kernel": "sobel-x", "stride": )" + std::string(200000, '[') + "1" +
             std::string(200000, ']') + "}]");
  expect_failure(render(f), f + " nests lists and objects more than 64 levels deep", out);
  // Unchanged: a number below the minimum reaches the engine, which names the layer.
  f = layers(R"([{"kernel": "sobel-x", "stride": 0}])");
  expect_failure(render(f), "layer 1 (sobel-x): stride must be at least 1", out);
}

// ------------------------------------------------------------------ repeat, threads, backends

TEST_F(CliTest, RepeatAndThreadsGiveTheSameOutput) {
  std::mt19937_64 rng(test::test_seed(11));
  const std::string x = save("x.npy", test::random_tensor(rng, DType::f32, {1, 4, 9, 8}, false));
  const std::string w = save("w.npy", test::random_tensor(rng, DType::f32, {6, 4, 3, 3}, false));
  RunResult r = run({"conv", "--input", x, "--weight", w, "--out", path("once.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  r = run({"conv", "--input", x, "--weight", w, "--repeat", "3", "--threads", "1", "--out",
           path("thrice.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("3 runs"), std::string::npos) << r.out;
  EXPECT_EQ(read_text(path("once.npy")), read_text(path("thrice.npy")));
}

// --backend gpu either works (and matches the CPU) or fails with exit 2, a message and no file.
// --backend auto always succeeds.
TEST_F(CliTest, GpuBackendWorksOrSaysWhy) {
  std::mt19937_64 rng(test::test_seed(13));
  const Tensor xin = test::random_tensor(rng, DType::f32, {1, 3, 8, 7}, false);
  const Tensor win = test::random_tensor(rng, DType::f32, {2, 3, 3, 3}, false);
  const std::string x = save("x.npy", xin), w = save("w.npy", win);
  const Tensor want =
      test::naive_conv2d(xin, win, nullptr, 1, 1, 1, 1, 1, {1, 1, 1, 1}, PaddingMode::zeros);
  for (const char* backend : {"gpu", "auto"}) {
    SCOPED_TRACE(backend);
    const std::string y = path(std::string(backend) + ".npy");
    const RunResult r = run(
        {"conv", "--input", x, "--weight", w, "--padding", "1", "--backend", backend, "--out", y});
    if (r.status == 0) {
      expect_values(load(std::string(backend) + ".npy"), {1, 2, 8, 7},
                    std::vector<double>(want.data<double>(), want.data<double>() + want.numel()),
                    1e-4);
    } else {
      EXPECT_STREQ(backend, "gpu") << "auto must fall back to the CPU: " << r.err;
      EXPECT_EQ(r.status, 2);
      EXPECT_GT(r.err.size(), std::string("convscope conv: \n").size()) << r.err;
      EXPECT_FALSE(fs::exists(y));
    }
  }
  // Pooling too.
  const RunResult r = run({"pool", "--input", x, "--op", "max", "--kernel", "2", "--backend", "gpu",
                           "--out", path("p.npy")});
  if (r.status == 0) {
    EXPECT_EQ(load("p.npy").shape(), (Shape{1, 3, 4, 3}));
  } else {
    EXPECT_EQ(r.status, 2);
    EXPECT_FALSE(r.err.empty());
  }
}

// ------------------------------------------------------------------ randomized against the naive
// loop

// Random shapes and every parameter, pairs deliberately unequal so a swapped (h, w) shows.
TEST_F(CliTest, RandomConvsMatchNaiveLoop) {
  const uint64_t seed = test::test_seed(20261122);
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const char* modes[] = {"zeros", "reflect", "replicate", "circular"};
  const PaddingMode mode_values[] = {PaddingMode::zeros, PaddingMode::reflect,
                                     PaddingMode::replicate, PaddingMode::circular};
  for (int iter = 0; iter < 12; ++iter) {
    const int groups = pick(1, 2), cpg = pick(1, 3), opg = pick(1, 2);
    const int kh = pick(1, 3), kw = pick(1, 3), sh = pick(1, 3), sw = pick(1, 3);
    const int dh = pick(1, 2), dw = pick(1, 2), ph = pick(0, 1), pw = pick(0, 2);
    const int mode = pick(0, 3);
    const int h = pick(dh * (kh - 1) + 3, 9), w = pick(dw * (kw - 1) + 3, 9);
    const bool f64 = pick(0, 1) == 1, with_bias = pick(0, 1) == 1;
    const DType dt = f64 ? DType::f64 : DType::f32;
    SCOPED_TRACE(testing::Message()
                 << "replay: CONVSCOPE_SEED=" << seed << " iteration " << iter << ": input 2x"
                 << groups * cpg << "x" << h << "x" << w << ", kernel " << kh << "x" << kw
                 << ", stride " << sh << "," << sw << ", dilation " << dh << "," << dw
                 << ", padding " << ph << "," << pw << " " << modes[mode] << ", groups " << groups);
    const Tensor xin = test::random_tensor(rng, dt, {2, groups * cpg, h, w}, false);
    const Tensor win = test::random_tensor(rng, dt, {groups * opg, cpg, kh, kw}, false);
    const Tensor bin = test::random_tensor(rng, dt, {groups * opg}, false);
    std::vector<std::string> args = {"conv",
                                     "--input",
                                     save("x.npy", xin),
                                     "--weight",
                                     save("w.npy", win),
                                     "--stride",
                                     std::to_string(sh) + "," + std::to_string(sw),
                                     "--dilation",
                                     std::to_string(dh) + "," + std::to_string(dw),
                                     "--padding",
                                     std::to_string(ph) + "," + std::to_string(pw),
                                     "--groups",
                                     std::to_string(groups),
                                     "--padding-mode",
                                     modes[mode],
                                     "--out",
                                     path("y.npy")};
    if (with_bias) {
      args.push_back("--bias");
      args.push_back(save("b.npy", bin));
    }
    fs::remove(path("y.npy"));
    const RunResult r = run(args);
    ASSERT_EQ(r.status, 0) << r.err;
    const Tensor y = load("y.npy");
    const Tensor want = test::naive_conv2d(xin, win, with_bias ? &bin : nullptr, sh, sw, dh, dw,
                                           groups, {ph, ph, pw, pw}, mode_values[mode]);
    ASSERT_EQ(y.shape(), want.shape());
    EXPECT_EQ(y.dtype(), dt);
    const double tol = f64 ? 1e-12 : 1e-5;
    for (int64_t i = 0; i < y.numel(); ++i) {
      ASSERT_NEAR(y.get(i), want.get(i), tol) << "at " << test::nchw_index(y.shape(), i);
    }
  }
}

// ------------------------------------------------------------------ lessons

TEST_F(CliTest, LessonPrintsTheWorkedExample) {
  RunResult r = run({"lesson"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("vertical-edge"), std::string::npos);
  // Window 0 of the seed: 1·1 + 2·0 + 3·(−1) + 0·1 + 1·0 + 2·(−1) + 3·1 + 0·0 + 1·(−1) = −2.
  EXPECT_NE(r.out.find("1\xC2\xB7"
                       "1 + 2\xC2\xB7"
                       "0 + 3\xC2\xB7(-1) + 0\xC2\xB7"
                       "1 + 1\xC2\xB7"
                       "0 + 2\xC2\xB7(-1) + 3\xC2\xB7"
                       "1 + 0\xC2\xB7"
                       "0 + 1\xC2\xB7(-1) = -2"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("out_h = "), std::string::npos);
  EXPECT_NE(r.out.find("Window 8"), std::string::npos);

  r = run({"lesson", "--list"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::string> names;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    names.push_back(line.substr(0, line.find(' ')));
  }
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.front(), "vertical-edge");
  for (const std::string& name : names) {
    r = run({"lesson", name});
    EXPECT_EQ(r.status, 0) << name << ": " << r.err;
    EXPECT_NE(r.out.find("Output y"), std::string::npos) << name;
  }

  // Padding is marked: the SciPy lesson's first window reads three padding zeros on top.
  r = run({"lesson", "scipy-laplacian", "--window", "0"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("(0) (0) (0)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Window 0"), std::string::npos);
  EXPECT_EQ(r.out.find("Window 1"), std::string::npos) << "--window shows one window only";

  expect_failure({"lesson", "no-such-lesson"}, "no-such-lesson");
  expect_failure({"lesson", "vertical-edge", "--window", "9"}, "--window 9");
}

// --out over a symbolic link is refused (a rename would replace the link, not its target), and
// over a device such as /dev/null the result is written into it, never renamed over it.
TEST_F(CliTest, OutNeverReplacesALinkOrADevice) {
  const std::string x = save("x.npy", seed_5x5()), w = save("w.npy", vertical_edge());
  const std::string real = save("real.npy", seed_5x5()), link = path("link.npy");
  fs::create_symlink(real, link);
  expect_failure({"conv", "--input", x, "--weight", w, "--out", link}, "is a symbolic link");
  expect_failure({"trace", "--input", x, "--weight", w, "--out", link}, "is a symbolic link");
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(read_text(real), read_text(x)) << "the link's target is untouched";
  for (const char* cmd : {"conv", "trace"}) {
    const RunResult r = run({cmd, "--input", x, "--weight", w, "--out", "/dev/null"});
    EXPECT_EQ(r.status, 0) << cmd << ": " << r.err;
    EXPECT_TRUE(fs::is_character_file("/dev/null"));
  }
}

TEST_F(CliTest, LessonAvgPoolCeilModeSumsOnlyTheCellsItReads) {
  // avg-pool-ceil, window 2 = y[0, 0, 0, 2]: 2×2 window at columns 4..5 of a 5×5 input with no
  // padding. Column 5 is past the edge: PyTorch reads and counts only x[0, 4] = 1 and
  // x[1, 4] = 0, so the value is (1 + 0) / 2 = 0.5 and the two cells beyond are "--".
  RunResult r = run({"lesson", "avg-pool-ceil", "--window", "2"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("  (1 + 0) / 2 = 1 / 2 = 0.5\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("     1 --\n     0 --\n"), std::string::npos) << r.out;
}

// ------------------------------------------------------------------ conv-transpose

// x = [[1, 2], [3, 4]] and the kernel [[1, 2], [3, 4]], one channel each.
Tensor x22(DType dt = DType::f32) {
  return Tensor::from_values(dt, {1, 1, 2, 2}, {1, 2, 3, 4});
}

TEST_F(CliTest, ConvTransposeWritesPyTorchsNumbers) {
  // stride 2, padding 1, output_padding 1: out = (2 − 1)·2 − 2·1 + 1·(2 − 1) + 1 + 1 = 3. The
  // 2×2 stamps x·k tile a 4×4 (plus one empty row/column), cropped by 1 on every side.
  const std::string x = save("x.npy", x22()), w = save("w.npy", x22());
  RunResult r = run({"conv-transpose", "--input", x, "--weight", w, "--stride", "2", "--padding",
                     "1", "--output-padding", "1", "--out", path("y.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("float32 [1, 1, 3, 3] on cpu"), std::string::npos) << r.out;
  expect_values(load("y.npy"), {1, 1, 3, 3}, {4, 6, 8, 6, 4, 8, 12, 12, 16});
  // --backend auto: the GPU's shader where it works, else the CPU; these sums of small whole
  // numbers are exact in float32 either way.
  r = run({"conv-transpose", "--input", x, "--weight", w, "--stride=2", "--padding=1",
           "--output-padding=1", "--backend", "auto", "--out", path("auto.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(load("auto.npy").identical(load("y.npy")));
}

TEST_F(CliTest, ConvTransposeNpyRoundTripKeepsDtypeAndRank) {
  // float64 in, float64 out; a 2-D [H, W] input with a 2-D kernel gives a 2-D output, and an
  // unbatched [C, H, W] input an unbatched output, as PyTorch does.
  const Tensor x64 = x22(DType::f64);
  auto x2d = x64.reshaped({2, 2});
  ASSERT_TRUE(x2d.has_value());
  const std::string x = save("x.npy", *x2d), w = save("w.npy", *x2d);
  RunResult r = run({"conv-transpose", "--input", x, "--weight", w, "--out", path("y.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  const Tensor y = load("y.npy");
  EXPECT_EQ(y.dtype(), DType::f64);
  expect_values(y, {3, 3}, {1, 4, 4, 6, 20, 16, 9, 24, 16});
  auto x3d = x64.reshaped({1, 2, 2});
  ASSERT_TRUE(x3d.has_value());
  const std::string xu = save("xu.npy", *x3d);
  const std::string b = save("b.npy", Tensor::from_values(DType::f64, {1}, {0.5}));
  r = run({"conv-transpose", "--input", xu, "--weight", save("w4.npy", x64), "--bias", b, "--out",
           path("yu.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_values(load("yu.npy"), {1, 3, 3}, {1.5, 4.5, 4.5, 6.5, 20.5, 16.5, 9.5, 24.5, 16.5});
}

TEST_F(CliTest, ConvTransposeKerasLayout) {
  // The same layer in Keras's order: NHWC input, kernel [KH, KW, C_out, C_in].
  std::mt19937_64 rng(test::test_seed() + 21);
  const Tensor xn = test::random_tensor(rng, DType::f32, {1, 2, 3, 4}, true);
  const Tensor wn = test::random_tensor(rng, DType::f32, {2, 3, 3, 3}, true);
  const std::vector<std::string> common = {"--stride",         "2,1", "--padding",  "1,0",
                                           "--output-padding", "1,0", "--dilation", "1,2"};
  std::vector<std::string> args = {"conv-transpose",   "--input", save("xn.npy", xn), "--weight",
                                   save("wn.npy", wn), "--out",   path("yn.npy")};
  args.insert(args.end(), common.begin(), common.end());
  ASSERT_EQ(run(args).status, 0);
  args = {"conv-transpose",
          "--input",
          save("xh.npy", nchw_to_nhwc(xn)),
          "--weight",
          save("wh.npy", oihw_to_hwio(wn)),
          "--layout",
          "nhwc",
          "--out",
          path("yh.npy")};
  args.insert(args.end(), common.begin(), common.end());
  const RunResult r = run(args);
  ASSERT_EQ(r.status, 0) << r.err;
  const Tensor yn = load("yn.npy"), yh = load("yh.npy");
  EXPECT_EQ(yn.shape(), (Shape{1, 3, 6, 8}));  // (3 − 1)·2 − 2 + 2 + 1 + 1, 3 + 4 + 1
  EXPECT_TRUE(nhwc_to_nchw(yh).identical(yn));
}

TEST_F(CliTest, ConvTransposeErrorsAreSentences) {
  const std::string x = save("x.npy", x22()), w = save("w.npy", x22());
  const std::string out = path("y.npy");
  expect_failure({"conv-transpose", "--input", x, "--weight", w, "--stride", "2",
                  "--output-padding", "2", "--out", out},
                 "output_padding of 2 rows must be smaller than the stride (2) or the dilation "
                 "(1) along the rows",
                 out);
  expect_failure(
      {"conv-transpose", "--input", x, "--weight", w, "--output-padding", "0,1", "--out", out},
      "output_padding of 1 columns must be smaller than the stride (1)", out);
  // groups: the weight [4, 1, 3, 3] is made for 4 input channels; 3 groups do not divide them.
  std::mt19937_64 rng(test::test_seed() + 22);
  const std::string x4 = save("x4.npy", test::random_tensor(rng, DType::f32, {1, 4, 3, 3}, true));
  const std::string wg = save("wg.npy", test::random_tensor(rng, DType::f32, {4, 1, 3, 3}, true));
  expect_failure({"conv-transpose", "--input", x4, "--weight", wg, "--groups", "3", "--out", out},
                 "groups 3 must divide the 4 input channels", out);
  // conv2d's weight order, [C_out, C_in, KH, KW] = [2, 4, 3, 3], for a 4-channel input.
  const std::string wc = save("wc.npy", test::random_tensor(rng, DType::f32, {2, 4, 3, 3}, true));
  expect_failure({"conv-transpose", "--input", x4, "--weight", wc, "--out", out},
                 "is made for 2 input channels, but the input has 4", out);
  // A 3-D weight.
  const std::string w3 = save("w3.npy", test::random_tensor(rng, DType::f32, {4, 3, 3}, true));
  expect_failure({"conv-transpose", "--input", x4, "--weight", w3, "--out", out},
                 "it must be [C_in, C_out/groups, KH, KW]", out);
  expect_failure({"conv-transpose", "--input", x, "--weight", w, "--padding", "same", "--out", out},
                 "--padding same is a conv option", out);
  expect_failure({"conv-transpose", "--input", x, "--weight", w, "--padding", "2", "--out", out},
                 "padding 2 crops 4 rows from the 3 rows the kernel stamps cover", out);
  expect_failure({"conv-transpose", "--input", x, "--weight", w, "--flip", "--out", out},
                 "unknown option --flip", out);
  expect_failure({"conv-transpose", "--input", x, "--out", out}, "conv-transpose needs --weight");
}

TEST_F(CliTest, TraceConvTransposeReadsBothWays) {
  // Integer operands, so every sum is exact: each window's value is its partials plus the
  // bias, and the stamps' amounts that land on an output add up to its value minus the bias.
  std::mt19937_64 rng(test::test_seed() + 23);
  const std::string x = save("x.npy", test::random_tensor(rng, DType::f32, {1, 2, 3, 3}, true));
  const std::string w = save("w.npy", test::random_tensor(rng, DType::f32, {2, 2, 3, 3}, true));
  const std::string b = save("b.npy", Tensor::from_values(DType::f32, {2}, {0.5, -1}));
  const RunResult r = run({"trace", "conv-transpose", "--input", x, "--weight", w, "--bias", b,
                           "--stride", "2", "--padding", "1", "--out", path("t.json")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("convscope trace conv-transpose: wrote"), std::string::npos) << r.out;
  const nlohmann::json j = nlohmann::json::parse(read_text(path("t.json")));
  EXPECT_EQ(j["op"], "conv_transpose2d");
  EXPECT_EQ(j["output_shape"], nlohmann::json::parse("[1, 2, 5, 5]"));
  EXPECT_EQ(j["gather"]["stuffed_shape"], nlohmann::json::parse("[5, 5]"));
  EXPECT_EQ(j["gather"]["padding"], nlohmann::json::parse("[1, 1, 1, 1]"));
  ASSERT_EQ(j["windows"].size(), 50u);
  std::vector<double> scattered(50, 0.0);
  ASSERT_EQ(j["stamps"].size(), 18u);
  int64_t cropped = 0;
  for (const auto& st : j["stamps"]) {
    cropped += st["cropped"].get<int64_t>();
    for (const auto& t : st["to"]) {
      const int64_t o = t[0], y = t[1], xx = t[2];
      scattered[static_cast<std::size_t>((o * 5 + y) * 5 + xx)] += t[5].get<double>();
    }
  }
  EXPECT_GT(cropped, 0);
  for (std::size_t i = 0; i < 50; ++i) {
    const auto& win = j["windows"][i];
    double sum = 0;
    for (const auto& p : win["partials"])
      sum += p.get<double>();
    EXPECT_EQ(sum + win["bias"].get<double>(), win["value"].get<double>()) << i;
    EXPECT_EQ(scattered[i] + win["bias"].get<double>(), win["value"].get<double>()) << i;
  }
  // Options the trace does not take, and a bad output_padding, are refused in one sentence.
  expect_failure({"trace", "conv-transpose", "--input", x, "--weight", w, "--backend", "cpu",
                  "--out", path("u.json")},
                 "use `convscope conv-transpose` for backends and timing", path("u.json"));
  expect_failure({"trace", "conv-transpose", "--input", x, "--weight", w, "--output-padding", "1",
                  "--out", path("u.json")},
                 "output_padding of 1 rows must be smaller", path("u.json"));
}

TEST_F(CliTest, LessonTransposeUnitReadsAWindowBothWays) {
  // transpose-unit, window 5 = y[0, 0, 1, 1]: the rotated kernel [[−1, 0, 1], ...] over the
  // input [[2, 1], [0, 3]] padded by 2: 2·0 + 1·1 + 0·0 + 3·1 = 4; read as scatter, all four
  // input cells' stamps land there.
  const RunResult r = run({"lesson", "transpose-unit", "--window", "5"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("  channel 0: (0)\xC2\xB7(-1) + (0)\xC2\xB7"
                       "0 + (0)\xC2\xB7"
                       "1 + "
                       "(0)\xC2\xB7(-1) + 2\xC2\xB7"
                       "0 + 1\xC2\xB7"
                       "1 + (0)\xC2\xB7(-1) + "
                       "0\xC2\xB7"
                       "0 + 3\xC2\xB7"
                       "1 = 4\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Scatter reading: 4 stamps land here from channel 0"), std::string::npos);
  EXPECT_NE(r.out.find("so the output is 1\xC3\x97"
                       "1\xC3\x97"
                       "4\xC3\x97"
                       "4."),
            std::string::npos);
}

TEST_F(CliTest, ShapeConvTransposeWritesTheFormulaWithYourNumbers) {
  RunResult r = run({"shape", "conv-transpose", "--input-shape", "1,16,3,3", "--kernel-shape",
                     "16,8,3,3", "--stride", "2", "--padding", "1", "--output-padding", "1"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("output shape: [1, 8, 6, 6]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("= (3 \xE2\x88\x92 1)\xC2\xB7"
                       "2 \xE2\x88\x92 2\xC2\xB7"
                       "1 + 1\xC2\xB7(3 "
                       "\xE2\x88\x92 1) + 1 + 1 = 6"),
            std::string::npos)
      << r.out;
  r = run({"shape", "conv-transpose", "--input-shape", "1,3,3,16", "--kernel-shape", "4,4,8,16",
           "--stride", "2", "--padding", "1", "--layout", "nhwc", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["op"], "conv_transpose2d");
  EXPECT_EQ(j["output_shape"], nlohmann::json::parse("[1, 6, 6, 8]"));  // (3 − 1)·2 − 2 + 3 + 1
  expect_failure(
      {"shape", "conv-transpose", "--input-shape", "1,16,3,3", "--kernel-shape", "8,16,3,3"},
      "is made for 8 input channels, but the input has 16");
  for (const std::vector<std::string>& help :
       {std::vector<std::string>{"conv-transpose", "--help"},
        std::vector<std::string>{"trace", "conv-transpose", "--help"},
        std::vector<std::string>{"shape", "conv-transpose", "--help"},
        std::vector<std::string>{"help", "conv-transpose"}}) {
    r = run(help);
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("--output-padding OP|OPH,OPW"), std::string::npos) << r.out;
  }
}

// ------------------------------------------------------------------ Keras's rules

// Conv2D(1, 3, strides=2, padding='same') on the seed's top-left 4×4 (NHWC): TensorFlow pads
// max(1·2 + 3 − 4, 0) = 1 row and column, at the bottom and the right; the windows give
// (1+0+3) − (3+2+1) = −2, (3+2+1) − 0 = 6, (3+0+0) − (1+3+0) = −1, (1+3+0) − 0 = 4.
TEST_F(CliTest, KerasSameWithStrideTwo) {
  const Tensor x4 = Tensor::from_values(DType::f32, {1, 4, 4, 1},
                                        {1, 2, 3, 0, 0, 1, 2, 3, 3, 0, 1, 2, 0, 2, 3, 0});
  const std::string x = save("x.npy", x4);
  const std::string w =
      save("w.npy", Tensor::from_values(DType::f32, {3, 3, 1, 1}, {1, 0, -1, 1, 0, -1, 1, 0, -1}));
  const std::string y = path("y.npy");
  // conv --input x --weight w --layout nhwc --stride 2 --padding P [extra...] --out y
  auto conv = [&](const std::string& padding, std::vector<std::string> extra) {
    std::vector<std::string> a = {"conv", "--input",  x,   "--weight",  w,      "--layout",
                                  "nhwc", "--stride", "2", "--padding", padding};
    a.insert(a.end(), extra.begin(), extra.end());
    a.insert(a.end(), {"--out", y});
    return a;
  };
  expect_failure(conv("same", {}),
                 "padding 'same' needs stride 1 (PyTorch refuses it for strided convolutions), "
                 "but the stride is 2\xC3\x97"
                 "2; give the padding as numbers (with --framework keras it is allowed)",
                 y);
  RunResult r = run(conv("same", {"--framework", "keras"}));
  ASSERT_EQ(r.status, 0) << r.err;
  expect_values(load("y.npy"), {1, 2, 2, 1}, {-2, 6, -1, 4});
  // Keras's 'valid' is PyTorch's padding 0: ⌈(4 − 3 + 1)/2⌉ = 1.
  r = run(conv("valid", {"--framework", "keras"}));
  ASSERT_EQ(r.status, 0) << r.err;
  expect_values(load("y.npy"), {1, 1, 1, 1}, {-2});
  // What Keras refuses.
  fs::remove(y);
  expect_failure(conv("1", {"--framework", "keras"}),
                 "--padding 1: with --framework keras the padding is 'valid' (the default) or "
                 "'same', as Keras's layers take it; numbers and 'full' follow PyTorch's rules "
                 "(--framework pytorch)",
                 y);
  expect_failure(conv("same", {"--framework", "keras", "--padding-mode", "reflect"}),
                 "Keras's Conv2D pads with zeros only", y);
  expect_failure(conv("same", {"--framework", "keras", "--dilation", "2"}),
                 "Keras's Conv2D refuses strides > 1 together with dilation_rate > 1", y);
  expect_failure(conv("same", {"--framework", "tensorflw"}),
                 "--framework tensorflw is not a framework; use pytorch or keras", y);
}

// AveragePooling2D(3, strides=2, padding='same') on the row 1..5: one cell of padding each side,
// divided by the real cells: (1+2)/2 = 1.5, (2+3+4)/3 = 3, (4+5)/2 = 4.5. MaxPooling2D(2,
// padding='same') on −1..−9 (3×3): the padding (−∞) never wins: −1, −3, −7, −9.
TEST_F(CliTest, KerasPoolingSame) {
  const std::string row = save("row.npy", Tensor::from_values(DType::f64, {1, 5}, {1, 2, 3, 4, 5}));
  RunResult r = run({"pool", "--input", row, "--op", "avg", "--kernel", "1,3", "--stride", "1,2",
                     "--framework", "keras", "--padding", "same", "--out", path("a.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_values(load("a.npy"), {1, 3}, {1.5, 3, 4.5});
  const std::string neg = save(
      "neg.npy", Tensor::from_values(DType::f32, {3, 3}, {-1, -2, -3, -4, -5, -6, -7, -8, -9}));
  r = run({"pool", "--input", neg, "--op", "max", "--kernel", "2", "--framework", "keras",
           "--padding", "same", "--out", path("m.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_values(load("m.npy"), {2, 2}, {-1, -3, -7, -9});
  // PyTorch's own pooling has no 'same'; Keras's has no ceil_mode or padding numbers.
  expect_failure({"pool", "--input", neg, "--op", "max", "--kernel", "2", "--padding", "same",
                  "--out", path("p.npy")},
                 "(Keras's pooling takes 'same' or 'valid' with --framework keras)", path("p.npy"));
  expect_failure({"pool", "--input", neg, "--op", "max", "--kernel", "2", "--framework", "keras",
                  "--ceil-mode", "--out", path("p.npy")},
                 "Keras's MaxPooling2D has no ceil_mode", path("p.npy"));
  expect_failure({"pool", "--input", neg, "--op", "avg", "--kernel", "2", "--framework", "keras",
                  "--padding", "1", "--out", path("p.npy")},
                 "--padding 1: with --framework keras", path("p.npy"));
}

// Conv2DTranspose(1, (1, 3), strides=(1, 2), padding='same') on the row [1 2 3]: the stamps
// [1 10 100], [2 20 200], [3 30 300] at columns 0, 2, 4 cover 7 columns; Keras keeps 3·2 = 6,
// cropping the last: [1, 10, 102, 20, 203, 30]. 'valid' keeps 3·2 + max(3 − 2, 0) = 7.
TEST_F(CliTest, KerasConvTransposeSame) {
  const std::string x = save("x.npy", Tensor::from_values(DType::f64, {1, 1, 1, 3}, {1, 2, 3}));
  const std::string w = save("w.npy", Tensor::from_values(DType::f64, {1, 1, 1, 3}, {1, 10, 100}));
  RunResult r = run({"conv-transpose", "--input", x, "--weight", w, "--stride", "1,2",
                     "--framework", "keras", "--padding", "same", "--out", path("s.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_values(load("s.npy"), {1, 1, 1, 6}, {1, 10, 102, 20, 203, 30});
  r = run({"conv-transpose", "--input", x, "--weight", w, "--stride", "1,2", "--framework", "keras",
           "--out", path("v.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_values(load("v.npy"), {1, 1, 1, 7}, {1, 10, 102, 20, 203, 30, 300});
  expect_failure({"conv-transpose", "--input", x, "--weight", w, "--stride", "1,2", "--framework",
                  "keras", "--output-padding", "0,2", "--out", path("e.npy")},
                 "Keras's Conv2DTranspose needs output_padding smaller than the stride",
                 path("e.npy"));
  r = run({"shape", "conv-transpose", "--input-shape", "1,1,1,3", "--kernel-shape", "1,1,1,3",
           "--stride", "1,2", "--framework", "keras", "--padding", "same", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["framework"], "keras");
  EXPECT_EQ(j["output_shape"], nlohmann::json::parse("[1, 1, 1, 6]"));
  EXPECT_EQ(j["padding"], nlohmann::json::parse("[0, 0, 0, 1]"));  // cropped per side
}

TEST_F(CliTest, ShapeWithKerasRulesWritesKerasFormula) {
  RunResult r =
      run({"shape", "--input-shape", "1,28,28,1", "--kernel-shape", "3,3,1,32", "--layout", "nhwc",
           "--framework", "keras", "--stride", "2", "--padding", "same"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("conv2d (Keras's rules)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("output shape: [1, 14, 14, 32]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("padding: top 0, bottom 1, left 0, right 1"), std::string::npos) << r.out;
  // ⌈28/2⌉ = 14; max((14 − 1)·2 + 1·(3 − 1) + 1 − 28, 0) = 1
  EXPECT_NE(r.out.find("out_h = \xE2\x8C\x88in_h / stride\xE2\x8C\x89 = \xE2\x8C\x88"
                       "28 / 2\xE2\x8C\x89 = 14"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("= max((14 \xE2\x88\x92 1)\xC2\xB7"
                       "2 + 1\xC2\xB7(3 \xE2\x88\x92 1) + 1 \xE2\x88\x92 28, 0) = 1: top 0, "
                       "bottom 1"),
            std::string::npos)
      << r.out;
  // Pooling: ⌈(28 − 3 + 1)/2⌉ = 13 with 'valid'.
  r = run({"shape", "--input-shape", "1,1,28,28", "--op", "max", "--kernel", "3", "--stride", "2",
           "--framework", "keras", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["output_shape"], nlohmann::json::parse("[1, 1, 13, 13]"));
  EXPECT_EQ(j["formula"][0],
            "out_h = \xE2\x8C\x88(in_h \xE2\x88\x92 k_h + 1) / stride\xE2\x8C\x89 = \xE2\x8C\x88"
            "(28 \xE2\x88\x92 3 + 1) / 2\xE2\x8C\x89 = 13");
}

// ------------------------------------------------------------------ conv1d and 'full'

// The seed notebook: np.convolve([1, 2, 3], [0, 1, 0.5], mode='full') = [0, 1, 2.5, 4, 1.5];
// 'same' the middle three, 'valid' the one full overlap.
TEST_F(CliTest, Conv1dIsNumpyConvolveWithFlip) {
  const std::string a = save("a.npy", Tensor::from_values(DType::f64, {3}, {1, 2, 3}));
  const std::string v = save("v.npy", Tensor::from_values(DType::f64, {3}, {0, 1, 0.5}));
  const std::vector<std::pair<const char*, std::vector<double>>> modes = {
      {"full", {0, 1, 2.5, 4, 1.5}}, {"same", {1, 2.5, 4}}, {"valid", {2.5}}};
  for (const auto& [mode, want] : modes) {
    SCOPED_TRACE(mode);
    const RunResult r = run({"conv1d", "--input", a, "--weight", v, "--flip", "--padding", mode,
                             "--out", path("y.npy")});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("convscope conv1d: wrote"), std::string::npos) << r.out;
    expect_values(load("y.npy"), {static_cast<int64_t>(want.size())}, want);
  }
  // NumPy swaps a kernel longer than the signal: np.convolve([1, 2], [1, 10, 100, 1000],
  // 'same') = [1, 12, 120, 1200] (len(v) values), and says so.
  const std::string a2 = save("a2.npy", Tensor::from_values(DType::f64, {2}, {1, 2}));
  const std::string v4 = save("v4.npy", Tensor::from_values(DType::f64, {4}, {1, 10, 100, 1000}));
  RunResult r = run({"conv1d", "--input", a2, "--weight", v4, "--flip", "--padding", "same",
                     "--out", path("s.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_values(load("s.npy"), {4}, {1, 12, 120, 1200});
  EXPECT_EQ(r.err,
            "convscope conv1d: note: the kernel (4 values) is longer than the signal (2), so the "
            "two are swapped, as np.convolve does\n");
  // Without --flip it is PyTorch's conv1d, which does not swap.
  expect_failure({"conv1d", "--input", a2, "--weight", v4, "--out", path("n.npy")},
                 "kernel of 4 taps spans 4 samples, but the padded input has only 2",
                 path("n.npy"));
}

// torch.nn.functional.conv1d on [C, L] = [2, 5] with 3 filters [3, 2, 2], stride 2, padding 1:
// ⌊(5 + 2 − 2)/2⌋ + 1 = 3 outputs per filter, unbatched like PyTorch: [3, 3].
TEST_F(CliTest, Conv1dTorchShapesAndErrors) {
  std::mt19937_64 rng(test::test_seed(7));
  const Tensor xin = test::random_tensor(rng, DType::f32, {2, 5}, true);
  const Tensor win = test::random_tensor(rng, DType::f32, {3, 2, 2}, true);
  const Tensor bin = test::random_tensor(rng, DType::f32, {3}, true);
  const std::string x = save("x.npy", xin), w = save("w.npy", win), b = save("b.npy", bin);
  const RunResult r = run({"conv1d", "--input", x, "--weight", w, "--bias", b, "--stride", "2",
                           "--padding", "1", "--out", path("y.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  const Tensor want = test::naive_conv2d(*xin.reshaped({1, 2, 1, 5}), *win.reshaped({3, 2, 1, 2}),
                                         &bin, 1, 2, 1, 1, 1, {0, 0, 1, 1}, PaddingMode::zeros);
  expect_values(load("y.npy"), {3, 3},
                std::vector<double>(want.data<double>(), want.data<double>() + want.numel()));
  const std::string y = path("e.npy");
  expect_failure({"conv1d", "--input", x, "--weight", w, "--padding", "1,2", "--out", y},
                 "--padding 1,2 is not a number like 1, 'same', 'valid' or 'full' (conv1d pads "
                 "both ends by the same number)",
                 y);
  expect_failure({"conv1d", "--input", x, "--weight", w, "--stride", "2,1", "--out", y},
                 "--stride 2,1 is a pair, a 2-D setting; conv1d takes one number like 2", y);
  expect_failure(
      {"conv1d", "--input", x, "--weight", w, "--stride", "2", "--padding", "same", "--out", y},
      "padding 'same' needs stride 1 (PyTorch refuses it for strided convolutions), "
      "but the stride is 2; give the padding as a number",
      y);
  const std::string w2 =
      save("w2.npy", Tensor::from_values(DType::f32, {2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8}));
  expect_failure({"conv1d", "--input", x, "--weight", w2, "--groups", "2", "--out", y},
                 "weight of shape 2\xC3\x97"
                 "2\xC3\x97"
                 "2 [C_out, C_in/groups, K] expects 2 input channels per group, but the input "
                 "has 2 channels / 2 groups = 1",
                 y);
  expect_failure({"conv1d", "--input", w, "--weight", w, "--layout", "nhwc", "--out", y},
                 "unknown option --layout", y);
}

// scipy.signal.convolve2d(a, laplacian, mode='full') is conv --padding full --flip: 5×5 with
// a's first row, shifted right by one, along the top ([0, 1, 2, 3, 0]).
TEST_F(CliTest, ConvPaddingFullIsScipysFull) {
  const std::string a =
      save("a.npy", Tensor::from_values(DType::f64, {3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}));
  const std::string k =
      save("k.npy", Tensor::from_values(DType::f64, {3, 3}, {0, 1, 0, 1, -4, 1, 0, 1, 0}));
  const RunResult r = run(
      {"conv", "--input", a, "--weight", k, "--padding", "full", "--flip", "--out", path("y.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_values(load("y.npy"), {5, 5}, {0,  1, 2, 3,   0,   1,   2, 1, -4, 3, 4, -3, 0,
                                        -7, 6, 7, -16, -11, -22, 9, 0, 7,  8, 9, 0});
  expect_failure(
      {"conv", "--input", a, "--weight", k, "--padding", "fulll", "--out", path("e.npy")},
      "--padding fulll is not a number, a pair like 1,2 (rows, columns), 'same', "
      "'valid' or 'full'",
      path("e.npy"));
}

TEST_F(CliTest, ShapeConv1dWritesTheFormula) {
  RunResult r = run({"shape", "conv1d", "--input-shape", "1,16,100", "--kernel-shape", "32,16,5",
                     "--stride", "2", "--padding", "2"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("output shape: [1, 32, 50] (N, C_out, L_out)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("padding: left 2, right 2"), std::string::npos) << r.out;
  // ⌊(100 + 2 + 2 − 1·(5 − 1) − 1)/2⌋ + 1 = 50
  EXPECT_NE(r.out.find("= \xE2\x8C\x8A(100 + 2 + 2 \xE2\x88\x92 1\xC2\xB7(5 \xE2\x88\x92 1) "
                       "\xE2\x88\x92 1) / 2\xE2\x8C\x8B + 1 = 50"),
            std::string::npos)
      << r.out;
  // np.convolve's 'full' of 3 and 3: 5; 'same' with an even kernel pads 1 at the start.
  r = run({"shape", "conv1d", "--input-shape", "3", "--kernel-shape", "3", "--flip", "--padding",
           "full", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["output_shape"], nlohmann::json::parse("[1, 1, 5]"));
  r = run({"shape", "conv1d", "--input-shape", "5", "--kernel-shape", "2", "--flip", "--padding",
           "same", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["padding"], nlohmann::json::parse("[1, 0]"));
  expect_failure({"shape", "conv1d", "--input-shape", "1,2,3,4", "--kernel-shape", "3"},
                 "--input-shape 1,2,3,4 is not a shape like 1,3,100");
}

TEST_F(CliTest, LessonNumpyConvolvePrintsTheNotebooksNumbers) {
  RunResult r = run({"lesson", "np-convolve-full"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("channel 0: 1\xC2\xB7"
                       "0.5 + 2\xC2\xB7"
                       "1 + 3\xC2\xB7"
                       "0 = 2.5"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Expected (from the notebook): [0, 1, 2.5, 4, 1.5]"), std::string::npos);
  r = run({"lesson", "--list"});
  for (const char* name :
       {"np-convolve-full", "np-convolve-same", "np-convolve-valid", "scipy-convolve-full",
        "keras-same-stride-2", "keras-maxpool-same", "keras-avgpool-same"}) {
    EXPECT_NE(r.out.find(name), std::string::npos) << name;
  }
  r = run({"lesson", "keras-same-stride-2"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("padding 0,1,0,1 (top 0, bottom 1, left 0, right 1)"), std::string::npos)
      << r.out;
}

// conv1d and Keras's padding go through the GPU's conv2d and pooling shaders unchanged (height 1,
// padding per side): --backend auto gives the CPU's numbers (or falls back to the CPU).
TEST_F(CliTest, Conv1dAndKerasPaddingOnTheGpu) {
  std::mt19937_64 rng(test::test_seed(17));
  const std::string x1 = save("x1.npy", test::random_tensor(rng, DType::f32, {2, 3, 11}, false));
  const std::string w1 = save("w1.npy", test::random_tensor(rng, DType::f32, {4, 3, 4}, false));
  const std::string x2 = save("x2.npy", test::random_tensor(rng, DType::f32, {1, 7, 6, 2}, false));
  const std::string w2 = save("w2.npy", test::random_tensor(rng, DType::f32, {3, 3, 2, 2}, false));
  const std::vector<std::vector<std::string>> commands = {
      {"conv1d", "--input", x1, "--weight", w1, "--flip", "--padding", "same"},
      {"conv1d", "--input", x1, "--weight", w1, "--stride", "2", "--padding", "full"},
      {"conv", "--input", x2, "--weight", w2, "--layout", "nhwc", "--framework", "keras",
       "--stride", "2", "--padding", "same"},
      {"pool", "--input", x2, "--layout", "nhwc", "--op", "avg", "--kernel", "2", "--stride", "3",
       "--framework", "keras", "--padding", "same"},
      {"pool", "--input", x2, "--layout", "nhwc", "--op", "max", "--kernel", "3", "--stride", "2",
       "--framework", "keras", "--padding", "same"}};
  for (const std::vector<std::string>& c : commands) {
    SCOPED_TRACE(testing::PrintToString(c));
    std::vector<std::string> cpu = c, gpu = c;
    cpu.insert(cpu.end(), {"--out", path("cpu.npy")});
    gpu.insert(gpu.end(), {"--backend", "auto", "--out", path("gpu.npy")});
    RunResult r = run(cpu);
    ASSERT_EQ(r.status, 0) << r.err;
    r = run(gpu);
    ASSERT_EQ(r.status, 0) << r.err;
    const Tensor want = load("cpu.npy");
    expect_values(load("gpu.npy"), want.shape(), test::values(want), 1e-5);
  }
}

}  // namespace
}  // namespace cs
