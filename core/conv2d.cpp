// conv2d's public entry points: validation and layout handling around the fast path
// (conv2d_fast.cpp) and the trace's kernel (conv2d_trace.cpp), the reference loop, and
// flip_kernel. The reference and the trace sum in one documented order (see ConvTrace in
// conv2d.hpp), so a stepper can replay every multiply and land exactly on the value.
#include "conv2d.hpp"
#include "operands.hpp"

#include "conv2d_fast.hpp"
#include "conv2d_trace.hpp"
#include "limits.hpp"
#include "parallel.hpp"

namespace cs {

Status check_conv2d_operands(const Tensor& input, const Tensor& weight, const Tensor* bias) {
  if (weight.dtype() != input.dtype()) {
    return make_error(std::string("the weight is ") + dtype_name(weight.dtype()) +
                          " but the input is " + dtype_name(input.dtype()) +
                          "; PyTorch needs them to match: save both as float32 (or both as "
                          "float64)",
                      "kernel");
  }
  if (bias && bias->dtype() != input.dtype()) {
    return make_error(std::string("the bias is ") + dtype_name(bias->dtype()) +
                          " but the input is " + dtype_name(input.dtype()) +
                          "; save them with the same dtype",
                      "bias");
  }
  if (bias && bias->ndim() != 1) {
    return make_error("the bias must be a 1-D array with one value per output channel; got shape " +
                          shape_to_string(bias->shape()),
                      "bias");
  }
  return ok();
}

namespace {

using Canonical = CanonicalOperands<ConvGeometry>;

// What the call will hold and compute is checked (core/limits.hpp) before anything is allocated:
// `trace` for conv2d_trace, else the fast path on `threads` threads.
Result<Canonical> canonicalise(const Tensor& input, const Tensor& weight, const Tensor* bias,
                               const Conv2dParams& params, bool trace, int threads) {
  if (auto st = check_conv2d_operands(input, weight, bias); !st) return st.error();
  auto geo = conv2d_geometry_for(input.shape(), weight.shape(), bias ? bias->dim(0) : -1, params);
  if (!geo) return geo.error();
  const OpCost cost = trace ? conv2d_trace_cost(*geo, input.dtype(), params.layout)
                            : conv2d_cost(*geo, input.dtype(), params.layout, threads);
  if (auto st = check_cost(cost); !st) return st.error();
  return Canonical::make(*geo, input, weight, params.layout, hwio_to_oihw);
}

// [N, C_in, H, W] * [C_out, C_in/g, KH, KW] (+ [C_out]) => [N, C_out, OH, OW]
// One plain loop per output in the trace's order: per channel p = Σ x·w (ky, then kx), then the
// channel partials summed from 0, then + bias.
template <class T>
void reference_loop(const ConvGeometry& g, const T* in, const T* w, const T* b, T* out) {
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t oc = 0; oc < g.c_out; ++oc) {
      const int64_t group = oc / g.c_out_per_group;
      for (int64_t oy = 0; oy < g.out_h; ++oy)
        for (int64_t ox = 0; ox < g.out_w; ++ox) {
          T acc = 0;
          for (int64_t icg = 0; icg < g.c_in_per_group; ++icg) {
            const int64_t ic = group * g.c_in_per_group + icg;
            const T* plane = in + g.input_index(n, ic, 0, 0);
            T p = 0;
            for (int64_t ky = 0; ky < g.k_h; ++ky)
              for (int64_t kx = 0; kx < g.k_w; ++kx) {
                const T x = detail::read_padded(g, plane, g.input_y(oy, ky), g.input_x(ox, kx),
                                                nullptr, nullptr);
                const T prod = x * w[g.weight_index(oc, icg, ky, kx)];
                p = p + prod;
              }
            acc = acc + p;
          }
          out[g.output_index(n, oc, oy, ox)] = b ? T(acc + b[oc]) : acc;
        }
    }
}

template <class T>
const T* bias_ptr(const Tensor* bias) {
  return bias ? bias->data<T>() : nullptr;
}

Tensor to_layout(Tensor nchw, Layout layout) {
  return layout == Layout::nhwc ? nchw_to_nhwc(nchw) : nchw;
}

}  // namespace

Status conv2d_into(const Tensor& input, const Tensor& weight, const Tensor* bias,
                   const Conv2dParams& params, Tensor& out, const ExecOptions& exec) {
  const int threads = resolve_threads(exec.threads);
  auto c = canonicalise(input, weight, bias, params, false, threads);
  if (!c) return c.error();
  const ConvGeometry& g = c->geo;
  const Shape shape{g.n, g.c_out, g.out_h, g.out_w};
  const bool nhwc = params.layout == Layout::nhwc;
  // NOTE: reusing the caller's buffer avoids faulting in fresh pages on every call, which costs
  // more than the convolution itself for a 1080p photo.
  Tensor fresh;
  Tensor& dst = (!nhwc && out.dtype() == input.dtype() && out.shape() == shape)
                    ? out
                    : (fresh = Tensor::uninitialized(input.dtype(), shape));
  if (input.dtype() == DType::f32) {
    detail::conv2d_fast(g, c->input().data<float>(), c->weight().data<float>(),
                        bias_ptr<float>(bias), dst.data<float>(), threads);
  } else {
    detail::conv2d_fast(g, c->input().data<double>(), c->weight().data<double>(),
                        bias_ptr<double>(bias), dst.data<double>(), threads);
  }
  if (nhwc) {
    out = nchw_to_nhwc(dst);
  } else if (&dst != &out) {
    out = std::move(dst);
  }
  return ok();
}

