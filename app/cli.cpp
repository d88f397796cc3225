// The command line's front door: which argv[1] is a subcommand, the top-level help and version,
// and the dispatch to conv, pool, trace, shape, lesson and render.
// Depends on core/ and the cli_* files only (no ImGui, no GL).
#include "app/cli.hpp"

#include <cstdio>
#include <cstring>
#include <string>

#include "app/cli_common.hpp"

#ifndef CONVSCOPE_VERSION
#define CONVSCOPE_VERSION "0.1.0"  // keep in step with project(ConvScope VERSION ...)
#endif

namespace cs::cli {
namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);
  const CommandSpec& (*spec)();
};

const Command kCommands[] = {
    {"conv", run_conv, conv_spec},       {"pool", run_pool, pool_spec},
    {"trace", run_trace, trace_spec},    {"shape", run_shape, shape_spec},
    {"lesson", run_lesson, lesson_spec},
};

const Command* find_command(const char* name) {
  for (const Command& c : kCommands) {
    if (std::strcmp(c.name, name) == 0) return &c;
  }
  return nullptr;
}

// The first line of a spec's summary, for the command list.
std::string first_sentence(const char* summary) {
  std::string s = summary;
  const std::size_t dot = s.find(". ");
  if (dot != std::string::npos) s = s.substr(0, dot + 1);
  for (char& ch : s) {
    if (ch == '\n') ch = ' ';
  }
  return s;
}

int print_top_help() {
  std::printf(
      "usage: convscope <command> [options]\n"
      "       convscope                 (no command: the visualizer)\n\n"
      "ConvScope shows how a 2-D convolution layer computes every output value, with exactly\n"
      "PyTorch's conv2d and pooling semantics.\n\ncommands:\n");
  for (const Command& c : kCommands) {
    std::printf("  %-8s %s\n", c.name, first_sentence(c.spec().summary).c_str());
  }
  std::printf(
      "  %-8s %s\n"
      "\n`convscope <command> --help` lists a command's options. Errors go to stderr with exit\n"
      "status 2, and a command that fails writes no output file.\n"
      "  --version  print the version\n",
      "help", "`convscope help conv` is `convscope conv --help`.");
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
    return print_usage(c->spec());
  }
  if (const Command* c = find_command(name)) return c->run(argc, argv);
  std::fprintf(stderr, "convscope: unknown command '%s'; see `convscope --help`\n", name);
  return kExitError;
}

}  // namespace cs::cli
