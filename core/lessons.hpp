// Built-in lessons: the seed notebooks' worked examples (and a few more) as ready-made
// convolution or pooling scenes that the app opens and the command line prints.
// Depends on nothing but the standard library and the engine's types.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "params.hpp"
#include "result.hpp"
#include "tensor.hpp"

namespace cs {

enum class LessonOp { conv, pool };

struct Lesson {
  std::string name;         // command-line name: "vertical-edge"
  std::string title;        // "5×5 grayscale, vertical-edge kernel"
  std::string description;  // two or three sentences a student reads before stepping
  LessonOp op = LessonOp::conv;
  // Operands in the layout `conv.layout` / `pool.layout` names (the Keras lessons use nhwc).
  Tensor input;
  Tensor weight;               // conv only
  std::optional<Tensor> bias;  // conv only
  Conv2dParams conv;
  Pool2dParams pool;
  // True convolution (SciPy's signal.convolve): the kernel as written is flipped before the
  // engine's cross-correlation. `weight` holds the kernel as the student wrote it.
  bool flip_kernel = false;
  // What the seed notebook printed, for the student to compare ("[[-2, -2, 4], ...]").
  std::string expected;
};

// Every built-in lesson, the default (first) one being the seeds' 5×5 vertical-edge example.
const std::vector<Lesson>& builtin_lessons();
Result<Lesson> find_lesson(const std::string& name);  // the error lists every name

}  // namespace cs
