// `convscope render` (placeholder until the implementation lands).
#include "app/cli_render.hpp"

#include <cstdio>

namespace cs::cli {

int run_render(int, char**) {
  std::fprintf(stderr, "convscope: render is not yet available in this build.\n");
  return 2;
}

}  // namespace cs::cli
