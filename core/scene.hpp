// Scenes: a lesson state a teacher prepares, saved to and reopened from a JSON file — the
// operation, the operands with their values, the parameters, the kernel flip, the preview image
// and its display mapping. Loading is strict (unknown or repeated keys, wrong types, shapes that
// do not match their values are refused with a sentence naming the key). Depends on core only.
#pragma once

#include <string>

#include "lessons.hpp"
#include "result.hpp"

namespace cs {

// The display mappings of the live preview, by name (what the GPU module calls them too).
inline constexpr const char* kSceneDisplayMappings[] = {"clip", "abs", "signed", "minmax"};

struct Scene {
  // op, input, weight, bias, conv/pool parameters (layout included), flip_kernel, title,
  // description and expected. `name` is not saved: load_scene sets it to the file's stem.
  Lesson lesson;
  // Full-resolution picture of the live preview, "" for the built-in sample. After load_scene a
  // relative path has been resolved against the scene file's folder.
  std::string preview_image;
  std::string display = "signed";  // one of kSceneDisplayMappings
  // "quiz": true opens the lesson in quiz mode (predict each value before it is shown). Written
  // only when true, so scenes without it read and write as before.
  bool quiz = false;
};

// Limits for untrusted scene files. A scene is a lesson: its tensors hold at most what a lesson
// shows (LessonLimits::max_values in core/limits.hpp), and the file is refused as it is read once
// it holds more values than three such tensors.
struct SceneLimits {
  uint64_t max_file_bytes = 64ULL << 20;
  int64_t max_elements = int64_t{1} << 20;  // per tensor
  int max_depth = 64;  // lists and objects inside one another (a scene needs 6)
};

// The JSON text of a scene (format "convscope-scene", version 1). Tensors are written as nested
// arrays in their shape, one innermost row per line, each number with the fewest digits that read
// back to the same float32/float64 value. `base_dir`: if preview_image lies inside it, it is
// written relative to it (so a folder of scenes and pictures can be moved as a whole).
std::string scene_to_json(const Scene& scene, const std::string& base_dir = "");

// Parses a scene. `name` starts every error sentence ("lesson.json: conv.stride must be ...").
// Relative preview paths are resolved against `base_dir` when it is not empty. The operands are
// checked against the parameters with the engine's own validation and against the lesson limits
// (core/limits.hpp), so a loaded scene always runs and the canvas can draw it.
Result<Scene> scene_from_json(const std::string& text, const std::string& name = "scene",
                              const std::string& base_dir = "", const SceneLimits& limits = {});

// scene_to_json written with write_file_atomic (the file is whole or untouched).
Status save_scene(const std::string& path, const Scene& scene);
// read_file + scene_from_json; errors name the path. A preview picture that exists is decoded
// too (load_image): a folder, a device or a damaged picture refuses the scene; a missing one is
// left for the preview to report.
Result<Scene> load_scene(const std::string& path, const SceneLimits& limits = {});

}  // namespace cs
