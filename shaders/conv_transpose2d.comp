#version 430
// Transposed convolution, torch.nn.ConvTranspose2d (core/conv_transpose.hpp), in gather form: an
// invocation computes one output cell from the input cells and taps that reach it, so no two
// invocations write the same value and no atomics are needed. One batch item per dispatch.
// The loader inserts these #defines after #version:
//   FP64      1: tensors and sums in double (GL_ARB_gpu_shader_fp64, probed); 0: float
//   K_H, K_W, STRIDE_H, STRIDE_W, DILATION_H, DILATION_W   the kernel's geometry (loops unroll)
// Scatter, as in core: input row iy, tap ky adds to output row
//   oy = iy·STRIDE_H − pad_h + ky·DILATION_H.
// Gather: output row oy takes tap ky from input row iy = (oy + pad_h − ky·DILATION_H) / STRIDE_H
// when the division is exact and 0 <= iy < in_h (columns alike). output_padding only makes
// out_h/out_w larger; its rows are gathered like any other.
// Summation order, the reference's: per input channel of the group a partial sum over the cells
// that reach the output in (iy, ix) row-major order (ky, kx descending), then the partials in
// channel order, then the bias.

#if FP64
#define scalar double
#else
#define scalar float
#endif

layout(local_size_x = 16, local_size_y = 8, local_size_z = 1) in;

layout(std430, binding = 0) readonly buffer InputBuffer {
  scalar x_in[];
};  // [c_in, in_h, in_w]
layout(std430, binding = 1) readonly buffer WeightBuffer {
  scalar w_in[];
};  // [c_in, c_out_per_group, K_H, K_W]
layout(std430, binding = 2) readonly buffer BiasBuffer {
  scalar b_in[];
};  // [c_out]
layout(std430, binding = 3) writeonly buffer OutputBuffer {
  scalar y_out[];
};  // [oc - out_c_base, out_h, out_w]

uniform int in_h, in_w;
uniform int out_h, out_w;
uniform int c_in_per_group, c_out_per_group;
uniform int pad_h, pad_w;
uniform int has_bias;
// A dispatch may cover only some output channels so that its output fits one buffer:
// oc = gl_WorkGroupID.z + out_c_base, and the buffer starts at output channel out_c_base.
uniform int out_c_base;

void main() {
  const int ox = int(gl_GlobalInvocationID.x);
  const int oy = int(gl_GlobalInvocationID.y);
  const int oc = int(gl_WorkGroupID.z) + out_c_base;
  if (ox >= out_w || oy >= out_h) return;
  const int group = oc / c_out_per_group;
  const int ocg = oc - group * c_out_per_group;
  scalar acc = scalar(0);
  for (int icg = 0; icg < c_in_per_group; ++icg) {
    const int ic = group * c_in_per_group + icg;
    const int x_base = ic * in_h * in_w;
    const int w_base = (ic * c_out_per_group + ocg) * K_H * K_W;
    scalar partial = scalar(0);
    for (int ky = K_H - 1; ky >= 0; --ky) {
      const int ny = oy + pad_h - ky * DILATION_H;  // iy · STRIDE_H
      // NOTE: test ny >= 0 before %: GLSL leaves % of a negative operand undefined.
      if (ny < 0 || ny % STRIDE_H != 0) continue;
      const int iy = ny / STRIDE_H;
      if (iy >= in_h) continue;
      for (int kx = K_W - 1; kx >= 0; --kx) {
        const int nx = ox + pad_w - kx * DILATION_W;  // ix · STRIDE_W
        if (nx < 0 || nx % STRIDE_W != 0) continue;
        const int ix = nx / STRIDE_W;
        if (ix >= in_w) continue;
        partial += x_in[x_base + iy * in_w + ix] * w_in[w_base + ky * K_W + kx];
      }
    }
    acc += partial;
  }
  if (has_bias != 0) acc += b_in[oc];
  y_out[((oc - out_c_base) * out_h + oy) * out_w + ox] = acc;
}
