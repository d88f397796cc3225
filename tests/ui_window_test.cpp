// UI tests of the real window: start `convscope` as a child process on the X display (Xvfb in
// scripts/test.sh), press keys with xdotool, and read what changed from the JSON the app keeps in
// --status-file. Each test has its own XDG_STATE_HOME, so saved layouts and lessons never leak.
// Needs DISPLAY and xdotool (scripts/install-deps.sh installs it); without a usable display it
// fails under CI and skips elsewhere (CS_REQUIRE_DISPLAY in ui_test_util.hpp). The window's
// options (app/ui/window_options.hpp) are also checked in process, without a display.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/ui/window_options.hpp"
#include "core/image_io.hpp"

#include "ui_test_util.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using cs::test::AppConfig;
using cs::test::AppWindow;
using cs::test::wait_until;

// convscope at 1280×800 (unless `args` say otherwise) with its state and status file in
// `state_home`.
AppConfig window_in(const fs::path& state_home, std::vector<std::string> args,
                    std::vector<std::string> env = {}) {
  AppConfig c;
  c.args = std::move(args);
  c.state_home = state_home;
  c.status_file = state_home / "status.json";
  c.size = "1280x800";
  c.env = std::move(env);
  return c;
}

class UiWindow : public ::testing::Test {
 protected:
  void SetUp() override {
    CS_REQUIRE_DISPLAY();
    char tmpl[] = "/tmp/convscope-ui-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    m_dir = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    if (!m_dir.empty()) fs::remove_all(m_dir, ec);
  }
  fs::path m_dir;
};

// vertical-edge: input 5×5, kernel 3×3, no padding => output 3×3, one channel. Each window has
// 9 multiplies plus its "value written" step: 10 steps, 9 windows, 90 steps (global 0..89).
TEST_F(UiWindow, KeysStepPlayAndQuit) {
  AppWindow app(window_in(m_dir, {"--lesson", "vertical-edge"}));
  ASSERT_TRUE(app.started());
  ASSERT_TRUE(app.focus()) << "the window never appeared";
  json s = app.status();
  ASSERT_EQ(s["lesson"], "vertical-edge");
  ASSERT_EQ(s["total"], 90);
  ASSERT_EQ(s["global"], 0);

  app.key("Right");  // one multiply: window 0, tap 1
  s = app.wait_field("global", 1);
  EXPECT_EQ(s["global"], 1);
  EXPECT_EQ(s["tap"], 1);
  app.key("shift+Right");  // finish window 0: 0·10 + 9
  EXPECT_EQ(app.wait_field("global", 9)["global"], 9);
  app.key("ctrl+Right");  // end of output row 0 (windows 0-2): 2·10 + 9
  EXPECT_EQ(app.wait_field("global", 29)["global"], 29);
  app.key("alt+Right");  // end of output channel 0 (windows 0-8): 8·10 + 9
  s = app.wait_field("global", 89);
  EXPECT_EQ(s["global"], 89);
  EXPECT_EQ(s["y"], 2);
  EXPECT_EQ(s["x"], 2);
  app.key("Left");
  EXPECT_EQ(app.wait_field("global", 88)["global"], 88);
  app.key("Home");
  EXPECT_EQ(app.wait_field("global", 0)["global"], 0);
  app.key("End");
  EXPECT_EQ(app.wait_field("global", 89)["global"], 89);
  app.key("ctrl+Left");  // back to the end of row 1: 5·10 + 9
  EXPECT_EQ(app.wait_field("global", 59)["global"], 59);
  app.key("Home");
  app.wait_field("global", 0);

  // Key 2: plain arrows and play go by window.
  app.key("2");
  EXPECT_EQ(app.wait_field("step_unit", "window")["step_unit"], "window");
  app.key("Right");
  EXPECT_EQ(app.wait_field("global", 9)["global"], 9);

  // Space plays (4 windows a second by default) and pauses.
  app.key("space");
  EXPECT_EQ(app.wait_field("playing", true)["playing"], true);
  EXPECT_TRUE(wait_until([&] { return app.status().value("global", 0) > 9; }, 10))
      << "playing did not move the stepper";
  app.key("space");
  s = app.wait_field("playing", false);
  EXPECT_EQ(s["playing"], false);
  const int paused_at = s.value("global", -1);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(app.status().value("global", -2), paused_at) << "it kept moving after the pause";

  // F5 and P toggle presentation mode; H the high-contrast theme.
  app.key("F5");
  EXPECT_EQ(app.wait_field("presentation", true)["presentation"], true);
  app.key("p");
  EXPECT_EQ(app.wait_field("presentation", false)["presentation"], false);
  const bool hc = app.status().value("high_contrast", false);
  app.key("h");
  EXPECT_EQ(app.wait_field("high_contrast", !hc)["high_contrast"], !hc);

  // Ctrl+Q quits cleanly, like the close button: exit status 0 and a last status written.
  app.key("ctrl+q");
  EXPECT_EQ(app.wait_exit(20), 0);
  EXPECT_EQ(app.status()["notice"], "quit");
}

// vertical-edge's output is 3×3: cell (y 1, x 2) is window 1·3 + 2 = 5, whose first multiply is
// global step 5·10 = 50.
TEST_F(UiWindow, HoverAndClickAnOutputCell) {
  AppWindow app(window_in(m_dir, {"--lesson", "vertical-edge"}));
  ASSERT_TRUE(app.started());
  ASSERT_TRUE(app.focus());
  json s;
  ASSERT_TRUE(wait_until(
      [&] {
        s = app.status();
        return s.contains("output_grid") && s["output_grid"][2].get<double>() > 0;
      },
      10));
  const double x0 = s["output_grid"][0], y0 = s["output_grid"][1], cell = s["output_grid"][2];
  app.mouse(x0 + cell * 2.5, y0 + cell * 1.5, false);
  s = app.wait_field("hover_output", json::array({0, 1, 2}));
  EXPECT_EQ(s["hover_output"], json::array({0, 1, 2})) << "hovering did not find the cell";
  app.mouse(x0 + cell * 2.5, y0 + cell * 1.5, true);
  s = app.wait_field("global", 50);
  EXPECT_EQ(s["global"], 50);
  EXPECT_EQ(s["y"], 1);
  EXPECT_EQ(s["x"], 2);
  EXPECT_EQ(s["tap"], 0);
  app.key("ctrl+q");
  EXPECT_EQ(app.wait_exit(20), 0);
}

