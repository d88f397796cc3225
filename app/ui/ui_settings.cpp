// Settings between runs in $XDG_STATE_HOME/convscope/ (see ui_settings.hpp): preferences in
// settings.json, the lesson as it was in last_scene.json (through the scene format of
// core/scene.hpp). Reading is forgiving: a broken file is ignored with a notice.
#include "app/ui/ui_settings.hpp"

#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "app/ui/ui_edit.hpp"
#include "core/file_io.hpp"
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

StepUnit parse_unit(const std::string& s) {
  for (StepUnit u : {StepUnit::multiply, StepUnit::window, StepUnit::row, StepUnit::channel}) {
    if (s == step_unit_name(u)) return u;
  }
  return StepUnit::multiply;
}

template <class T>
void get_to(const nlohmann::json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it == j.end()) return;
  try {
    out = it->get<T>();
  } catch (const std::exception&) {
    // A wrong type keeps the default.
  }
}

}  // namespace

bool load_settings(AppState& s, const std::string& dir) {
  std::string lesson;
  auto bytes = read_file(dir + "/settings.json", 1 << 20);
  if (bytes) {
    const nlohmann::json j =
        nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_object()) {
      get_to(j, "lesson", lesson);
      get_to(j, "presentation", s.presentation);
      get_to(j, "high_contrast", s.high_contrast);
      double speed = s.stepper.speed();
      get_to(j, "speed", speed);
      s.stepper.set_speed(speed);
      std::string unit;
      get_to(j, "step_unit", unit);
      s.step_unit = parse_unit(unit);
      std::string play_unit;
      get_to(j, "play_unit", play_unit);
      s.stepper.set_play_unit(parse_unit(play_unit));
      get_to(j, "show_values", s.show_values);
      get_to(j, "reduce_motion", s.reduce_motion);
      get_to(j, "show_lesson_info", s.show_lesson_info);
      get_to(j, "show_params", s.show_params);
      get_to(j, "show_arithmetic", s.show_arithmetic);
      get_to(j, "show_timeline", s.show_timeline);
      get_to(j, "show_kernel_editor", s.show_kernel_editor);
      get_to(j, "show_inputs", s.show_inputs);
      get_to(j, "show_preview", s.show_preview);
      get_to(j, "preview_mapping", s.preview_mapping);
      get_to(j, "preview_path", s.preview_path);
      if (auto r = j.find("random"); r != j.end() && r->is_object()) {
        get_to(*r, "h", s.random_spec.h);
        get_to(*r, "w", s.random_spec.w);
        get_to(*r, "c_in", s.random_spec.c_in);
        get_to(*r, "c_out", s.random_spec.c_out);
        get_to(*r, "k", s.random_spec.k);
        get_to(*r, "range", s.random_spec.range);
        get_to(*r, "seed", s.random_spec.seed);
      }
    } else {
      s.notify("settings.json in " + dir + " is not valid JSON; starting with defaults.");
    }
  }
  // The lesson as it was left, edits included.
  std::error_code ec;
  if (std::filesystem::exists(dir + "/last_scene.json", ec)) {
    auto scene = load_scene(dir + "/last_scene.json");
    if (scene) {
      apply_scene(s, *scene);
      if (!lesson.empty()) s.lesson_name = lesson;
      return true;
    }
    s.notify("The last lesson could not be restored: " + scene.error().message);
  }
  if (!lesson.empty() && load_lesson(s, lesson)) return true;
  return false;
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
  Status st = write_file_atomic(dir + "/settings.json", j.dump(2) + "\n");
  if (!st) return st;
  return save_scene(dir + "/last_scene.json", scene_from_state(s));
}

}  // namespace cs::ui
