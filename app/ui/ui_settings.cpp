// Settings between runs in $XDG_STATE_HOME/convscope/ (see ui_settings.hpp): preferences in
// settings.json (read through core/json_read: depth, types and ranges checked), the lesson as it
// was in last_scene.json (through the scene format of core/scene.hpp), the window layout in
// imgui.ini (ImGui's text, saved atomically here, never by ImGui). Reading is forgiving: a broken
// file or value is ignored with a notice.
#include "app/ui/ui_settings.hpp"

#include <imgui.h>

#include <cstdlib>
#include <filesystem>
#include <utility>

#include <nlohmann/json.hpp>

#include "app/ui/ui_edit.hpp"
#include "core/file_io.hpp"
#include "core/json_read.hpp"
#include "core/scene.hpp"

namespace cs::ui {

Result<std::string> state_dir() {
  namespace fs = std::filesystem;
  std::string dir;
  const char* xdg = std::getenv("XDG_STATE_HOME");
  // NOTE: the XDG spec says a relative XDG_STATE_HOME is invalid and must be ignored.
  if (xdg && *xdg == '/') {
    dir = std::string(xdg) + "/convscope";
  } else {
    const char* home = std::getenv("HOME");
    if (!home || !*home) {
      return make_error("Neither XDG_STATE_HOME nor HOME is set, so settings cannot be kept.");
    }
    dir = std::string(home) + "/.local/state/convscope";
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error("Cannot create the settings folder " + dir + ": " + ec.message());
  return dir;
}

namespace {

constexpr const char* kSettings = "settings.json";
constexpr const char* kLayout = "imgui.ini";
constexpr uint64_t kMaxSettingsBytes = 1 << 20;

StepUnit parse_unit(const std::string& s) {
  for (StepUnit u : {StepUnit::multiply, StepUnit::window, StepUnit::row, StepUnit::channel}) {
    if (s == step_unit_name(u)) return u;
  }
  return StepUnit::multiply;
}

// settings.json's values through core/json_read's getters (types and ranges checked after
// conversion): a value that is wrong keeps its default, and the first such problem is kept for
// one notice.
class SettingsReader {
 public:
  explicit SettingsReader(const std::string& where) : m_rd(where, JsonWording::scene, "settings") {}

  template <class T, class Get>
  void read(const Json& j, const char* key, T& out, Get get) {
    auto it = j.find(key);
    if (it == j.end()) return;
    auto v = get(*it, std::string(key));
    if (v) {
      out = static_cast<T>(*v);
    } else if (m_problem.empty()) {
      m_problem = v.error().message;
    }
  }
  void boolean(const Json& j, const char* key, bool& out) {
    read(j, key, out, [&](const Json& v, const std::string& k) { return m_rd.boolean(v, k); });
  }
  void text(const Json& j, const char* key, std::string& out) {
    read(j, key, out, [&](const Json& v, const std::string& k) { return m_rd.text(v, k); });
  }
  void whole(const Json& j, const char* key, IntRange range, int& out) {
    read(j, key, out, [&](const Json& v, const std::string& k) { return m_rd.whole(v, k, range); });
  }
  void number(const Json& j, const char* key, double& out) {
    read(j, key, out, [&](const Json& v, const std::string& k) -> Result<double> {
      if (!v.is_number()) return m_rd.fail(k + " must be a number, not " + json_type_name(v));
      return m_rd.number(v, k, DType::f64);
    });
  }
  void seed(const Json& j, const char* key, uint64_t& out) {
    read(j, key, out, [&](const Json& v, const std::string& k) -> Result<uint64_t> {
      if (v.is_number_unsigned()) return v.get<uint64_t>();
      return m_rd.fail(k + " must be a whole number from 0 to 18446744073709551615, not " +
                       json_preview(v));
    });
  }
  const std::string& problem() const { return m_problem; }
  // A problem found after reading (a word that is not one of the choices).
  void note(const std::string& problem) {
    if (m_problem.empty()) m_problem = m_rd.fail(problem).message;
  }

 private:
  JsonReader m_rd;
  std::string m_problem;
};

// "theme": "light" | "dark" and "palette": "red-blue" | "blue-orange"; another word keeps the
// default and is the notice.
void read_look(const Json& j, AppState& s, SettingsReader& r) {
  std::string theme = s.dark_theme ? "dark" : "light";
  r.text(j, "theme", theme);
  if (theme == "light" || theme == "dark") {
    s.dark_theme = theme == "dark";
  } else {
    r.note("theme must be \"light\" or \"dark\", not \"" + theme + "\"");
  }
  std::string palette = s.diverging_palette == 1 ? "blue-orange" : "red-blue";
  r.text(j, "palette", palette);
  if (palette == "red-blue" || palette == "blue-orange") {
    s.diverging_palette = palette == "blue-orange" ? 1 : 0;
  } else {
    r.note("palette must be \"red-blue\" or \"blue-orange\", not \"" + palette + "\"");
  }
}

// The preferences in `j` (an object) into `s`; the lesson's name into `lesson`.
void read_preferences(const Json& j, AppState& s, std::string& lesson, SettingsReader& r) {
  r.text(j, "lesson", lesson);
  r.boolean(j, "presentation", s.presentation);
  r.boolean(j, "high_contrast", s.high_contrast);
  double speed = s.stepper.speed();
  r.number(j, "speed", speed);
  s.stepper.set_speed(speed);
  std::string unit = step_unit_name(s.step_unit);
  r.text(j, "step_unit", unit);
  s.step_unit = parse_unit(unit);
  std::string play_unit = step_unit_name(s.stepper.play_unit());
  r.text(j, "play_unit", play_unit);
  s.stepper.set_play_unit(parse_unit(play_unit));
  for (auto [key, flag] : {std::pair{"show_values", &s.show_values},
                           {"reduce_motion", &s.reduce_motion},
                           {"show_lesson_info", &s.show_lesson_info},
                           {"show_params", &s.show_params},
                           {"show_arithmetic", &s.show_arithmetic},
                           {"show_timeline", &s.show_timeline},
                           {"show_kernel_editor", &s.show_kernel_editor},
                           {"show_inputs", &s.show_inputs},
                           {"show_preview", &s.show_preview}}) {
    r.boolean(j, key, *flag);
  }
  r.whole(j, "preview_mapping", {0, 3}, s.preview_mapping);
  read_look(j, s, r);
  r.text(j, "preview_path", s.preview_path);
  if (auto it = j.find("random"); it != j.end() && it->is_object()) {
    // The ranges of --random and the inputs view, so a saved spec always makes a lesson.
    RandomSpec& rs = s.random_spec;
    r.whole(*it, "h", {1, 512}, rs.h);
    r.whole(*it, "w", {1, 512}, rs.w);
    r.whole(*it, "c_in", {1, 64}, rs.c_in);
    r.whole(*it, "c_out", {1, 64}, rs.c_out);
    r.whole(*it, "k", {1, 15}, rs.k);
    r.whole(*it, "range", {1, 1000}, rs.range);
    r.seed(*it, "seed", rs.seed);
  }
}

// settings.json into `s`: the lesson's name in `lesson`. Problems become one notice.
void read_settings_file(AppState& s, const std::string& dir, std::string& lesson) {
  const std::string path = dir + "/" + kSettings;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return;
  auto bytes = read_file(path, kMaxSettingsBytes);
  if (!bytes) {
    s.notify(bytes.error().message + "; starting with the default settings.");
    return;
  }
  const JsonDocument doc = parse_json(std::string(bytes->begin(), bytes->end()));
  if (doc.failure != JsonDocument::Failure::none || !doc.root.is_object()) {
    s.notify(std::string(kSettings) + " in " + dir +
             " is not valid settings JSON; starting with defaults.");
    return;
  }
  SettingsReader r(kSettings);
  read_preferences(doc.root, s, lesson, r);
  if (!r.problem().empty()) s.notify(r.problem() + "; that setting keeps its default.");
}

// After restoring the lesson as it was left: when it is a built-in lesson, the built-in one is
// what it was shipped as, so edits made in an earlier run still count as edits ("modified", the
// seed's printed values no longer applying) and Ctrl+Z cannot go back past the start.
void rebase_on_builtin(AppState& s) {
  auto lesson = find_lesson(s.lesson_name);
  if (!lesson) {
    restart_history(s);
    return;
  }
  AppState shipped;
  load_lesson(shipped, *lesson);
  const EditSnapshot snap = capture_edit(shipped);
  restart_history(s, &snap);
}

}  // namespace

bool load_settings(AppState& s, const std::string& dir) {
  std::string lesson;
  read_settings_file(s, dir, lesson);
  // The lesson as it was left, edits included.
  std::error_code ec;
  if (std::filesystem::exists(dir + "/last_scene.json", ec)) {
    auto scene = load_scene(dir + "/last_scene.json");
    if (scene) {
      apply_scene(s, *scene);
      if (!lesson.empty()) s.lesson_name = lesson;
      rebase_on_builtin(s);
      return true;
    }
    s.notify("The last lesson could not be restored: " + scene.error().message);
  }
  if (!lesson.empty() && load_lesson(s, lesson)) return true;
  return false;
}

bool load_layout(const std::string& dir) {
  const std::string path = dir + "/" + kLayout;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return false;
  auto bytes = read_file(path, kMaxSettingsBytes);
  if (!bytes || bytes->empty()) return false;
  ImGui::LoadIniSettingsFromMemory(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  return true;
}

Status save_layout(const std::string& dir) {
  std::size_t size = 0;
  const char* text = ImGui::SaveIniSettingsToMemory(&size);
  ImGui::GetIO().WantSaveIniSettings = false;
  return write_file_atomic(dir + "/" + kLayout, text, size);
}

Status save_settings(const AppState& s, const std::string& dir) {
  nlohmann::json j;
  j["lesson"] = s.lesson_name;
  j["presentation"] = s.presentation;
  j["high_contrast"] = s.high_contrast;
  j["speed"] = s.stepper.speed();
  j["step_unit"] = step_unit_name(s.step_unit);
  j["play_unit"] = step_unit_name(s.stepper.play_unit());
  j["show_values"] = s.show_values;
  j["reduce_motion"] = s.reduce_motion;
  j["theme"] = s.dark_theme ? "dark" : "light";
  j["palette"] = s.diverging_palette == 1 ? "blue-orange" : "red-blue";
  j["show_lesson_info"] = s.show_lesson_info;
  j["show_params"] = s.show_params;
  j["show_arithmetic"] = s.show_arithmetic;
  j["show_timeline"] = s.show_timeline;
  j["show_kernel_editor"] = s.show_kernel_editor;
  j["show_inputs"] = s.show_inputs;
  j["show_preview"] = s.show_preview;
  j["preview_mapping"] = s.preview_mapping;
  j["preview_path"] = s.preview_path;
  j["random"] = {{"h", s.random_spec.h},       {"w", s.random_spec.w},
                 {"c_in", s.random_spec.c_in}, {"c_out", s.random_spec.c_out},
                 {"k", s.random_spec.k},       {"range", s.random_spec.range},
                 {"seed", s.random_spec.seed}};
  Status st = write_file_atomic(dir + "/" + kSettings, j.dump(2) + "\n");
  if (!st) return st;
  return save_scene(dir + "/last_scene.json", scene_from_state(s));
}

}  // namespace cs::ui
