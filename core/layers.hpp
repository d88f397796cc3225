// A stack of conv and pooling layers applied in order, read from the JSON list that docs/gpu.md
// ("The --layers format") describes: what `convscope render --layers` runs, and what a layer-stack
// view in the window can show. Reading goes through core/json_read; kernels are presets or .npy
// files. Depends on core only (no GL, no ImGui).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "conv_transpose.hpp"
#include "params.hpp"
#include "result.hpp"
#include "tensor.hpp"

namespace cs {

// What one step of the stack computes: {"kernel": ...} a convolution, {"pool": ...} pooling,
// {"relu": true} max(x, 0), {"transpose": true, "kernel": ...} a transposed convolution.
enum class LayerKind { conv, pool, relu, conv_transpose };

// One step of the stack.
struct Layer {
  LayerKind kind = LayerKind::conv;
  // float32 [KH, KW] (applied to each channel: depthwise), OIHW for a convolution or
  // [C_in, C_out/groups, KH, KW] for a transposed one
  Tensor weight;
  std::optional<Tensor> bias;
  Conv2dParams conv;  // padding defaults to 'same'
  Pool2dParams pool;
  ConvTranspose2dParams transpose;  // padding defaults to 0, as in torch
  std::string name;                 // for messages: "layer 2 (sobel-x)"
};

// Limits for untrusted layers files.
struct LayerLimits {
  uint64_t max_file_bytes = 1 << 20;
  int max_depth = 64;  // lists and objects inside one another (a layers file needs 4)
};

// Parses a layers file's text. `path` starts every sentence ("layers.json layer 2 stride must
// be ...") and, up to its last '/', is the folder that relative .npy paths are read from. Whole
// numbers must fit in an int; kernel and bias values must stay finite as float32.
Result<std::vector<Layer>> layers_from_json(const std::string& text, const std::string& path,
                                            const LayerLimits& limits = {});
// read_file (at most limits.max_file_bytes) + layers_from_json.
Result<std::vector<Layer>> load_layers(const std::string& path, const LayerLimits& limits = {});

// A kernel: a preset name (sobel-x, ...) or a .npy path, relative to `base` (a folder ending in
// '/', or "") when not absolute. A .npy must be KH×KW or OIHW; the result is float32.
Result<Tensor> load_kernel(const std::string& spec, const std::string& base);
// A bias: a number ("0.5") or a 1-D .npy path (relative to `base`); float32.
Result<Tensor> load_bias(const std::string& spec, const std::string& base);

// What a convolution layer computes on an input of `channels` channels: a 2-D kernel becomes a
// depthwise [C, 1, KH, KW] weight with groups = C; one bias value is repeated per output channel.
struct ConvOperands {
  Tensor weight;  // OIHW
  std::optional<Tensor> bias;
  Conv2dParams params;
};
Result<ConvOperands> conv_operands(const Layer& layer, int64_t channels);
// The same for a transposed convolution: a 2-D kernel becomes [C, 1, KH, KW] with groups = C.
struct ConvTransposeOperands {
  Tensor weight;  // [C_in, C_out/groups, KH, KW]
  std::optional<Tensor> bias;
  ConvTranspose2dParams params;
};
Result<ConvTransposeOperands> conv_transpose_operands(const Layer& layer, int64_t channels);

// The channels a photo must give a stack that starts with `first`: its full (4-D) kernel's C_in
// (1 or 3), or 0 (the photo's own) when it starts with a 2-D kernel, pooling or ReLU. An error when
// C_in is neither 1 nor 3.
Result<int> photo_channels(const Layer& first);
// One layer on the CPU fast path (cs::conv2d, cs::pool2d, max(x, 0) or cs::conv_transpose2d
// on the operands above): what
// `convscope render --layers --backend cpu` runs, and the window's feature maps of a stack.
Result<Tensor> run_layer_cpu(const Layer& layer, const Tensor& x);
// max(x, 0) on every value (float32), the ReLU layer; -0 and NaN stay as they are.
Tensor relu(const Tensor& x);
// The first `count` layers in order on [N, C, H, W]; an error names the layer ("layer 2
// (sobel-x): ...").
Result<Tensor> run_layers_cpu(const std::vector<Layer>& layers, Tensor x, std::size_t count);

// Padding written as text, for the command line's --padding and a layers file's "padding" alike:
// "same" or "valid" (any case), or one or two whole numbers separated by a comma ("1", "1,2";
// one number means rows and columns). The error names `option` and the text (cut after 40
// characters): "--padding full is not a number, a pair like 1,2 (rows, columns), 'same' or
// 'valid'".
Result<PaddingSpec> padding_from_text(const std::string& option, const std::string& text);

}  // namespace cs
