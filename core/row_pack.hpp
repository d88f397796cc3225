// The row packer the fast path (conv2d_fast.cpp) and the trace (conv2d_trace.cpp) share: it copies
// the padded input rows a block of output rows reads into a buffer, the padding applied (any
// padding mode) and the columns split into stride phases, so that every tap of every output reads
// consecutive elements whatever the stride, dilation or padding: a strided, dilated, padded 2-D
// convolution becomes contiguous vector loads. Internal to core; depends on nothing but the
// standard library.
//
// Layout, per input channel of a group: [row phase p][column phase rx][row r][column c], where row
// phase p, row r holds padded input row oy0·stride_h + p·phase_step + r·stride_h (oy0: the block's
// first output row) and column phase rx, column c holds padded column c·stride_w + rx. Tap
// (icg, ky, kx) of output (oy0 + r', ox) then sits at
//   icg·channel_stride + tap_offset[ky·k_w + kx] + r'·row_len + ox.
// Two ways to cut the rows:
//   band (the fast path): stride_h row phases, phase_step 1, band_h + band_extra_rows rows each,
//        so the rows a band of outputs reads are consecutive in each plane (r' up to band_h − 1);
//   taps (the trace): one row phase per kernel row ky, phase_step dilation_h, one row each (r' 0).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "geometry.hpp"

namespace cs::detail {

class RowPack {
 public:
  RowPack() = default;  // empty; band() and taps() make the layouts

  int64_t row_len = 0;  // columns of one (plane, row): out_w + (k_w − 1)·dilation_w / stride_w
  int64_t rows = 0;     // rows of one plane
  int64_t plane_stride = 0;         // rows · row_len
  int64_t channel_stride = 0;       // row phases · stride_w · plane_stride
  std::vector<int64_t> tap_offset;  // [k_h·k_w]: tap (ky, kx)'s offset within a channel

  // The fast path's layout for bands of up to band_h output rows.
  static RowPack band(const ConvGeometry& g, int64_t band_h);
  // The trace's layout for one output row.
  static RowPack taps(const ConvGeometry& g);
  // row_len, and the rows a band holds beyond its output rows, before a band height is chosen.
  static int64_t row_length(const ConvGeometry& g);
  static int64_t band_extra_rows(const ConvGeometry& g);

  // Elements of one group's packed rows.
  int64_t size(const ConvGeometry& g) const { return g.c_in_per_group * channel_stride; }

  // [C_in/g planes of one input, from `planes`: the group's first channel [in_h, in_w], the others
  // following it] => buf[size()], for the block of output rows starting at oy0. Rows of each
  // plane from rows_used on (a band's short last block) are zeroed: only lanes whose results are
  // thrown away read them.
  template <class T>
  void pack(const ConvGeometry& g, const T* planes, int64_t oy0, int64_t rows_used, T* buf) const;

 private:
  int64_t m_row_phases = 0, m_phase_step = 0, m_stride_h = 1, m_stride_w = 1;
  // Per column phase rx: the input column each packed column reads (-1: zero) [stride_w][row_len],
  // and the columns [lo, hi) that read the input directly, stride_w apart.
  std::vector<int64_t> m_col_src, m_col_lo, m_col_hi;

  // phase_per_ky: the trace's layout (one row phase per kernel row), else the band layout.
  RowPack(const ConvGeometry& g, bool phase_per_ky, int64_t rows);

  template <class T>
  void pack_row(const T* src_row, int64_t rx, T* dst) const;
};

// One packed row: input row `src_row` [in_w] (null for a row of zeros) at column phase rx into
// dst[0, row_len).
template <class T>
inline void RowPack::pack_row(const T* src_row, int64_t rx, T* dst) const {
  if (src_row == nullptr) {
    std::fill(dst, dst + row_len, T(0));
    return;
  }
  const int64_t lo = m_col_lo[static_cast<std::size_t>(rx)];
  const int64_t hi = m_col_hi[static_cast<std::size_t>(rx)];
  const int64_t* map = m_col_src.data() + rx * row_len;
  for (int64_t c = 0; c < lo; ++c)
    dst[c] = map[c] < 0 ? T(0) : src_row[map[c]];
  if (hi > lo) {
    const T* s = src_row + map[lo];
    if (m_stride_w == 1) {
      std::memcpy(dst + lo, s, static_cast<std::size_t>(hi - lo) * sizeof(T));
    } else if (m_stride_w == 2) {  // a constant stride lets the compiler vectorize (ResNet's stem)
      for (int64_t c = lo; c < hi; ++c) {
        dst[c] = s[(c - lo) * 2];
      }
    } else {
      for (int64_t c = lo; c < hi; ++c)
        dst[c] = s[(c - lo) * m_stride_w];
    }
  }
  for (int64_t c = hi; c < row_len; ++c)
    dst[c] = map[c] < 0 ? T(0) : src_row[map[c]];
}

template <class T>
inline void RowPack::pack(const ConvGeometry& g, const T* planes, int64_t oy0, int64_t rows_used,
                          T* buf) const {
  const int64_t iy0 = g.window_origin_y(oy0), iy_end = g.in_h + g.pad.bottom;
  for (int64_t icg = 0; icg < g.c_in_per_group; ++icg) {
    for (int64_t p = 0; p < m_row_phases; ++p) {
      for (int64_t rx = 0; rx < m_stride_w; ++rx) {
        T* plane = buf + icg * channel_stride + (p * m_stride_w + rx) * plane_stride;
        for (int64_t r = 0; r < rows_used; ++r) {
          // Input row of (p, r); rows past the bottom padding (a band's last rows) read zeros.
          const int64_t iy = iy0 + p * m_phase_step + r * m_stride_h;
          const int64_t sy = iy < iy_end ? pad_source_index(iy, g.in_h, g.padding_mode) : -1;
          pack_row(sy < 0 ? nullptr : planes + g.input_index(0, icg, sy, 0), rx,
                   plane + r * row_len);
        }
        if (rows_used < rows) std::fill(plane + rows_used * row_len, plane + rows * row_len, T(0));
      }
    }
  }
}

}  // namespace cs::detail
