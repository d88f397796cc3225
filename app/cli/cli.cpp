// The command line's front door: which argv[1] is a subcommand, the top-level help and version,
// and the dispatch to conv, conv1d, conv-transpose, pool, trace, shape, lesson, render,
// receptive-field and export.
// Depends on core/ and the cli_* files only (no ImGui, no GL).
#include "app/cli/cli.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "app/cli/cli_common.hpp"
#include "app/cli/cli_export.hpp"
#include "app/cli/cli_receptive.hpp"
#include "app/cli/cli_render.hpp"

#ifndef CONVSCOPE_VERSION
#define CONVSCOPE_VERSION "0.1.0"  // keep in step with project(ConvScope VERSION ...)
#endif

namespace cs::cli {
namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* brief;  // one line for the command list
};

const Command kCommands[] = {
    {"conv", run_conv,
     "conv2d of .npy arrays, exactly PyTorch's or Keras's (cpu or gpu), written as .npy"},
    {"conv1d", run_conv1d, "conv1d of .npy arrays (np.convolve with --flip), written as .npy"},
    {"conv-transpose", run_conv_transpose,
     "torch.nn.ConvTranspose2d of .npy arrays (upsampling), written as .npy"},
    {"pool", run_pool, "max or average pooling of a .npy array, written as .npy"},
    {"trace", run_trace, "every window of a conv, conv-transpose or pooling, as JSON"},
    {"shape", run_shape, "the output shape and the output-size formula, from shapes alone"},
    {"render", run_render, "apply a kernel to a PNG/JPEG photo and write a PNG"},
    {"lesson", run_lesson, "a built-in worked example, printed window by window"},
    {"receptive-field", run_receptive_field,
     "per layer of a layers file: receptive field size, jump, start; one cell's input box"},
    {"export", run_export, "a PyTorch or Keras script that computes what a conv/pool command does"},
};

const Command* find_command(const char* name) {
  for (const Command& c : kCommands) {
    if (std::strcmp(c.name, name) == 0) return &c;
  }
  return nullptr;
}

int print_top_help() {
  std::printf(
      "usage: convscope <command> [options]\n"
      "       convscope [--lesson NAME | --scene FILE.json | ...]   the visualizer window\n"
      "                                 (`convscope --usage` lists the window's options)\n\n"
      "ConvScope shows how a 2-D convolution layer computes every output value, with exactly\n"
      "PyTorch's conv2d, transposed convolution and pooling semantics.\n\ncommands:\n");
  int width = 4;  // "help"
  for (const Command& c : kCommands)
    width = std::max(width, static_cast<int>(std::strlen(c.name)));
  for (const Command& c : kCommands) {
    std::printf("  %-*s %s\n", width, c.name, c.brief);
  }
  std::printf("  %-*s `convscope help COMMAND` is `convscope COMMAND --help`: its options\n\n",
              width, "help");
  std::printf(
      "  --help     print this list\n"
      "  --version  print the version\n\n"
      "Errors go to stderr as one sentence with exit status 2, and a command that fails\n"
      "writes no output file. docs/cli.md has examples to paste.\n");
  return kExitOk;
}

}  // namespace

bool is_cli_command(const char* arg) {
  if (!arg) return false;
  if (find_command(arg)) return true;
  for (const char* s : {"help", "--help", "-h", "--version", "-V"}) {
    if (std::strcmp(arg, s) == 0) return true;
  }
  return false;
}

int run_cli(int argc, char** argv) {
  if (argc < 2) return print_top_help();
  const char* name = argv[1];
  if (std::strcmp(name, "--version") == 0 || std::strcmp(name, "-V") == 0) {
    std::printf("convscope %s\n", CONVSCOPE_VERSION);
    return kExitOk;
  }
  if (std::strcmp(name, "--help") == 0 || std::strcmp(name, "-h") == 0) return print_top_help();
  if (std::strcmp(name, "help") == 0) {
    if (argc < 3) return print_top_help();
    const Command* c = find_command(argv[2]);
    if (!c) {
      std::fprintf(stderr, "convscope help: there is no command '%s'; see `convscope --help`\n",
                   argv[2]);
      return kExitError;
    }
    // Every command prints its own usage for --help (render owns its own).
    char help[] = "--help";
    char* args[] = {argv[0], argv[2], help, nullptr};
    return c->run(3, args);
  }
  if (const Command* c = find_command(name)) return c->run(argc, argv);
  std::fprintf(stderr, "convscope: unknown command '%s'; see `convscope --help`\n", name);
  return kExitError;
}

}  // namespace cs::cli
