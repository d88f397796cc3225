// The compute commands' front half (see cli_prepare.hpp).
#include "app/cli/cli_prepare.hpp"

#include <utility>

namespace cs::cli {
namespace {

// --framework, and with keras its padding rule ('same' or 'valid').
struct Rules {
  Framework framework = Framework::pytorch;
  KerasPadding keras_padding = KerasPadding::valid;
  bool keras() const { return framework == Framework::keras; }
};
Result<Rules> rules_from(const Args& args) {
  auto framework = framework_from(args);
  if (!framework) return framework.error();
  Rules r;
  r.framework = *framework;
  if (r.keras()) {
    auto padding = keras_padding_from(args);
    if (!padding) return padding.error();
    r.keras_padding = *padding;
  }
  return r;
}

}  // namespace

Result<PreparedConv> prepare_conv(const Args& args) {
  // Every parameter is parsed before any file is read, so a typo is reported first.
  auto rules = rules_from(args);
  if (!rules) return rules.error();
  auto asked = conv_params_from(args);
  if (!asked) return asked.error();
  PreparedConv p;
  p.framework = rules->framework;
  p.asked = *asked;
  auto ops = load_conv_operands(args);
  if (!ops) return ops.error();
  p.ops = std::move(*ops);
  if (rules->keras()) {  // 'same' becomes padding per side, for this input and kernel
    auto params = keras_conv2d_params(p.ops.params, p.ops.input.shape(), p.ops.weight.shape());
    if (!params) return params.error();
    p.ops.params = *params;
  }
  const int64_t bias_len = p.ops.bias ? p.ops.bias->dim(0) : -1;
  auto geo = conv2d_geometry_for(p.ops.input.shape(), p.ops.weight.shape(), bias_len, p.ops.params);
  if (!geo) return with_keras_hint(geo.error(), p.ops.params);
  p.geo = *geo;
  return p;
}

Result<PreparedConv1d> prepare_conv1d(const Args& args) {
  auto params = conv1d_params_from(args);
  if (!params) return params.error();
  PreparedConv1d p;
  p.asked = *params;
  auto input = load_npy("--input", *args.get("--input"));
  if (!input) return input.error();
  p.input = std::move(*input);
  auto weight = load_npy("--weight", *args.get("--weight"));
  if (!weight) return weight.error();
  p.weight = weight->to(p.input.dtype());  // computed in the input's dtype, as conv does
  auto bias = load_bias(args, p.input.dtype());
  if (!bias) return bias.error();
  p.bias = std::move(*bias);
  auto plan = conv1d_plan(p.input.shape(), p.weight.shape(), p.bias ? p.bias->dim(0) : -1, p.asked);
  if (!plan) return plan.error();
  p.plan = std::move(*plan);
  return p;
}

Result<PreparedConvTranspose> prepare_conv_transpose(const Args& args) {
  auto rules = rules_from(args);
  if (!rules) return rules.error();
  auto params = conv_transpose_params_from(args);
  if (!params) return params.error();
  PreparedConvTranspose p;
  p.framework = rules->framework;
  p.params = *params;
  auto ops = load_conv_transpose_operands(args, p.params.layout);
  if (!ops) return ops.error();
  p.ops = std::move(*ops);
  // Keras: PyTorch's parameters for TensorFlow's output, and the rows then cropped.
  if (rules->keras()) {
    auto plan =
        keras_conv_transpose2d_plan(p.params, rules->keras_padding, args.has("--output-padding"),
                                    p.ops.input.shape(), p.ops.weight.shape());
    if (!plan) return plan.error();
    p.plan = *plan;
    p.params = plan->torch;
  }
  const int64_t bias_len = p.ops.bias ? p.ops.bias->dim(0) : -1;
  auto geo =
      conv_transpose2d_geometry_for(p.ops.input.shape(), p.ops.weight.shape(), bias_len, p.params);
  if (!geo) return geo.error();
  p.geo = *geo;
  return p;
}

Result<PreparedPool> prepare_pool(const Args& args) {
  auto rules = rules_from(args);
  if (!rules) return rules.error();
  auto params = pool_params_from(args);
  if (!params) return params.error();
  PreparedPool p;
  p.framework = rules->framework;
  p.keras_padding = rules->keras_padding;
  p.asked = p.params = *params;
  auto input = load_npy("--input", *args.get("--input"));
  if (!input) return input.error();
  p.given = input->shape();
  auto in4 = expand_input(std::move(*input), p.params.layout, "input");
  if (!in4) return in4.error();
  p.input = std::move(*in4);
  if (rules->keras()) {  // 'same' becomes padding per side for this input
    auto resolved = keras_pool2d_params(p.params, p.keras_padding, p.input.shape());
    if (!resolved) return resolved.error();
    p.params = *resolved;
  }
  auto geo = pool2d_geometry_for(p.input.shape(), p.params);
  if (!geo) return geo.error();
  p.geo = *geo;
  return p;
}

}  // namespace cs::cli
