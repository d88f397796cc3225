// convscope: with a subcommand, the headless command line; with none, the visualizer window.
// One straight-line main like Dear ImGui's GLFW example: set-up, the loop (poll, new frame,
// views, recompute the trace if dirty, update the live preview, advance the stepper, render,
// swap), shutdown in reverse. The views are in app/ui/; the state they share is
// app/ui/app_state.hpp; the window's options app/ui/window_options.hpp; the commands in app/cli/.
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <sys/resource.h>

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "app/cli/cli.hpp"
#include "app/gpu/window_gl.hpp"
#include "app/ui/app_state.hpp"
#include "app/ui/preview_model.hpp"
#include "app/ui/ui_canvas.hpp"
#include "app/ui/ui_copy_code.hpp"
#include "app/ui/ui_edit.hpp"
#include "app/ui/ui_frame.hpp"
#include "app/ui/ui_quiz.hpp"
#include "app/ui/ui_receptive.hpp"
#include "app/ui/ui_screenshot.hpp"
#include "app/ui/ui_settings.hpp"
#include "app/ui/ui_theme.hpp"
#include "app/ui/ui_timeline.hpp"
#include "app/ui/window_options.hpp"
#include "core/file_io.hpp"
#include "core/limits.hpp"

namespace {

void glfw_error(int code, const char* text) {
  std::fprintf(stderr, "convscope: GLFW error %d: %s\n", code, text);
}

// NOTE: ImGui 1.86 reads keys as "down this frame"; a press and its release arriving in the same
// poll (a quick tap, xdotool, a remote desktop) would be lost. Releases arriving after a press in
// the same poll are held back until the next frame, so every tap and chord is seen at least once.
struct KeyEvent {
  int key, scancode, mods;
};
std::vector<KeyEvent> g_held_releases;
int g_input_events = 0;  // key and drop events since the last frame
std::vector<int> g_pressed_since_frame;

void key_callback(GLFWwindow* window, int key, int scancode, int action, int mods) {
  ++g_input_events;
  // Any release after a press in the same poll waits: the frame then sees the whole chord
  // (Ctrl released just after Right must still make Ctrl+Right).
  if (action == GLFW_RELEASE && !g_pressed_since_frame.empty()) {
    g_held_releases.push_back({key, scancode, mods});
    return;
  }
  if (action == GLFW_PRESS) g_pressed_since_frame.push_back(key);
  ImGui_ImplGlfw_KeyCallback(window, key, scancode, action, mods);
}

void release_held_keys(GLFWwindow* window) {
  for (const KeyEvent& e : g_held_releases) {
    ImGui_ImplGlfw_KeyCallback(window, e.key, e.scancode, GLFW_RELEASE, e.mods);
  }
  g_held_releases.clear();
  g_pressed_since_frame.clear();
}

void drop_callback(GLFWwindow* window, int count, const char** paths) {
  auto* state = static_cast<cs::AppState*>(glfwGetWindowUserPointer(window));
  if (!state || count <= 0) return;
  ++g_input_events;
  std::vector<std::string> files(paths, paths + count);
  cs::ui::handle_dropped_files(*state, files);
}

// User + system CPU seconds of the whole process (all threads).
double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t i = std::min(
      v.size() - 1, static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())) - 1));
  return v[i];
}

// The frame times of --frame-stats: the first frames build the font atlas and GL objects and are
// left out.
struct FrameStats {
  static constexpr long long kWarmUp = 10;
  std::vector<double> frame_ms;
  double cpu_start = 0.0;
  std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();

  void frame_done(long long frame) {
    const auto now = std::chrono::steady_clock::now();
    if (frame >= kWarmUp)
      frame_ms.push_back(std::chrono::duration<double, std::milli>(now - last).count());
    if (frame == kWarmUp - 1) cpu_start = cpu_seconds();
    last = now;
  }

