#version 430
// The capability probe: a compute shader must compile, run and write 2i + 1 into slot i before
// the GPU path is used at all.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer ProbeBuffer { uint result[]; };
void main() {
  const uint i = gl_GlobalInvocationID.x;
  result[i] = 2u * i + 1u;
}
