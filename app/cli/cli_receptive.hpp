// `convscope receptive-field`: per layer of a layers file the output size, the receptive field's
// size, jump and start, and with --at the input box one output cell depends on. Depends on
// core/ only (no ImGui, no GL).
#pragma once

namespace cs::cli {

// argv[1] == "receptive-field". Errors: one sentence to stderr, exit status 2.
int run_receptive_field(int argc, char** argv);

}  // namespace cs::cli
