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

// `line` without its comment and without the insides of string and character literals, so
// that braces in "{\"n\": " or '{' are not counted.
std::string code_of(const std::string& line) {
  std::string out;
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quote) {
      if (ch == '\\')
        ++i;
      else if (ch == quote)
        quote = 0;
      continue;
    }
    if (ch == '/' && i + 1 < line.size() && line[i + 1] == '/') break;
    if (ch == '"' || ch == '\'') quote = ch;
    out += ch;
  }
  return out;
}

// Functions defined at the start of a line (free functions and out-of-class methods) and their
// length from the opening line to the closing brace, in the .cpp files under `dir`.
struct Function {
  std::string where;  // "app/ui/ui_canvas.cpp:469"
  std::string head;
  int lines = 0;
};

std::vector<Function> functions_under(const fs::path& dir) {
  static const std::regex start(R"(^[A-Za-z_][\w:<>,\*&\s]*\b[\w:~]+\(.*)");
  static const std::regex not_function(
      R"(^(namespace|struct|class|enum|union|using|typedef|#|extern|static_assert|template\s*<[^>]*>\s*(struct|class)))");
  std::vector<Function> out;
  for (const fs::path& f : sources_under(dir)) {
    if (f.extension() != ".cpp") continue;
    std::ifstream in(f);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);)
      lines.push_back(l);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (!std::regex_search(lines[i], start) || std::regex_search(lines[i], not_function))
        continue;
      // The signature may span lines: find its '{' before any ';'.
      std::size_t j = i;
      bool body = false;
      for (; j < lines.size() && j < i + 8; ++j) {
        const std::string code = code_of(lines[j]);
        if (code.find(';') != std::string::npos && code.find('{') == std::string::npos) break;
        if (code.find('{') != std::string::npos) {
          body = true;
          break;
        }
      }
      if (!body) continue;
      int depth = 0;
      std::size_t k = j;
      for (; k < lines.size(); ++k) {
        const std::string code = code_of(lines[k]);
        for (char ch : code)
          depth += ch == '{' ? 1 : ch == '}' ? -1 : 0;
        if (depth <= 0) break;
      }
      out.push_back({fs::relative(f, kRoot).string() + ":" + std::to_string(i + 1), lines[i],
                     static_cast<int>(k - i + 1)});
      i = k;
    }
  }
  return out;
}

TEST(House, TheFunctionCounterMeasuresThisFile) {
  // house_test.cpp itself has functions; the counter must see them, or the next check is void.
  const auto here = functions_under("tests");
  bool found = false;
  for (const Function& f : here) {
    if (f.head.find("std::vector<Function> functions_under(") == 0) {
      found = true;
      EXPECT_GT(f.lines, 30) << f.where;
      EXPECT_LT(f.lines, 50) << f.where;
    }
  }
  EXPECT_TRUE(found);
}

TEST(House, NoFunctionOverAbout150Lines) {
  // A reader can hold a function of a screen or two; longer ones are split by meaning.
  constexpr int kMax = 160;
  std::string report;
  for (const char* dir : {"core", "app"}) {
    for (const Function& f : functions_under(dir)) {
      if (f.lines > kMax)
        report += "  " + f.where + " (" + std::to_string(f.lines) + " lines): " + f.head + "\n";
    }
  }
  EXPECT_TRUE(report.empty()) << "functions longer than " << kMax << " lines:\n" << report;
}

}  // namespace
