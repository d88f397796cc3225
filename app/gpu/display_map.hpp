// Display mappings from a float feature map to RGBA8 pixels, on the CPU: the reference the GPU
// display pass (shaders/display.comp) is tested against, and what the CPU fast path shows.
// Depends on core/ only (no GL).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/tensor.hpp"

namespace cs::gpu {

// clip:    byte = round(clamp(v, 0, 1)·255), per channel.
// abs:     byte = round(clamp(|v|, 0, 1)·255), per channel.
// signed:  a diverging blue–white–red map of v / max|v| (white at 0); a 3-channel map shows the
//          mean of its channels.
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

// The diverging map's colour for t in [-1, 1] (t clamped): RGB bytes.
void diverging_colour(float t, uint8_t rgb[3]);

// [1, C, H, W] (C = 1 or 3, f32 or f64) => RGBA8 interleaved, H·W·4 bytes.
Result<std::vector<uint8_t>> map_to_rgba(const Tensor& map, DisplayMapping mapping);
// The same with signed and minmax scaled by `range` instead of the map's own (a map shrunk for
// display keeps the colours of the full one).
Result<std::vector<uint8_t>> map_to_rgba(const Tensor& map, DisplayMapping mapping,
                                         const MapRange& range);

}  // namespace cs::gpu
