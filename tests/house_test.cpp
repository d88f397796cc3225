// The architecture, checked on the sources: app/gpu/ is the only module that calls gl*; core/
// depends on nothing in app/ and on no GUI library; the command line (app/cli/) and the GPU
// module build without ImGui and without the window's code. Each failure names file and line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const fs::path kRoot = CONVSCOPE_SOURCE_DIR;

struct Hit {
  std::string where;  // "app/ui/ui_canvas.cpp:149"
  std::string line;
};

std::vector<fs::path> sources_under(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(kRoot / dir)) {
    const std::string ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".cpp" || ext == ".hpp")) out.push_back(e.path());
  }
  return out;
}

// Lines of `files` matching `pattern`, comments (// to the end of the line) left out.
std::vector<Hit> grep(const std::vector<fs::path>& files, const std::regex& pattern) {
  std::vector<Hit> hits;
  for (const fs::path& f : files) {
    std::ifstream in(f);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      const std::string code = line.substr(0, line.find("//"));
      if (std::regex_search(code, pattern)) {
        hits.push_back({fs::relative(f, kRoot).string() + ":" + std::to_string(n), line});
      }
    }
  }
  return hits;
}

std::string describe(const std::vector<Hit>& hits) {
  std::string s;
  for (const Hit& h : hits)
    s += "  " + h.where + ": " + h.line + "\n";
  return s;
}

std::vector<fs::path> app_outside_gpu() {
  std::vector<fs::path> files = sources_under("app/cli");
  for (const fs::path& f : sources_under("app/ui"))
    files.push_back(f);
  files.push_back(kRoot / "app/main.cpp");
  return files;
}

// A GL call: gl followed by a capital (glBindTexture, glGetIntegerv), not glfw*.
const std::regex kGlCall(R"(\bgl[A-Z][A-Za-z0-9]*\s*\()");
const std::regex kGlHeader(R"(#\s*include\s*[<"](epoxy/|GL/|GLES))");

TEST(House, GlCallsOnlyInAppGpu) {
  std::vector<fs::path> files = app_outside_gpu();
  for (const fs::path& f : sources_under("core"))
    files.push_back(f);
  const auto calls = grep(files, kGlCall);
  EXPECT_TRUE(calls.empty()) << "gl* calls outside app/gpu/ (move them into app/gpu/):\n"
                             << describe(calls);
  const auto headers = grep(files, kGlHeader);
  EXPECT_TRUE(headers.empty()) << "GL headers included outside app/gpu/:\n" << describe(headers);
}

TEST(House, TheCheckSeesAGlCall) {
  // The pattern itself: a call is found, GLFW and words like "global(" are not.
  EXPECT_TRUE(std::regex_search("  glBindTexture(GL_TEXTURE_2D, t);", kGlCall));
  EXPECT_TRUE(std::regex_search("x = glGetError ();", kGlCall));
  EXPECT_FALSE(std::regex_search("glfwPollEvents();", kGlCall));
  EXPECT_FALSE(std::regex_search("st.global();", kGlCall));
}

TEST(House, CoreDependsOnNoAppAndNoGui) {
  const auto hits =
      grep(sources_under("core"), std::regex(R"(#\s*include\s*[<"](app/|imgui|GLFW/|epoxy/))"));
  EXPECT_TRUE(hits.empty()) << "core/ must not include app/ or a GUI library:\n" << describe(hits);
}

TEST(House, CommandLineAndGpuBuildWithoutTheWindow) {
  std::vector<fs::path> files = sources_under("app/cli");
  for (const fs::path& f : sources_under("app/gpu"))
    files.push_back(f);
  const auto hits = grep(files, std::regex(R"(#\s*include\s*[<"](app/ui/|imgui|backends/imgui))"));
  EXPECT_TRUE(hits.empty()) << "app/cli/ and app/gpu/ must not include ImGui or app/ui/:\n"
                            << describe(hits);
  const auto up = grep(sources_under("app/gpu"), std::regex(R"(#\s*include\s*"app/cli/)"));
  EXPECT_TRUE(up.empty()) << "app/gpu/ must not include app/cli/:\n" << describe(up);
}

}  // namespace
