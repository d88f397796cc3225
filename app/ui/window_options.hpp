// The window's command line (`convscope [options]`, no subcommand): its option table, written as
// app/cli/cli_args' CommandSpec and parsed by the same parse_args as every subcommand, its usage
// (`convscope --usage`) and what the options ask for. No GL, GLFW or ImGui: main.cpp reads these
// before it opens the window.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/cli/cli_args.hpp"
#include "app/ui/app_state.hpp"
#include "core/result.hpp"

namespace cs::ui {

struct WindowOptions {
  bool usage = false;  // --usage: print window_usage() and exit (wins over every other problem)
  std::string lesson, scene, preview, screenshot, status_file;  // "" when not given
  std::string layers;                // --layers L.json: the Receptive field view on this stack
  bool receptive = false;            // --receptive: the Receptive field view on a built-in stack
  std::optional<RandomSpec> random;  // --random H,W,C,COUT[,K[,SEED]]
  long long step = -1;               // --step K; -1 when not given
  long long frames = -1;  // --frames N; -1: until the window closes (3 with --screenshot)
  int width = 1600, height = 900;
  bool presentation = false, high_contrast = false, frame_stats = false, drag_weight = false;
  std::optional<bool> dark_theme;        // --theme light|dark
  std::optional<int> diverging_palette;  // --palette red-blue|blue-orange (0, 1)
  // --framework pytorch|keras: the lesson's rules switched after it opens (an edit, undoable).
  std::optional<Framework> framework;
  bool help_window = false;
  bool play = false;
  bool quiz = false;                      // --quiz: start in quiz mode
  std::vector<std::string> quiz_answers;  // --quiz-answer VALUE, repeated: typed one a frame
  // --copy-code pytorch|keras: after the first frame, Edit ▸ Copy as PyTorch/Keras; with
  // --copy-code-file, what went to the clipboard is also written there (for tests).
  std::string copy_code, copy_code_file;
};

// The table: each option with its placeholder, its line of help and the sentence it says when
// its value is missing.
const cli::CommandSpec& window_spec();

// What `convscope --usage` prints.
std::string window_usage();

// argv[1..] (main.cpp has already ruled out a subcommand). The error is one sentence naming the
// option: "--frames needs a number of frames of 1 or more, e.g. --frames 5."
Result<WindowOptions> parse_window_options(int argc, char** argv);

}  // namespace cs::ui
