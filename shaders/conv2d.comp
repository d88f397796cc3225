#version 430
// conv2d, exactly the engine's arithmetic (core/conv2d.hpp) in float32 or float64, for one batch
// item per dispatch; a work group computes a TILE_H×TILE_W patch of OCB output channels of one
// group. The loader inserts these #defines after #version:
//   FP64               1: tensors, tiles and sums in double (GL_ARB_gpu_shader_fp64, core since
//                      GL 4.0; the engine probes it first); 0: float
//   K_H, K_W, STRIDE_H, STRIDE_W, DILATION_H, DILATION_W   the kernel's geometry (loops unroll)
//   SPAN_H, SPAN_W     rows/columns one window covers, core's span_h()/span_w():
//                      DILATION·(K − 1) + 1
//   LOCAL_X, LOCAL_Y   work group size; PX outputs per invocation along x (index j); OCB output
//                      channels per invocation (index m: output channel oc0 + m)
//   TILED 1: the input tile (halo included, padding resolved) is staged in shared memory so the
//            hot loop has no branch; TILED 0: every tap reads the input buffer (the baseline).
//   ROWS 1 (TILED and STRIDE_W == 1 only): an invocation's PX outputs are consecutive and each
//            window row is read from shared memory into registers once for all of them.
// Index formula, as in core: iy = oy * STRIDE_H + ky * DILATION_H - pad_top
//                             ix = ox * STRIDE_W + kx * DILATION_W - pad_left
// NOTE: without ROWS an invocation's PX outputs are LOCAL_X apart (ox = tile_x0 + lx + j·LOCAL_X)
// so that neighbouring invocations write neighbouring floats (coalesced) and read shared memory
// without bank conflicts; ROWS trades that for PX-fold fewer shared-memory reads.

#if FP64
#define scalar double
#else
#define scalar float
#endif

layout(local_size_x = LOCAL_X, local_size_y = LOCAL_Y, local_size_z = 1) in;

layout(std430, binding = 0) readonly buffer InputBuffer {
  scalar x_in[];
};  // [c_in, in_h, in_w]
layout(std430, binding = 1) readonly buffer WeightBuffer {
  scalar w_in[];
};  // [c_out, c_in/groups, k_h, k_w]
layout(std430, binding = 2) readonly buffer BiasBuffer {
  scalar b_in[];
};  // [c_out]
layout(std430, binding = 3) writeonly buffer OutputBuffer {
  scalar y_out[];
};  // [oc - out_c_base, out_h, out_w]

uniform int c_in, in_h, in_w;
uniform int c_out, out_h, out_w;
uniform int c_in_per_group, c_out_per_group;
uniform int oc_blocks_per_group;  // ceil(c_out_per_group / OCB)
uniform int pad_top, pad_left;
uniform int padding_mode;  // 0 zeros, 1 reflect, 2 replicate, 3 circular
uniform int has_bias;
// A dispatch may cover only some (group, block) pairs so that its output fits one buffer:
// z = gl_WorkGroupID.z + z_offset, and the buffer starts at output channel out_c_base.
uniform int z_offset, out_c_base;

const int TILE_W = LOCAL_X * PX;
const int TILE_H = LOCAL_Y;
// The input tile with its halo, as gpu_engine.cpp's choose_config sizes it: the first window's
// span plus a stride per further output.
const int IN_TILE_W = (TILE_W - 1) * STRIDE_W + SPAN_W;
const int IN_TILE_H = (TILE_H - 1) * STRIDE_H + SPAN_H;
const int TAPS = K_H * K_W;
#if ROWS
// Columns the PX consecutive windows of an invocation span together (STRIDE_W == 1).
const int ROW_SPAN = (PX - 1) + SPAN_W;
#endif
const int LOCAL_SIZE = LOCAL_X * LOCAL_Y;

// The input row/column a padded coordinate reads (core's pad_source_index), or -1 for a zero.
// Coordinates beyond what the geometry allows only occur for outputs past the edge of the map
// (which are never written), and read 0.
int pad_source(int i, int size) {
  if (i >= 0 && i < size) return i;
  int s = -1;
  if (padding_mode == 1)
    s = i < 0 ? -i : 2 * (size - 1) - i;
  else if (padding_mode == 2)
    s = i < 0 ? 0 : size - 1;
  else if (padding_mode == 3)
    s = i < 0 ? i + size : i - size;
  return (s >= 0 && s < size) ? s : -1;
}

scalar read_input(int base, int iy, int ix) {
  int sy = pad_source(iy, in_h);
  int sx = pad_source(ix, in_w);
  return (sy < 0 || sx < 0) ? scalar(0) : x_in[base + sy * in_w + sx];
}

// Which output column (within the tile) output j of invocation lx is.
#if ROWS
#define OX_OF(lx, j) ((lx)*PX + (j))
#else
#define OX_OF(lx, j) ((lx) + (j)*LOCAL_X)
#endif

#if TILED
shared scalar tile[IN_TILE_H * IN_TILE_W];
shared scalar wtile[OCB * TAPS];
#endif

