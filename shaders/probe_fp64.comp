#version 430
// The float64 probe: double arithmetic must compile, run and keep all 53 bits before float64
// tensors are computed on the GPU. Slot i gets i·(1 + 2^-40) + 2^-45, exact in double (and so
// the same with or without a fused multiply-add) but not representable in float.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer ProbeBuffer { double result[]; };
uniform double step_scale;  // 1 + 2^-40, a uniform so the compiler cannot fold it to float
void main() {
  const uint i = gl_GlobalInvocationID.x;
  result[i] = double(i) * step_scale + 1.0lf / 35184372088832.0lf;
}
