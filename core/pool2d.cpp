// Max and average pooling, computed by one window routine that both pool2d() and the trace
// call, so the trace's value is the output's value by construction. Mirrors PyTorch 1.13's CPU
// kernels: max ignores padding (NaN wins), avg divides as count_include_pad says.
#include "pool2d.hpp"

#include <cassert>
#include <cmath>
#include <limits>

#include "limits.hpp"
#include "parallel.hpp"
#include "thread_pool.hpp"

namespace cs {

namespace {

// One output of plane `x` [in_h, in_w]; fills `detail` when given.
template <class T>
T pool_window(const PoolGeometry& g, const T* x, int64_t oy, int64_t ox, PoolWindow* detail) {
  const int64_t y0 = g.window_origin_y(oy), x0 = g.window_origin_x(ox);
  if (detail) {
    detail->origin_y = y0;
    detail->origin_x = x0;
    detail->taps.clear();
    detail->taps.reserve(static_cast<std::size_t>(g.k_h * g.k_w));
  }
  if (g.op == PoolOp::max) {
    T best = -std::numeric_limits<T>::infinity();
    int64_t best_tap = -1, best_y = -1, best_x = -1;
    for (int64_t ky = 0; ky < g.k_h; ++ky)
      for (int64_t kx = 0; kx < g.k_w; ++kx) {
        const int64_t iy = g.input_y(oy, ky), ix = g.input_x(ox, kx);
        const bool in = g.inside(iy, ix);
        const T v = in ? x[iy * g.in_w + ix] : T(0);
        if (detail) detail->taps.push_back({ky, kx, iy, ix, !in, static_cast<double>(v)});
        if (!in) continue;
        // PyTorch: the index starts at the first cell inside the input; a strictly larger
        // value or any NaN replaces it.
        if (best_tap < 0 || v > best || std::isnan(v)) {
          best = v;
          best_tap = ky * g.k_w + kx;
          best_y = iy;
          best_x = ix;
        }
      }
    if (detail) {
      detail->argmax_tap = best_tap;
      detail->argmax_y = best_y;
      detail->argmax_x = best_x;
      detail->value = static_cast<double>(best);
    }
    return best;
  }
  // Average: PyTorch's window bounds. The divisor with count_include_pad counts the part of the
  // window inside the padded input (not beyond it, which ceil_mode can reach).
  const int64_t hend_pad = std::min<int64_t>(y0 + g.k_h, g.in_h + g.pad.bottom);
  const int64_t wend_pad = std::min<int64_t>(x0 + g.k_w, g.in_w + g.pad.right);
  const int64_t pool_size = (hend_pad - y0) * (wend_pad - x0);
  const int64_t hs = std::max<int64_t>(y0, 0), ws = std::max<int64_t>(x0, 0);
  const int64_t he = std::min<int64_t>(hend_pad, g.in_h), we = std::min<int64_t>(wend_pad, g.in_w);
  T sum = 0;
  for (int64_t ky = 0; ky < g.k_h; ++ky)
    for (int64_t kx = 0; kx < g.k_w; ++kx) {
      const int64_t iy = g.input_y(oy, ky), ix = g.input_x(ox, kx);  // avg: dilation 1
      const bool in = g.inside(iy, ix);
      const T v = in ? x[iy * g.in_w + ix] : T(0);
      if (detail) detail->taps.push_back({ky, kx, iy, ix, !in, static_cast<double>(v)});
      if (in) sum = sum + v;
    }
  int64_t divisor = g.count_include_pad ? pool_size : (he - hs) * (we - ws);
  const T value = (he <= hs || we <= ws || divisor <= 0) ? T(0) : T(sum / static_cast<T>(divisor));
  if (detail) {
    detail->sum = static_cast<double>(sum);
    detail->divisor = divisor;
    detail->value = static_cast<double>(value);
  }
  return value;
}

// [N, C, H, W] => [N, C, OH, OW]
template <class T>
void pool_planes(const PoolGeometry& g, const T* in, T* out) {
  const int64_t planes = g.n * g.c_in;
  detail::run_tasks(planes, resolve_threads(0), [&](int64_t plane) {
    // plane = n·C + c: the flat index of (0, plane, oy, ox) is (n, c, oy, ox)'s.
    const T* x = in + g.input_index(0, plane, 0, 0);
    for (int64_t oy = 0; oy < g.out_h; ++oy)
      for (int64_t ox = 0; ox < g.out_w; ++ox)
        out[g.output_index(0, plane, oy, ox)] = pool_window(g, x, oy, ox, nullptr);
  });
}

struct Prepared {
  PoolGeometry geo;
  Tensor input;  // NCHW
  Tensor output;
};

// The geometry, checked with what the call will hold and compute (core/limits.hpp) before
// anything is allocated; `trace` for pool2d_trace.
Result<Prepared> prepare(const Tensor& input, const Pool2dParams& params, bool trace) {
  auto geo = pool2d_geometry_for(input.shape(), params);
  if (!geo) return geo.error();
  const OpCost cost = trace ? pool2d_trace_cost(*geo, input.dtype(), params.layout)
                            : pool2d_cost(*geo, input.dtype(), params.layout);
  if (auto st = check_cost(cost); !st) return st.error();
  Tensor x = params.layout == Layout::nhwc ? nhwc_to_nchw(input) : input;
  Tensor y(input.dtype(), {geo->n, geo->c_out, geo->out_h, geo->out_w});
  if (input.dtype() == DType::f32) {
    pool_planes(*geo, x.data<float>(), y.data<float>());
  } else {
    pool_planes(*geo, x.data<double>(), y.data<double>());
  }
  return Prepared{*geo, std::move(x), std::move(y)};
}

}  // namespace

Result<Tensor> pool2d(const Tensor& input, const Pool2dParams& params) {
  auto p = prepare(input, params, false);
  if (!p) return p.error();
  return params.layout == Layout::nhwc ? nchw_to_nhwc(p->output) : std::move(p->output);
}

Result<PoolTrace> pool2d_trace(const Tensor& input, const Pool2dParams& params) {
  auto p = prepare(input, params, true);
  if (!p) return p.error();
  PoolTrace t;
  t.m_geo = p->geo;
  t.m_params = params;
  t.m_input = std::move(p->input);
  t.m_output = std::move(p->output);
  return t;
}

Tensor PoolTrace::output_in_layout() const {
  return m_params.layout == Layout::nhwc ? nchw_to_nhwc(m_output) : m_output;
}

int64_t PoolTrace::window_index(int64_t n, int64_t oc, int64_t oy, int64_t ox) const {
  return m_geo.output_index(n, oc, oy, ox);
}

PoolWindow PoolTrace::window(int64_t index) const {
  assert(index >= 0 && index < window_count());
  const PoolGeometry& g = m_geo;
  PoolWindow w;
  w.ox = index % g.out_w;
  w.oy = (index / g.out_w) % g.out_h;
  w.oc = (index / (g.out_w * g.out_h)) % g.c_out;
  w.n = index / (g.out_w * g.out_h * g.c_out);
  const int64_t plane = g.input_index(w.n, w.oc, 0, 0);
  if (m_input.dtype() == DType::f32) {
    pool_window(g, m_input.data<float>() + plane, w.oy, w.ox, &w);
  } else {
    pool_window(g, m_input.data<double>() + plane, w.oy, w.ox, &w);
  }
  return w;
}

}  // namespace cs