  void print() const {
    double max_ms = 0.0;
    for (double v : frame_ms)
      max_ms = std::max(max_ms, v);
    // CPU time of every thread (ours and llvmpipe's) per frame: what a frame costs whatever else
    // the machine is doing; divided by the cores, the frame time of an idle machine.
    const double cpu_ms =
        frame_ms.empty() ? 0.0 : (cpu_seconds() - cpu_start) * 1000.0 / frame_ms.size();
    std::printf(
        "frames %zu  median %.2f ms  p95 %.2f ms  max %.2f ms  (%.0f fps at the median)"
        "  cpu %.2f ms/frame (all threads)\n",
        frame_ms.size(), percentile(frame_ms, 0.5), percentile(frame_ms, 0.95), max_ms,
        frame_ms.empty() ? 0.0 : 1000.0 / percentile(frame_ms, 0.5), cpu_ms);
  }
};

// A GL 3.3 core window: all the window draws with (the live preview computes on the CPU, off the
// UI thread; the GPU's compute shaders serve `convscope render`/`conv --backend gpu`). nullptr
// (and the reason on stderr) when there is no display or no GL 3.3.
GLFWwindow* open_window(const cs::ui::WindowOptions& opt) {
  glfwSetErrorCallback(glfw_error);
  if (!glfwInit()) {
    std::fprintf(stderr,
                 "convscope: cannot open a window (no display?). Set DISPLAY, run under "
                 "xvfb-run, or use a command such as `convscope lesson`.\n");
    return nullptr;
  }
  glfwDefaultWindowHints();
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  GLFWwindow* window = glfwCreateWindow(opt.width, opt.height, "ConvScope", nullptr, nullptr);
  if (!window) {
    std::fprintf(stderr, "convscope: cannot create an OpenGL 3.3 window on this display.\n");
    glfwTerminate();
    return nullptr;
  }
  glfwMakeContextCurrent(window);
  return window;
}

// The ImGui context and its GLFW/OpenGL backends. Returns the folder that keeps the layout and
// settings between runs ("" for a scripted run or when there is none).
std::string start_imgui(GLFWwindow* window, bool scripted) {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  std::string dir;
  if (!scripted) {
    auto d = cs::ui::state_dir();
    if (d) dir = *d;
  }
  // The layout is read and written by ui_settings (atomically, like the other state), not by
  // ImGui. No saved layout yet: tile the views over the window on the first frame.
  ImGui::GetIO().IniFilename = nullptr;
  if (dir.empty() || !cs::ui::load_layout(dir)) cs::ui::request_layout_reset();
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  glfwSetKeyCallback(window, key_callback);  // replaces the backend's, which it then calls
  ImGui_ImplOpenGL3_Init("#version 330 core");
  // The shader and buffers now, so refresh_theme() can replace the font texture from the start.
  ImGui_ImplOpenGL3_CreateDeviceObjects();
  return dir;
}

