// Code export: a Python script that builds the same layer in PyTorch (torch.nn) or Keras
// (keras.layers) with convscope's weights and settings, runs it and saves the result with
// np.save. `convscope export` writes it for a conv, conv1d, conv-transpose or pool invocation;
// the window's "Copy as PyTorch / Keras" for the current lesson, with its tensors inline.
// Depends on core/ and cli_common (no ImGui, no GL).
#pragma once

#include <optional>
#include <string>

#include "core/conv1d.hpp"
#include "core/conv_transpose.hpp"
#include "core/geometry.hpp"
#include "core/keras.hpp"
#include "core/lessons.hpp"
#include "core/result.hpp"
#include "core/tensor.hpp"

namespace cs::cli {

enum class ExportTarget { pytorch, keras };
// "pytorch" / "keras"; anything else is refused in a sentence naming --to.
Result<ExportTarget> parse_export_target(const std::string& text);

// A tensor the script reads: from a .npy file (np.load) or, with `value`, written inline as an
// np.array literal (the window's lessons: the script then stands alone).
struct ScriptTensor {
  std::string path;
  const Tensor* value = nullptr;
  Shape shape;  // as the file holds it (or the value's shape)
  bool present() const { return value != nullptr || !path.empty(); }
};

enum class ExportOp { conv2d, conv1d, conv_transpose2d, pool2d };

// One layer as convscope computes it: the operands as given, and the settings resolved by the
// same code the command runs (the geometry's padding per side, the conv1d plan, Keras's plan).
struct ExportLayer {
  ExportOp op = ExportOp::conv2d;
  ScriptTensor input, weight, bias;  // weight and bias absent for pooling; bias optional
  DType dtype = DType::f32;          // the input's: convscope computes in it
  Layout layout = Layout::nchw;
  Framework framework = Framework::pytorch;
  Shape input4, weight4;  // 4-D in `layout`'s order, as the engine took them (conv1d: unused)
  Shape output;           // the shape convscope writes
  std::string out_path;   // np.save target
  std::string command;    // the invocation, for the script's first comment ("" for none)

  // conv2d: what was asked (padding kind, mode) and the geometry it resolved to.
  Conv2dParams conv_asked;
  ConvGeometry conv;
  bool flip = false;
  // conv1d
  Conv1dParams conv1d_asked;
  std::optional<Conv1dPlan> conv1d;
  // conv-transpose: PyTorch's parameters, and with --framework keras the plan (padding
  // 'same'/'valid' as asked, the crop).
  ConvTranspose2dParams transpose;
  ConvTransposeGeometry transpose_geo;
  std::optional<KerasTransposePlan> keras_transpose;
  // pooling
  Pool2dParams pool_asked;
  PoolGeometry pool;
  KerasPadding keras_padding = KerasPadding::valid;
};

// The script, or a sentence saying what the framework cannot express ("Keras's Conv2DTranspose
// has no groups; ...").
Result<std::string> export_script(const ExportLayer& layer, ExportTarget target);

// The window's lesson as a layer with its tensors inline: operands in PyTorch order (input
// [N, C_in, H, W], weight [C_out, C_in/groups, KH, KW] or, for conv_transpose, [C_in,
// C_out/groups, KH, KW]; bias [C_out] or null), `weight` as written (the script flips it when
// `flip`), shown in the layout the op's parameters name. `keep` holds the tensors (re-laid out
// for NHWC) the layer points at; the script np.saves its result to `out_path`.
struct InlineOperands {
  Tensor input, weight, bias;
};
Result<ExportLayer> lesson_export_layer(LessonOp op, const Tensor& input, const Tensor& weight,
                                        const Tensor* bias, const Conv2dParams& conv,
                                        const Pool2dParams& pool,
                                        const ConvTranspose2dParams& transpose, bool flip,
                                        const std::string& out_path, InlineOperands& keep);

// `convscope export --to pytorch|keras COMMAND OPTIONS...`
int run_export(int argc, char** argv);

}  // namespace cs::cli
