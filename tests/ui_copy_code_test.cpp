// Edit ▸ Copy as PyTorch in the real window (under Xvfb): `--copy-code pytorch --copy-code-file
// OUT.py` does what the menu item does after the first frame and also writes what went to the
// clipboard; that script, run with Debian's python3-torch (/usr/bin/python3), must write the
// lesson's output (the engine's numbers, computed here from the same built-in lesson). Without
// a display or torch the test fails under CI and skips elsewhere.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app/ui/window_options.hpp"
#include "core/conv2d.hpp"
#include "core/lessons.hpp"
#include "core/npy.hpp"
#include "core/pool2d.hpp"
#include "ui_test_util.hpp"

namespace {

namespace fs = std::filesystem;

#define CS_REQUIRE_TORCH()                                                                     \
  do {                                                                                         \
    if (cs::test::run_command("/usr/bin/python3 -c 'import torch' 2>/dev/null").status != 0) { \
      if (std::getenv("CI") != nullptr)                                                        \
        FAIL() << "CI must run the copy-as-PyTorch test: install python3-torch "               \
                  "(scripts/install-deps.sh)";                                                 \
      GTEST_SKIP() << "no python3-torch for /usr/bin/python3";                                 \
    }                                                                                          \
  } while (0)

class UiCopyCode : public ::testing::Test {
 protected:
  void SetUp() override {
    CS_REQUIRE_DISPLAY();
    CS_REQUIRE_TORCH();
    char tmpl[] = "/tmp/convscope-copy-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    m_dir = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    if (!m_dir.empty()) fs::remove_all(m_dir, ec);
  }

  // Runs the window on `lesson` with --copy-code `target`; the script it copied.
  std::string copy(const std::string& lesson, const std::string& target) {
    const fs::path script = m_dir / (lesson + "-" + target + ".py");
    const std::string cmd = "XDG_STATE_HOME='" + m_dir.string() +
                            "' LIBGL_ALWAYS_SOFTWARE=1 timeout 60 '" CONVSCOPE_EXE
                            "' --frames 2 --size 1280x720 --lesson " +
                            lesson + " --copy-code " + target + " --copy-code-file '" +
                            script.string() + "' 2>&1";
    const auto run = cs::test::run_command(cmd);
    EXPECT_EQ(run.status, 0) << cmd << "\n" << run.output;
    std::ifstream in(script);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  fs::path m_dir;
};

// What the engine computes for the built-in lesson, in the lesson's layout.
cs::Tensor lesson_output(const cs::Lesson& l) {
  if (l.op == cs::LessonOp::pool) return *cs::pool2d(l.input, l.pool);
  const cs::Tensor w = l.flip_kernel ? cs::flip_kernel(l.weight, l.conv.layout) : l.weight;
  return *cs::conv2d(l.input, w, l.bias ? &*l.bias : nullptr, l.conv);
}

// A conv with bias and three input channels, a true convolution (flipped kernel), a grouped
// (depthwise) conv and Keras's NHWC max pooling: each script writes the lesson's numbers. (Four
// lessons: each costs a window and a torch start-up; export_agreement covers every option.)
TEST_F(UiCopyCode, CopyAsPyTorchWritesTheLessonsOutput) {
  for (const char* name : {"rgb-3-filters", "scipy-laplacian", "depthwise", "keras-pool"}) {
    SCOPED_TRACE(name);
    const std::string script = copy(name, "pytorch");
    ASSERT_NE(script.find("import torch"), std::string::npos) << script;
    ASSERT_NE(script.find("np.array("), std::string::npos) << "tensors inline: " << script;
    const auto run =
        cs::test::run_command("cd '" + m_dir.string() + "' && /usr/bin/python3 '" +
                              (m_dir / (std::string(name) + "-pytorch.py")).string() + "' 2>&1");
    ASSERT_EQ(run.status, 0) << run.output << "\n" << script;
    auto got = cs::read_npy((m_dir / ("convscope_" + std::string(name) + ".npy")).string());
    ASSERT_TRUE(got) << got.error().message;
    const cs::Tensor want = lesson_output(*cs::find_lesson(name));
    ASSERT_EQ(got->shape(), want.shape());
    for (int64_t i = 0; i < want.numel(); ++i) {
      EXPECT_NEAR(got->get(i), want.get(i), 1e-5 * (1 + std::abs(want.get(i))))
          << "at flat index " << i;
    }
  }
}

// Copy as Keras puts the Keras layer on the clipboard (Keras is not installed here: the text
// only; tests/golden has Keras scripts of the command line, checked by reading them).
TEST_F(UiCopyCode, CopyAsKerasNamesTheKerasLayer) {
  const std::string conv = copy("keras-conv", "keras");
  EXPECT_NE(conv.find("keras.layers.Conv2D(filters=2, kernel_size=(2, 2)"), std::string::npos)
      << conv;
  EXPECT_NE(conv.find("layer.set_weights([w])"), std::string::npos) << conv;
  const std::string pool = copy("keras-pool", "keras");
  EXPECT_NE(pool.find("keras.layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2), "
                      "padding='valid'"),
            std::string::npos)
      << pool;
}

using cs::test::parse_args;

// The scripted options, in process (no display needed).
TEST(CopyCodeOptions, ReadAndRefused) {
  auto r = parse_args({"--copy-code", "keras", "--copy-code-file", "out.py"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->copy_code, "keras");
  EXPECT_EQ(r->copy_code_file, "out.py");
  auto bad = parse_args({"--copy-code", "jax"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "--copy-code jax is not a framework; use pytorch or keras.");
  auto alone = parse_args({"--copy-code-file", "out.py"});
  ASSERT_FALSE(alone);
  EXPECT_EQ(alone.error().message, "--copy-code-file needs --copy-code pytorch|keras too.");
}

}  // namespace