// The state at start: the saved settings, then the command line over them. Returns the exit
// status: 0, or 2 after printing why a lesson, scene or picture asked for cannot be opened.
int load_start_state(cs::AppState& state, const cs::ui::WindowOptions& opt,
                     const std::string& dir) {
  bool have_lesson = false;
  if (!dir.empty()) have_lesson = cs::ui::load_settings(state, dir);
  if (opt.presentation) state.presentation = true;
  if (opt.high_contrast) state.high_contrast = true;
  if (opt.dark_theme) state.dark_theme = *opt.dark_theme;
  if (opt.diverging_palette) state.diverging_palette = *opt.diverging_palette;
  if (opt.help_window) state.show_help = true;
  int exit_code = 0;
  if (!opt.scene.empty()) {
    if (auto st = cs::open_scene_file(state, opt.scene); !st) {
      std::fprintf(stderr, "convscope: %s\n", st.error().message.c_str());
      exit_code = 2;
    }
    have_lesson = true;
  } else if (opt.random) {
    cs::load_random_lesson(state, *opt.random);
    have_lesson = true;
  } else if (!opt.lesson.empty()) {
    if (auto st = cs::load_lesson(state, opt.lesson); !st) {
      std::fprintf(stderr, "convscope: %s\n", st.error().message.c_str());
      exit_code = 2;
    }
    have_lesson = true;
  }
  if (exit_code == 0 && !have_lesson) {
    if (auto st = cs::load_lesson(state, "vertical-edge"); !st) {
      if (!cs::builtin_lessons().empty()) cs::load_lesson(state, cs::builtin_lessons().front());
    }
  }
  if (exit_code == 0 && !opt.preview.empty()) {
    if (auto st = cs::set_preview_image(state, opt.preview); !st) {
      std::fprintf(stderr, "convscope: %s\n", st.error().message.c_str());
      exit_code = 2;
    }
    state.show_preview = true;
  }
  if (exit_code == 0 && !opt.layers.empty()) {
    if (auto st = cs::ui::open_receptive_layers(state, opt.layers); !st) {
      std::fprintf(stderr, "convscope: %s\n", st.error().message.c_str());
      exit_code = 2;
    }
  }
  if (opt.receptive) state.show_receptive = true;
  if (exit_code == 0 && opt.framework) {
    state.framework = *opt.framework;  // the lesson's baseline keeps its own rules
    state.mark_dirty(cs::Dirty::trace);
  }
  cs::recompute_if_dirty(state);
  cs::restart_history(state);  // nothing to undo at start (the lesson's baseline is kept)
  if (opt.step >= 0) state.stepper.seek(opt.step);
  if (opt.play) state.stepper.play();
  state.scripted_answers = opt.quiz_answers;
  if (opt.quiz) cs::ui::set_quiz(state, true);
  state.clear_dirty(cs::Dirty::settings);
  state.mark_dirty(cs::Dirty::status);
  return exit_code;
}

// Step 1 of the frame: events (or, idle, a sleep until one arrives or 0.25 s pass). Returns
// false when the window was closed.
bool poll_events(GLFWwindow* window, const cs::AppState& state, const cs::ui::WindowOptions& opt,
                 int busy_frames) {
  release_held_keys(window);
  // Idle (nothing playing, no input for a few frames): sleep until an event or 0.25 s passes
  // instead of redrawing an unchanged window; the machine's cores are shared.
  if (busy_frames > 0 || opt.frames > 0 || opt.frame_stats || opt.drag_weight ||
      state.stepper.playing()) {
    glfwPollEvents();
  } else {
    glfwWaitEventsTimeout(0.25);
  }
  return !glfwWindowShouldClose(window);
}

// Input keeps the loop awake for a few frames (hover states, tooltips, held keys settle): the
// number of frames still to draw without waiting for an event.
int busy_frames_after_input(const cs::AppState& state, int busy_frames) {
  const ImGuiIO& io = ImGui::GetIO();
  const bool input = g_input_events != 0 || io.MouseDelta.x != 0 || io.MouseDelta.y != 0 ||
                     io.MouseWheel != 0 || io.MouseWheelH != 0 || ImGui::IsAnyMouseDown() ||
                     io.WantTextInput || state.is_dirty(cs::Dirty::trace) ||
                     state.is_dirty(cs::Dirty::status) || state.is_dirty(cs::Dirty::settings) ||
                     (state.show_preview && (state.is_dirty(cs::Dirty::preview_image) ||
                                             state.is_dirty(cs::Dirty::preview_kernel)));
  g_input_events = 0;
  return input ? 10 : std::max(0, busy_frames - 1);
}

