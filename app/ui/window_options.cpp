// The window's options: one CommandSpec table (which also prints `convscope --usage`), parsed by
// cli::parse_args, then each value checked with the window's own sentences. Depends on
// app/cli/cli_args and app_state.hpp (RandomSpec) only.
#include "app/ui/window_options.hpp"

#include <cstring>
#include <vector>

namespace cs::ui {

namespace {

const char* kStepNeeds = "--step needs a step number 0 or more, e.g. --step 12.";
const char* kFramesNeeds = "--frames needs a number of frames of 1 or more, e.g. --frames 5.";
const char* kSizeNeeds =
    "--size needs WIDTHxHEIGHT between 320x240 and 8192x8192, e.g. --size 1600x900.";
const char* kThemeNeeds = "--theme needs light or dark, e.g. --theme dark.";
const char* kPaletteNeeds = "--palette needs red-blue or blue-orange, e.g. --palette blue-orange.";
const char* kFrameworkNeeds =
    "--framework needs pytorch or keras (whose padding rules), e.g. --framework keras.";
const char* kQuizAnswerNeeds =
    "--quiz-answer needs the answer to type, e.g. --quiz-answer 3x3 or --quiz-answer -2.";
const char* kRandomNeeds = "--random needs H,W,C,COUT[,K[,SEED]], e.g. --random 64,64,3,8.";

bool whole_number(const std::string& text, long long& out) {
  auto v = cli::parse_int64("", text);
  if (!v) return false;
  out = *v;
  return true;
}

// "1600x900", each side within 320x240..8192x8192.
Status read_size(const std::string& text, WindowOptions& o) {
  long long w = 0, h = 0;
  const std::size_t x = text.find('x');
  if (x == std::string::npos || !whole_number(text.substr(0, x), w) ||
      !whole_number(text.substr(x + 1), h) || w < 320 || h < 240 || w > 8192 || h > 8192) {
    return make_error(kSizeNeeds, "--size");
  }
  o.width = static_cast<int>(w);
  o.height = static_cast<int>(h);
  return ok();
}

// "H,W,C,COUT[,K[,SEED]]": H, W in 1..512, C, COUT in 1..64, K in 1..15.
Status read_random(const std::string& text, WindowOptions& o) {
  std::vector<long long> n;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t c = text.find(',', pos);
    long long x = 0;
    if (!whole_number(text.substr(pos, c == std::string::npos ? std::string::npos : c - pos), x)) {
      return make_error(
          "--random needs whole numbers H,W,C,COUT[,K[,SEED]], e.g. --random 64,64,3,8.",
          "--random");
    }
    n.push_back(x);
    if (c == std::string::npos) break;
    pos = c + 1;
  }
  if (n.size() < 4 || n.size() > 6 || n[0] < 1 || n[1] < 1 || n[2] < 1 || n[3] < 1 || n[0] > 512 ||
      n[1] > 512 || n[2] > 64 || n[3] > 64 || (n.size() > 4 && (n[4] < 1 || n[4] > 15))) {
    return make_error(
        "--random needs H,W (1..512), C, COUT (1..64) and optionally K (1..15) and SEED, "
        "e.g. --random 64,64,3,8.",
        "--random");
  }
  RandomSpec r;
  r.h = static_cast<int>(n[0]);
  r.w = static_cast<int>(n[1]);
  r.c_in = static_cast<int>(n[2]);
  r.c_out = static_cast<int>(n[3]);
  if (n.size() > 4) r.k = static_cast<int>(n[4]);
  if (n.size() > 5) r.seed = static_cast<uint64_t>(n[5]);
  o.random = r;
  return ok();
}

}  // namespace

const cli::CommandSpec& window_spec() {
  static const cli::CommandSpec spec{
      "convscope",
      "[options]",
      "the visualizer window",
      {
          {"--lesson", "NAME", "open a built-in lesson (vertical-edge, rgb-2-filters, ...)",
           "--lesson needs a lesson name."},
          {"--random", "H,W,C,COUT[,K[,SEED]]", "a random integer lesson (K×K kernel, default 3)",
           kRandomNeeds},
          {"--scene", "FILE.json", "open a saved scene", "--scene needs a file."},
          {"--step", "K", "seek the stepper to global step K", kStepNeeds},
          {"--presentation", nullptr, "start in presentation mode"},
          {"--high-contrast", nullptr, "start with the high-contrast theme"},
          {"--theme", "light|dark", "start with the light or the dark theme", kThemeNeeds},
          {"--palette", "red-blue|blue-orange",
           "the cells' diverging colours (blue-orange: colour-blind safe)", kPaletteNeeds},
          {"--framework", "pytorch|keras",
           "whose padding rules the lesson follows (Keras: 'valid'/'same' for any stride)",
           kFrameworkNeeds},
          {"--preview", "IMAGE", "open the live preview on a PNG/JPEG",
           "--preview needs a PNG or JPEG file."},
          {"--size", "WxH", "window size in pixels (default 1600x900)", kSizeNeeds},
          {"--frames", "N", "render N frames, then exit (with --screenshot: save the window)",
           kFramesNeeds},
          {"--screenshot", "OUT.png", "write the window to OUT.png after the last frame (atomic)",
           "--screenshot needs an output file name."},
          {"--status-file", "PATH", "keep PATH updated with the state as JSON (for tests)",
           "--status-file needs a file name."},
          {"--frame-stats", nullptr, "print the median and 95th percentile frame times at exit"},
          {"--drag-weight", nullptr, "change a weight every frame, as a dragged slider would"},
          {"--play", nullptr, "start playing"},
          {"--copy-code", "pytorch|keras",
           "after the first frame, copy the lesson as a script (Edit menu) to the clipboard",
           "--copy-code needs pytorch or keras."},
          {"--copy-code-file", "OUT.py", "with --copy-code: also write the script to OUT.py",
           "--copy-code-file needs an output file name."},
          {"--help-window", nullptr, "open the help window at start"},
          {"--layers", "L.json", "open the Receptive field view on this layer stack",
           "--layers needs a layers file, like --layers pipeline.json."},
          {"--receptive", nullptr, "open the Receptive field view on a built-in layer stack"},
          {"--quiz", nullptr, "start in quiz mode: predict each value before it is shown"},
          {"--quiz-answer", "VALUE",
           "type VALUE into the quiz's open question, one a frame (repeat it; for tests)",
           kQuizAnswerNeeds},
      },
      nullptr,
      "Run convscope --usage for the window's options, or convscope --help for the command line."};
  return spec;
}

