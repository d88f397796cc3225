#version 430
// Feature map [c, h, w] (c = 1 or 3, float32) => RGBA8 image, one pixel per invocation.
// Mappings (the CPU reference is app/gpu/display_map.cpp; keep the two identical):
//   0 clip    byte = round(clamp(v, 0, 1) * 255) per channel
//   1 abs     byte = round(clamp(|v|, 0, 1) * 255) per channel
//   2 signed  diverging colour of t = v / max(|min|, |max|) (the channels' mean when c = 3):
//             piecewise linear through centre (t = 0) and stop_count stops a side, stop j at
//             |t| = (j + 1) / stop_count; the stops are uniforms set from DivergingStops
//             (app/gpu/display_map.cpp), so the CPU and GPU share one table
//   3 minmax  byte = round((v - min) / (max - min) * 255) over the whole map; flat map -> 128
// NOTE: bytes are computed as integers and stored as k / 255.0, so the UNORM conversion cannot
// round differently from the CPU.

layout(local_size_x = 16, local_size_y = 16) in;

layout(std430, binding = 0) readonly buffer MapBuffer { float values[]; };  // [c, h, w]
layout(std430, binding = 4) readonly buffer RangeBuffer { uint range_bits[2]; };
layout(rgba8, binding = 0) writeonly uniform image2D out_image;

uniform int c, out_h, out_w;
uniform int mapping;
// The diverging palette, in byte units (DivergingStops).
uniform int stop_count;
uniform vec3 centre;
uniform vec3 neg_stops[4];
uniform vec3 pos_stops[4];

float o2f(uint u) {
  return uintBitsToFloat((u & 0x80000000u) != 0u ? (u & 0x7fffffffu) : ~u);
}

float finite_or_zero(float v) { return (isnan(v) || isinf(v)) ? 0.0 : v; }

uint to_byte(float t) {  // t in [0, 1] already clamped
  return uint(t * 255.0 + 0.5);
}

void main() {
  const int ox = int(gl_GlobalInvocationID.x);
  const int oy = int(gl_GlobalInvocationID.y);
  if (ox >= out_w || oy >= out_h) return;
  const int plane = out_h * out_w;
  const int at = oy * out_w + ox;
  float v[3];
  for (int ch = 0; ch < 3; ++ch) {
    const float raw = values[(c == 3 ? ch : 0) * plane + at];
    v[ch] = mapping == 0 || mapping == 1 ? (isnan(raw) ? 0.0 : raw) : finite_or_zero(raw);
  }
  bool empty = range_bits[0] == 0xffffffffu;
  float lo = empty ? 0.0 : o2f(range_bits[0]);
  float hi = empty ? 0.0 : o2f(range_bits[1]);
  uvec3 rgb;
  if (mapping == 0) {
    for (int ch = 0; ch < 3; ++ch) rgb[ch] = to_byte(clamp(v[ch], 0.0, 1.0));
  } else if (mapping == 1) {
    for (int ch = 0; ch < 3; ++ch) rgb[ch] = to_byte(clamp(abs(v[ch]), 0.0, 1.0));
  } else if (mapping == 2) {
    const float s = max(abs(lo), abs(hi));
    const float m = c == 3 ? (v[0] + v[1] + v[2]) / 3.0 : v[0];
    const float t = s > 0.0 ? clamp(m / s, -1.0, 1.0) : 0.0;
    const float a = abs(t) * float(stop_count);
    const int j = min(int(a), stop_count - 1);
    const float f = a - float(j);
    const vec3 to = t < 0.0 ? neg_stops[j] : pos_stops[j];
    const vec3 from = j == 0 ? centre : (t < 0.0 ? neg_stops[j - 1] : pos_stops[j - 1]);
    rgb = uvec3(from + (to - from) * f + 0.5);
  } else {
    const float range = hi - lo;
    for (int ch = 0; ch < 3; ++ch)
      rgb[ch] = range > 0.0 ? to_byte(clamp((v[ch] - lo) / range, 0.0, 1.0)) : 128u;
  }
  imageStore(out_image, ivec2(ox, oy), vec4(vec3(rgb) / 255.0, 1.0));
}
