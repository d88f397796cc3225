// The front half of `conv`, `conv1d`, `conv-transpose` and `pool`, up to the geometry: the
// framework and its padding rule, the parameters, the operands read once from their .npy files,
// Keras's resolution and the engine's geometry. The runners (cli_compute.cpp) compute from it and
// `export` (cli_export.cpp) writes its script from it, so both read the same options the same way
// and a mistake is the same sentence in both. Depends on core/ and cli_common (no ImGui, no GL).
#pragma once

#include <optional>

#include "app/cli/cli_args.hpp"
#include "app/cli/cli_common.hpp"
#include "core/conv1d.hpp"
#include "core/conv_transpose.hpp"
#include "core/geometry.hpp"
#include "core/keras.hpp"
#include "core/params.hpp"
#include "core/result.hpp"
#include "core/tensor.hpp"

namespace cs::cli {

// conv: the operands 4-D (flipped with --flip), Keras's 'same' resolved per side.
struct PreparedConv {
  Framework framework = Framework::pytorch;
  Conv2dParams asked;  // as parsed, before Keras's resolution
  ConvOperands ops;    // ops.params: what the engine runs
  ConvGeometry geo;
};
Result<PreparedConv> prepare_conv(const Args& args);

// conv1d: the operands as given (weight and bias in the input's dtype) and the 2-D plan.
struct PreparedConv1d {
  Conv1dParams asked;
  Tensor input, weight;
  std::optional<Tensor> bias;
  Conv1dPlan plan;
  const Tensor* bias_ptr() const { return bias ? &*bias : nullptr; }
};
Result<PreparedConv1d> prepare_conv1d(const Args& args);

// conv-transpose: with --framework keras, TensorFlow's plan (PyTorch's parameters and the crop).
struct PreparedConvTranspose {
  Framework framework = Framework::pytorch;
  ConvOperands ops;
  ConvTranspose2dParams params;  // what conv_transpose2d runs (Keras's plan's, with keras)
  std::optional<KerasTransposePlan> plan;
  ConvTransposeGeometry geo;
  // The output's height and width as written: Keras's after its crop, else the geometry's.
  int64_t out_h() const { return plan ? plan->out_h : geo.out_h; }
  int64_t out_w() const { return plan ? plan->out_w : geo.out_w; }
};
Result<PreparedConvTranspose> prepare_conv_transpose(const Args& args);

// pool: the input 4-D, Keras's 'same' resolved per side.
struct PreparedPool {
  Framework framework = Framework::pytorch;
  KerasPadding keras_padding = KerasPadding::valid;  // with keras: as asked
  Pool2dParams asked;                                // as parsed
  Pool2dParams params;                               // what the engine runs
  Tensor input;                                      // 4-D in params.layout's order
  Shape given;                                       // the input's shape in its file
  PoolGeometry geo;
};
Result<PreparedPool> prepare_pool(const Args& args);

}  // namespace cs::cli
