// The row packer's layouts (row_pack.hpp): strides, tap offsets and the column map. The packing
// itself is inline in the header, so that each kernel compiles it for its instruction set.
#include "row_pack.hpp"

namespace cs::detail {

int64_t RowPack::row_length(const ConvGeometry& g) {
  return g.out_w + ((g.k_w - 1) * g.dilation_w) / g.stride_w;
}

int64_t RowPack::band_extra_rows(const ConvGeometry& g) {
  return ((g.k_h - 1) * g.dilation_h) / g.stride_h;
}

RowPack RowPack::band(const ConvGeometry& g, int64_t band_h) {
  return RowPack(g, false, band_h + band_extra_rows(g));
}

RowPack RowPack::taps(const ConvGeometry& g) {
  return RowPack(g, true, 1);
}

RowPack::RowPack(const ConvGeometry& g, bool phase_per_ky, int64_t rows_)
    : row_len(row_length(g)),
      rows(rows_),
      plane_stride(rows_ * row_len),
      channel_stride((phase_per_ky ? g.k_h : g.stride_h) * g.stride_w * plane_stride),
      m_row_phases(phase_per_ky ? g.k_h : g.stride_h),
      m_phase_step(phase_per_ky ? g.dilation_h : 1),
      m_stride_h(g.stride_h),
      m_stride_w(g.stride_w) {
  const int64_t sh = g.stride_h, sw = g.stride_w;
  // Tap (ky, kx) reads padded row oy0·stride_h + ky·dilation_h, column ox·stride_w + kx·dilation_w:
  // row phase p and row r with p·phase_step + r·stride_h = ky·dilation_h (taps: p = ky, r = 0;
  // band: p < stride_h), column phase (kx·dilation_w) % stride_w and column
  // ox + (kx·dilation_w) / stride_w.
  tap_offset.resize(static_cast<std::size_t>(g.k_h * g.k_w));
  for (int64_t ky = 0; ky < g.k_h; ++ky) {
    const int64_t dy = ky * g.dilation_h;
    const int64_t p = phase_per_ky ? ky : dy % sh, r = phase_per_ky ? 0 : dy / sh;
    for (int64_t kx = 0; kx < g.k_w; ++kx) {
      const int64_t dx = kx * g.dilation_w;
      tap_offset[static_cast<std::size_t>(ky * g.k_w + kx)] =
          (p * sw + dx % sw) * plane_stride + r * row_len + dx / sw;
    }
  }

  m_col_src.resize(static_cast<std::size_t>(sw * row_len));
  m_col_lo.assign(static_cast<std::size_t>(sw), 0);
  m_col_hi.assign(static_cast<std::size_t>(sw), 0);
  const int64_t padded_w = g.padded_w();
  for (int64_t rx = 0; rx < sw; ++rx) {
    int64_t lo = row_len, hi = row_len;
    for (int64_t c = 0; c < row_len; ++c) {
      const int64_t x = c * sw + rx;  // padded column
      const int64_t ix = x - g.pad.left;
      m_col_src[static_cast<std::size_t>(rx * row_len + c)] =
          x < padded_w ? pad_source_index(ix, g.in_w, g.padding_mode) : -1;
      if (ix >= 0 && lo == row_len) lo = c;
      if (ix >= g.in_w && hi == row_len) hi = c;
    }
    m_col_lo[static_cast<std::size_t>(rx)] = lo;
    m_col_hi[static_cast<std::size_t>(rx)] = std::max(lo, hi);
  }
}

}  // namespace cs::detail
