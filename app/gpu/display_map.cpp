// CPU display mappings: the reference for shaders/display.comp (keep the two formulas identical)
// and what the CPU fast path shows. No GL here.
#include "app/gpu/display_map.hpp"

#include <algorithm>
#include <atomic>
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

const char* diverging_palette_name(DivergingPalette palette) {
  return palette == DivergingPalette::blue_orange ? "blue-orange" : "red-blue";
}

Result<DivergingPalette> parse_diverging_palette(const std::string& text) {
  for (DivergingPalette p : {DivergingPalette::red_blue, DivergingPalette::blue_orange}) {
    if (text == diverging_palette_name(p)) return p;
  }
  return make_error("unknown palette '" + text +
                        "'; use red-blue (the default) or blue-orange (colour-blind safe)",
                    "palette");
}

const DivergingStops& diverging_stops(DivergingPalette palette) {
  static const DivergingStops red_blue = {1, {247, 247, 247}, {{33, 102, 172}}, {{178, 24, 43}}};
  // Made in CIELAB: L* falls linearly from 97 to 40 (blue) and 44 (orange), chroma rises as
  // |t|^0.7 to 48 (hue 250° -> 263°) and 64 (hue 78° -> 58°), sampled at |t| = ¼, ½, ¾, 1 and
  // rounded into sRGB. Equal |t| reads as equal lightness on both sides.
  static const DivergingStops blue_orange = {
      4,
      {247, 247, 247},
      {{178, 210, 236}, {117, 173, 217}, {42, 137, 195}, {0, 102, 172}},
      {{238, 203, 166}, {218, 161, 106}, {195, 120, 55}, {169, 78, 0}}};
  return palette == DivergingPalette::blue_orange ? blue_orange : red_blue;
}

namespace {
std::atomic<int> g_palette{static_cast<int>(DivergingPalette::red_blue)};
}  // namespace

void set_diverging_palette(DivergingPalette palette) {
  g_palette.store(static_cast<int>(palette), std::memory_order_relaxed);
}

DivergingPalette diverging_palette() {
  return static_cast<DivergingPalette>(g_palette.load(std::memory_order_relaxed));
}

// NOTE: shaders/display.comp computes the same expression in the same order (one stop segment,
// from + (to − from)·f, then + 0.5 and truncation); keep the two identical.
void diverging_colour(float t, uint8_t rgb[3], DivergingPalette palette) {
  const DivergingStops& s = diverging_stops(palette);
  t = std::min(std::max(t, -1.0f), 1.0f);
  const float a = std::fabs(t) * static_cast<float>(s.count);
  const int j = std::min(static_cast<int>(a), s.count - 1);
  const float f = a - static_cast<float>(j);
  const float(*side)[3] = t < 0.0f ? s.neg : s.pos;
  const float* from = j == 0 ? s.centre : side[j - 1];
  for (int ch = 0; ch < 3; ++ch) {
    rgb[ch] =
        static_cast<uint8_t>(static_cast<int>(from[ch] + (side[j][ch] - from[ch]) * f + 0.5f));
  }
}

void diverging_colour(float t, uint8_t rgb[3]) {
  diverging_colour(t, rgb, diverging_palette());
}

Result<std::vector<uint8_t>> map_to_rgba(const Tensor& map, DisplayMapping mapping) {
  return map_to_rgba(map, mapping, diverging_palette());
}

Result<std::vector<uint8_t>> map_to_rgba(const Tensor& map, DisplayMapping mapping,
                                         DivergingPalette palette) {
  if (map.ndim() != 4) return map_to_rgba(map, mapping, MapRange{}, palette);  // its sentence
  const Tensor f = map.dtype() == DType::f32 ? map : map.to(DType::f32);
  return map_to_rgba(f, mapping, map_range(f.data<float>(), f.numel()), palette);
}

// [1, C, H, W] => [H, W, 4] bytes
Result<std::vector<uint8_t>> map_to_rgba(const Tensor& map, DisplayMapping mapping,
                                         const MapRange& range, DivergingPalette palette) {
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
        diverging_colour(t, out, palette);
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

Result<Image> map_to_picture(const Tensor& x, DisplayMapping mapping) {
  if (x.dim(1) != 1 && x.dim(1) != 3) {
    return make_error("the result has " + std::to_string(x.dim(1)) +
                      " channels; a picture needs 1 (grey) or 3 (colour): end with a kernel that "
                      "has C_out 1 or 3");
  }
  if (x.dim(2) == 0 || x.dim(3) == 0)
    return make_error("the result is empty (0 pixels); use a smaller stride or kernel");
  Result<std::vector<uint8_t>> rgba = map_to_rgba(x, mapping);
  if (!rgba) return rgba.error();
  Image out;
  out.width = static_cast<int>(x.dim(3));
  out.height = static_cast<int>(x.dim(2));
  out.channels = 3;
  out.pixels.resize(static_cast<std::size_t>(out.width) * out.height * 3);
  for (std::size_t i = 0, n = static_cast<std::size_t>(out.width) * out.height; i < n; ++i) {
    for (int c = 0; c < 3; ++c)
      out.pixels[i * 3 + c] = (*rgba)[i * 4 + c];
  }
  return out;
}

}  // namespace cs::gpu
