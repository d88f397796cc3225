// The CPU fast path of conv2d (no trace): multi-threaded, vectorized, for full-resolution images.
// Owns the packing of weights, the band plan and the register-blocked micro-kernels, compiled for
// AVX-512, AVX2+FMA and baseline SSE2 and picked at run time by simd.hpp's with_isa. Must not
// depend on the trace, the reference loop, GL or the app; validation happened before
// (cs::conv2d).
//
// How it works. Each task takes one (batch n, group, band of output rows). It copies the rows the
// band reads with row_pack.hpp's packer (band layout): padding applied and split into stride
// phases, plane (ry, rx) row r column c holding the padded input at (sh·(oy0 + r) + ry, sw·c + rx).
// In that buffer every tap (ic, ky, kx) of output (oy, ox) sits at flat position q + off[k] with
// q = (oy − oy0)·rs + ox (rs: the packer's row_len), where
//   off[k] = ic·channel_stride + ((ky·dh) % sh · sw + (kx·dw) % sw)·plane_stride
//            + ((ky·dh) / sh)·rs + (kx·dw) / sw,
// so a strided, dilated, padded 2-D convolution becomes a 1-D one over q: contiguous vector loads
// of L outputs (16 floats with AVX-512), whatever the stride. The band's outputs are covered by a
// list of vectors (whole rows, or flat over q with the columns past out_w thrown away; see
// band_vectors). A micro-kernel keeps MR output channels × NV vectors in registers and runs over
// all taps k, broadcasting one weight per channel per tap: an implicit GEMM with no im2col.
// Threads: tasks go to a persistent pool (thread_pool.hpp); the band count is chosen so the
// threads get equal rows.
#include "core/conv2d_fast.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

#include "core/row_pack.hpp"
#include "core/simd.hpp"
#include "core/thread_pool.hpp"

// NOTE: the project compiles with -ffp-contract=off because the trace must round every multiply
// and add separately. The fast path only promises float tolerance against the reference, so this
// file alone is compiled with -ffp-contract=fast (core/CMakeLists.txt): a·b + c may become one
// fused multiply-add, in the kernels simd.hpp's with_isa compiles here too.