void main() {
  const int lx = int(gl_LocalInvocationID.x);
  const int ly = int(gl_LocalInvocationID.y);
  const int tile_x0 = int(gl_WorkGroupID.x) * TILE_W;
  const int tile_y0 = int(gl_WorkGroupID.y) * TILE_H;
  // z: group * oc_blocks_per_group + block
  const int z = int(gl_WorkGroupID.z) + z_offset;
  const int block = z % oc_blocks_per_group;
  const int group = z / oc_blocks_per_group;
  const int oc0 = group * c_out_per_group + block * OCB;
  const int oc_end = min(oc0 + OCB, (group + 1) * c_out_per_group);

  scalar acc[OCB][PX];
  for (int m = 0; m < OCB; ++m)
    for (int j = 0; j < PX; ++j)
      acc[m][j] = scalar(0);

  for (int icg = 0; icg < c_in_per_group; ++icg) {
    const int ic = group * c_in_per_group + icg;
    const int base = ic * in_h * in_w;
#if TILED
    barrier();
    // Stage the padded input tile: the only place that looks at padding.
    const int iy0 = tile_y0 * STRIDE_H - pad_top;
    const int ix0 = tile_x0 * STRIDE_W - pad_left;
    const int lid = int(gl_LocalInvocationIndex);
    // NOTE: whether the tile lies wholly inside the input is the same for the whole work group,
    // so the common interior case runs without any padding test (no divergence).
    const bool interior =
        iy0 >= 0 && ix0 >= 0 && iy0 + IN_TILE_H <= in_h && ix0 + IN_TILE_W <= in_w;
    if (interior) {
      for (int ty = ly; ty < IN_TILE_H; ty += LOCAL_Y) {
        const int src = base + (iy0 + ty) * in_w + ix0;
        for (int tx = lx; tx < IN_TILE_W; tx += LOCAL_X)
          tile[ty * IN_TILE_W + tx] = x_in[src + tx];
      }
    } else {
      for (int ty = ly; ty < IN_TILE_H; ty += LOCAL_Y) {
        const int sy = pad_source(iy0 + ty, in_h);
        for (int tx = lx; tx < IN_TILE_W; tx += LOCAL_X) {
          const int sx = pad_source(ix0 + tx, in_w);
          tile[ty * IN_TILE_W + tx] = (sy < 0 || sx < 0) ? scalar(0) : x_in[base + sy * in_w + sx];
        }
      }
    }
    for (int i = lid; i < OCB * TAPS; i += LOCAL_SIZE) {
      const int m = i / TAPS;
      const int oc = oc0 + m;
      wtile[i] =
          oc < oc_end ? w_in[(oc * c_in_per_group + icg) * TAPS + (i - m * TAPS)] : scalar(0);
    }
    barrier();
#if ROWS
    // Register rows (STRIDE_W == 1): the PX outputs are consecutive, so one row of the window
    // for all of them is ROW_SPAN consecutive tile values, read once and reused K_W·PX times.
    for (int ky = 0; ky < K_H; ++ky) {
      scalar r[ROW_SPAN];
      const int row = (ly * STRIDE_H + ky * DILATION_H) * IN_TILE_W + lx * PX;
      for (int i = 0; i < ROW_SPAN; ++i)
        r[i] = tile[row + i];
      for (int kx = 0; kx < K_W; ++kx) {
        scalar wv[OCB];
        for (int m = 0; m < OCB; ++m)
          wv[m] = wtile[m * TAPS + ky * K_W + kx];
        for (int j = 0; j < PX; ++j) {
          const scalar v = r[j + kx * DILATION_W];
          for (int m = 0; m < OCB; ++m)
            acc[m][j] += v * wv[m];
        }
      }
    }
#else
    for (int ky = 0; ky < K_H; ++ky) {
      for (int kx = 0; kx < K_W; ++kx) {
        scalar wv[OCB];
        for (int m = 0; m < OCB; ++m)
          wv[m] = wtile[m * TAPS + ky * K_W + kx];
        for (int j = 0; j < PX; ++j) {
          const scalar v = tile[(ly * STRIDE_H + ky * DILATION_H) * IN_TILE_W +
                               OX_OF(lx, j) * STRIDE_W + kx * DILATION_W];
          for (int m = 0; m < OCB; ++m)
            acc[m][j] += v * wv[m];
        }
      }
    }
#endif
#else
    const int oy = tile_y0 + ly;
    for (int ky = 0; ky < K_H; ++ky) {
      const int iy = oy * STRIDE_H + ky * DILATION_H - pad_top;
      for (int kx = 0; kx < K_W; ++kx) {
        for (int j = 0; j < PX; ++j) {
          const int ox = tile_x0 + OX_OF(lx, j);
          const int ix = ox * STRIDE_W + kx * DILATION_W - pad_left;
          const scalar v = read_input(base, iy, ix);
          for (int m = 0; m < OCB; ++m) {
            const int oc = min(oc0 + m, oc_end - 1);
            acc[m][j] += v * w_in[(oc * c_in_per_group + icg) * TAPS + ky * K_W + kx];
          }
        }
      }
    }
#endif
  }

  const int oy = tile_y0 + ly;
  if (oy >= out_h) return;
  for (int m = 0; m < OCB; ++m) {
    const int oc = oc0 + m;
    if (oc >= oc_end) break;
    const scalar b = has_bias != 0 ? b_in[oc] : scalar(0);
    for (int j = 0; j < PX; ++j) {
      const int ox = tile_x0 + OX_OF(lx, j);
      if (ox < out_w) y_out[((oc - out_c_base) * out_h + oy) * out_w + ox] = acc[m][j] + b;
    }
  }
}