// After rendering, before the swap: F12's screenshot, and --screenshot's after the last frame.
// Returns false when --screenshot could not be written.
bool take_screenshots(cs::AppState& state, const cs::ui::WindowOptions& opt, bool last_frame,
                      int fb_w, int fb_h) {
  if (state.screenshot_requested) {
    state.screenshot_requested = false;
    const std::string path = cs::ui::screenshot_path();
    const auto st = cs::ui::write_screenshot(path, fb_w, fb_h);
    state.notify(st ? "Screenshot written to " + path : st.error().message);
    state.mark_dirty(cs::Dirty::status);
  }
  if (last_frame && !opt.screenshot.empty()) {
    if (auto st = cs::ui::write_screenshot(opt.screenshot, fb_w, fb_h); !st) {
      std::fprintf(stderr, "convscope: %s\n", st.error().message.c_str());
      return false;
    }
  }
  return true;
}

// After the swap: the --status-file when the state it shows changed, and the settings at most
// once a second.
void keep_files(cs::AppState& state, const cs::ui::WindowOptions& opt, const std::string& dir,
                std::string& last_status, double& last_settings_save) {
  if (state.is_dirty(cs::Dirty::status) && opt.status_file.empty()) {
    state.clear_dirty(cs::Dirty::status);
  } else if (state.is_dirty(cs::Dirty::status)) {
    state.clear_dirty(cs::Dirty::status);
    std::string js = cs::status_json(state);
    if (js != last_status) {
      (void)cs::write_file_atomic(opt.status_file, js + "\n");
      last_status = std::move(js);
    }
  }
  if (!dir.empty() && ImGui::GetIO().WantSaveIniSettings) (void)cs::ui::save_layout(dir);
  if (!dir.empty() && state.is_dirty(cs::Dirty::settings) &&
      state.time - last_settings_save > 1.0) {
    state.clear_dirty(cs::Dirty::settings);
    last_settings_save = state.time;
    (void)cs::ui::save_settings(state, dir);
  }
}

// At exit: the settings, the --status-file's last word and the --frame-stats line.
void save_at_exit(cs::AppState& state, const cs::ui::WindowOptions& opt, const std::string& dir,
                  const FrameStats& stats) {
  if (!dir.empty()) {
    for (const cs::Status& st : {cs::ui::save_settings(state, dir), cs::ui::save_layout(dir)}) {
      if (!st) std::fprintf(stderr, "convscope: %s\n", st.error().message.c_str());
    }
  }
  if (!opt.status_file.empty()) {
    state.notify("quit");
    (void)cs::write_file_atomic(opt.status_file, cs::status_json(state) + "\n");
  }
  if (opt.frame_stats) stats.print();
}

