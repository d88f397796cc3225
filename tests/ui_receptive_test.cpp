// The Receptive field view in the real window under Xvfb: opened with --layers on a stack with a
// stride, max pooling and dilation, the mouse (xdotool) on a cell of the last layer and of the
// first, and the field the view reports (--status-file) against the hand-worked numbers and
// core/receptive_field. Depends on core/, nlohmann-json, GoogleTest, xdotool.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/layers.hpp"
#include "core/receptive_field.hpp"
#include "ui_test_util.hpp"

extern char** environ;

namespace cs {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// The window on `layers`, with its status file; killed at the end of the test.
class Window {
 public:
  Window(const fs::path& dir, const std::string& layers) : m_status(dir / "status.json") {
    std::vector<std::string> args{CONVSCOPE_EXE, "--status-file", m_status.string(),
                                  "--size",      "1280x720",      "--layers",
                                  layers};
    std::vector<std::string> env{"XDG_STATE_HOME=" + dir.string(), "LIBGL_ALWAYS_SOFTWARE=1"};
    for (char** e = environ; *e; ++e) {
      if (std::string(*e).rfind("XDG_STATE_HOME=", 0) != 0) env.push_back(*e);
    }
    std::vector<char*> argv, envp;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env)
      envp.push_back(e.data());
    envp.push_back(nullptr);
    if (posix_spawn(&m_pid, CONVSCOPE_EXE, nullptr, nullptr, argv.data(), envp.data()) != 0) {
      m_pid = -1;
    }
  }
  ~Window() {
    if (m_pid <= 0) return;
    kill(m_pid, SIGKILL);
    int st = 0;
    waitpid(m_pid, &st, 0);
  }
  json status() const {
    std::ifstream in(m_status);
    std::stringstream ss;
    ss << in.rdbuf();
    json j = json::parse(ss.str(), nullptr, false);
    return j.is_discarded() ? json::object() : j;
  }
  // Waits (up to `seconds`) until pred(status) holds; the last status either way.
  template <class Pred>
  json wait(Pred pred, double seconds = 30) const {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    json s = status();
    while (!pred(s) && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      s = status();
    }
    return s;
  }
  bool find_window() {
    std::istringstream in(
        test::run_command("timeout 20 xdotool search --sync --onlyvisible --pid " +
                          std::to_string(m_pid) + " 2>/dev/null")
            .output);
    in >> m_window;
    return !m_window.empty();
  }
  // The mouse to the centre of cell (y, x) of grid `level` (window pixels from the status).
  void hover(const json& grids, std::size_t level, int y, int x) const {
    const json& g = grids[level];
    const double cell = g[2];
    const int px = static_cast<int>(double(g[0]) + cell * (x + 0.5));
    const int py = static_cast<int>(double(g[1]) + cell * (y + 0.5));
    std::system(("xdotool mousemove --window " + m_window + " " + std::to_string(px) + " " +
                 std::to_string(py))
                    .c_str());
  }
  pid_t pid() const { return m_pid; }

 private:
  fs::path m_status;
  pid_t m_pid = -1;
  std::string m_window;
};

class UiReceptive : public ::testing::Test {
 protected:
  void SetUp() override {
    CS_REQUIRE_DISPLAY();
    m_dir = fs::temp_directory_path() / ("convscope_ui_rf_" + std::to_string(::getpid()));
    fs::create_directories(m_dir);
    m_layers = (m_dir / "stack.json").string();
    std::ofstream(m_layers) << R"([{"kernel": "sobel-x", "stride": 2, "padding": 1},
                                   {"pool": "max", "kernel": 2},
                                   {"kernel": "gaussian-3", "dilation": 2, "padding": 2}])";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }
  fs::path m_dir;
  std::string m_layers;
};

json hovering(const Window& w, const json& want) {
  return w.wait(
      [&](const json& s) { return s.contains("receptive") && s["receptive"]["hover"] == want; });
}

