// Names of the parameters' enums and their parsing from text (the CLI, scenes and lessons).
// Depends on nothing but the standard library.
#include "params.hpp"

#include <string>

namespace cs {

const char* padding_mode_name(PaddingMode mode) {
  switch (mode) {
    case PaddingMode::zeros:
      return "zeros";
    case PaddingMode::reflect:
      return "reflect";
    case PaddingMode::replicate:
      return "replicate";
    case PaddingMode::circular:
      return "circular";
  }
  return "zeros";
}

Result<PaddingMode> parse_padding_mode(const std::string& text) {
  for (auto m :
       {PaddingMode::zeros, PaddingMode::reflect, PaddingMode::replicate, PaddingMode::circular}) {
    if (text == padding_mode_name(m)) return m;
  }
  return make_error(
      "unknown padding mode '" + text + "'; choose zeros, reflect, replicate or circular",
      "padding_mode");
}

const char* layout_name(Layout layout) {
  return layout == Layout::nchw ? "nchw" : "nhwc";
}

Result<Layout> parse_layout(const std::string& text) {
  if (text == "nchw" || text == "NCHW") return Layout::nchw;
  if (text == "nhwc" || text == "NHWC") return Layout::nhwc;
  return make_error("unknown layout '" + text +
                        "'; choose nchw (PyTorch: input N,C,H,W and weight O,I,KH,KW) or nhwc "
                        "(Keras: input N,H,W,C and weight KH,KW,I,O)",
                    "layout");
}

const char* pool_op_name(PoolOp op) {
  return op == PoolOp::max ? "max" : "avg";
}

std::string padding_spec_to_string(const PaddingSpec& spec) {
  switch (spec.kind) {
    case PaddingSpec::Kind::same:
      return "same";
    case PaddingSpec::Kind::valid:
      return "valid";
    case PaddingSpec::Kind::full:
      return "full";
    case PaddingSpec::Kind::sides:
      return std::to_string(spec.top) + "," + std::to_string(spec.bottom) + "," +
             std::to_string(spec.left) + "," + std::to_string(spec.right);
    case PaddingSpec::Kind::explicit_:
      return spec.h == spec.w ? std::to_string(spec.h)
                              : std::to_string(spec.h) + "," + std::to_string(spec.w);
  }
  return "0";
}

}  // namespace cs
