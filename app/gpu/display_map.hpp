// Display mappings from a float feature map to RGBA8 pixels, on the CPU: the reference the GPU
// display pass (shaders/display.comp) is tested against, and what the CPU fast path shows.
// Depends on core/ only (no GL).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/image_io.hpp"
#include "core/result.hpp"
#include "core/tensor.hpp"

namespace cs::gpu {

// clip:    byte = round(clamp(v, 0, 1)·255), per channel.
// abs:     byte = round(clamp(|v|, 0, 1)·255), per channel.
// signed:  a diverging map (DivergingPalette, blue below 0, white at 0) of v / max|v|; a 3-channel
//          map shows the mean of its channels.
// minmax:  byte = round((v − min) / (max − min)·255) over the whole map (all channels); a
//          constant map is mid grey (128).
enum class DisplayMapping { clip, abs, signed_, minmax };
const char* display_mapping_name(DisplayMapping mapping);  // "clip", "abs", "signed", "minmax"
Result<DisplayMapping> parse_display_mapping(const std::string& text);

// Range of a map: min and max over every finite value (0, 0 when there is none).
struct MapRange {
  float lo = 0, hi = 0;
};
// [C, H, W] float32
MapRange map_range(const float* values, int64_t count);

// The diverging map's colours (the signed mapping's, and the lesson cells'):
//   red_blue     ColorBrewer's RdBu ends (33,102,172) and (178,24,43) through white (247): the
//                default, and what the command line always uses.
//   blue_orange  a colour-blind-safe map made for ConvScope: blue and orange at the same CIELAB
//                lightness for the same |t| (L* 97 at 0 down to about 40 at ±1), four stops a side;
//                sign stays readable under protanopia, deuteranopia and tritanopia
//                (tests/ui_palette_test.cpp simulates them).
enum class DivergingPalette { red_blue, blue_orange };
const char* diverging_palette_name(DivergingPalette palette);  // "red-blue", "blue-orange"
Result<DivergingPalette> parse_diverging_palette(const std::string& text);

// A diverging map as piecewise-linear RGB (byte units): `centre` at t = 0, then `count` stops a
// side from the centre outward, evenly spaced in |t| (stop j at |t| = (j + 1) / count). The GPU's
// display pass receives these very numbers as uniforms (GpuEngine::run_display_resident).
constexpr int kMaxDivergingStops = 4;
struct DivergingStops {
  int count = 1;
  float centre[3];
  float neg[kMaxDivergingStops][3];
  float pos[kMaxDivergingStops][3];
};
const DivergingStops& diverging_stops(DivergingPalette palette);

// The palette the window chose (View > Palette): diverging_colour() without a palette, the
// signed mapping's default and the live preview use it. red_blue until set; any thread may read.
void set_diverging_palette(DivergingPalette palette);
DivergingPalette diverging_palette();

// The diverging map's colour for t in [-1, 1] (t clamped): RGB bytes.
void diverging_colour(float t, uint8_t rgb[3], DivergingPalette palette);
void diverging_colour(float t, uint8_t rgb[3]);  // in diverging_palette()

// [1, C, H, W] (C = 1 or 3, f32 or f64) => RGBA8 interleaved, H·W·4 bytes. `palette` colours the
// signed mapping.
Result<std::vector<uint8_t>> map_to_rgba(const Tensor& map, DisplayMapping mapping,
                                         DivergingPalette palette);
Result<std::vector<uint8_t>> map_to_rgba(const Tensor& map, DisplayMapping mapping);  // current
// The same with signed and minmax scaled by `range` instead of the map's own (a map shrunk for
// display keeps the colours of the full one).
Result<std::vector<uint8_t>> map_to_rgba(const Tensor& map, DisplayMapping mapping,
                                         const MapRange& range,
                                         DivergingPalette palette = diverging_palette());

// [1, C, H, W] with C 1 or 3 => an RGB picture through the display mapping (what `convscope
// render` writes, and the window's stack feature maps): an error for other channel counts or an
// empty result.
Result<Image> map_to_picture(const Tensor& x, DisplayMapping mapping);

}  // namespace cs::gpu
