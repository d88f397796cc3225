#version 430
// Min and max over every finite value of a feature map, for the display pass's `minmax` and
// `signed` mappings. Each work group reduces in shared memory, then one atomicMin/atomicMax on
// an order-preserving uint encoding of the float (see f2o) merges the groups.
// The host sets range_bits to (0xffffffff, 0) before the dispatch.

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer MapBuffer { float values[]; };  // [c, h, w]
layout(std430, binding = 4) buffer RangeBuffer { uint range_bits[2]; };     // (min, max) encoded

uniform int count;

shared float s_lo[256];
shared float s_hi[256];

// Monotonic float -> uint: a < b  <=>  f2o(a) < f2o(b).
uint f2o(float f) {
  uint u = floatBitsToUint(f);
  return (u & 0x80000000u) != 0u ? ~u : (u | 0x80000000u);
}

void main() {
  const uint lid = gl_LocalInvocationID.x;
  const float inf = uintBitsToFloat(0x7f800000u);
  float lo = inf, hi = -inf;
  const int step = int(gl_NumWorkGroups.x * gl_WorkGroupSize.x);
  for (int i = int(gl_GlobalInvocationID.x); i < count; i += step) {
    const float v = values[i];
    if (isnan(v) || isinf(v)) continue;
    lo = min(lo, v);
    hi = max(hi, v);
  }
  s_lo[lid] = lo;
  s_hi[lid] = hi;
  barrier();
  for (uint s = 128u; s > 0u; s >>= 1) {
    if (lid < s) {
      s_lo[lid] = min(s_lo[lid], s_lo[lid + s]);
      s_hi[lid] = max(s_hi[lid], s_hi[lid + s]);
    }
    barrier();
  }
  if (lid == 0u && s_lo[0] <= s_hi[0]) {
    atomicMin(range_bits[0], f2o(s_lo[0]));
    atomicMax(range_bits[1], f2o(s_hi[0]));
  }
}
