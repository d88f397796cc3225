// The headless command line: `convscope conv|pool|trace|shape|render|lesson ...`.
// Errors go to stderr as one sentence with exit status 2; no output file is left behind.
#pragma once

namespace cs::cli {

// True when argv[1] names a command-line subcommand (or --help/--version).
bool is_cli_command(const char* arg);
// Runs the subcommand in argv[1]; returns the process exit status.
int run_cli(int argc, char** argv);

}  // namespace cs::cli