TEST_F(UiReceptive, HoverOutlinesTheFieldOfALastLayerCell) {
  Window w(m_dir, m_layers);
  ASSERT_GT(w.pid(), 0);
  json s = w.wait(
      [](const json& j) { return j.contains("receptive") && j["receptive"]["grids"].size() == 4; });
  ASSERT_EQ(s["receptive"]["grids"].size(), 4u) << s.dump();
  EXPECT_EQ(s["receptive"]["error"], "");
  ASSERT_TRUE(w.find_window());
  // 16×16 → conv 3, stride 2, padding 1: 8 → max pool 2: 4 → conv 3, dilation 2, padding 2: 4.
  EXPECT_EQ(s["receptive"]["grids"][3][3], 4);
  // Layer 3: size 5 + (3 − 1)·2·4 = 21, jump 4, start −1 − 2·4 = −9. Cell (3, 1): rows
  // −9 + 3·4 = 3 to 23 (8 below the input), columns −5 to 15 (5 left of it). It reads layer-2
  // rows 1, 3 (5 is padding) → layer-1 rows 2, 3, 6, 7 → input rows 3 to 15; columns likewise
  // (−1 is padding) → input columns 3 to 15.
  w.hover(s["receptive"]["grids"], 3, 3, 1);
  s = hovering(w, json::array({3, 3, 1}));
  ASSERT_EQ(s["receptive"]["hover"], json::array({3, 3, 1})) << s.dump();
  const json& rf = s["receptive"];
  EXPECT_EQ(rf["size"], json::array({21, 21}));
  EXPECT_EQ(rf["jump"], json::array({4, 4}));
  EXPECT_EQ(rf["start"], json::array({-9, -9}));
  EXPECT_EQ(rf["field"], json::array({3, 23, -5, 15}));
  EXPECT_EQ(rf["depends"], json::array({3, 15, 3, 15}));
  EXPECT_EQ(rf["padding"], json::array({0, 8, 5, 0}));
  const std::string sentence = rf["sentence"];
  EXPECT_NE(sentence.find("receptive field 21\xC3\x97"
                          "21, jump 4\xC3\x97"
                          "4"),
            std::string::npos)
      << sentence;
  EXPECT_NE(sentence.find("It depends on input rows 3 to 15 and columns 3 to 15"),
            std::string::npos)
      << sentence;
  // The same box from the core, straight from the file.
  Result<std::vector<Layer>> layers = load_layers(m_layers);
  ASSERT_TRUE(layers.has_value());
  Result<std::vector<RfLayer>> stack = rf_layers(*layers, {1, 1, 16, 16});
  ASSERT_TRUE(stack.has_value());
  const RfBox b = rf_box(*stack, 3, 1);
  EXPECT_EQ(rf["depends"],
            json::array({b.y.depends.lo, b.y.depends.hi, b.x.depends.lo, b.x.depends.hi}));

  // A cell of the first layer: 3×3 around (2·2 − 1, 2·0 − 1) = rows 3 to 5, columns −1 to 1.
  w.hover(s["receptive"]["grids"], 1, 2, 0);
  s = hovering(w, json::array({1, 2, 0}));
  ASSERT_EQ(s["receptive"]["hover"], json::array({1, 2, 0})) << s.dump();
  EXPECT_EQ(s["receptive"]["field"], json::array({3, 5, -1, 1}));
  EXPECT_EQ(s["receptive"]["depends"], json::array({3, 5, 0, 1}));
  EXPECT_EQ(s["receptive"]["padding"], json::array({0, 0, 1, 0}));
}

TEST_F(UiReceptive, BuiltInStackIsTheSeedReadmesTwoLayers) {
  // --receptive: the first built-in stack, two 3×3 convolutions without padding: 16 → 14 → 12.
  const std::string status = (m_dir / "st.json").string();
  const test::CommandRun r = test::run_command(
      "XDG_STATE_HOME=" + m_dir.string() + " LIBGL_ALWAYS_SOFTWARE=1 " + CONVSCOPE_EXE +
      " --frames 3 --size 1280x720 --receptive --status-file " + status + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.output;
  std::ifstream in(status);
  const json s = json::parse(in, nullptr, false);
  ASSERT_TRUE(s.contains("receptive")) << s.dump();
  EXPECT_EQ(s["receptive"]["layers"], 2);
  ASSERT_EQ(s["receptive"]["grids"].size(), 3u);
  EXPECT_EQ(s["receptive"]["grids"][1][3], 14);
  EXPECT_EQ(s["receptive"]["grids"][2][4], 12);
  EXPECT_EQ(s["receptive"]["hover"], json::array());
}

TEST_F(UiReceptive, UnreadableLayersFileIsRefusedAtStart) {
  const std::string bad = (m_dir / "bad.json").string();
  std::ofstream(bad) << "[{\"kernel\": ";
  const test::CommandRun r =
      test::run_command("XDG_STATE_HOME=" + m_dir.string() + " " + CONVSCOPE_EXE +
                        " --frames 1 --layers " + bad + " 2>&1");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find(bad + " is not valid JSON"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace cs