TEST_F(UiWindow, OperationKeys) {
  AppWindow app(window_in(m_dir, {"--lesson", "vertical-edge"}));
  ASSERT_TRUE(app.started());
  ASSERT_TRUE(app.focus());
  app.key("o");  // pooling: max 2×2 over 5×5 => 2×2 outputs of 4 values, 5 steps each
  json s = app.wait_field("trace_op", "pool");
  EXPECT_EQ(s["op"], "pool");
  EXPECT_EQ(s["total"], 20);
  app.key("o");
  EXPECT_EQ(app.wait_field("trace_op", "conv")["total"], 90);
  const bool bias = app.status().value("has_bias", false);
  app.key("b");
  EXPECT_EQ(app.wait_field("has_bias", !bias)["has_bias"], !bias);
  app.key("f");
  EXPECT_EQ(app.wait_field("flip_kernel", true)["flip_kernel"], true);
  app.key("F1");
  EXPECT_EQ(app.wait_field("show_help", true)["show_help"], true);
  app.key("ctrl+q");
  EXPECT_EQ(app.wait_exit(20), 0);
}

TEST_F(UiWindow, LastLessonAndModeAreRestored) {
  std::string chosen;
  {
    AppWindow app(window_in(m_dir, {"--lesson", "vertical-edge"}));
    ASSERT_TRUE(app.started());
    ASSERT_TRUE(app.focus());
    app.key("Next");  // PageDown: the next built-in lesson
    ASSERT_TRUE(
        wait_until([&] { return app.status().value("lesson", "") != "vertical-edge"; }, 10));
    chosen = app.status().value("lesson", "");
    app.key("F5");
    app.wait_field("presentation", true);
    app.key("ctrl+q");
    ASSERT_EQ(app.wait_exit(20), 0);
  }
  EXPECT_TRUE(fs::exists(m_dir / "convscope" / "imgui.ini")) << "layout not kept in XDG_STATE_HOME";
  EXPECT_TRUE(fs::exists(m_dir / "convscope" / "settings.json"));
  {
    AppWindow app(window_in(m_dir, {}));
    ASSERT_TRUE(app.started());
    ASSERT_TRUE(app.focus());
    const json s = app.status();
    EXPECT_EQ(s["lesson"], chosen);
    EXPECT_EQ(s["presentation"], true);
    EXPECT_EQ(s["modified"], false) << "restored as it was left: not edited";
    EXPECT_EQ(s["undo_steps"], 0);
    app.key("ctrl+q");
    EXPECT_EQ(app.wait_exit(20), 0);
  }
}

// Issue 9: every edit is undoable (Ctrl+Z, Ctrl+Shift+Z or Ctrl+Y), an edited lesson says
// "modified", and PageDown keeps the edits one Ctrl+Z away.
TEST_F(UiWindow, UndoRedoAndTheModifiedMarker) {
  AppWindow app(window_in(m_dir, {"--lesson", "vertical-edge"}));
  ASSERT_TRUE(app.started());
  ASSERT_TRUE(app.focus());
  json s = app.status();
  ASSERT_EQ(s["modified"], false);
  ASSERT_EQ(s["undo_steps"], 0);
  app.key("o");  // an edit: pooling
  s = app.wait_field("modified", true);
  EXPECT_EQ(s["trace_op"], "pool");
  EXPECT_EQ(s["undo_steps"], 1);
  app.key("ctrl+z");
  s = app.wait_field("modified", false);
  EXPECT_EQ(s["modified"], false);
  EXPECT_EQ(s["trace_op"], "conv");
  EXPECT_EQ(s["total"], 90);
  EXPECT_EQ(s["redo_steps"], 1);
  EXPECT_EQ(s["notice"], "Undone: the operation (Ctrl+Shift+Z redoes).");
  app.key("ctrl+shift+z");
  s = app.wait_field("modified", true);
  EXPECT_EQ(s["modified"], true);
  EXPECT_EQ(s["trace_op"], "pool");
  EXPECT_EQ(s["redo_steps"], 0);
  app.key("ctrl+z");
  app.wait_field("modified", false);
  app.key("ctrl+y");  // redo's other key
  EXPECT_EQ(app.wait_field("modified", true)["trace_op"], "pool");
  // PageDown to the next lesson: not modified, and the notice says where the edits are.
  app.key("Next");
  s = app.wait_field("modified", false);
  EXPECT_NE(s.value("lesson", ""), "vertical-edge");
  EXPECT_NE(s.value("notice", "").find("Ctrl+Z brings them back"), std::string::npos)
      << s["notice"];
  app.key("ctrl+z");
  s = app.wait_field("lesson", "vertical-edge");
  EXPECT_EQ(s["lesson"], "vertical-edge");
  EXPECT_EQ(s["modified"], true) << "the edited lesson came back edited";
  EXPECT_EQ(s["op"], "pool");
  app.key("ctrl+q");
  EXPECT_EQ(app.wait_exit(20), 0);
}

// The theme and palette chosen (here on the command line, as the View menu would) come back in
// the next run, with nothing on its command line.
TEST_F(UiWindow, ThemeAndPaletteAreRestored) {
  {
    AppWindow app(window_in(
        m_dir, {"--lesson", "vertical-edge", "--theme", "dark", "--palette", "blue-orange"}));
    ASSERT_TRUE(app.started());
    ASSERT_TRUE(app.focus());
    EXPECT_EQ(app.status()["theme"], "dark");
    app.key("ctrl+q");
    ASSERT_EQ(app.wait_exit(20), 0);
  }
  AppWindow app(window_in(m_dir, {}));
  ASSERT_TRUE(app.started());
  ASSERT_TRUE(app.focus());
  const json s = app.status();
  EXPECT_EQ(s["theme"], "dark");
  EXPECT_EQ(s["palette"], "blue-orange");
  app.key("ctrl+q");
  EXPECT_EQ(app.wait_exit(20), 0);
}