std::string window_usage() {
  const cli::CommandSpec& spec = window_spec();
  std::string s =
      "usage: convscope [options]            the visualizer window\n"
      "       convscope <command> ...         the command line (convscope --help lists "
      "commands)\n"
      "\n"
      "options:\n";
  // The help starts 21 columns after the indent, or two spaces after a longer option.
  constexpr std::size_t kColumn = 21;
  for (const cli::OptionSpec& o : spec.options) {
    std::string left = o.name;
    if (o.value) left += std::string(" ") + o.value;
    const std::size_t gap = left.size() < kColumn ? kColumn - left.size() : 2;
    s += "  " + left + std::string(gap, ' ') + o.help + "\n";
  }
  return s + "With --frames, the saved layout and settings are neither read nor written.\n";
}

Result<WindowOptions> parse_window_options(int argc, char** argv) {
  WindowOptions o;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--usage") == 0) o.usage = true;
  }
  if (o.usage) return o;
  Result<cli::Args> args = cli::parse_args(argc, argv, 1, window_spec());
  if (!args) return args.error();
  auto text = [&](const char* name, std::string& out) {
    if (const std::string* v = args->get(name)) out = *v;
  };
  text("--lesson", o.lesson);
  text("--scene", o.scene);
  text("--preview", o.preview);
  text("--screenshot", o.screenshot);
  text("--status-file", o.status_file);
  text("--layers", o.layers);
  o.receptive = args->has("--receptive") || !o.layers.empty();
  if (const std::string* v = args->get("--step")) {
    if (!whole_number(*v, o.step) || o.step < 0) return make_error(kStepNeeds, "--step");
  }
  if (const std::string* v = args->get("--frames")) {
    if (!whole_number(*v, o.frames) || o.frames < 1) return make_error(kFramesNeeds, "--frames");
  }
  if (const std::string* v = args->get("--size")) {
    if (Status st = read_size(*v, o); !st) return st.error();
  }
  if (const std::string* v = args->get("--random")) {
    if (Status st = read_random(*v, o); !st) return st.error();
  }
  if (const std::string* v = args->get("--theme")) {
    if (*v != "light" && *v != "dark") return make_error(kThemeNeeds, "--theme");
    o.dark_theme = *v == "dark";
  }
  if (const std::string* v = args->get("--palette")) {
    if (*v != "red-blue" && *v != "blue-orange") return make_error(kPaletteNeeds, "--palette");
    o.diverging_palette = *v == "blue-orange" ? 1 : 0;
  }
  if (const std::string* v = args->get("--framework")) {
    if (*v != "pytorch" && *v != "keras") return make_error(kFrameworkNeeds, "--framework");
    o.framework = *v == "keras" ? Framework::keras : Framework::pytorch;
  }
  o.presentation = args->has("--presentation");
  o.high_contrast = args->has("--high-contrast");
  o.frame_stats = args->has("--frame-stats");
  o.drag_weight = args->has("--drag-weight");
  o.play = args->has("--play");
  o.help_window = args->has("--help-window");
  o.quiz = args->has("--quiz");
  // NOTE: parse_args keeps an option's last value only; every --quiz-answer is kept, in order.
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quiz-answer" && i + 1 < argc) {
      o.quiz_answers.push_back(argv[++i]);
    } else if (a.rfind("--quiz-answer=", 0) == 0) {
      o.quiz_answers.push_back(a.substr(std::strlen("--quiz-answer=")));
    }
  }
  if (const std::string* v = args->get("--copy-code")) {
    if (*v != "pytorch" && *v != "keras") {
      return make_error("--copy-code " + *v + " is not a framework; use pytorch or keras.",
                        "--copy-code");
    }
    o.copy_code = *v;
  }
  if (const std::string* v = args->get("--copy-code-file")) {
    if (o.copy_code.empty()) {
      return make_error("--copy-code-file needs --copy-code pytorch|keras too.",
                        "--copy-code-file");
    }
    o.copy_code_file = *v;
  }
  if (!o.screenshot.empty() && o.frames < 0) o.frames = 3;
  return o;
}

}  // namespace cs::ui
