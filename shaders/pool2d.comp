#version 430
// Max and average pooling with PyTorch's semantics (core/pool2d.hpp), one output per invocation.
// The loader defines FP64: 1 computes in double (GL_ARB_gpu_shader_fp64, probed), 0 in float.
// Max: padding and taps outside the input are ignored, NaN propagates, dilation allowed.
// Avg: the divisor is the window clipped to input + padding (count_include_pad) or to the input.
// NOTE: ceil_mode's last window may start in the right padding's shadow and reach past the
// padding; the divisor then counts only up to in + pad, exactly as PyTorch does.

#if FP64
#define scalar double
#else
#define scalar float
#endif

layout(local_size_x = 16, local_size_y = 8, local_size_z = 1) in;

layout(std430, binding = 0) readonly buffer InputBuffer { scalar x_in[]; };    // [c, in_h, in_w]
layout(std430, binding = 3) writeonly buffer OutputBuffer { scalar y_out[]; }; // [c, out_h, out_w]

uniform int c, in_h, in_w, out_h, out_w;
uniform int k_h, k_w, stride_h, stride_w, dilation_h, dilation_w;
uniform int pad_top, pad_bottom, pad_left, pad_right;  // symmetric (core's PoolGeometry::pad)
uniform int op;  // 0 max, 1 avg
uniform int count_include_pad;

void main() {
  const int ox = int(gl_GlobalInvocationID.x);
  const int oy = int(gl_GlobalInvocationID.y);
  const int ic = int(gl_GlobalInvocationID.z);  // channel ic in, channel ic out (one batch item)
  if (ox >= out_w || oy >= out_h) return;
  const int base = ic * in_h * in_w;
  const int y0 = oy * stride_h - pad_top;   // core's window_origin_y(oy)
  const int x0 = ox * stride_w - pad_left;  // core's window_origin_x(ox)
  scalar result;
  if (op == 0) {
    scalar m = scalar(uintBitsToFloat(0xff800000u));  // -inf
    for (int ky = 0; ky < k_h; ++ky) {
      const int iy = y0 + ky * dilation_h;
      if (iy < 0 || iy >= in_h) continue;
      for (int kx = 0; kx < k_w; ++kx) {
        const int ix = x0 + kx * dilation_w;
        if (ix < 0 || ix >= in_w) continue;
        const scalar v = x_in[base + iy * in_w + ix];
        if (v > m || isnan(v)) m = v;
        if (isnan(m)) break;
      }
    }
    result = m;
  } else {
    const int y_end_pad = min(y0 + k_h, in_h + pad_bottom);
    const int x_end_pad = min(x0 + k_w, in_w + pad_right);
    const int pool_size = (y_end_pad - y0) * (x_end_pad - x0);
    const int ys = max(y0, 0), xs = max(x0, 0);
    const int ye = min(y_end_pad, in_h), xe = min(x_end_pad, in_w);
    scalar sum = scalar(0);
    for (int iy = ys; iy < ye; ++iy)
      for (int ix = xs; ix < xe; ++ix) sum += x_in[base + iy * in_w + ix];
    const int divisor = count_include_pad != 0 ? pool_size : (ye - ys) * (xe - xs);
    result = (ye <= ys || xe <= xs) ? scalar(0) : sum / scalar(divisor);
  }
  y_out[(ic * out_h + oy) * out_w + ox] = result;
}