namespace cs::detail {
namespace {

// Bytes of packed input one task aims at (conv2d_fast.hpp).
constexpr int64_t kBandBytes = kFastBandBytes;
// Output vectors handled per pass over the output-channel blocks (cache blocking); a multiple of
// every NV below, so only the band's last tile can be short.
constexpr int64_t kChunkVectors = 24;
// Below this many multiply-adds a call runs on the calling thread only.
constexpr int64_t kSerialMacs = int64_t{1} << 16;

// Registers: 32 vector registers (AVX-512) allow up to 8 output channels per block, 16 (AVX2,
// SSE2) up to 4. NV keeps MR·NV accumulators plus the loaded vectors within the register file.
constexpr int max_mr(int regs) {
  return regs >= 32 ? 8 : 4;
}
constexpr int nv_for(int mr, int regs) {
  if (regs >= 32) {
    constexpr int table[9] = {0, 12, 8, 6, 6, 4, 4, 3, 3};
    return table[mr];
  }
  constexpr int table[5] = {0, 12, 6, 4, 3};
  return table[mr];
}

template <class T>
struct Plan {
  const ConvGeometry* g = nullptr;
  const T* input = nullptr;
  T* output = nullptr;
  int64_t k_total = 0;           // taps per output: c_in_per_group · k_h · k_w
  int mr = 1;                    // output channels per full block
  int64_t blocks = 0;            // blocks per group (the last may hold fewer than mr)
  std::vector<T> wpack;          // per group, per block: [k_total][channels in block]
  std::vector<T> bias;           // [c_out], zeros without bias
  std::vector<int64_t> offsets;  // [k_total], see the file comment
  RowPack pack;                  // the band layout for band_h rows
  int64_t band_h = 0, bands = 0;
  int64_t buffer_size = 0;  // elements of one task's packed input, slack included
  int64_t tasks = 0;
};

// Picks the band height: packed input near kBandBytes, then the band count that keeps the busiest
// thread's rows lowest (halo rows count a little: they are copied, not computed).
template <class T>
void choose_bands(Plan<T>& p, int threads) {
  const ConvGeometry& g = *p.g;
  const int64_t rows_extra = RowPack::band_extra_rows(g);
  const int64_t row_bytes = g.c_in_per_group * g.stride_h * g.stride_w * RowPack::row_length(g) *
                            static_cast<int64_t>(sizeof(T));
  const int64_t target_h =
      std::clamp<int64_t>(kBandBytes / std::max<int64_t>(row_bytes, 1), 1, g.out_h);
  const int64_t jobs = g.n * g.groups;
  const int64_t nb_min = (g.out_h + target_h - 1) / target_h;
  int64_t best_h = (g.out_h + nb_min - 1) / nb_min;
  if (threads > 1) {
    const int64_t nb_max = std::min<int64_t>(g.out_h, std::max(nb_min * 2, nb_min + 4 * threads));
    double best_cost = -1;
    for (int64_t nb = nb_min; nb <= nb_max; ++nb) {
      const int64_t h = (g.out_h + nb - 1) / nb;
      const int64_t count = (g.out_h + h - 1) / h;
      const int64_t per_thread = (jobs * count + threads - 1) / threads;
      const double cost = static_cast<double>(per_thread) *
                          (static_cast<double>(h) + 0.1 * static_cast<double>(rows_extra));
      if (best_cost < 0 || cost < best_cost - 1e-9) {
        best_cost = cost;
        best_h = h;
      }
    }
  }
  p.band_h = best_h;
  p.bands = (g.out_h + best_h - 1) / best_h;
  p.tasks = jobs * p.bands;
}

// Everything a task needs that does not depend on the task: packed weights, tap offsets, the
// band split and the packer's layout for it.
template <class T>
Plan<T> make_plan(const ConvGeometry& g, const T* input, const T* weight, const T* bias, T* output,
                  int threads, int regs) {
  Plan<T> p;
  p.g = &g;
  p.input = input;
  p.output = output;
  const int64_t taps = g.k_h * g.k_w;
  p.k_total = g.c_in_per_group * taps;
  const int64_t c_out_per_group = g.c_out_per_group;
  p.mr = static_cast<int>(std::min<int64_t>(c_out_per_group, max_mr(regs)));
  p.blocks = (c_out_per_group + p.mr - 1) / p.mr;

  // [C_out, C_in/g, KH, KW] => per group, per block of mr channels: [k][channel in block]
  p.wpack.resize(static_cast<std::size_t>(g.c_out * p.k_total));
  for (int64_t group = 0; group < g.groups; ++group) {
    for (int64_t b = 0; b < p.blocks; ++b) {
      const int64_t oc0 = group * c_out_per_group + b * p.mr;
      const int64_t m_count = std::min<int64_t>(p.mr, c_out_per_group - b * p.mr);
      T* dst = p.wpack.data() + oc0 * p.k_total;
      for (int64_t m = 0; m < m_count; ++m) {
        const T* src = weight + g.weight_index(oc0 + m, 0, 0, 0);
        for (int64_t k = 0; k < p.k_total; ++k)
          dst[k * m_count + m] = src[k];
      }
    }
  }
  p.bias.assign(static_cast<std::size_t>(g.c_out), T(0));
  if (bias != nullptr && g.has_bias) std::copy(bias, bias + g.c_out, p.bias.begin());

  choose_bands(p, threads);
  p.pack = RowPack::band(g, p.band_h);
  // Slack: a tile may read up to NV·L elements past the last valid position.
  p.buffer_size = p.pack.size(g) + 256;
  p.offsets.resize(static_cast<std::size_t>(p.k_total));
  for (int64_t icg = 0; icg < g.c_in_per_group; ++icg) {
    for (int64_t tap = 0; tap < taps; ++tap) {
      p.offsets[static_cast<std::size_t>(icg * taps + tap)] =
          icg * p.pack.channel_stride + p.pack.tap_offset[static_cast<std::size_t>(tap)];
    }
  }
  return p;
}

// Where a tile's results go: output plane of the block's first channel at the band's first row.
template <class T>
struct TileDest {
  T* out0;        // output + ((n·c_out + oc0)·out_h + oy0)·out_w
  int64_t plane;  // out_h · out_w
  int64_t rs, out_w;
  int64_t q_end;  // positions >= q_end lie past the band's last output
};

// The micro-kernel: MR output channels × NV vectors of L outputs, over all k_total taps, then
// stored straight into the output rows.
// p: packed input; vq: [NV] flat positions of the vectors; vd: [NV] their offsets in an output
// plane, or -1 when the vector crosses a row end (stored lane by lane); off: [k_total] tap
// offsets; w: [k_total][MR]; bias: [MR].
// Contiguous: the vectors follow each other (vq[v] = vq[0] + v·L), so one base pointer serves all
// (with NV separate bases, NV = 12 runs out of general-purpose registers).
template <class T, int L, int MR, int NV, bool Contiguous>
[[gnu::always_inline]] inline void micro_kernel(const T* p, const int64_t* vq, const int64_t* vd,
                                                const int64_t* off, int64_t k_total, const T* w,
                                                const T* bias, const TileDest<T>& d) {
  typedef T V __attribute__((vector_size(sizeof(T) * L)));
  // The same vector at the element's alignment: unaligned loads and stores. (memcpy would do,
  // but GCC 12 then moves AVX2 vectors through the stack in 16-byte halves.)
  typedef T VU __attribute__((vector_size(sizeof(T) * L), aligned(alignof(T))));
  // NOTE: every element is set by the peeled tap 0 below; "= {}" would make GCC zero the array
  // in memory first (measurably slower at small k_total), so its false warning is silenced.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
  V acc[MR][NV];
  const T* base[NV];
  for (int v = 0; v < NV; ++v) {
    base[v] = p + vq[v];
  }
  auto load = [&](int64_t k, V* x) {
    const int64_t o = off[k];
    if constexpr (Contiguous) {
      const T* src = base[0] + o;
      for (int v = 0; v < NV; ++v) {
        x[v] = *reinterpret_cast<const VU*>(src + v * L);
      }
    } else {
      for (int v = 0; v < NV; ++v) {
        x[v] = *reinterpret_cast<const VU*>(base[v] + o);
      }
    }
  };
  {
    // Tap 0 peeled: acc = bias + w·x. (Filling acc with the bias in a loop of its own made GCC
    // keep the accumulators in memory for that loop: 8% of the time at k_total = 147.)
    V x[NV];
    load(0, x);
    for (int m = 0; m < MR; ++m) {
      const V a = w[m] - V{};  // broadcast (x − 0 is exactly x)
      const V b = bias[m] - V{};
      for (int v = 0; v < NV; ++v) {
        acc[m][v] = a * x[v] + b;
      }
    }
  }
  for (int64_t k = 1; k < k_total; ++k) {
    V x[NV];
    load(k, x);
    const T* wk = w + k * MR;
    for (int m = 0; m < MR; ++m) {
      const V a = wk[m] - V{};
      for (int v = 0; v < NV; ++v) {
        acc[m][v] += a * x[v];
      }
    }
  }
  for (int v = 0; v < NV; ++v) {
    if (vd[v] >= 0) {
      T* dst = d.out0 + vd[v];
      for (int m = 0; m < MR; ++m) {
        *reinterpret_cast<VU*>(dst + m * d.plane) = acc[m][v];
      }
      continue;
    }
    // Lane by lane: flat position q = row·rs + col is an output when col < out_w.
    alignas(64) T tmp[MR][L];
    for (int m = 0; m < MR; ++m) {
      *reinterpret_cast<VU*>(tmp[m]) = acc[m][v];
    }
    int64_t r = vq[v] / d.rs, c = vq[v] - r * d.rs;
    const int lanes = static_cast<int>(std::min<int64_t>(L, d.q_end - vq[v]));
    for (int i = 0; i < lanes; ++i) {
      if (c < d.out_w) {
        T* dst = d.out0 + r * d.out_w + c;
        for (int m = 0; m < MR; ++m) {
          dst[m * d.plane] = tmp[m][i];
        }
      }
      if (++c == d.rs) {
        c = 0;
        ++r;
      }
    }
  }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
}

// Tiles of NV vectors of one block of MR output channels, over vectors [v0, v1) of the band's
// list; a last short tile repeats its last vector (it stores the same values twice).
template <class T, int L, int REGS, int MR>
[[gnu::always_inline]] inline void run_block(const T* buf, const int64_t* vq, const int64_t* vd,
                                             int64_t v0, int64_t v1, const int64_t* off,
                                             int64_t k_total, const T* w, const T* bias,
                                             const TileDest<T>& d) {
  constexpr int NV = nv_for(MR, REGS);
  for (int64_t t = v0; t < v1; t += NV) {
    if (t + NV <= v1) {
      bool contiguous = true;
      for (int v = 1; v < NV; ++v) {
        contiguous = contiguous && vq[t + v] == vq[t] + v * L;
      }
      if (contiguous) {
        micro_kernel<T, L, MR, NV, true>(buf, vq + t, vd + t, off, k_total, w, bias, d);
      } else {
        micro_kernel<T, L, MR, NV, false>(buf, vq + t, vd + t, off, k_total, w, bias, d);
      }
      continue;
    }
    int64_t q[NV], dst[NV];
    for (int v = 0; v < NV; ++v) {
      const int64_t i = std::min<int64_t>(t + v, v1 - 1);
      q[v] = vq[i];
      dst[v] = vd[i];
    }
    micro_kernel<T, L, MR, NV, false>(buf, q, dst, off, k_total, w, bias, d);
  }
}

template <class T>
std::vector<T>& scratch() {
  thread_local std::vector<T> buffer;
  return buffer;
}

// The band's output vectors (flat positions vq, plane offsets vd). Two ways to cover a band:
//   rows: ⌈out_w / L⌉ vectors per row, the last one shifted left to end at the row's end (it
//         recomputes a few outputs), all stored whole;
//   flat: one vector every L positions over the whole band, garbage columns included, a vector
//         that crosses a row end stored lane by lane.
// Rows wins for out_w = 112 (ResNet's stem: 7 vectors, no waste), flat for out_w = 56 (3.6
// vectors of work instead of 4); the estimate counts a lane-by-lane store as 2L/k_total vectors.
template <int L>
void band_vectors(int64_t bh, int64_t out_w, int64_t rs, int64_t k_total, std::vector<int64_t>& vq,
                  std::vector<int64_t>& vd) {
  vq.clear();
  vd.clear();
  const double row_cost = static_cast<double>((out_w + L - 1) / L);
  const double flat_cost =
      static_cast<double>(rs) / L + (rs % L != 0 ? 2.0 * L / static_cast<double>(k_total) : 0.0);
  if (out_w >= L && row_cost <= flat_cost) {
    for (int64_t r = 0; r < bh; ++r) {
      for (int64_t x = 0; x < out_w; x += L) {
        const int64_t col = std::min<int64_t>(x, out_w - L);
        vq.push_back(r * rs + col);
        vd.push_back(r * out_w + col);
      }
    }
    return;
  }
  const int64_t q_end = (bh - 1) * rs + out_w;
  for (int64_t q = 0; q < q_end; q += L) {
    const int64_t r = q / rs, col = q - r * rs;
    vq.push_back(q);
    vd.push_back(col + L <= out_w ? r * out_w + col : -1);
  }
}

// One task: (n, group, band) => all output channels of the group over the band's rows.
template <class T, int L, int REGS>
[[gnu::always_inline]] inline void run_task(const Plan<T>& p, int64_t task) {
  const ConvGeometry& g = *p.g;
  const int64_t band = task % p.bands;
  const int64_t group = (task / p.bands) % g.groups;
  const int64_t n = task / (p.bands * g.groups);
  const int64_t oy0 = band * p.band_h;
  const int64_t bh = std::min(p.band_h, g.out_h - oy0);

  std::vector<T>& buffer = scratch<T>();
  if (static_cast<int64_t>(buffer.size()) < p.buffer_size) {
    buffer.resize(static_cast<std::size_t>(p.buffer_size));
  }
  T* buf = buffer.data();
  p.pack.pack(g, p.input + g.input_index(n, group * g.c_in_per_group, 0, 0), oy0,
              bh + RowPack::band_extra_rows(g), buf);
  std::fill(buf + p.pack.size(g), buf + p.buffer_size, T(0));

  thread_local std::vector<int64_t> vq, vd;
  band_vectors<L>(bh, g.out_w, p.pack.row_len, p.k_total, vq, vd);
  const auto vectors = static_cast<int64_t>(vq.size());

  const int64_t c_out_per_group = g.c_out_per_group;
  for (int64_t v0 = 0; v0 < vectors; v0 += kChunkVectors) {
    const int64_t v1 = std::min(v0 + kChunkVectors, vectors);
    for (int64_t b = 0; b < p.blocks; ++b) {
      const int64_t oc0 = group * c_out_per_group + b * p.mr;
      const int m_count = static_cast<int>(std::min<int64_t>(p.mr, c_out_per_group - b * p.mr));
      const TileDest<T> d{p.output + g.output_index(n, oc0, oy0, 0), g.out_h * g.out_w,
                          p.pack.row_len, g.out_w, (bh - 1) * p.pack.row_len + g.out_w};
      block_ladder<max_mr(REGS)>(m_count, [&](auto mr) {
        run_block<T, L, REGS, decltype(mr)::value>(
            buf, vq.data(), vd.data(), v0, v1, p.offsets.data(), p.k_total,
            p.wpack.data() + oc0 * p.k_total, p.bias.data() + oc0, d);
      });
    }
  }
}

template <class T>
void run(const ConvGeometry& g, const T* input, const T* weight, const T* bias, T* output,
         int threads) {
  if (g.outputs() <= 0) return;
  const int isa = active_isa();
  const int regs = isa_vector_registers(isa);
  if (g.outputs() * g.c_in_per_group * g.k_h * g.k_w < kSerialMacs) threads = 1;
  // More threads than cores only adds waiting (8 threads on this 2-core machine ran 2.5× slower
  // than 2); the result does not depend on the thread count.
  if (const unsigned hw = std::thread::hardware_concurrency(); hw > 0) {
    threads = std::min(threads, static_cast<int>(hw));
  }
  threads = std::max(threads, 1);
  const Plan<T> plan = make_plan(g, input, weight, bias, output, threads, regs);

  run_tasks(plan.tasks, threads, [&](int64_t task) {
    with_isa(isa, [&](auto isa_tag) {
      using I = decltype(isa_tag);
      run_task<T, I::vector_bytes / static_cast<int>(sizeof(T)), I::registers>(plan, task);
    });
  });
}

}  // namespace

void conv2d_fast(const ConvGeometry& g, const float* input, const float* weight, const float* bias,
                 float* output, int threads) {
  run(g, input, weight, bias, output, threads);
}

void conv2d_fast(const ConvGeometry& g, const double* input, const double* weight,
                 const double* bias, double* output, int threads) {
  run(g, input, weight, bias, output, threads);
}

const char* conv2d_fast_isa() {
  return isa_name(active_isa());
}

int conv2d_fast_limit_isa(int level) {
  return limit_isa(level);
}

}  // namespace cs::detail
