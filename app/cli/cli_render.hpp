// `convscope render`: applies a kernel (a preset, a .npy, or a --layers list) to a PNG/JPEG photo
// on the GPU or the CPU fast path and writes a PNG. Owns its argument parsing and messages;
// depends on core/ and app/gpu/ only (no ImGui).
#pragma once

namespace cs::cli {

// argv[1] == "render". Errors: one sentence to stderr, exit status 2; the output file is written
// only when the whole command succeeded. `convscope render --help` prints the usage (exit 0).
int run_render(int argc, char** argv);

}  // namespace cs::cli
