// Window screenshots: the back buffer (read back by app/gpu/window_gl) => PNG (see
// ui_screenshot.hpp).
#include "app/ui/ui_screenshot.hpp"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <vector>

#include "app/gpu/window_gl.hpp"
#include "core/image_io.hpp"

namespace cs::ui {

Status write_screenshot(const std::string& path, int width, int height) {
  if (width <= 0 || height <= 0) {
    return make_error("The window has no pixels to save (" + std::to_string(width) + "×" +
                      std::to_string(height) + ").");
  }
  Image img;
  img.width = width;
  img.height = height;
  img.channels = 3;
  std::string why;
  if (!gpu::read_back_buffer(width, height, img.pixels, why)) return make_error(why);
  return write_png(path, img);
}

namespace {

// The XDG_PICTURES_DIR="$HOME/Pictures" line of ~/.config/user-dirs.dirs, expanded.
std::string pictures_from_user_dirs() {
  const char* home = std::getenv("HOME");
  if (!home) return {};
  const char* cfg = std::getenv("XDG_CONFIG_HOME");
  const std::string base = cfg && *cfg ? cfg : std::string(home) + "/.config";
  std::ifstream in(base + "/user-dirs.dirs");
  std::string line;
  while (std::getline(in, line)) {
    const std::string key = "XDG_PICTURES_DIR=";
    if (line.rfind(key, 0) != 0) continue;
    std::string v = line.substr(key.size());
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    if (v.rfind("$HOME", 0) == 0) v = std::string(home) + v.substr(5);
    return v;
  }
  return {};
}

}  // namespace

std::string screenshot_path() {
  namespace fs = std::filesystem;
  std::string dir;
  std::error_code ec;
  const char* env = std::getenv("XDG_PICTURES_DIR");
  if (env && *env && fs::is_directory(env, ec)) {
    dir = env;
  } else {
    const std::string ud = pictures_from_user_dirs();
    if (!ud.empty() && fs::is_directory(ud, ec)) dir = ud;
  }
  if (dir.empty()) dir = fs::current_path(ec).string();
  if (dir.empty()) dir.push_back('.');
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  std::string path = dir + "/convscope-" + stamp + ".png";
  for (int i = 2; fs::exists(path, ec) && i < 1000; ++i) {
    path = dir + "/convscope-" + stamp + "-" + std::to_string(i) + ".png";
  }
  return path;
}

}  // namespace cs::ui