int run(int argc, char** argv) {
  // The engine's limits (CONVSCOPE_MAX_BYTES, CONVSCOPE_MAX_WORK) hold for every command and the
  // window alike.
  const cs::Result<cs::EngineLimits> limits = cs::engine_limits_from_environment();
  if (!limits) {
    std::fprintf(stderr, "convscope: %s\n", limits.error().message.c_str());
    return 2;
  }
  cs::set_engine_limits(*limits);
  if (argc > 1 && cs::cli::is_cli_command(argv[1])) return cs::cli::run_cli(argc, argv);

  const cs::Result<cs::ui::WindowOptions> parsed = cs::ui::parse_window_options(argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "convscope: %s\n", parsed.error().message.c_str());
    return 2;
  }
  const cs::ui::WindowOptions& opt = *parsed;
  if (opt.usage) {
    std::fputs(cs::ui::window_usage().c_str(), stdout);
    return 0;
  }
  const bool scripted = opt.frames > 0;  // --frames: a reproducible picture, no saved state

  // ---- Set-up: window and GL context, ImGui, the state ----
  GLFWwindow* window = open_window(opt);
  if (!window) return 1;
  glfwSwapInterval(opt.frame_stats || scripted ? 0 : 1);
  const std::string dir = start_imgui(window, scripted);
  cs::AppState state;
  // A scripted screenshot shows the live preview complete: its frames wait for it.
  state.preview_settle = scripted && !opt.screenshot.empty();
  glfwSetWindowUserPointer(window, &state);
  glfwSetDropCallback(window, drop_callback);
  int exit_code = load_start_state(state, opt, dir);

  // ---- The loop ----
  ImGuiIO& io = ImGui::GetIO();
  FrameStats stats;
  std::string last_status;
  double last_settings_save = 0.0;
  const double drag_base = state.weight.numel() > 0 ? state.weight.get(0) : 0.0;
  int busy_frames = 10;
  for (long long frame = 0; exit_code == 0; ++frame) {
    // 1. Events, a new frame.
    if (!poll_events(window, state, opt, busy_frames)) break;
    {
      int win_w = 0, win_h = 0;
      glfwGetWindowSize(window, &win_w, &win_h);
      if (win_h > 0) state.presentation_scale = cs::ui::presentation_scale_for(win_h);
    }
    cs::ui::refresh_theme(state);
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    // A scripted picture must not depend on where the X server left the pointer.
    if (scripted) io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    ImGui::NewFrame();
    state.time = ImGui::GetTime();
    busy_frames = busy_frames_after_input(state, busy_frames);
    cs::ui::handle_global_keys(state);
    cs::ui::handle_step_keys(state);
    cs::ui::handle_edit_shortcuts(state);
    cs::ui::quiz_guard(state);  // a step onto an open question asks it instead
    if (opt.drag_weight && state.weight.numel() > 0) {
      state.weight.set(0, drag_base + std::sin(state.time * 3.0));
      state.mark_dirty(cs::Dirty::trace);
    }

    // 2. The views (a scripted picture shows no frame rate: it would differ from run to run).
    cs::ui::draw_frame(state, scripted ? 0.0f : io.Framerate);
    // 3. The models: the trace if dirty, then the live preview (its picture, kernel and GPU
    // pass, only what changed). 4. The stepper.
    cs::recompute_if_dirty(state);
    if (frame == 0 && !opt.copy_code.empty()) {  // --copy-code: Edit ▸ Copy as PyTorch/Keras
      const auto target =
          opt.copy_code == "keras" ? cs::cli::ExportTarget::keras : cs::cli::ExportTarget::pytorch;
      if (auto st = cs::ui::copy_lesson_script(state, target, opt.copy_code_file); !st) {
        std::fprintf(stderr, "convscope: --copy-code %s: %s\n", opt.copy_code.c_str(),
                     st.error().message.c_str());
        exit_code = 1;
      }
    }
    cs::update_preview(state);
    if (state.stepper.advance(io.DeltaTime) > 0 || state.stepper.playing()) {
      state.mark_dirty(cs::Dirty::status);
    }
    cs::ui::quiz_guard(state);

    // 5. Render, screenshots, swap.
    ImGui::Render();
    int fb_w = 0, fb_h = 0;
    glfwGetFramebufferSize(window, &fb_w, &fb_h);
    cs::gpu::clear_frame(fb_w, fb_h, 0.93f, 0.93f, 0.95f);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    const bool last_frame = scripted && frame + 1 >= opt.frames;
    if (!take_screenshots(state, opt, last_frame, fb_w, fb_h)) exit_code = 1;
    glfwSwapBuffers(window);
    stats.frame_done(frame);
    keep_files(state, opt, dir, last_status, last_settings_save);
    if (last_frame || state.quit_requested) break;
  }

  // ---- Shutdown, in reverse ----
  save_at_exit(state, opt, dir, stats);
  cs::shutdown_edit(state);
  cs::ui::shutdown_receptive(state);
  cs::ui::shutdown_canvas();
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return exit_code;
}

}  // namespace

// The last resort: every operation checks what it needs before it allocates (core/limits.hpp),
// but an allocation can still fail (a limit raised past the machine, ulimit -v); one sentence and
// status 1 instead of an abort.
int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr,
                 "convscope: ran out of memory (an allocation failed); use a smaller input or "
                 "lower CONVSCOPE_MAX_BYTES so that the operation is refused before it starts\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "convscope: stopped by an internal error (%s); please report it\n",
                 e.what());
  }
  return 1;
}
