// The preset table. Values are written out in full so a reader can check them against a book.
#include "presets.hpp"

#include <algorithm>
#include <cctype>

namespace cs {

const std::vector<KernelPreset>& kernel_presets() {
  static const std::vector<KernelPreset> presets = [] {
    const double b = 1.0 / 9.0, g = 1.0 / 16.0, g5 = 1.0 / 256.0;
    std::vector<KernelPreset> p;
    p.push_back({"identity",
                 "Identity",
                 "Copies each pixel unchanged.",
                 3,
                 3,
                 {0, 0, 0, 0, 1, 0, 0, 0, 0}});
    p.push_back({"box-blur",
                 "Box blur 3x3",
                 "Replaces each pixel by the mean of its 3x3 block.",
                 3,
                 3,
                 {b, b, b, b, b, b, b, b, b}});
    p.push_back({"gaussian-3",
                 "Gaussian blur 3x3",
                 "Weighted mean that favours the centre: a soft blur.",
                 3,
                 3,
                 {1 * g, 2 * g, 1 * g, 2 * g, 4 * g, 2 * g, 1 * g, 2 * g, 1 * g}});
    p.push_back({"gaussian-5",
                 "Gaussian blur 5x5",
                 "A wider soft blur (binomial weights).",
                 5,
                 5,
                 {1 * g5,  4 * g5, 6 * g5,  4 * g5,  1 * g5,  4 * g5, 16 * g5, 24 * g5, 16 * g5,
                  4 * g5,  6 * g5, 24 * g5, 36 * g5, 24 * g5, 6 * g5, 4 * g5,  16 * g5, 24 * g5,
                  16 * g5, 4 * g5, 1 * g5,  4 * g5,  6 * g5,  4 * g5, 1 * g5}});
    p.push_back({"sharpen",
                 "Sharpen",
                 "Adds the difference from the neighbours: crisper edges.",
                 3,
                 3,
                 {0, -1, 0, -1, 5, -1, 0, -1, 0}});
    p.push_back({"sobel-x",
                 "Sobel x",
                 "Horizontal gradient: responds to vertical edges.",
                 3,
                 3,
                 {-1, 0, 1, -2, 0, 2, -1, 0, 1}});
    p.push_back({"sobel-y",
                 "Sobel y",
                 "Vertical gradient: responds to horizontal edges.",
                 3,
                 3,
                 {-1, -2, -1, 0, 0, 0, 1, 2, 1}});
    p.push_back({"prewitt-x",
                 "Prewitt x",
                 "Horizontal gradient with equal weights.",
                 3,
                 3,
                 {-1, 0, 1, -1, 0, 1, -1, 0, 1}});
    p.push_back({"prewitt-y",
                 "Prewitt y",
                 "Vertical gradient with equal weights.",
                 3,
                 3,
                 {-1, -1, -1, 0, 0, 0, 1, 1, 1}});
    p.push_back({"laplacian",
                 "Laplacian",
                 "Second derivative: zero on flat areas and ramps.",
                 3,
                 3,
                 {0, 1, 0, 1, -4, 1, 0, 1, 0}});
    p.push_back({"emboss",
                 "Emboss",
                 "Light from the top left: a relief effect.",
                 3,
                 3,
                 {-2, -1, 0, -1, 1, 1, 0, 1, 2}});
    p.push_back({"outline",
                 "Outline",
                 "Strong response wherever a pixel differs from all around.",
                 3,
                 3,
                 {-1, -1, -1, -1, 8, -1, -1, -1, -1}});
    p.push_back({"vertical-edge",
                 "Vertical edge (seed notebook)",
                 "The seeds' [1 0 -1] kernel: bright-to-dark left-to-right edges are positive.",
                 3,
                 3,
                 {1, 0, -1, 1, 0, -1, 1, 0, -1}});
    return p;
  }();
  return presets;
}

namespace {
std::string normalise(std::string s) {
  for (char& ch : s) {
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (ch == '_' || ch == ' ') ch = '-';
  }
  return s;
}
}  // namespace

Result<KernelPreset> find_kernel_preset(const std::string& name) {
  const std::string key = normalise(name);
  std::string names;
  for (const auto& p : kernel_presets()) {
    if (p.name == key) return p;
    names += (names.empty() ? "" : ", ") + p.name;
  }
  return make_error("unknown kernel preset '" + name + "'; choose one of: " + names, "kernel");
}

Tensor preset_tensor(const KernelPreset& preset, DType dtype) {
  return Tensor::from_values(dtype, {preset.k_h, preset.k_w}, preset.values);
}

}  // namespace cs
