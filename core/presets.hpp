// Named 2-D kernels students meet in image-processing pages and CNN courses.
// Each is a KH×KW cross-correlation kernel in PyTorch's convention (what conv2d applies as is).
// Depends on nothing but the standard library.
#pragma once

#include <string>
#include <vector>

#include "result.hpp"
#include "tensor.hpp"

namespace cs {

struct KernelPreset {
  std::string name;         // command-line name: "sobel-x"
  std::string title;        // for people: "Sobel x (vertical edges)"
  std::string description;  // one sentence on what it does to an image
  int k_h = 3, k_w = 3;
  std::vector<double> values;  // row-major, k_h·k_w
};

const std::vector<KernelPreset>& kernel_presets();
// Looks a preset up by name (case-insensitive, '_' and ' ' accepted for '-'); the error lists
// every name.
Result<KernelPreset> find_kernel_preset(const std::string& name);
// The preset as a [KH, KW] tensor.
Tensor preset_tensor(const KernelPreset& preset, DType dtype = DType::f32);

}  // namespace cs