Result<Tensor> conv2d(const Tensor& input, const Tensor& weight, const Tensor* bias,
                      const Conv2dParams& params, const ExecOptions& exec) {
  Tensor out;
  if (auto st = conv2d_into(input, weight, bias, params, out, exec); !st) return st.error();
  return out;
}

Result<Tensor> conv2d_reference(const Tensor& input, const Tensor& weight, const Tensor* bias,
                                const Conv2dParams& params) {
  auto c = canonicalise(input, weight, bias, params, false, 1);
  if (!c) return c.error();
  const ConvGeometry& g = c->geo;
  Tensor out(input.dtype(), {g.n, g.c_out, g.out_h, g.out_w});
  if (input.dtype() == DType::f32) {
    reference_loop(g, c->input().data<float>(), c->weight().data<float>(), bias_ptr<float>(bias),
                   out.data<float>());
  } else {
    reference_loop(g, c->input().data<double>(), c->weight().data<double>(), bias_ptr<double>(bias),
                   out.data<double>());
  }
  return to_layout(std::move(out), params.layout);
}

Tensor flip_kernel(const Tensor& weight, Layout layout) {
  Tensor out = weight;
  const int nd = weight.ndim();
  if (nd < 2) return out;
  // Axes that hold KH and KW: the last two, or the first two for HWIO.
  const bool hwio = nd == 4 && layout == Layout::nhwc;
  const int ah = hwio ? 0 : nd - 2, aw = hwio ? 1 : nd - 1;
  std::vector<int64_t> stride(static_cast<std::size_t>(nd), 1);
  for (int i = nd - 2; i >= 0; --i)
    stride[i] = stride[i + 1] * weight.dim(i + 1);
  const int64_t k_h = weight.dim(ah), k_w = weight.dim(aw);
  for (int64_t flat = 0; flat < weight.numel(); ++flat) {
    const int64_t ky = (flat / stride[ah]) % k_h, kx = (flat / stride[aw]) % k_w;
    const int64_t src = flat + (k_h - 1 - 2 * ky) * stride[ah] + (k_w - 1 - 2 * kx) * stride[aw];
    out.set(flat, weight.get(src));
  }
  return out;
}

Result<ConvTrace> conv2d_trace(const Tensor& input, const Tensor& weight, const Tensor* bias,
                               const Conv2dParams& params) {
  auto c = canonicalise(input, weight, bias, params, true, 0);
  if (!c) return c.error();
  ConvTrace t;
  t.m_geo = c->geo;
  t.m_params = params;
  const ConvGeometry& g = t.m_geo;
  // The trace keeps its own NCHW input: the permuted one, or a copy made by the trace's tasks.
  const bool copy_input = !c->permuted;
  t.m_input = copy_input ? Tensor::uninitialized(input.dtype(), input.shape())
                         : std::move(c->input_storage);
  t.m_weight = c->permuted ? std::move(c->weight_storage) : weight;
  if (bias) t.m_bias = *bias;
  t.m_output = Tensor::uninitialized(input.dtype(), {g.n, g.c_out, g.out_h, g.out_w});
  // Partial rows padded to 64 bytes when that costs at most a third more memory, so that
  // every row can be streamed whole (56-wide, 64 → 64 channels: 2.1 → 1.9 ms). A window's
  // partials, [.., C_in/g, row], sit together: a block of filters writes a few contiguous
  // runs per output row instead of one row in each of thousands of planes (2.8 → 2.1 ms).
  const int64_t lanes = 64 / static_cast<int64_t>(dtype_size(input.dtype()));
  const int64_t padded_row = (g.out_w + lanes - 1) / lanes * lanes;
  t.m_partial_row = padded_row * 3 <= g.out_w * 4 ? padded_row : g.out_w;
  t.m_partials = Tensor::uninitialized(input.dtype(),
                                       {g.n, g.c_out, g.out_h, g.c_in_per_group, t.m_partial_row});
  const int threads = resolve_threads(0);
  if (input.dtype() == DType::f32) {
    detail::conv2d_trace_kernel(g, copy_input ? input.data<float>() : t.m_input.data<float>(),
                                copy_input ? t.m_input.data<float>() : nullptr,
                                t.m_weight.data<float>(), bias_ptr<float>(bias),
                                t.m_partials.data<float>(), t.m_partial_row,
                                t.m_output.data<float>(), threads);
  } else {
    detail::conv2d_trace_kernel(g, copy_input ? input.data<double>() : t.m_input.data<double>(),
                                copy_input ? t.m_input.data<double>() : nullptr,
                                t.m_weight.data<double>(), bias_ptr<double>(bias),
                                t.m_partials.data<double>(), t.m_partial_row,
                                t.m_output.data<double>(), threads);
  }
  return t;
}

}  // namespace cs
