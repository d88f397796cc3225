// convscope: with a subcommand, the headless command line; with none, the visualizer.
#include <cstdio>

#include "app/cli.hpp"

int main(int argc, char** argv) {
  if (argc > 1 && cs::cli::is_cli_command(argv[1])) return cs::cli::run_cli(argc, argv);
  // Until the visualizer lands, the default is a built-in lesson on the command line.
  char lesson[] = "lesson";
  char* args[] = {argv[0], lesson, nullptr};
  return cs::cli::run_cli(2, args);
}
