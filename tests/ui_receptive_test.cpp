// The Receptive field view in the real window under Xvfb: opened with --layers on a stack with a
// stride, max pooling and dilation, the mouse (xdotool) on a cell of the last layer and of the
// first, and the field the view reports (--status-file) against the hand-worked numbers and
// core/receptive_field. Depends on core/, nlohmann-json, GoogleTest, xdotool.
#include <gtest/gtest.h>
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

namespace cs {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

using Window = test::AppWindow;

// The window on `layers` at 1280×720, its state and status file in `dir`.
test::AppConfig window_on(const fs::path& dir, const std::string& layers) {
  test::AppConfig c;
  c.args = {"--layers", layers};
  c.state_home = dir;
  c.status_file = dir / "status.json";
  c.size = "1280x720";
  return c;
}

// The mouse to the centre of cell (y, x) of grid `level` (window pixels from the status).
void hover(const Window& w, const json& grids, std::size_t level, int y, int x) {
  const json& g = grids[level];
  const double cell = g[2];
  w.mouse(double(g[0]) + cell * (x + 0.5), double(g[1]) + cell * (y + 0.5));
}

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
  Window w(window_on(m_dir, m_layers));
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
  hover(w, s["receptive"]["grids"], 3, 3, 1);
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
  hover(w, s["receptive"]["grids"], 1, 2, 0);
  s = hovering(w, json::array({1, 2, 0}));
  ASSERT_EQ(s["receptive"]["hover"], json::array({1, 2, 0})) << s.dump();
  EXPECT_EQ(s["receptive"]["field"], json::array({3, 5, -1, 1}));
  EXPECT_EQ(s["receptive"]["depends"], json::array({3, 5, 0, 1}));
  EXPECT_EQ(s["receptive"]["padding"], json::array({0, 0, 1, 0}));
}

// The stack editor and the feature map on the built-in photo (coffee.png, 600×400): clicks on
// the editor's buttons (their rectangles from the status), a typed bad stride, undo.
json map_of(const Window& w, int layer, int width) {
  return w.wait([&](const json& s) {
    if (!s.contains("receptive")) return false;
    const json& m = s["receptive"]["map"];
    return m["current"] == true && m["layer"] == layer && m["w"] == width;
  });
}

// A control's rectangle once it stayed put for 0.3 s (the layout settles after typing).
json settled_rect(const Window& w, const std::string& name) {
  json last;
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const json s = w.status();
    if (!s.contains("receptive") || !s["receptive"]["rects"].contains(name)) continue;
    const json now = s["receptive"]["rects"][name];
    if (now == last) return now;
    last = now;
  }
  return last;
}

TEST_F(UiReceptive, EditorEditsTheStackAndTheFeatureMapFollows) {
  Window w(window_on(m_dir, m_layers));
  ASSERT_GT(w.pid(), 0);
  // 600×400 → sobel-x stride 2, padding 1: 300×200 → max pool 2: 150×100 → dilated 3×3,
  // padding 2: 150×100. The last layer is selected at first.
  json s = map_of(w, 3, 150);
  ASSERT_EQ(s["receptive"]["map"]["w"], 150) << s.dump();
  EXPECT_EQ(s["receptive"]["map"]["h"], 100);
  EXPECT_EQ(s["receptive"]["selected"], 3);
  ASSERT_TRUE(w.find_window());
  // Add a max pool after the selected layer: 4 layers, the new one selected, its map 75×50.
  w.click(s["receptive"]["rects"]["add max pool"]);
  s = map_of(w, 4, 75);
  ASSERT_EQ(s["receptive"]["layers"], 4) << s.dump();
  EXPECT_EQ(s["receptive"]["selected"], 4);
  EXPECT_EQ(s["receptive"]["map"]["h"], 50);
  EXPECT_EQ(s["receptive"]["grids"][4][3], 2);  // 16 → 8 → 4 → 4 → 2 in the grids
  Result<std::vector<Layer>> read =
      layers_from_json(s["receptive"]["stack"].get<std::string>(), "status");
  ASSERT_TRUE(read.has_value()) << s["receptive"]["stack"];
  EXPECT_EQ((*read)[3].kind, LayerKind::pool);
  // Select layer 1 by its header: its map, 300×200.
  w.click(s["receptive"]["rects"]["layer 1"], 0.2);
  s = map_of(w, 1, 300);
  EXPECT_EQ(s["receptive"]["selected"], 1) << s.dump();
  // A bad stride typed into layer 1: its sentence, the last good stack still drawn.
  w.click(s["receptive"]["rects"]["stride 1"], 0.15);
  w.xdotool("key --clearmodifiers ctrl+a");
  w.xdotool("type --delay 50 0");
  s = w.wait([](const json& j) {
    return j.contains("receptive") && j["receptive"]["edit_error_layer"] == 0;
  });
  const std::string error = s["receptive"]["edit_error"];
  EXPECT_EQ(error.rfind("the stack layer 1", 0), 0u) << s.dump();
  EXPECT_NE(error.find("stride"), std::string::npos) << error;
  EXPECT_EQ(s["receptive"]["layers"], 4);
  EXPECT_EQ(s["receptive"]["error"], "");
  // Enter ends the typing; undo twice: the stride, then the added pool.
  w.xdotool("key Return");
  w.click(settled_rect(w, "undo"));
  s = w.wait(
      [](const json& j) { return j.contains("receptive") && j["receptive"]["edit_error"] == ""; });
  ASSERT_EQ(s["receptive"]["edit_error"], "") << s.dump();
  w.click(settled_rect(w, "undo"));
  s = w.wait(
      [](const json& j) { return j.contains("receptive") && j["receptive"]["layers"] == 3; });
  EXPECT_EQ(s["receptive"]["layers"], 3) << s.dump();
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