// Issue 10: imgui.ini was written by ImGui in place (truncated, then written). It is now saved
// like the other state: a temporary file renamed over it, so each save is a new file (a new
// inode) and nothing is left beside it; a garbage layout is ignored.
TEST_F(UiWindow, TheLayoutIsSavedByARenameLikeTheOtherState) {
  const fs::path ini = m_dir / "convscope" / "imgui.ini";
  auto run_once = [&] {
    AppWindow app(window_in(m_dir, {"--lesson", "vertical-edge"}));
    ASSERT_TRUE(app.started());
    ASSERT_TRUE(app.focus());
    app.key("ctrl+q");
    ASSERT_EQ(app.wait_exit(20), 0);
  };
  auto inode = [](const fs::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 ? st.st_ino : ino_t{0};
  };
  run_once();
  ASSERT_TRUE(fs::exists(ini));
  const ino_t first = inode(ini);
  std::ifstream in(ini);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("[Window]["), std::string::npos) << text.str();
  run_once();
  EXPECT_NE(inode(ini), first) << "imgui.ini was rewritten in place, not replaced by a rename";
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(m_dir / "convscope"))
    names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"imgui.ini", "last_scene.json", "settings.json"}));
  // Garbage in imgui.ini: the window still starts and quits cleanly, and writes a good one.
  std::ofstream(ini, std::ios::binary) << std::string("\0\xFF[Window][\n=\n[[[", 12);
  run_once();
  std::ifstream again(ini);
  std::stringstream fresh;
  fresh << again.rdbuf();
  EXPECT_NE(fresh.str().find("[Window]["), std::string::npos) << fresh.str();
}

TEST_F(UiWindow, F12WritesAScreenshotAndSaysWhere) {
  const fs::path pics = m_dir / "pictures";
  fs::create_directories(pics);
  AppWindow app(
      window_in(m_dir, {"--lesson", "rgb-2-filters"}, {"XDG_PICTURES_DIR=" + pics.string()}));
  ASSERT_TRUE(app.started());
  ASSERT_TRUE(app.focus());
  app.key("F12");
  fs::path shot;
  ASSERT_TRUE(wait_until(
      [&] {
        for (const auto& e : fs::directory_iterator(pics)) {
          if (e.path().extension() == ".png" &&
              e.path().filename().string().rfind("convscope-", 0) == 0) {
            shot = e.path();
            return true;
          }
        }
        return false;
      },
      15))
      << "no screenshot in " << pics;
  EXPECT_TRUE(wait_until(
      [&] { return app.status().value("notice", "").find(shot.string()) != std::string::npos; },
      10))
      << "the app did not say where the screenshot went";
  auto img = cs::load_image(shot.string());
  ASSERT_TRUE(img.has_value()) << img.error().message;
  EXPECT_EQ(img->width, 1280);
  EXPECT_EQ(img->height, 800);
  app.key("ctrl+q");
  EXPECT_EQ(app.wait_exit(20), 0);
}

