// Where ConvScope's read-only data (share/convscope: shaders/, assets/) is found at run time, for
// the shader loader and the window alike. No GL here; it lives in app/gpu/ because the shader
// loader was its first user. Depends on nothing but the standard library.
#pragma once

#include <string>
#include <vector>

namespace cs::gpu {

// The folder holding the running executable, from /proc/self/exe ("" when it cannot be read).
std::string exe_dir();

// The folders that may hold shaders/ and assets/, in search order, each at most once:
//   <exe>/../share/convscope  an installed or moved tree finds its own copy first
//                             (/usr/bin/convscope reads /usr/share/convscope),
//   the source tree           a build run from build/release reads the files being edited,
//   the install prefix        CMAKE_INSTALL_PREFIX/share/convscope, as configured.
// A folder is listed whether or not it exists; callers try the files they need.
std::vector<std::string> data_dirs();

}  // namespace cs::gpu
