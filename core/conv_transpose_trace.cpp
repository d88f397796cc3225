// The transposed convolution's trace view (see conv_transpose_trace.hpp): the gather reading's
// windows and taps replayed in the engine's order and dtype, the scatter reading's stamps, and
// the explanation lines. Must not depend on GL, GLFW or ImGui.
#include "conv_transpose_trace.hpp"
#include "sentence.hpp"

#include <cassert>
#include <string>
#include <utility>

namespace cs {

namespace {

// The gather reading's kernel: [C_in, C_out/g, KH, KW] => [C_out, C_in/g, KH, KW], each kernel
// rotated 180°.
Tensor gather_kernel(const ConvTransposeGeometry& g, const Tensor& weight) {
  Tensor out = Tensor::uninitialized(weight.dtype(), {g.c_out, g.c_in_per_group, g.k_h, g.k_w});
  for (int64_t oc = 0; oc < g.c_out; ++oc) {
    const int64_t group = oc / g.c_out_per_group, ocg = oc % g.c_out_per_group;
    for (int64_t icg = 0; icg < g.c_in_per_group; ++icg)
      for (int64_t ky = 0; ky < g.k_h; ++ky)
        for (int64_t kx = 0; kx < g.k_w; ++kx) {
          const int64_t ic = group * g.c_in_per_group + icg;
          out.set(nchw_index(oc, icg, ky, kx, g.c_in_per_group, g.k_h, g.k_w),
                  weight.get(g.weight_index(ic, ocg, g.k_h - 1 - ky, g.k_w - 1 - kx)));
        }
  }
  return out;
}

using namespace sentence;

std::string pair_text(int64_t h, int64_t w) {
  return s(h) + "," + s(w);
}

// Output cell `index` (NCHW order) as (n, oc, oy, ox).
void unflatten(const TraceShape& sh, int64_t index, int64_t& n, int64_t& oc, int64_t& oy,
               int64_t& ox) {
  ox = index % sh.out_w;
  oy = (index / sh.out_w) % sh.out_h;
  oc = (index / (sh.out_w * sh.out_h)) % sh.c_out;
  n = index / (sh.out_w * sh.out_h * sh.c_out);
}

// One window's gather taps and partial sums, replayed in the dtype T: per input channel of the
// group p = 0, then for each tap of the rotated kernel (ky, kx row-major) p += x·w when the tap
// reads a real input cell (stuffed zeros and padding add nothing; NOTE: they are not multiplied,
// so an infinite weight there cannot make a NaN that PyTorch would not make).
template <class T>
std::vector<TraceTap> replay(const ConvTransposeTraceView& v, const TraceWindow& win,
                             std::vector<double>& partials) {
  const ConvTransposeGeometry& g = v.geometry();
  const TraceShape& sh = v.shape();
  const T* in = v.input().data<T>();
  const T* wk = v.weight()->data<T>();
  std::vector<TraceTap> taps;
  taps.reserve(static_cast<std::size_t>(sh.taps_per_window()));
  partials.assign(static_cast<std::size_t>(g.c_in_per_group), 0.0);
  T acc = 0;
  for (int64_t icg = 0; icg < g.c_in_per_group; ++icg) {
    const int64_t ic = win.ic_begin + icg;
    T p = 0;
    for (int64_t ky = 0; ky < g.k_h; ++ky)
      for (int64_t kx = 0; kx < g.k_w; ++kx) {
        TraceTap t;
        t.index = static_cast<int64_t>(taps.size());
        t.ic = ic;
        t.ky = ky;
        t.kx = kx;
        t.iy = win.origin_y + ky * sh.dilation_h;
        t.ix = win.origin_x + kx * sh.dilation_w;
        t.has_weight = true;
        const T w = wk[nchw_index(win.oc, icg, ky, kx, g.c_in_per_group, g.k_h, g.k_w)];
        t.w = w;
        t.source = v.in_padding(t.iy, t.ix) ? TapSource::padding
                   : sh.stuffed(t.iy, t.ix) ? TapSource::stuffed
                                            : TapSource::input;
        t.counted = t.source == TapSource::input;
        if (t.counted) {
          t.src_y = t.iy / sh.up_h;
          t.src_x = t.ix / sh.up_w;
          const T x = in[g.input_index(win.n, ic, t.src_y, t.src_x)];
          const T prod = x * w;
          p = p + prod;
          t.x = x;
          t.product = prod;
        }
        t.channel_running = p;
        t.running = static_cast<T>(acc + p);
        taps.push_back(t);
      }
    partials[static_cast<std::size_t>(icg)] = p;
    acc = acc + p;
  }
  return taps;
}

// "Scatter reading: 2 stamps land here from channel 0: input cells (0, 1), (1, 1) (y, x) with
// the layer's kernel taps (2, 0), (0, 0) (ky, kx); ...": one channel's window read as scatter,
// from its gather taps [first, first + count).
std::string scatter_note(const ConvTransposeGeometry& g, const std::vector<TraceTap>& taps,
                         int64_t first, int64_t count, int64_t channel) {
  std::string cells, kernel;
  int64_t found = 0;
  for (int64_t k = first; k < first + count; ++k) {
    const TraceTap& t = taps[static_cast<std::size_t>(k)];
    if (t.source != TapSource::input) continue;
    const std::string sep = found++ ? ", " : "";
    cells += sep + "(" + s(t.src_y) + ", " + s(t.src_x) + ")";
    kernel += sep + "(" + s(g.k_h - 1 - t.ky) + ", " + s(g.k_w - 1 - t.kx) + ")";
  }
  if (found == 0) {
    return "Scatter reading: no stamp from channel " + s(channel) +
           " lands here; every tap reads a stuffed zero or padding.";
  }
  return "Scatter reading: " + s(found) + (found == 1 ? " stamp lands" : " stamps land") +
         " here from channel " + s(channel) + ": input cells " + cells +
         " (y, x) with the layer's kernel taps " + kernel +
         " (ky, kx); stuffed zeros and padding add nothing.";
}

}  // namespace

ConvTransposeTraceView::ConvTransposeTraceView(const ConvTransposeGeometry& g,
                                               const ConvTranspose2dParams& params, Tensor input,
                                               Tensor weight, std::optional<Tensor> bias,
                                               Tensor output)
    : m_geo(g),
      m_params(params),
      m_input(std::move(input)),
      m_weight(std::move(weight)),
      m_output(std::move(output)),
      m_bias(std::move(bias)) {
  m_gather_weight = gather_kernel(g, m_weight);
  TraceShape& sh = m_shape;
  sh.n = g.n;
  sh.c_in = g.c_in;
  sh.c_out = g.c_out;
  sh.in_h = g.stuffed_h();
  sh.in_w = g.stuffed_w();
  sh.out_h = g.out_h;
  sh.out_w = g.out_w;
  sh.k_h = g.k_h;
  sh.k_w = g.k_w;
  sh.stride_h = sh.stride_w = 1;
  sh.dilation_h = g.dilation_h;
  sh.dilation_w = g.dilation_w;
  sh.pad = {static_cast<int>(g.gather_pad_top()), static_cast<int>(g.gather_pad_bottom()),
            static_cast<int>(g.gather_pad_left()), static_cast<int>(g.gather_pad_right())};
  sh.groups = g.groups;
  sh.c_in_per_group = g.c_in_per_group;
  sh.c_out_per_group = g.c_out_per_group;
  // From -pad.top the windows reach out_h + span − 1 rows (fewer than the stuffed input when a
  // negative gather padding crops it).
  sh.grid_h = g.out_h + sh.span_h() - 1;
  sh.grid_w = g.out_w + sh.span_w() - 1;
  sh.up_h = g.stride_h;
  sh.up_w = g.stride_w;
}

Tensor ConvTransposeTraceView::output_in_layout() const {
  return m_params.layout == Layout::nhwc ? nchw_to_nhwc(m_output) : m_output;
}

std::string ConvTransposeTraceView::formula() const {
  return conv_transpose2d_formula(m_geo);
}

std::string ConvTransposeTraceView::settings_line() const {
  const ConvTransposeGeometry& g = m_geo;
  const Pad4& p = m_shape.pad;
  return "Parameters: stride " + pair_text(g.stride_h, g.stride_w) + "  padding " +
         pair_text(g.pad_h, g.pad_w) + "  output_padding " +
         pair_text(g.output_padding_h, g.output_padding_w) + "  dilation " +
         pair_text(g.dilation_h, g.dilation_w) + "  groups " + s(g.groups) +
         "\nGather reading: the kernel rotated 180\xC2\xB0 slides with stride 1 over the input "
         "with " +
         pair_text(g.stride_h - 1, g.stride_w - 1) +
         " zeros stuffed between cells, padded by dilation\xC2\xB7(k \xE2\x88\x92 1) \xE2\x88\x92 "
         "padding (top " +
         s(p.top) + ", bottom " + s(p.bottom) + ", left " + s(p.left) + ", right " + s(p.right) +
         ", output_padding at the bottom/right)";
}

TraceWindow ConvTransposeTraceView::window(int64_t index) const {
  assert(index >= 0 && index < window_count());
  TraceWindow w;
  w.index = index;
  unflatten(m_shape, index, w.n, w.oc, w.oy, w.ox);
  w.origin_y = m_geo.window_origin_y(w.oy);
  w.origin_x = m_geo.window_origin_x(w.ox);
  w.group = w.oc / m_geo.c_out_per_group;
  w.ic_begin = w.group * m_geo.c_in_per_group;
  if (dtype() == DType::f32) {
    replay<float>(*this, w, w.partials);
  } else {
    replay<double>(*this, w, w.partials);
  }
  w.has_bias = m_bias.has_value();
  w.bias = m_bias ? m_bias->get(w.oc) : 0.0;
  w.value = m_output.get(index);
  return w;
}

std::vector<TraceTap> ConvTransposeTraceView::taps(int64_t window) const {
  const TraceWindow w = this->window(window);
  std::vector<double> partials;
  return dtype() == DType::f32 ? replay<float>(*this, w, partials)
                               : replay<double>(*this, w, partials);
}

// Per channel of the group: its products over the stuffed input, then a note reading the same
// sum as scatter; then partials + bias.
Explanation ConvTransposeTraceView::explain(int64_t window) const {
  const TraceWindow w = this->window(window);
  const std::vector<TraceTap> all = taps(window);
  const int64_t per_channel = m_shape.taps_per_channel();
  Explanation e;
  for (int64_t c = 0; c < m_shape.c_in_per_group; ++c) {
    e.lines.push_back(channel_sum_line(w, all, c, per_channel));
    ExplainLine note;
    note.text = scatter_note(m_geo, all, c * per_channel, per_channel, w.ic_begin + c);
    note.result = w.partials[static_cast<std::size_t>(c)];
    note.last_tap = (c + 1) * per_channel - 1;
    e.lines.push_back(std::move(note));
  }
  e.lines.push_back(total_line(w, taps_per_window()));
  return e;
}

double ConvTransposeTraceView::padded_value(int64_t n, int64_t ic, int64_t iy, int64_t ix) const {
  if (in_padding(iy, ix) || m_shape.stuffed(iy, ix)) return 0.0;
  return m_input.get(m_geo.input_index(n, ic, iy / m_shape.up_h, ix / m_shape.up_w));
}

namespace {

template <class T>
std::vector<TraceStamp> stamps_of(const ConvTransposeGeometry& g, const Tensor& input,
                                  const Tensor& weight, int64_t n, int64_t ic, int64_t iy,
                                  int64_t ix) {
  const T x = input.data<T>()[g.input_index(n, ic, iy, ix)];
  const T* wk = weight.data<T>();
  const int64_t group = ic / g.c_in_per_group;
  std::vector<TraceStamp> out;
  out.reserve(static_cast<std::size_t>(g.c_out_per_group * g.k_h * g.k_w));
  for (int64_t ocg = 0; ocg < g.c_out_per_group; ++ocg)
    for (int64_t ky = 0; ky < g.k_h; ++ky)
      for (int64_t kx = 0; kx < g.k_w; ++kx) {
        TraceStamp st;
        st.oc = group * g.c_out_per_group + ocg;
        st.ky = ky;
        st.kx = kx;
        st.oy = g.output_y(iy, ky);
        st.ox = g.output_x(ix, kx);
        st.inside = g.inside_output(st.oy, st.ox);
        const T w = wk[g.weight_index(ic, ocg, ky, kx)];
        const T amount = x * w;
        st.x = x;
        st.w = w;
        st.amount = amount;
        out.push_back(st);
      }
  return out;
}

}  // namespace

std::vector<TraceStamp> ConvTransposeTraceView::stamps(int64_t n, int64_t ic, int64_t iy,
                                                       int64_t ix) const {
  assert(n >= 0 && n < m_geo.n && ic >= 0 && ic < m_geo.c_in && iy >= 0 && iy < m_geo.in_h &&
         ix >= 0 && ix < m_geo.in_w);
  return dtype() == DType::f32 ? stamps_of<float>(m_geo, m_input, m_weight, n, ic, iy, ix)
                               : stamps_of<double>(m_geo, m_input, m_weight, n, ic, iy, ix);
}

Result<TraceViewPtr> trace_conv_transpose2d(const Tensor& input, const Tensor& weight,
                                            const Tensor* bias,
                                            const ConvTranspose2dParams& params) {
  auto out = conv_transpose2d(input, weight, bias, params);
  if (!out) return out.error();
  // conv_transpose2d validated the operands; the geometry cannot fail now.
  auto g = conv_transpose2d_geometry_for(input.shape(), weight.shape(), bias ? bias->dim(0) : -1,
                                         params);
  if (!g) return g.error();
  const bool nhwc = params.layout == Layout::nhwc;
  std::optional<Tensor> b;
  if (bias) b = *bias;
  return TraceViewPtr(std::make_shared<ConvTransposeTraceView>(
      *g, params, nhwc ? nhwc_to_nchw(input) : input,
      nhwc ? keras_to_torch_transpose_kernel(weight) : weight, std::move(b),
      nhwc ? nhwc_to_nchw(*out) : std::move(*out)));
}

}  // namespace cs