// --frames N --screenshot OUT renders N frames, writes OUT and exits 0.
int run_frames(const fs::path& dir, const std::string& args) {
  const std::string cmd = "XDG_STATE_HOME='" + dir.string() +
                          "' LIBGL_ALWAYS_SOFTWARE=1 timeout 60 '" + std::string(CONVSCOPE_EXE) +
                          "' " + args + " >/dev/null 2>&1";
  const int r = std::system(cmd.c_str());
  return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

void expect_picture(const fs::path& png, int w, int h) {
  auto img = cs::load_image(png.string());
  ASSERT_TRUE(img.has_value()) << img.error().message;
  EXPECT_EQ(img->width, w);
  EXPECT_EQ(img->height, h);
  // Not one flat colour: the canvas, text and cells must be there.
  std::size_t distinct = 0;
  std::vector<bool> seen(1 << 15, false);
  for (std::size_t i = 0; i + 2 < img->pixels.size();
       i += static_cast<std::size_t>(img->channels)) {
    const int key =
        (img->pixels[i] >> 3) << 10 | (img->pixels[i + 1] >> 3) << 5 | (img->pixels[i + 2] >> 3);
    if (!seen[static_cast<std::size_t>(key)]) {
      seen[static_cast<std::size_t>(key)] = true;
      ++distinct;
    }
  }
  EXPECT_GT(distinct, 20u) << png << " looks blank";
}

// The canvas and the timeline fit, and no text is cut, for the lessons and window sizes a teacher
// meets (a 1280×720 projector, 1366×768, 1080p, 4K), normal and presentation: the window reports
// every view that scrolls and every text it had to shorten in --status-file.
TEST_F(UiWindow, NothingIsCutAtProjectorAndDesktopSizes) {
  struct Case {
    const char* lesson;
    const char* size;
  };
  const Case cases[] = {{"vertical-edge", "1280x720"},      {"rgb-3-filters", "1280x720"},
                        {"depthwise", "1280x720"},          {"dilation-2", "1366x768"},
                        {"avg-pool-ceil", "1280x720"},      {"rgb-3-filters", "1920x1080"},
                        {"keras-pool", "1920x1080"},        {"rgb-3-filters", "3840x2160"},
                        {"transpose-stride-2", "1280x720"}, {"vertical-edge", "1600x900"},
                        {"rgb-3-filters", "1600x900"}};
  for (const Case& c : cases) {
    for (const char* mode : {"", " --presentation"}) {
      const fs::path st = m_dir / "fit.json";
      ASSERT_EQ(
          run_frames(m_dir, std::string("--frames 4 --step 15 --lesson ") + c.lesson + " --size " +
                                c.size + mode + " --status-file '" + st.string() + "'"),
          0);
      std::ifstream in(st);
      const json j = json::parse(in);
      const std::string where = std::string(c.lesson) + " at " + c.size + mode;
      if (*mode) {
        // The stage: canvas, arithmetic and timeline, all of it visible without scrolling.
        EXPECT_TRUE(j.at("overflow").empty()) << where << ": " << j.at("overflow").dump();
      }
      for (const auto& view : j.at("overflow")) {
        EXPECT_NE(view, "Lesson") << where << ": the canvas does not fit";
        EXPECT_NE(view, "Timeline") << where << ": the timeline does not fit";
      }
      EXPECT_TRUE(j.at("clipped").empty()) << where << ": cut " << j.at("clipped").dump();
    }
  }
}

// The live preview opened on the stage (presentation) takes its own region, beside the canvas
// and above the arithmetic, never over them; nothing on the stage scrolls or is cut.
TEST_F(UiWindow, ThePreviewOnTheStageCoversNothing) {
  const fs::path st = m_dir / "stage.json";
  const std::string photo = std::string(CONVSCOPE_SOURCE_DIR) + "/assets/images/coffee.png";
  for (const char* size : {"1280x720", "1920x1080"}) {
    ASSERT_EQ(
        run_frames(m_dir, std::string("--frames 6 --step 5 --lesson vertical-edge "
                                      "--presentation --preview '") +
                              photo + "' --size " + size + " --status-file '" + st.string() + "'"),
        0);
    std::ifstream in(st);
    const json j = json::parse(in);
    const json& views = j.at("views");
    ASSERT_TRUE(views.contains("Live preview")) << size << ": " << views.dump();
    ASSERT_TRUE(views.contains("Lesson")) << size;
    ASSERT_TRUE(views.contains("Arithmetic")) << size;
    const auto overlap = [](const json& a, const json& b) {
      const double ax = a[0], ay = a[1], aw = a[2], ah = a[3];
      const double bx = b[0], by = b[1], bw = b[2], bh = b[3];
      return std::min(ax + aw, bx + bw) - std::max(ax, bx) > 2 &&
             std::min(ay + ah, by + bh) - std::max(ay, by) > 2;
    };
    EXPECT_FALSE(overlap(views["Live preview"], views["Lesson"]))
        << size << ": the preview covers the canvas " << views.dump();
    EXPECT_FALSE(overlap(views["Live preview"], views["Arithmetic"]))
        << size << ": the preview covers the arithmetic " << views.dump();
    EXPECT_GE(views["Live preview"][2].get<double>(), 0.4 * std::stod(size)) << size;
    for (const auto& view : j.at("overflow"))
      EXPECT_NE(view, "Lesson") << size << ": the canvas does not fit";
    EXPECT_TRUE(j.at("clipped").empty()) << size << ": cut " << j.at("clipped").dump();
  }
}

// The 1-D, 'full' and Keras 'same' lessons open in the window (Lesson menu, --lesson): padding
// 'full' and padding per side reach the canvas, nothing is refused or cut, and the stepper walks
// every multiply of the lesson's output.
TEST_F(UiWindow, OneDFullAndKerasSameLessonsOpenInTheWindow) {
  struct Case {
    const char* lesson;
    int64_t total;  // windows × (taps + 1)
  };
  const Case cases[] = {
      {"np-convolve-full", 5 * (3 + 1)},      // 5 outputs of a 3-tap kernel
      {"scipy-convolve-full", 25 * (9 + 1)},  // 5×5 outputs, 3×3 kernel
      {"keras-same-stride-2", 4 * (9 + 1)},   // 2×2 outputs, 3×3 kernel
      {"keras-maxpool-same", 8 * (4 + 1)},    // 2 channels × 2×2 outputs, 2×2 window
  };
  const fs::path st = m_dir / "lesson.json";
  for (const Case& c : cases) {
    ASSERT_EQ(run_frames(m_dir, std::string("--frames 3 --step 2 --lesson ") + c.lesson +
                                    " --size 1280x720 --status-file '" + st.string() + "'"),
              0)
        << c.lesson;
    std::ifstream in(st);
    const json j = json::parse(in);
    EXPECT_EQ(j.at("lesson"), c.lesson);
    EXPECT_EQ(j.at("error"), "") << c.lesson;
    EXPECT_EQ(j.at("total").get<int64_t>(), c.total) << c.lesson;
    EXPECT_TRUE(j.at("clipped").empty()) << c.lesson << ": cut " << j.at("clipped").dump();
    for (const auto& view : j.at("overflow"))
      EXPECT_NE(view, "Lesson") << c.lesson << ": the canvas does not fit";
  }
}

// --framework switches the lesson's rules after it opens (an edit: "modified"): the Keras lesson
// under PyTorch's rules shows PyTorch's refusal of 'same' with stride 2 under its padding, and
// padding-1 under Keras's rules takes Keras's 'valid' (3×3 outputs of 9 taps) with nothing cut.
TEST_F(UiWindow, FrameworkOptionSwitchesTheRules) {
  const fs::path st = m_dir / "rules.json";
  ASSERT_EQ(run_frames(m_dir,
                       "--frames 3 --lesson keras-same-stride-2 --framework pytorch "
                       "--size 1280x720 --status-file '" +
                           st.string() + "'"),
            0);
  std::ifstream in(st);
  json j = json::parse(in);
  EXPECT_EQ(j.at("framework"), "pytorch");
  EXPECT_EQ(j.at("modified"), true);
  EXPECT_EQ(j.at("error_field"), "padding");
  EXPECT_NE(j.at("error").get<std::string>().find("padding 'same' needs stride 1"),
            std::string::npos)
      << j.at("error");
  EXPECT_EQ(j.at("total").get<int64_t>(), 4 * (9 + 1)) << "the last good picture stays";
  ASSERT_EQ(run_frames(m_dir,
                       "--frames 3 --lesson padding-1 --framework keras --size 1280x720 "
                       "--status-file '" +
                           st.string() + "'"),
            0);
  std::ifstream in2(st);
  j = json::parse(in2);
  EXPECT_EQ(j.at("framework"), "keras");
  EXPECT_EQ(j.at("keras_padding"), "valid");
  EXPECT_EQ(j.at("error"), "");
  EXPECT_EQ(j.at("total").get<int64_t>(), 9 * (9 + 1));
  EXPECT_TRUE(j.at("clipped").empty()) << "cut " << j.at("clipped").dump();
}

// A window made smaller re-flows: every open view stays inside it with a usable width, Inputs and
// the kernel editor step aside (the View menu opens them) and come back when it is wide again.
TEST_F(UiWindow, ResizeTo1024x640KeepsEveryViewUsable) {
  AppWindow app(window_in(m_dir, {"--lesson", "rgb-3-filters", "--size", "1600x900"}));
  ASSERT_TRUE(app.focus());
  json st = app.status();
  ASSERT_TRUE(wait_until([&] { return (st = app.status())["views"].contains("Inputs"); }, 10));
  app.resize(1024, 640);
  ASSERT_TRUE(wait_until(
      [&] {
        st = app.status();
        return st["views"].contains("Lesson") && !st["views"].contains("Inputs") &&
               st["views"]["Lesson"][2].get<double>() < 1000;
      },
      15))
      << st["views"].dump();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the layout settles
  st = app.status();
  for (const auto& [name, r] : st["views"].items()) {
    const double x = r[0], y = r[1], w = r[2], h = r[3];
    EXPECT_GE(x, -1) << name;
    EXPECT_GE(y, 0) << name;
    EXPECT_LE(x + w, 1025) << name << " goes past the right edge";
    EXPECT_LE(y + h, 641) << name << " goes past the bottom";
    EXPECT_GE(w, 300) << name << " is too narrow to use";
  }
  EXPECT_TRUE(st["views"].contains("Parameters"));
  EXPECT_TRUE(st["views"].contains("Arithmetic"));
  EXPECT_TRUE(st["views"].contains("Timeline"));
  app.resize(1600, 900);
  EXPECT_TRUE(wait_until([&] { return app.status()["views"].contains("Inputs"); }, 15))
      << "Inputs comes back when the window is wide again";
  app.key("ctrl+q");
  EXPECT_EQ(app.wait_exit(20), 0);
}

// F5 in a running window turns it into the stage: the canvas, the arithmetic and the timeline,
// all below the menu bar (which stays) and inside the window, the editing views put away; F5
// again brings them back.
TEST_F(UiWindow, F5WhileRunningMakesTheStageBelowTheMenuBar) {
  AppWindow app(window_in(m_dir, {"--lesson", "rgb-3-filters", "--size", "1280x720"}));
  ASSERT_TRUE(app.focus());
  ASSERT_TRUE(wait_until([&] { return app.status()["views"].contains("Parameters"); }, 10));
  app.key("Right");
  app.key("F5");
  json st;
  ASSERT_TRUE(wait_until(
      [&] {
        st = app.status();
        return st["presentation"] == true && !st["views"].contains("Parameters");
      },
      15));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // the new fonts and layout settle
  st = app.status();
  for (const char* view : {"Lesson", "Arithmetic", "Timeline"}) {
    ASSERT_TRUE(st["views"].contains(view)) << view << " is part of the stage";
    const auto& r = st["views"][view];
    const double x = r[0], y = r[1], w = r[2], h = r[3];
    EXPECT_GE(y, 18) << view << " covers the menu bar";
    EXPECT_GE(x, -1) << view;
    EXPECT_LE(x + w, 1281) << view;
    EXPECT_LE(y + h, 721) << view;
  }
  EXPECT_FALSE(st["views"].contains("Inputs"));
  EXPECT_FALSE(st["views"].contains("Kernel editor"));
  EXPECT_EQ(st["global"], 1) << "the stepper keeps its place";
  app.key("F5");
  EXPECT_TRUE(wait_until([&] { return app.status()["views"].contains("Parameters"); }, 15));
  app.key("ctrl+q");
  EXPECT_EQ(app.wait_exit(20), 0);
}

TEST_F(UiWindow, FramesAndScreenshotExitZero) {
  const fs::path out = m_dir / "shot.png";
  ASSERT_EQ(
      run_frames(m_dir, "--frames 4 --size 800x600 --lesson padding-1 --step 12 --screenshot '" +
                            out.string() + "'"),
      0);
  expect_picture(out, 800, 600);
  const fs::path pres = m_dir / "pres.png";
  ASSERT_EQ(run_frames(m_dir,
                       "--frames 4 --size 1024x768 --lesson keras-pool --presentation "
                       "--screenshot '" +
                           pres.string() + "'"),
            0);
  expect_picture(pres, 1024, 768);
  // --frames leaves no saved state behind.
  EXPECT_FALSE(fs::exists(m_dir / "convscope" / "settings.json"));
}

// The live preview is filtered off the UI thread (app/ui/preview_worker.hpp). Dragging a weight
// (--drag-weight: a new weight every frame) with a 1920×1080 photo open, the preview refreshes
// again and again with the new weights, and frames end while the worker is still computing: no
// frame waits for a result (a frame that did would find the worker idle). What this
// asserts is the structure, not a frame time (bench/RESULTS.md has those, measured with the same
// command): the machine running the tests may be loaded.
TEST_F(UiWindow, DraggingAWeightRefreshesThePreviewOffTheUiThread) {
  cs::Image photo{1920, 1080, 3, std::vector<uint8_t>(1920 * 1080 * 3)};
  for (int y = 0; y < 1080; ++y) {
    for (int x = 0; x < 1920; ++x) {
      uint8_t* p = &photo.pixels[(static_cast<std::size_t>(y) * 1920 + x) * 3];
      p[0] = static_cast<uint8_t>(x * 255 / 1919);
      p[1] = static_cast<uint8_t>(y * 255 / 1079);
      p[2] = static_cast<uint8_t>(((x / 40 + y / 40) % 2) * 255);
    }
  }
  const fs::path pic = m_dir / "photo-1920x1080.png";
  ASSERT_TRUE(cs::write_png(pic.string(), photo).has_value());
  AppWindow app(window_in(m_dir, {"--lesson", "vertical-edge", "--preview", pic.string(),
                                  "--drag-weight", "--frame-stats", "--frames", "150"}));
  ASSERT_TRUE(app.started());
  ASSERT_EQ(app.wait_exit(300), 0);
  const json st = app.status();
  ASSERT_TRUE(st.contains("preview")) << st.dump();
  const json& p = st["preview"];
  SCOPED_TRACE(p.dump());
  EXPECT_EQ(p.value("frames", 0), 150);
  // Refreshed several times, each time with a kernel it had not shown just before.
  EXPECT_GE(p.value("kernels_shown", 0), 5);
  EXPECT_GE(p.value("results", 0), p.value("kernels_shown", 0));
  EXPECT_GE(p.value("requests", 0), p.value("results", 0));
  // Every request was sent by a frame that then ended with the worker still at it (a frame that
  // waited for its result would find the worker idle): at least one such frame per result.
  EXPECT_GE(p.value("frames_while_busy", 0), p.value("results", 0));
  EXPECT_EQ(st.value("error", "?"), "");
}

// ---------------------------------------------------------------------------------------------
// The window's options, in process (no display needed): app/ui/window_options.cpp.

using cs::test::parse_args;

std::string parse_error(std::vector<std::string> args) {
  auto r = parse_args(std::move(args));
  return r ? std::string("(accepted)") : r.error().message;
}

// Quiz mode ("predict, then reveal") scripted: --quiz opens the lesson asking the receptive field
// and then the output's shape; each --quiz-answer is typed into the open question, one a frame,
// and the status file says what the quiz made of it. vertical-edge's 3×3 kernel spans 3×3 input
// cells (the first answer below), its output is 3×3.
TEST_F(UiWindow, QuizModeScriptedAnswersScoreWrongOnesGetAHint) {
  const fs::path st = m_dir / "quiz.json";
  auto quiz_after = [&](const std::string& answers, const std::string& extra = "") {
    EXPECT_EQ(run_frames(m_dir,
                         "--frames 8 --lesson vertical-edge --quiz --size 1280x720 "
                         "--quiz-answer 3x3 " +
                             answers + extra + " --status-file '" + st.string() + "'"),
              0);
    std::ifstream in(st);
    return json::parse(in);
  };
  json j = quiz_after("--quiz-answer 3x3");
  EXPECT_EQ(j["quiz"]["active"], true);
  EXPECT_EQ(j["quiz"]["asked"], 2);
  EXPECT_EQ(j["quiz"]["right"], 2);
  EXPECT_EQ(j["quiz"]["last_verdict"], "right");
  EXPECT_EQ(j["quiz"]["question"], "");
  EXPECT_EQ(j["global"], 0);

  j = quiz_after("--quiz-answer 2x2");
  EXPECT_EQ(j["quiz"]["question"], "shape");
  EXPECT_EQ(j["quiz"]["last_verdict"], "wrong");
  EXPECT_EQ(j["quiz"]["tries"], 1);
  EXPECT_EQ(j["quiz"]["hint"], false);
  EXPECT_EQ(j["quiz"]["asked"], 1);

  // The second wrong try brings the hint; nothing is cut, normal or presentation.
  for (const char* mode : {"", " --presentation"}) {
    j = quiz_after("--quiz-answer 2x2 --quiz-answer 4×4", mode);
    EXPECT_EQ(j["quiz"]["question"], "shape") << mode;
    EXPECT_EQ(j["quiz"]["tries"], 2) << mode;
    EXPECT_EQ(j["quiz"]["hint"], true) << mode;
    EXPECT_EQ(j["quiz"]["last_verdict"], "wrong") << mode;
    EXPECT_TRUE(j["views"].contains("Quiz")) << mode;
    EXPECT_TRUE(j["clipped"].empty()) << mode << j["clipped"].dump();
    for (const auto& view : j["overflow"])
      EXPECT_NE(view, "Quiz") << mode << ": the quiz does not fit";
  }

  // The third reveals the answer: asked, not right.
  j = quiz_after("--quiz-answer 2x2 --quiz-answer 4x4 --quiz-answer 5x5");
  EXPECT_EQ(j["quiz"]["question"], "");
  EXPECT_EQ(j["quiz"]["last_verdict"], "revealed");
  EXPECT_EQ(j["quiz"]["asked"], 2);
  EXPECT_EQ(j["quiz"]["right"], 1);
}

// The receptive-field question, scripted on dilation-2 (a 3×3 kernel with dilation 2 spans 5×5
// input cells): wrong twice brings the hint, nothing cut at 1280×720 and 1920×1080, normal or
// presentation; right, the shape question follows on step 0 (the stepper never moved).
TEST_F(UiWindow, QuizModeAsksTheReceptiveFieldFirst) {
  const fs::path st = m_dir / "quiz-rf.json";
  auto quiz_after = [&](const std::string& answers, const std::string& extra = "") {
    EXPECT_EQ(run_frames(m_dir, "--frames 6 --lesson dilation-2 --quiz " + answers + extra +
                                    " --status-file '" + st.string() + "'"),
              0);
    std::ifstream in(st);
    return json::parse(in);
  };
  json j = quiz_after("", " --size 1280x720");
  EXPECT_EQ(j["quiz"]["question"], "receptive_field");
  EXPECT_EQ(j["quiz"]["question_step"], 0);
  EXPECT_EQ(j["quiz"]["typing"], true);
  for (const char* mode : {" --size 1280x720", " --size 1920x1080",
                           " --size 1280x720 --presentation", " --size 1920x1080 --presentation"}) {
    j = quiz_after("--quiz-answer 3x3 --quiz-answer '4 4'", mode);
    EXPECT_EQ(j["quiz"]["question"], "receptive_field") << mode;
    EXPECT_EQ(j["quiz"]["tries"], 2) << mode;
    EXPECT_EQ(j["quiz"]["hint"], true) << mode;
    EXPECT_TRUE(j["views"].contains("Quiz")) << mode;
    EXPECT_TRUE(j["clipped"].empty()) << mode << j["clipped"].dump();
    for (const auto& view : j["overflow"])
      EXPECT_NE(view, "Quiz") << mode << ": the quiz does not fit";
  }
  j = quiz_after("--quiz-answer 5×5", " --size 1280x720");
  EXPECT_EQ(j["quiz"]["question"], "shape");
  EXPECT_EQ(j["quiz"]["last_verdict"], "right");
  EXPECT_EQ(j["quiz"]["asked"], 1);
  EXPECT_EQ(j["quiz"]["right"], 1);
  EXPECT_EQ(j["global"], 0);
  j = quiz_after("--quiz-answer 3x3 --quiz-answer 4x4 --quiz-answer 6x6", " --size 1280x720");
  EXPECT_EQ(j["quiz"]["question"], "shape");
  EXPECT_EQ(j["quiz"]["last_verdict"], "revealed");
  EXPECT_EQ(j["quiz"]["right"], 0);
}

// With a question open, → asks instead of moving (the stepper stays), the answer is typed into
// the quiz's field with the keyboard, Enter checks it; stepping back is allowed; Q leaves.
TEST_F(UiWindow, QuizModeHoldsTheStepperUntilTheQuestionIsAnswered) {
  AppWindow app(window_in(m_dir, {"--lesson", "vertical-edge", "--quiz", "--quiz-answer", "3x3",
                                  "--quiz-answer", "3x3"}));  // the receptive field, the shape
  ASSERT_TRUE(app.started());
  ASSERT_TRUE(app.focus()) << "the window never appeared";
  auto quiz = [&](const char* key) { return app.status()["quiz"][key]; };
  ASSERT_TRUE(wait_until([&] { return quiz("asked") == 2; }, 15));
  // The answer field takes the keyboard a frame or two after a question opens (or after Enter).
  auto typing = [&](bool on) { return wait_until([&] { return quiz("typing") == on; }, 10); };
  app.key("Right");  // step 1 shows the product 2·0: asked first
  ASSERT_TRUE(wait_until([&] { return quiz("question") == "product"; }, 10));
  EXPECT_EQ(app.status()["global"], 0);
  ASSERT_TRUE(typing(true));
  app.key("Right");  // in the answer field: the stepper stays
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(app.status()["global"], 0) << "→ moved past an open question";
  app.key("0 Return");
  ASSERT_TRUE(wait_until([&] { return quiz("right") == 3; }, 10));
  EXPECT_EQ(app.wait_field("global", 1)["global"], 1) << "the right answer is shown";
  EXPECT_EQ(quiz("last_verdict"), "right");

  ASSERT_TRUE(typing(false));
  app.key("Right");  // step 2: 3·(−1)
  ASSERT_TRUE(wait_until([&] { return quiz("question_step") == 2; }, 10));
  EXPECT_EQ(app.status()["global"], 1);
  ASSERT_TRUE(typing(true));
  app.key("7 Return");
  ASSERT_TRUE(wait_until([&] { return quiz("last_verdict") == "wrong"; }, 10));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_TRUE(typing(true));
  app.key("8 Return");
  ASSERT_TRUE(wait_until([&] { return quiz("hint") == true; }, 10));
  EXPECT_EQ(quiz("tries"), 2);
  EXPECT_EQ(quiz("asked"), 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_TRUE(typing(true));
  app.key("Escape");  // leave the answer field: ← steps back, the question stays open
  ASSERT_TRUE(typing(false));
  app.key("Left");
  EXPECT_EQ(app.wait_field("global", 0)["global"], 0);
  EXPECT_EQ(quiz("question_step"), 2);
  app.key("q");
  ASSERT_TRUE(wait_until([&] { return quiz("active") == false; }, 10));
  app.key("End");
  EXPECT_EQ(app.wait_field("global", 89)["global"], 89) << "off, nothing holds the stepper";
  app.key("ctrl+q");
  EXPECT_EQ(app.wait_exit(20), 0);
}

// A scene with "quiz": true opens in quiz mode.
TEST_F(UiWindow, QuizModeFromAScene) {
  const fs::path scene = m_dir / "quiz-scene.json";
  {
    std::ofstream out(scene);
    out << R"({"format": "convscope-scene", "version": 1, "op": "conv", "quiz": true,
              "input": {"shape": [1, 1, 3, 3],
                        "values": [[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]},
              "weight": {"shape": [1, 1, 2, 2],
                         "values": [[[[1, 0], [0, 1]]]]}})";
  }
  const fs::path st = m_dir / "scene-quiz.json";
  ASSERT_EQ(run_frames(m_dir, "--frames 6 --scene '" + scene.string() +
                                  "' --quiz-answer 2x2 --quiz-answer 2x2 --status-file '" +
                                  st.string() + "'"),
            0);
  std::ifstream in(st);
  const json j = json::parse(in);
  EXPECT_EQ(j["quiz"]["active"], true);
  EXPECT_EQ(j["quiz"]["right"], 2);  // the 2×2 kernel's field, the 2×2 output
}

TEST(WindowOptions, QuizAnswersAreKeptInOrder) {
  auto r =
      parse_args({"--quiz", "--quiz-answer", "3x3", "--quiz-answer=-2", "--quiz-answer", "7/3"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->quiz);
  EXPECT_EQ(r->quiz_answers, (std::vector<std::string>{"3x3", "-2", "7/3"}));
  EXPECT_FALSE(parse_args({})->quiz);
  EXPECT_EQ(parse_error({"--quiz-answer"}),
            "--quiz-answer needs the answer to type, e.g. --quiz-answer 3x3 or --quiz-answer -2.");
}

TEST(WindowOptions, FrameworkIsReadAndRefused) {
  EXPECT_FALSE(parse_args({})->framework.has_value());
  EXPECT_EQ(parse_args({"--framework", "keras"})->framework, cs::Framework::keras);
  EXPECT_EQ(parse_args({"--framework=pytorch"})->framework, cs::Framework::pytorch);
  EXPECT_EQ(parse_error({"--framework", "jax"}),
            "--framework needs pytorch or keras (whose padding rules), e.g. --framework keras.");
}

TEST(WindowOptions, UsageIsTheTableInColumns) {
  EXPECT_EQ(cs::ui::window_usage(),
            "usage: convscope [options]            the visualizer window\n"
            "       convscope <command> ...         the command line (convscope --help lists "
            "commands)\n"
            "\n"
            "options:\n"
            "  --lesson NAME        open a built-in lesson (vertical-edge, rgb-2-filters, ...)\n"
            "  --random H,W,C,COUT[,K[,SEED]]  a random integer lesson (K×K kernel, default 3)\n"
            "  --scene FILE.json    open a saved scene\n"
            "  --step K             seek the stepper to global step K\n"
            "  --presentation       start in presentation mode\n"
            "  --high-contrast      start with the high-contrast theme\n"
            "  --theme light|dark   start with the light or the dark theme\n"
            "  --palette red-blue|blue-orange  the cells' diverging colours (blue-orange: "
            "colour-blind safe)\n"
            "  --framework pytorch|keras  whose padding rules the lesson follows (Keras: "
            "'valid'/'same' for any stride)\n"
            "  --preview IMAGE      open the live preview on a PNG/JPEG\n"
            "  --size WxH           window size in pixels (default 1600x900)\n"
            "  --frames N           render N frames, then exit (with --screenshot: save the "
            "window)\n"
            "  --screenshot OUT.png write the window to OUT.png after the last frame (atomic)\n"
            "  --status-file PATH   keep PATH updated with the state as JSON (for tests)\n"
            "  --frame-stats        print the median and 95th percentile frame times at exit\n"
            "  --drag-weight        change a weight every frame, as a dragged slider would\n"
            "  --play               start playing\n"
            "  --copy-code pytorch|keras  after the first frame, copy the lesson as a script (Edit "
            "menu) to the clipboard\n"
            "  --copy-code-file OUT.py  with --copy-code: also write the script to OUT.py\n"
            "  --help-window        open the help window at start\n"
            "  --layers L.json      open the Receptive field view on this layer stack\n"
            "  --receptive          open the Receptive field view on a built-in layer stack\n"
            "  --quiz               start in quiz mode: predict each value before it is shown\n"
            "  --quiz-answer VALUE  type VALUE into the quiz's open question, one a frame (repeat "
            "it; for tests)\n"
            "With --frames, the saved layout and settings are neither read nor written.\n");
  auto r = parse_args({"--lesson", "vertical-edge", "--usage", "--bogus"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->usage) << "--usage wins over every other problem, as --help does";
}

TEST(WindowOptions, EveryOptionReadsItsValue) {
  auto r = parse_args({"--lesson",       "padding-1",       "--scene",       "s.json",
                       "--preview",      "p.png",           "--screenshot",  "o.png",
                       "--status-file",  "st.json",         "--step",        "12",
                       "--size",         "800x600",         "--random",      "8,9,2,3,5,7",
                       "--presentation", "--high-contrast", "--frame-stats", "--drag-weight",
                       "--play",         "--help-window",   "--layers",      "l.json"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->layers, "l.json");
  EXPECT_TRUE(r->receptive) << "--layers opens the Receptive field view";
  EXPECT_EQ(r->lesson, "padding-1");
  EXPECT_EQ(r->scene, "s.json");
  EXPECT_EQ(r->preview, "p.png");
  EXPECT_EQ(r->screenshot, "o.png");
  EXPECT_EQ(r->status_file, "st.json");
  EXPECT_EQ(r->step, 12);
  EXPECT_EQ(r->frames, 3) << "--screenshot without --frames renders 3 frames";
  EXPECT_EQ(r->width, 800);
  EXPECT_EQ(r->height, 600);
  ASSERT_TRUE(r->random.has_value());
  EXPECT_EQ(r->random->h, 8);
  EXPECT_EQ(r->random->w, 9);
  EXPECT_EQ(r->random->c_in, 2);
  EXPECT_EQ(r->random->c_out, 3);
  EXPECT_EQ(r->random->k, 5);
  EXPECT_EQ(r->random->seed, 7u);
  EXPECT_TRUE(r->presentation && r->high_contrast && r->frame_stats && r->drag_weight && r->play &&
              r->help_window);
  EXPECT_FALSE(r->usage);

  auto look = parse_args({"--theme", "dark", "--palette", "blue-orange"});
  ASSERT_TRUE(look) << look.error().message;
  EXPECT_EQ(look->dark_theme, std::optional<bool>(true));
  EXPECT_EQ(look->diverging_palette, std::optional<int>(1));
  EXPECT_FALSE(r->dark_theme.has_value()) << "no --theme: the saved choice stays";

  auto d = parse_args({});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->frames, -1);
  EXPECT_EQ(d->step, -1);
  EXPECT_EQ(d->width, 1600);
  EXPECT_EQ(d->height, 900);
  EXPECT_FALSE(d->random.has_value());
  EXPECT_FALSE(d->receptive);
  EXPECT_TRUE(parse_args({"--receptive"})->receptive);
  auto f = parse_args({"--frames", "5", "--screenshot", "o.png", "--random", "4,4,1,1"});
  ASSERT_TRUE(f);
  EXPECT_EQ(f->frames, 5);
  EXPECT_EQ(f->random->k, 3) << "K defaults to 3";
}

TEST(WindowOptions, EachProblemHasItsSentence) {
  const std::string unknown =
      "'. Run convscope --usage for the window's options, or convscope --help for the command "
      "line.";
  EXPECT_EQ(parse_error({"--bogus"}), "Unknown option '--bogus" + unknown);
  EXPECT_EQ(parse_error({"-x"}), "Unknown option '-x" + unknown);
  EXPECT_EQ(parse_error({"-5"}), "Unknown option '-5" + unknown);
  EXPECT_EQ(parse_error({"foo"}), "Unknown option 'foo" + unknown);
  EXPECT_EQ(parse_error({"--lesson"}), "--lesson needs a lesson name.");
  EXPECT_EQ(parse_error({"--scene"}), "--scene needs a file.");
  EXPECT_EQ(parse_error({"--preview"}), "--preview needs a PNG or JPEG file.");
  EXPECT_EQ(parse_error({"--screenshot"}), "--screenshot needs an output file name.");
  EXPECT_EQ(parse_error({"--status-file"}), "--status-file needs a file name.");
  const std::string step = "--step needs a step number 0 or more, e.g. --step 12.";
  for (const char* v : {"-1", "x", "1.5"})
    EXPECT_EQ(parse_error({"--step", v}), step) << v;
  EXPECT_EQ(parse_error({"--step"}), step);
  const std::string frames = "--frames needs a number of frames of 1 or more, e.g. --frames 5.";
  for (const char* v : {"0", "abc", "-2"})
    EXPECT_EQ(parse_error({"--frames", v}), frames) << v;
  EXPECT_EQ(parse_error({"--frames"}), frames);
  const std::string size =
      "--size needs WIDTHxHEIGHT between 320x240 and 8192x8192, e.g. --size 1600x900.";
  for (const char* v : {"100x100", "1600", "1600x", "x900", "9000x900", "320x240x5"})
    EXPECT_EQ(parse_error({"--size", v}), size) << v;
  EXPECT_EQ(parse_error({"--size"}), size);
  EXPECT_EQ(parse_error({"--theme", "sepia"}), "--theme needs light or dark, e.g. --theme dark.");
  EXPECT_EQ(parse_error({"--theme"}), "--theme needs light or dark, e.g. --theme dark.");
  EXPECT_EQ(parse_error({"--palette", "jet"}),
            "--palette needs red-blue or blue-orange, e.g. --palette blue-orange.");
  EXPECT_EQ(parse_error({"--random"}),
            "--random needs H,W,C,COUT[,K[,SEED]], e.g. --random 64,64,3,8.");
  for (const char* v : {"64,64,3,8,,1", "a,b,c,d"}) {
    EXPECT_EQ(parse_error({"--random", v}),
              "--random needs whole numbers H,W,C,COUT[,K[,SEED]], e.g. --random 64,64,3,8.")
        << v;
  }
  for (const char* v : {"64,64", "0,64,3,8", "64,64,3,8,16", "64,64,3,8,3,5,7", "513,4,1,1"}) {
    EXPECT_EQ(parse_error({"--random", v}),
              "--random needs H,W (1..512), C, COUT (1..64) and optionally K (1..15) and SEED, "
              "e.g. --random 64,64,3,8.")
        << v;
  }
}

TEST_F(UiWindow, BadOptionsAreRefusedWithStatus2) {
  EXPECT_EQ(run_frames(m_dir, "--frames 0"), 2);
  EXPECT_EQ(run_frames(m_dir, "--lesson no-such-lesson --frames 2"), 2);
  EXPECT_EQ(run_frames(m_dir, "--random 64,64"), 2);
  EXPECT_EQ(run_frames(m_dir, "--bogus"), 2);
}

}  // namespace
