// libFuzzer target for core/layers: layers_from_json must never crash, hang or over-allocate on
// any text; a refusal is a sentence that starts with the file's path; an accepted layer holds a
// float32 kernel of finite numbers that conv_operands can expand (abort otherwise). The file sits
// in a folder that does not exist, so a relative .npy kernel is refused, never read. Compiles
// core/layers.cpp, core/json_read.cpp and what they need itself (see fuzz/CMakeLists.txt).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/layers.hpp"

namespace {

constexpr const char* kPath = "/nonexistent-convscope-fuzz/layers.json";

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "%s: %s\n", what, detail.substr(0, 2000).c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto layers = cs::layers_from_json(text, kPath);
  if (!layers) {
    if (layers.error().message.rfind(kPath, 0) != 0) fail("bad refusal", layers.error().message);
    return 0;
  }
  if (layers->empty()) fail("an empty list was accepted", text);
  for (const cs::Layer& layer : *layers) {
    if (layer.kind == cs::LayerKind::pool || layer.kind == cs::LayerKind::relu) continue;
    const cs::Tensor& w = layer.weight;
    if (w.dtype() != cs::DType::f32 || (w.ndim() != 2 && w.ndim() != 4)) {
      fail("odd kernel", layer.name + " " + cs::shape_to_string(w.shape()));
    }
    for (int64_t i = 0; i < w.numel(); ++i) {
      if (!std::isfinite(w.get(i))) fail("a kernel value is not finite", layer.name);
    }
    if (layer.bias) {
      for (int64_t i = 0; i < layer.bias->numel(); ++i) {
        if (!std::isfinite(layer.bias->get(i))) fail("a bias value is not finite", layer.name);
      }
    }
    // What it computes on a colour photo: a sentence or operands that fit together. (Small
    // kernels only, so a run stays fast; the sizes come from the input, which is small.)
    if (w.numel() <= 4096) {
      auto op = cs::conv_operands(layer, 3);
      if (!op && op.error().message.empty()) fail("empty conv_operands message", layer.name);
      if (op && w.ndim() == 2 && op->weight.dim(0) != 3) fail("not depthwise", layer.name);
    }
  }
  return 0;
}
