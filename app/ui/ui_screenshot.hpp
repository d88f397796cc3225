// Screenshots of the whole window: reads the default framebuffer with glReadPixels after the
// frame is rendered and writes a PNG atomically (core/image_io.hpp's write_png). Depends on
// libepoxy and core/ only.
#pragma once

#include <string>

#include "core/result.hpp"

namespace cs::ui {

// Reads the back buffer (call after rendering, before swapping) of size width × height and
// writes it to `path` as an RGB PNG (top row first).
Status write_screenshot(const std::string& path, int width, int height);

// A new file name for the F12 key: $XDG_PICTURES_DIR (the environment variable, else the
// XDG_PICTURES_DIR line of ~/.config/user-dirs.dirs) if that folder exists, else the working
// directory; "convscope-YYYYMMDD-HHMMSS.png" (with -2, -3, ... when it already exists).
std::string screenshot_path();

}  // namespace cs::ui
