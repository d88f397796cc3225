// The trace of conv2d: its kernel, which records every window's per-channel partial sums while
// computing the output bit for bit like the reference loop (vectorized, with streaming stores),
// and ConvTrace's accessors, which replay any tap on demand in the engine's order and dtype.
// Must not depend on GL, GLFW or ImGui.
#include "conv2d_trace.hpp"

#include <immintrin.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <vector>

#include "conv2d.hpp"
#include "row_pack.hpp"
#include "simd.hpp"
#include "thread_pool.hpp"

namespace cs {
namespace detail {
namespace {

// The trace's kernel. For each output row and group it gathers the padded input rows the row's
// windows read into a small buffer with row_pack.hpp's packer (the fast path's, in its taps
// layout: padding applied, columns de-interleaved by stride_w so that every tap reads
// consecutive elements), then computes blocks of up to kOcBlock filters with
// their running sums in vector registers. Each lane is one output, summed exactly as
// reference_loop sums it: per channel tap by tap in (ky, kx) order with a separate multiply and
// add (fp-contract is off project-wide, so no fused multiply-add), then the channel partials
// from 0, then the bias.

// Filters computed together (each input load feeds all of them).
constexpr int kOcBlock = 4;

// What the vector loops read of the packed rows' layout (RowPack::taps, made once per call and
// shared by the tasks), copied into each task.
// NOTE: the vector stores are may_alias, so the compiler must assume they may overwrite the fields
// of an object other threads can see, and reloads them in the hot loops (1080p 3 -> 3: 9 %
// slower); a task's own copy stays in registers.
struct PackedTaps {
  int64_t channel_stride;
  const int64_t* offset;  // [k_h·k_w]: tap (ky, kx) of output ox of channel icg is at
                          // icg·channel_stride + offset[ky·k_w + kx] + ox
};

// Where partial sum icg of output (n, oc, oy, ox) is kept: partials are
// [N, C_out, OH, C_in/g, partial_row] (a window's partials side by side, rows padded past OW).
int64_t partial_index(const ConvGeometry& g, int64_t partial_row, int64_t n, int64_t oc, int64_t oy,
                      int64_t icg, int64_t ox) {
  return nchw_index(n, oc, oy, icg, g.c_out, g.out_h, g.c_in_per_group) * partial_row + ox;
}

// Streaming (non-temporal) stores on AVX-512 and AVX2: nothing reads the partial sums or the
// outputs again soon, and skipping the read-for-ownership of each cache line saves a third of
// the trace's memory traffic. The 64 (32) bytes at `src` go to `p`, aligned to as many. Taking a
// pointer, not a vector, keeps the call ABI-neutral for callers compiled without AVX-512 or AVX
// (clang insists).
__attribute__((target("avx512f"))) inline void stream_store(float* p, const float* src) {
  _mm512_stream_ps(p, _mm512_loadu_ps(src));
}
__attribute__((target("avx512f"))) inline void stream_store(double* p, const double* src) {
  _mm512_stream_pd(p, _mm512_loadu_pd(src));
}
__attribute__((target("avx"))) inline void stream_store_32(float* p, const float* src) {
  _mm256_stream_ps(p, _mm256_loadu_ps(src));
}
__attribute__((target("avx"))) inline void stream_store_32(double* p, const double* src) {
  _mm256_stream_pd(p, _mm256_loadu_pd(src));
}

// Stores one vector at `dst`, bypassing the cache when `stream` (64- and 32-byte vectors).
template <class T, int Bytes, class V>
[[gnu::always_inline]] inline void store_lanes(T* dst, const V& v, [[maybe_unused]] bool stream) {
  if constexpr (Bytes == 64) {
    if (stream) {
      stream_store(dst, reinterpret_cast<const T*>(&v));
      return;
    }
  } else if constexpr (Bytes == 32) {
    if (stream) {
      stream_store_32(dst, reinterpret_cast<const T*>(&v));
      return;
    }
  }
  *reinterpret_cast<V*>(dst) = v;
}

// Where one block of B filters of one group writes, and what it reads.
template <class T, int B>
struct Block {
  const T* kern[B];  // filter j's C_in/g·KH·KW weights
  T bias[B];
  bool has_bias = false;
  T* p[B];    // filter j's channel-0 partial row; channel c at p[j] + c·p_stride
  T* out[B];  // filter j's output row
  int64_t p_stride = 0;
  bool stream_p = false;    // every partial row 64-byte aligned: stream full vectors there
  bool stream_out = false;  // the same for the output rows
};

// Outputs ox, ox + Bytes/sizeof(T), ... of the row while a whole vector fits in it; returns the
// first output not done. Ragged: exactly one vector that runs past out_w into the padding of
// the partial rows (ConvTrace's m_partial_row): its extra lanes read the row buffer's slack and
// write only that padding, and just the outputs below out_w are stored.
template <class T, int Bytes, int B, bool Ragged = false, int NV = 1>
[[gnu::always_inline]] inline int64_t trace_lanes(const ConvGeometry& g, const PackedTaps& pt,
                                                  const T* buf, const Block<T, B>& blk,
                                                  int64_t ox) {
  // Vectors of T (Bytes wide) that may sit at any T-aligned address and alias T.
  typedef T V __attribute__((vector_size(Bytes), aligned(sizeof(T)), may_alias));
  constexpr int64_t lanes = Bytes / sizeof(T);
  const int64_t taps = g.k_h * g.k_w, c_in_per_group = g.c_in_per_group;
  const int64_t* off = pt.offset;
  static_assert(NV == 1 || !Ragged);
  for (; Ragged ? ox < g.out_w : ox + NV * lanes <= g.out_w; ox += NV * lanes) {
    V acc[B][NV] = {};
    for (int64_t icg = 0; icg < c_in_per_group; ++icg) {
      const T* row = buf + icg * pt.channel_stride + ox;
      const int64_t k0 = icg * taps;
      V a[B][NV] = {};
      for (int64_t t = 0; t < taps; ++t) {
        V x[NV];
        for (int v = 0; v < NV; ++v)
          x[v] = *reinterpret_cast<const V*>(row + off[t] + v * lanes);
        for (int j = 0; j < B; ++j) {
          const T wt = blk.kern[j][k0 + t];
          for (int v = 0; v < NV; ++v) {
            const V prod = x[v] * wt;
            a[j][v] = a[j][v] + prod;
          }
        }
      }
      for (int j = 0; j < B; ++j)
        for (int v = 0; v < NV; ++v) {
          store_lanes<T, Bytes>(blk.p[j] + icg * blk.p_stride + ox + v * lanes, a[j][v],
                                blk.stream_p);
          acc[j][v] = acc[j][v] + a[j][v];
        }
    }
    for (int j = 0; j < B; ++j)
      for (int v = 0; v < NV; ++v) {
        if (blk.has_bias) acc[j][v] = acc[j][v] + blk.bias[j];
        if constexpr (Ragged) {
          T lane[lanes];
          *reinterpret_cast<V*>(lane) = acc[j][v];
          std::copy(lane, lane + (g.out_w - ox), blk.out[j] + ox);
        } else {
          store_lanes<T, Bytes>(blk.out[j] + ox + v * lanes, acc[j][v], blk.stream_out);
        }
      }
    if constexpr (Ragged) return g.out_w;
  }
  return ox;
}

// One output row of a block: full vectors, then half and quarter vectors, then single outputs.
// With padded, streamed partial rows the last vector runs into the padding instead.
template <class T, int Bytes, int B>
[[gnu::always_inline]] inline void trace_row(const ConvGeometry& g, const PackedTaps& pt,
                                             const T* buf, const Block<T, B>& blk,
                                             int64_t partial_row) {
  constexpr int64_t lanes = Bytes / sizeof(T);
  int64_t ox = 0;
  // Two vectors per step (AVX-512 and AVX2): each weight broadcast feeds two multiplies, and
  // with AVX2 each streamed 64-byte line is written whole by one step (1080p 3 → 16 with AVX2:
  // 33.6 → 16.9 ms, streaming included).
  if constexpr (Bytes >= 32) ox = trace_lanes<T, Bytes, B, false, 2>(g, pt, buf, blk, ox);
  ox = trace_lanes<T, Bytes, B>(g, pt, buf, blk, ox);
  if (blk.stream_p && ox < g.out_w && ox + lanes <= partial_row) {
    ox = trace_lanes<T, Bytes, B, true>(g, pt, buf, blk, ox);
  }
  if constexpr (Bytes >= 32) ox = trace_lanes<T, Bytes / 2, B>(g, pt, buf, blk, ox);
  if constexpr (Bytes >= 64) ox = trace_lanes<T, Bytes / 4, B>(g, pt, buf, blk, ox);
  const int64_t taps = g.k_h * g.k_w;
  for (; ox < g.out_w; ++ox) {
    for (int j = 0; j < B; ++j) {
      T acc = 0;
      for (int64_t icg = 0; icg < g.c_in_per_group; ++icg) {
        const T* row = buf + icg * pt.channel_stride + ox;
        T a = 0;
        for (int64_t t = 0; t < taps; ++t) {
          const T prod = row[pt.offset[t]] * blk.kern[j][icg * taps + t];
          a = a + prod;
        }
        blk.p[j][icg * blk.p_stride + ox] = a;
        acc = acc + a;
      }
      blk.out[j][ox] = blk.has_bias ? T(acc + blk.bias[j]) : acc;
    }
  }
}

// Filters oc0 .. oc0 + B - 1 (one group) for output row oy of batch n. Partial rows are
// `partial_row` elements apart (out_w, or out_w padded to 64 bytes).
template <class T, int Bytes, int B>
[[gnu::always_inline]] inline void trace_block(const ConvGeometry& g, const PackedTaps& pt,
                                               const T* buf, const T* w, const T* b, T* partials,
                                               int64_t partial_row, T* out, int64_t n, int64_t oy,
                                               int64_t oc0) {
  const auto aligned = [](const T* q) { return reinterpret_cast<uintptr_t>(q) % 64 == 0; };
  Block<T, B> blk;
  blk.has_bias = b != nullptr;
  blk.p_stride = partial_row;
  blk.stream_p = Bytes >= 32 && (blk.p_stride * static_cast<int64_t>(sizeof(T))) % 64 == 0;
  blk.stream_out = Bytes >= 32;
  for (int j = 0; j < B; ++j) {
    const int64_t oc = oc0 + j;
    blk.kern[j] = w + g.weight_index(oc, 0, 0, 0);
    blk.bias[j] = b ? b[oc] : T(0);
    blk.p[j] = partials + partial_index(g, partial_row, n, oc, oy, 0, 0);
    blk.out[j] = out + g.output_index(n, oc, oy, 0);
    blk.stream_p = blk.stream_p && aligned(blk.p[j]);
    blk.stream_out = blk.stream_out && aligned(blk.out[j]);
  }
  trace_row<T, Bytes, B>(g, pt, buf, blk, partial_row);
}

// The trace's rows for row items [begin, end) (item = n·OH + oy).
// in: [N, C_in, H, W]; partials: [N, C_out, OH, C_in/g, partial_row]; out: [N, C_out, OH, OW]
template <class T, int Bytes>
[[gnu::always_inline]] inline void trace_items(const ConvGeometry& g, const RowPack& rp,
                                               const T* in, const T* w, const T* b, T* partials,
                                               int64_t partial_row, T* out, int64_t begin,
                                               int64_t end) {
  const PackedTaps pt{rp.channel_stride, rp.tap_offset.data()};
  // Slack past the last row for the lanes that run into padded partial rows.
  std::vector<T> buf(static_cast<std::size_t>(rp.size(g) + partial_row));
  for (int64_t item = begin; item < end; ++item) {
    const int64_t n = item / g.out_h, oy = item % g.out_h;
    for (int64_t group = 0; group < g.groups; ++group) {
      rp.pack(g, in + g.input_index(n, group * g.c_in_per_group, 0, 0), oy, 1, buf.data());
      const int64_t group_end = (group + 1) * g.c_out_per_group;
      for (int64_t oc0 = group * g.c_out_per_group; oc0 < group_end;) {
        const int m = static_cast<int>(std::min<int64_t>(kOcBlock, group_end - oc0));
        block_ladder<kOcBlock>(m, [&](auto block) {
          trace_block<T, Bytes, decltype(block)::value>(g, pt, buf.data(), w, b, partials,
                                                        partial_row, out, n, oy, oc0);
        });
        oc0 += m;
      }
    }
  }
}

// Copies `count` elements with streaming stores where the destination allows (AVX-512): the
// trace's own copy of the input is not read again during the trace.
template <class T>
__attribute__((target("avx512f"))) void copy_streaming(const T* src, T* dst, int64_t count) {
  constexpr int64_t lanes = 64 / sizeof(T);
  int64_t i = 0;
  for (; i < count && reinterpret_cast<uintptr_t>(dst + i) % 64 != 0; ++i)
    dst[i] = src[i];
  for (; i + lanes <= count; i += lanes)
    stream_store(dst + i, src + i);
  for (; i < count; ++i)
    dst[i] = src[i];
  _mm_sfence();
}

// The trace's computation: the output rows split over threads, and the copy of the input for the
// trace (into `in_copy`, when not null) in the same batch of tasks (the rows read `in`).
template <class T>
void trace_planes(const ConvGeometry& g, const T* in, T* in_copy, const T* w, const T* b,
                  T* partials, int64_t partial_row, T* out, int threads) {
  // The same instruction set as the fast path (tests cap it to run every kernel here).
  const int isa = active_isa();
  const RowPack rp = RowPack::taps(g);
  const int64_t rows = g.n * g.out_h;
  const int64_t chunk = std::max<int64_t>(1, rows / (4 * std::max(1, threads)));
  const int64_t row_tasks = (rows + chunk - 1) / chunk;
  const int64_t total = g.n * g.c_in * g.in_h * g.in_w;
  const int64_t pieces =
      in_copy ? std::min<int64_t>(2 * std::max(1, threads), total / 4096 + 1) : 0;
  const int64_t piece = pieces ? (total + pieces - 1) / pieces : 0;
  // Threads come from the fast path's persistent pool: starting threads per call cost more
  // than a small trace itself.
  run_tasks(row_tasks + pieces, threads, [&](int64_t task) {
    // Each level's loops round every multiply and add exactly as the scalar code does, so the
    // trace stays bit for bit whichever runs.
    with_isa(isa, [&](auto isa_tag) {
      using I = decltype(isa_tag);
      if (task >= row_tasks) {
        const int64_t from = (task - row_tasks) * piece;
        const int64_t count = std::min(total, from + piece) - from;
        if (count <= 0) return;
        if constexpr (I::level == isa_avx512) {
          copy_streaming(in + from, in_copy + from, count);
        } else {
          std::copy(in + from, in + from + count, in_copy + from);
        }
        return;
      }
      const int64_t begin = task * chunk, end = std::min(rows, begin + chunk);
      trace_items<T, I::vector_bytes>(g, rp, in, w, b, partials, partial_row, out, begin, end);
      // Order the streaming stores (AVX2, AVX-512) before the pool reports the task done.
      if constexpr (I::vector_bytes >= 32) _mm_sfence();
    });
  });
}

}  // namespace

void conv2d_trace_kernel(const ConvGeometry& g, const float* input, float* input_copy,
                         const float* weight, const float* bias, float* partials,
                         int64_t partial_row, float* output, int threads) {
  trace_planes(g, input, input_copy, weight, bias, partials, partial_row, output, threads);
}

void conv2d_trace_kernel(const ConvGeometry& g, const double* input, double* input_copy,
                         const double* weight, const double* bias, double* partials,
                         int64_t partial_row, double* output, int threads) {
  trace_planes(g, input, input_copy, weight, bias, partials, partial_row, output, threads);
}

}  // namespace detail

Tensor ConvTrace::output_in_layout() const {
  return m_params.layout == Layout::nhwc ? nchw_to_nhwc(m_output) : m_output;
}

int64_t ConvTrace::window_index(int64_t n, int64_t oc, int64_t oy, int64_t ox) const {
  return m_geo.output_index(n, oc, oy, ox);
}

double ConvTrace::partial(int64_t index, int64_t channel_in_group) const {
  const ConvGeometry& g = m_geo;
  const int64_t plane = g.out_h * g.out_w;
  const int64_t oy = (index % plane) / g.out_w, ox = index % g.out_w;
  // index / plane is n·C_out + oc: output channel n·C_out + oc of batch item 0.
  return m_partials.get(
      detail::partial_index(g, m_partial_row, 0, index / plane, oy, channel_in_group, ox));
}

Window ConvTrace::window(int64_t index) const {
  const ConvGeometry& g = m_geo;
  assert(index >= 0 && index < window_count());
  Window win;
  win.ox = index % g.out_w;
  win.oy = (index / g.out_w) % g.out_h;
  win.oc = (index / (g.out_w * g.out_h)) % g.c_out;
  win.n = index / (g.out_w * g.out_h * g.c_out);
  win.origin_y = g.window_origin_y(win.oy);
  win.origin_x = g.window_origin_x(win.ox);
  win.group = win.oc / g.c_out_per_group;
  win.ic_begin = win.group * g.c_in_per_group;
  win.partials.resize(static_cast<std::size_t>(g.c_in_per_group));
  for (int64_t i = 0; i < g.c_in_per_group; ++i) {
    win.partials[static_cast<std::size_t>(i)] = partial(index, i);
  }
  win.bias = m_bias ? m_bias->get(win.oc) : 0.0;
  win.value = m_output.get(index);
  return win;
}

double ConvTrace::padded_value(int64_t n, int64_t ic, int64_t iy, int64_t ix) const {
  const int64_t sy = pad_source_index(iy, m_geo.in_h, m_geo.padding_mode);
  const int64_t sx = pad_source_index(ix, m_geo.in_w, m_geo.padding_mode);
  if (sy < 0 || sx < 0) return 0.0;
  return m_input.get(m_geo.input_index(n, ic, sy, sx));
}

namespace {

// Replays the multiplies of channel icg (of the group) of window `win` in the engine's order and
// dtype, taps 0 .. last of the channel, and hands taps first .. last to `emit`. `acc` is the sum
// of the channel's predecessors' partials, summed in the dtype from 0 as the engine sums them.
template <class T, class Emit>
void replay_channel(const ConvTrace& t, const Window& win, int64_t icg, T acc, int64_t first,
                    int64_t last, Emit&& emit) {
  const ConvGeometry& g = t.geometry();
  const int64_t ic = win.ic_begin + icg;
  const T* plane = t.input().data<T>() + g.input_index(win.n, ic, 0, 0);
  const T* kern = t.weight().data<T>() + g.weight_index(win.oc, icg, 0, 0);
  T p = 0;
  for (int64_t i = 0; i <= last; ++i) {
    const int64_t ky = i / g.k_w, kx = i % g.k_w;
    const int64_t iy = g.input_y(win.oy, ky), ix = g.input_x(win.ox, kx);
    int64_t sy = -1, sx = -1;
    const T x = detail::read_padded(g, plane, iy, ix, &sy, &sx);
    const T w = kern[i];
    const T prod = x * w;
    p = p + prod;
    if (i < first) continue;
    Tap tap;
    tap.ic = ic;
    tap.ky = ky;
    tap.kx = kx;
    tap.iy = iy;
    tap.ix = ix;
    tap.in_padding = !g.inside(iy, ix);
    tap.src_y = sy;
    tap.src_x = sx;
    tap.x = x;
    tap.w = w;
    tap.product = prod;
    tap.channel_running = p;
    tap.running = static_cast<T>(acc + p);
    emit(tap);
  }
}

// The sum of partials 0 .. icg - 1 of `win`, in the dtype, from 0 (the engine's order).
template <class T>
T partials_before(const Window& win, int64_t icg) {
  T acc = 0;
  for (int64_t i = 0; i < icg; ++i)
    acc = acc + static_cast<T>(win.partials[static_cast<std::size_t>(i)]);
  return acc;
}

// One tap: its channel replayed up to it.
template <class T>
Tap replay_tap(const ConvTrace& t, int64_t index, int64_t tap_index) {
  const Window win = t.window(index);
  const int64_t per_channel = t.geometry().taps_per_channel();
  const int64_t icg = tap_index / per_channel, r = tap_index % per_channel;
  Tap tap;
  replay_channel<T>(t, win, icg, partials_before<T>(win, icg), r, r,
                    [&](const Tap& c) { tap = c; });
  return tap;
}

// Every tap of the window in one pass: each channel replayed once.
template <class T>
std::vector<Tap> replay_taps(const ConvTrace& t, const Window& win) {
  const int64_t per_channel = t.geometry().taps_per_channel();
  std::vector<Tap> taps;
  taps.reserve(static_cast<std::size_t>(t.taps_per_window()));
  T acc = 0;
  for (int64_t icg = 0; icg < t.geometry().c_in_per_group; ++icg) {
    replay_channel<T>(t, win, icg, acc, 0, per_channel - 1,
                      [&](const Tap& c) { taps.push_back(c); });
    acc = acc + static_cast<T>(win.partials[static_cast<std::size_t>(icg)]);
  }
  return taps;
}

}  // namespace

Tap ConvTrace::tap(int64_t index, int64_t tap_index) const {
  assert(tap_index >= 0 && tap_index < taps_per_window());
  return dtype() == DType::f32 ? replay_tap<float>(*this, index, tap_index)
                               : replay_tap<double>(*this, index, tap_index);
}

std::vector<Tap> ConvTrace::taps(const Window& window) const {
  return dtype() == DType::f32 ? replay_taps<float>(*this, window)
                               : replay_taps<double>(*this, window);
}

}  // namespace cs
