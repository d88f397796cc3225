// libFuzzer target for core/scene: scene_from_json must never crash, hang or over-allocate on any
// text; a refusal is a short sentence that starts with the file's name (values quoted back are
// cut); and a scene it accepts must save and load again with the same parameters and numbers
// (abort otherwise). Compiles core/scene.cpp, core/json_read.cpp and what they need itself (see
// fuzz/CMakeLists.txt).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/scene.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "%s: %s\n", what, detail.substr(0, 2000).c_str());
  std::abort();
}

bool same_values(const cs::Tensor& a, const cs::Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  for (int64_t i = 0; i < a.numel(); ++i) {
    if (a.get(i) != b.get(i)) return false;  // == so that -0 and 0 agree (JSON writes "-0")
  }
  return true;
}

bool same_params(const cs::Lesson& a, const cs::Lesson& b) {
  const cs::Conv2dParams &c = a.conv, &d = b.conv;
  const cs::Pool2dParams &p = a.pool, &q = b.pool;
  return a.op == b.op && a.flip_kernel == b.flip_kernel && a.title == b.title &&
         a.description == b.description && a.expected == b.expected && c.stride_h == d.stride_h &&
         c.stride_w == d.stride_w && c.dilation_h == d.dilation_h && c.dilation_w == d.dilation_w &&
         c.groups == d.groups && c.padding.kind == d.padding.kind && c.padding.h == d.padding.h &&
         c.padding.w == d.padding.w && c.padding_mode == d.padding_mode && c.layout == d.layout &&
         p.op == q.op && p.k_h == q.k_h && p.k_w == q.k_w && p.stride_h == q.stride_h &&
         p.stride_w == q.stride_w && p.pad_h == q.pad_h && p.pad_w == q.pad_w &&
         p.dilation_h == q.dilation_h && p.dilation_w == q.dilation_w &&
         p.ceil_mode == q.ceil_mode && p.count_include_pad == q.count_include_pad &&
         p.layout == q.layout;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto scene = cs::scene_from_json(text, "fuzz.json");
  if (!scene) {
    const std::string& m = scene.error().message;
    if (m.rfind("fuzz.json: ", 0) != 0 || m.size() > 1000) fail("bad refusal", m);
    return 0;
  }
  // Whatever loads must save and load again, unchanged.
  const std::string saved = cs::scene_to_json(*scene);
  auto back = cs::scene_from_json(saved, "saved.json");
  if (!back) fail("the saved scene was refused", back.error().message + "\n" + saved);
  const cs::Lesson &a = scene->lesson, &b = back->lesson;
  if (!same_params(a, b) || scene->display != back->display ||
      scene->preview_image != back->preview_image || scene->quiz != back->quiz) {
    fail("the saved scene has other parameters", saved);
  }
  if (!same_values(a.input, b.input) || !same_values(a.weight, b.weight) ||
      a.bias.has_value() != b.bias.has_value() || (a.bias && !same_values(*a.bias, *b.bias))) {
    fail("the saved scene has other numbers", saved);
  }
  return 0;
}
