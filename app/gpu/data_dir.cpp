// The data folders' search order (see data_dir.hpp). No GL here.
#include "app/gpu/data_dir.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace cs::gpu {

std::string exe_dir() {
  char buf[4096];
  const ssize_t len = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (len <= 0) return {};
  std::string path(buf, static_cast<std::size_t>(len));
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::vector<std::string> data_dirs() {
  std::vector<std::string> dirs;
  auto add = [&](const std::filesystem::path& dir) {
    // "/usr/bin/../share/convscope" is written "/usr/share/convscope" (in messages too), and a
    // program installed under the configured prefix does not search the same folder twice.
    const std::string text = dir.lexically_normal().string();
    if (std::find(dirs.begin(), dirs.end(), text) == dirs.end()) dirs.push_back(text);
  };
  if (const std::string exe = exe_dir(); !exe.empty()) {
    add(std::filesystem::path(exe) / ".." / "share" / "convscope");
  }
#ifdef CONVSCOPE_SOURCE_DATADIR
  add(CONVSCOPE_SOURCE_DATADIR);
#endif
#ifdef CONVSCOPE_INSTALL_DATADIR
  add(CONVSCOPE_INSTALL_DATADIR);
#endif
  return dirs;
}

}  // namespace cs::gpu
