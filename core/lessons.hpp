// Built-in lessons: the seed notebooks' worked examples (and a few more) as ready-made
// convolution or pooling scenes that the app opens and the command line prints.
// Depends on nothing but the standard library and the engine's types.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "conv_transpose.hpp"
#include "keras.hpp"
#include "params.hpp"
#include "result.hpp"
#include "tensor.hpp"

namespace cs {

enum class LessonOp { conv, pool, conv_transpose };

struct Lesson {
  std::string name;         // command-line name: "vertical-edge"
  std::string title;        // "5×5 grayscale, vertical-edge kernel"
  std::string description;  // two or three sentences a student reads before stepping
  LessonOp op = LessonOp::conv;
  // Operands in the layout `conv.layout` / `pool.layout` / `transpose.layout` names (the Keras
  // lessons use nhwc).
  Tensor input;
  Tensor weight;               // conv and conv_transpose (its weight is [C_in, C_out/g, KH, KW])
  std::optional<Tensor> bias;  // conv and conv_transpose
  Conv2dParams conv;
  Pool2dParams pool;
  ConvTranspose2dParams transpose;
  // True convolution (SciPy's signal.convolve): the kernel as written is flipped before the
  // engine's cross-correlation. `weight` holds the kernel as the student wrote it.
  bool flip_kernel = false;
  // What the seed notebook printed, for the student to compare ("[[-2, -2, 4], ...]").
  std::string expected;
  // Whose padding rules (core/keras.hpp). With keras, `keras_padding` is the padding and
  // conv.padding / pool's padding numbers are not used (lesson_as_run resolves it per side).
  Framework framework = Framework::pytorch;
  KerasPadding keras_padding = KerasPadding::valid;
};

// The lesson as the engine runs it: itself under PyTorch's rules; under Keras's, conv or pool
// with keras_padding resolved per side (conv2d_params_under / pool2d_params_under) and Keras's
// refusals as the error. A transposed lesson under Keras's rules is refused (its crop is not
// drawn: `convscope conv-transpose --framework keras` computes it).
Result<Lesson> lesson_as_run(const Lesson& lesson);
// lesson_as_run's refusal alone: an error for conv_transpose under Keras's rules, else ok.
Status check_lesson_framework(LessonOp op, Framework framework);

// Every built-in lesson, the default (first) one being the seeds' 5×5 vertical-edge example.
// These are the window's Lesson menu.
const std::vector<Lesson>& builtin_lessons();
Result<Lesson> find_lesson(const std::string& name);  // the error lists every name
// The transposed convolution's lessons (conv_arithmetic's "no padding, unit strides,
// transposed", and stride 2 with output_padding 1 giving back a strided conv's input shape); the
// window draws their gather reading.
const std::vector<Lesson>& text_lessons();
// The seed PyTorch notebook's np.convolve (full, same, valid, as a conv of height 1 with the
// kernel flipped) and scipy.signal.convolve2d with mode='full', and Keras's padding='same' with
// stride 2 for Conv2D and both poolings (TensorFlow's padding resolved per side,
// core/keras.hpp).
const std::vector<Lesson>& text_conv_lessons();
// Any lesson by name: builtin_lessons(), text_lessons(), then text_conv_lessons(); the error
// lists every name. What the window's Lesson menu and `convscope lesson` offer.
Result<Lesson> find_any_lesson(const std::string& name);

}  // namespace cs
