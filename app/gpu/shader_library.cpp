// Shader lookup on disk with the embedded copies as the last resort. No GL here.
#include "app/gpu/shader_library.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "app/gpu/data_dir.hpp"

namespace cs::gpu {

namespace {

bool read_text(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return !out.empty();
}

}  // namespace

Result<std::string> shader_source(const std::string& name, std::string* origin) {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("CONVSCOPE_SHADER_DIR"); env != nullptr && *env != '\0') {
    dirs.emplace_back(env);
  }
  for (const std::string& root : data_dirs())
    dirs.push_back(root + "/shaders");
  std::string text;
  for (const std::string& dir : dirs) {
    const std::string path = dir + "/" + name;
    if (read_text(path, text)) {
      if (origin != nullptr) *origin = path;
      return text;
    }
  }
  if (const char* embedded = embedded_shader(name); embedded != nullptr) {
    if (origin != nullptr) *origin = "embedded";
    return std::string(embedded);
  }
  return make_error("the shader " + name +
                    " was found neither beside the program nor embedded in "
                    "it; reinstall ConvScope or set CONVSCOPE_SHADER_DIR to its shaders/ folder");
}

Result<std::string> shader_with_defines(const std::string& name,
                                        const std::vector<std::pair<std::string, int>>& defines,
                                        std::string* origin) {
  Result<std::string> source = shader_source(name, origin);
  if (!source) return source;
  std::string text = std::move(*source);
  const std::size_t eol = text.find('\n');
  if (text.rfind("#version", 0) != 0 || eol == std::string::npos) {
    return make_error("the shader " + name + " does not start with a #version line");
  }
  std::string block;
  for (const auto& [key, value] : defines) {
    block += "#define " + key + " " + std::to_string(value) + "\n";
  }
  // `#line 2` keeps the driver's line numbers pointing into the file.
  text.insert(eol + 1, block + "#line 2\n");
  return text;
}

}  // namespace cs::gpu
