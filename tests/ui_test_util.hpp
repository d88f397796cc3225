// Shared by the ui_*_test.cpp files that drive the real window: the "display or skip (never in
// CI)" rule, the twin of CS_REQUIRE_GPU() in gpu_test_util.hpp, the one driver of a running
// convscope window (AppWindow: start, status file, xdotool focus/mouse/keys, exit) and (from
// test_util.hpp) the command runner and the other test helpers.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/ui/window_options.hpp"
#include "test_util.hpp"

extern char** environ;

namespace cs::test {

// Why the window tests cannot run here, or "" when they can: they need DISPLAY, an X server that
// answers on it, and xdotool to press keys and find the window. Asked once per test program.
inline const std::string& display_problem() {
  static const std::string problem = [] {
    const char* display = std::getenv("DISPLAY");
    if (display == nullptr || *display == '\0') {
      return std::string("no DISPLAY: run under xvfb-run (scripts/test.sh)");
    }
    if (std::system("command -v xdotool >/dev/null 2>&1") != 0) {
      return std::string("xdotool is missing: run scripts/install-deps.sh");
    }
    if (run_command("xdotool getdisplaygeometry 2>/dev/null").status != 0) {
      return "no X server answers on DISPLAY=" + std::string(display) +
             ": run under xvfb-run (scripts/test.sh)";
    }
    return std::string();
  }();
  return problem;
}

// At the top of a test (or of SetUp): when no display is usable, the test fails in CI (env CI
// set) and is skipped with the reason elsewhere. A macro, so FAIL() and GTEST_SKIP() return from
// the test itself.
#define CS_REQUIRE_DISPLAY()                                         \
  do {                                                               \
    const std::string& cs_problem = cs::test::display_problem();     \
    if (!cs_problem.empty()) {                                       \
      if (std::getenv("CI") != nullptr)                              \
        FAIL() << "CI must run the UI window tests: " << cs_problem; \
      GTEST_SKIP() << cs_problem;                                    \
    }                                                                \
  } while (0)

// The window's options (app/ui/window_options.hpp) from `args`, as `convscope args...` gets them.
inline Result<ui::WindowOptions> parse_args(std::vector<std::string> args) {
  std::string exe = "convscope";
  std::vector<char*> argv{exe.data()};
  for (auto& a : args)
    argv.push_back(a.data());
  const int argc = static_cast<int>(argv.size());
  argv.push_back(nullptr);
  return ui::parse_window_options(argc, argv.data());
}

// Polls `done` every 50 ms until it holds or `seconds` passed; its last answer.
inline bool wait_until(const std::function<bool()>& done, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// How to start the window: convscope [--status-file F] [--size S] args..., with
// XDG_STATE_HOME=state_home (XDG_PICTURES_DIR unset unless `env` sets it),
// LIBGL_ALWAYS_SOFTWARE=1 and the `env` entries ("NAME=value"), in `cwd` (or the test's own
// working directory), stdout and stderr into `log` (or the test's).
struct AppConfig {
  std::vector<std::string> args;
  std::filesystem::path state_home;
  std::filesystem::path status_file;  // "" = no --status-file
  std::string size;                   // "" = no --size
  std::filesystem::path cwd;
  std::filesystem::path log;
  std::vector<std::string> env;
};

// A running convscope window, killed when the test ends (also early, on a failed ASSERT), so no
// stray window steals the keyboard from the next test.
class AppWindow {
 public:
  explicit AppWindow(AppConfig config) : m_status(std::move(config.status_file)) {
    std::vector<std::string> argv_s{CONVSCOPE_EXE};
    if (!m_status.empty()) {
      std::error_code ec;
      std::filesystem::remove(m_status, ec);
      argv_s.insert(argv_s.end(), {"--status-file", m_status.string()});
    }
    if (!config.size.empty()) argv_s.insert(argv_s.end(), {"--size", config.size});
    argv_s.insert(argv_s.end(), config.args.begin(), config.args.end());
    std::vector<std::string> env_s = environment(config);
    spawn(config, argv_s, env_s);
  }
  ~AppWindow() {
    if (m_pid <= 0 || m_exited) return;
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
  }
  AppWindow(const AppWindow&) = delete;
  AppWindow& operator=(const AppWindow&) = delete;

  bool started() const { return m_pid > 0; }
  pid_t pid() const { return m_pid; }

  // The status the app last wrote (an empty object until it has written one).
  nlohmann::json status() const {
    std::ifstream in(m_status);
    std::stringstream ss;
    ss << in.rdbuf();
    nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
    return j.is_discarded() ? nlohmann::json::object() : j;
  }
  // Waits (up to `seconds`) until pred(status) holds; the last status either way.
  nlohmann::json wait(const std::function<bool(const nlohmann::json&)>& pred,
                      double seconds = 30) const {
    nlohmann::json last;
    wait_until(
        [&] {
          last = status();
          return pred(last);
        },
        seconds);
    return last;
  }
  // Waits until `field` of the status equals `want`; the last status either way.
  nlohmann::json wait_field(const std::string& field, const nlohmann::json& want,
                            double seconds = 10) const {
    return wait([&](const nlohmann::json& s) { return s.contains(field) && s[field] == want; },
                seconds);
  }
  // Waits until a text field has the keyboard (on) or none has (off), as the status says.
  void wait_text_field(bool on) const {
    ASSERT_TRUE(wait_until([&] { return status().value("text_input", !on) == on; }, 20))
        << (on ? "no text field took the keyboard: " : "a text field kept the keyboard: ")
        << status().dump();
  }

  // Finds the visible ConvScope window of this process (once it has drawn a frame, when it
  // writes a status); false when none appeared.
  bool find_window() {
    if (!m_status.empty() && !wait_until([&] { return status().contains("global"); }, 30)) {
      return false;
    }
    const std::string out = run_command("timeout 60 xdotool search --sync --onlyvisible --pid " +
                                        std::to_string(m_pid) + " --name ConvScope 2>/dev/null")
                                .output;
    std::istringstream in(out);
    m_window.clear();
    in >> m_window;
    return !m_window.empty();
  }
  // find_window, then gives the window the keyboard focus.
  bool focus() { return find_window() && xdotool("windowfocus --sync " + m_window); }

  // Runs `xdotool <args>` (its output and errors dropped); true when it succeeded.
  bool xdotool(const std::string& args) const {
    return std::system(("xdotool " + args + " >/dev/null 2>&1").c_str()) == 0;
  }
  // Moves the pointer to window pixel (x, y), optionally clicking the left button there (after
  // 0.2 s, so the window saw the pointer arrive).
  void mouse(double x, double y, bool click = false) const {
    xdotool("mousemove --window " + m_window + " " + std::to_string(static_cast<int>(x)) + " " +
            std::to_string(static_cast<int>(y)) + (click ? " sleep 0.2 click 1" : ""));
  }
  // A left click at (fx, fy) of `rect` [x, y, w, h] (window pixels from the status).
  void click(const nlohmann::json& rect, double fx = 0.5, double fy = 0.5) const {
    mouse(double(rect[0]) + double(rect[2]) * fx, double(rect[1]) + double(rect[3]) * fy, true);
  }
  // Resizes the window, as a user dragging its corner would.
  void resize(int w, int h) const {
    xdotool("windowsize --sync " + m_window + " " + std::to_string(w) + " " + std::to_string(h));
  }
  // Taps a key chord ("Right", "shift+Right", "ctrl+q") into the focused window.
  void key(const std::string& chord) const { xdotool("key --delay 30 " + chord); }
  // NOTE: ImGui 1.86 samples key state once per frame; a press and release inside one frame is
  // lost, so keys are held for half a second (frames on llvmpipe under load can be slow). The
  // window is focused again first, in case anything else took the keyboard.
  void press(const std::string& keys) const {
    const std::string cmd = "xdotool windowfocus --sync " + m_window + " keydown " + keys +
                            " && sleep 0.5 && xdotool keyup " + keys;
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  void type(const std::string& text) const {
    const std::string cmd = "xdotool type --delay 40 '" + text + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  // Types `text` into the text field that is about to take the keyboard (the file browser's path
  // after Ctrl+O), once the status says one has it: typed earlier, under load, a letter of the
  // path would land on a shortcut (Q opens the quiz, O switches the operation, ...).
  void type_into_field(const std::string& text) const {
    wait_text_field(true);
    type(text);
  }

  // Waits for the process to end: its exit status (128 + the signal when one ended it), or -1
  // when it did not end within `seconds` (it is then killed).
  int wait_exit(double seconds) {
    int code = -1;
    wait_until(
        [&] {
          int st = 0;
          if (::waitpid(m_pid, &st, WNOHANG) != m_pid) return false;
          m_exited = true;
          code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
          return true;
        },
        seconds);
    if (!m_exited && m_pid > 0) {
      ::kill(m_pid, SIGKILL);
      ::waitpid(m_pid, nullptr, 0);
      m_exited = true;
    }
    return code;
  }

 private:
  static std::vector<std::string> environment(const AppConfig& config) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
      const std::string kv = *e;
      if (kv.rfind("XDG_STATE_HOME=", 0) == 0 || kv.rfind("XDG_PICTURES_DIR=", 0) == 0) continue;
      env.push_back(kv);
    }
    env.push_back("XDG_STATE_HOME=" + config.state_home.string());
    env.push_back("LIBGL_ALWAYS_SOFTWARE=1");
    env.insert(env.end(), config.env.begin(), config.env.end());
    return env;
  }
  void spawn(const AppConfig& config, std::vector<std::string>& argv_s,
             std::vector<std::string>& env_s) {
    std::vector<char*> argv, envp;
    for (auto& a : argv_s)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env_s)
      envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (!config.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, config.cwd.c_str());
    if (!config.log.empty()) {
      posix_spawn_file_actions_addopen(&fa, 1, config.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                       0644);
      posix_spawn_file_actions_adddup2(&fa, 1, 2);
    }
    if (posix_spawn(&m_pid, CONVSCOPE_EXE, &fa, nullptr, argv.data(), envp.data()) != 0) {
      m_pid = -1;
    }
    posix_spawn_file_actions_destroy(&fa);
  }

  std::filesystem::path m_status;
  pid_t m_pid = -1;
  bool m_exited = false;
  std::string m_window;
};

}  // namespace cs::test
