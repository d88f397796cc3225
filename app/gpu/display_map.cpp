// CPU display mappings: the reference for shaders/display.comp (keep the two formulas identical)
// and what the CPU fast path shows. No GL here.
#include "app/gpu/display_map.hpp"

#include <algorithm>
#include <cmath>

namespace cs::gpu {

const char* display_mapping_name(DisplayMapping mapping) {
  switch (mapping) {
    case DisplayMapping::clip:
      return "clip";
    case DisplayMapping::abs:
      return "abs";
    case DisplayMapping::signed_:
      return "signed";
    case DisplayMapping::minmax:
      return "minmax";
  }
  return "clip";
}

Result<DisplayMapping> parse_display_mapping(const std::string& text) {
  for (DisplayMapping m : {DisplayMapping::clip, DisplayMapping::abs, DisplayMapping::signed_,
                           DisplayMapping::minmax}) {
    if (text == display_mapping_name(m)) return m;
  }
  return make_error("unknown display mapping '" + text +
                        "'; use clip (value·255), abs (|value|·255), signed (blue below 0, red "
                        "above) or minmax (stretch the map's own range)",
                    "display");
}

MapRange map_range(const float* values, int64_t count) {
  float lo = INFINITY, hi = -INFINITY;
  for (int64_t i = 0; i < count; ++i) {
    const float v = values[i];
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (lo > hi) return {};
  return {lo, hi};
}

namespace {

uint8_t to_byte(float t) {  // t in [0, 1]
  return static_cast<uint8_t>(static_cast<int>(t * 255.0f + 0.5f));
}

float clamp01(float v) {
  return std::min(std::max(v, 0.0f), 1.0f);
}

}  // namespace

void diverging_colour(float t, uint8_t rgb[3]) {
  t = std::min(std::max(t, -1.0f), 1.0f);
  const float centre = 247.0f;
  const float neg[3] = {33.0f, 102.0f, 172.0f};
  const float pos[3] = {178.0f, 24.0f, 43.0f};
  const float a = std::fabs(t);
  for (int ch = 0; ch < 3; ++ch) {
    const float end = t < 0.0f ? neg[ch] : pos[ch];
    rgb[ch] = static_cast<uint8_t>(static_cast<int>(centre + (end - centre) * a + 0.5f));
  }
}

// [1, C, H, W] => [H, W, 4] bytes
Result<std::vector<uint8_t>> map_to_rgba(const Tensor& map, DisplayMapping mapping) {
  if (map.ndim() != 4) return map_to_rgba(map, mapping, MapRange{});  // its sentence
  const Tensor f = map.dtype() == DType::f32 ? map : map.to(DType::f32);
  return map_to_rgba(f, mapping, map_range(f.data<float>(), f.numel()));
}

Result<std::vector<uint8_t>> map_to_rgba(const Tensor& map, DisplayMapping mapping,
                                         const MapRange& range) {
  if (map.ndim() != 4 || map.dim(0) != 1 || (map.dim(1) != 1 && map.dim(1) != 3)) {
    return make_error("a picture needs a 1×C×H×W map with C = 1 (grey) or 3 (colour), not " +
                          shape_to_string(map.shape()) +
                          "; use a kernel with 1 or 3 output channels",
                      "weight");
  }
  const Tensor f = map.dtype() == DType::f32 ? map : map.to(DType::f32);
  const int64_t c = f.dim(1), h = f.dim(2), w = f.dim(3), plane = h * w;
  const float* values = f.data<float>();
  std::vector<uint8_t> rgba(static_cast<std::size_t>(plane) * 4);
  const float s = std::max(std::fabs(range.lo), std::fabs(range.hi));
  const float span = range.hi - range.lo;
  for (int64_t at = 0; at < plane; ++at) {
    float v[3];
    for (int ch = 0; ch < 3; ++ch) {
      const float raw = values[(c == 3 ? ch : 0) * plane + at];
      const bool bad = mapping == DisplayMapping::clip || mapping == DisplayMapping::abs
                           ? std::isnan(raw)
                           : !std::isfinite(raw);
      v[ch] = bad ? 0.0f : raw;
    }
    uint8_t* out = &rgba[static_cast<std::size_t>(at) * 4];
    switch (mapping) {
      case DisplayMapping::clip:
        for (int ch = 0; ch < 3; ++ch)
          out[ch] = to_byte(clamp01(v[ch]));
        break;
      case DisplayMapping::abs:
        for (int ch = 0; ch < 3; ++ch)
          out[ch] = to_byte(clamp01(std::fabs(v[ch])));
        break;
      case DisplayMapping::signed_: {
        const float m = c == 3 ? (v[0] + v[1] + v[2]) / 3.0f : v[0];
        const float t = s > 0.0f ? std::min(std::max(m / s, -1.0f), 1.0f) : 0.0f;
        diverging_colour(t, out);
        break;
      }
      case DisplayMapping::minmax:
        for (int ch = 0; ch < 3; ++ch)
          out[ch] = span > 0.0f ? to_byte(clamp01((v[ch] - range.lo) / span)) : 128;
        break;
    }
    out[3] = 255;
  }
  return rgba;
}

}  // namespace cs::gpu
