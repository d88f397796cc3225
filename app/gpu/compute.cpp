// The free cs::gpu::conv2d / pool2d / conv_transpose2d: validation and layout/dtype conversion
// here, the work on a private compute thread that owns a HeadlessContext and a GpuEngine.
#include "app/gpu/compute.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "app/gpu/gl_context.hpp"
#include "app/gpu/gpu_engine.hpp"
#include "core/conv2d.hpp"
#include "core/conv_transpose.hpp"
#include "core/geometry.hpp"
#include "core/limits.hpp"

namespace cs::gpu {

namespace {

// One thread, one context, jobs run in order.
class ComputeThread {
 public:
  static ComputeThread& get() {
    static ComputeThread thread;
    return thread;
  }

  // Runs job(engine or nullptr) on the compute thread and waits for it.
  void run(const std::function<void(GpuEngine*)>& job) {
    std::promise<void> done;
    std::future<void> fut = done.get_future();
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_jobs.emplace_back([&] {
        job(m_engine != nullptr && m_engine->valid() ? m_engine.get() : nullptr);
        done.set_value();
      });
    }
    m_cv.notify_one();
    fut.wait();
  }

  ComputeStatus status() {
    ComputeStatus s;
    run([&](GpuEngine*) { s = m_status; });
    return s;
  }

  LastTimings timings;  // written on the compute thread inside run(), read after it returned

 private:
  ComputeThread() : m_thread([this] { loop(); }) {}
  ~ComputeThread() {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_stop = true;
    }
    m_cv.notify_one();
    m_thread.join();
  }

  void loop() {
    m_context = HeadlessContext::create();
    if (!m_context->valid()) {
      m_status.reason = "GPU compute is unavailable: " + m_context->error();
    } else {
      m_status.context = m_context->kind();
      m_engine = GpuEngine::create();
      m_status.version = m_engine->caps().version;
      m_status.device = m_engine->description();
      if (m_engine->valid()) {
        m_status.available = true;
        m_status.fp64 = m_engine->caps().fp64;
        m_status.fp64_reason = m_engine->caps().fp64_reason;
      } else {
        m_status.reason = "GPU compute is unavailable: " + m_engine->error();
      }
    }
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_cv.wait(lock, [&] { return m_stop || !m_jobs.empty(); });
        if (m_jobs.empty()) break;
        job = std::move(m_jobs.front());
        m_jobs.pop_front();
      }
      job();
    }
    m_engine.reset();
    m_context.reset();
  }

  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<std::function<void()>> m_jobs;
  bool m_stop = false;
  std::unique_ptr<HeadlessContext> m_context;
  std::unique_ptr<GpuEngine> m_engine;
  ComputeStatus m_status;
  std::thread m_thread;  // last: starts after every other member exists
};

Error unavailable(const ComputeStatus& s) {
  return make_error(s.reason + "; use --backend cpu (or auto)", "backend");
}

// Runs `op` on the compute thread and brings its NCHW result (float32 or float64) back to
// `dtype` and, when `nhwc`, to NHWC; an error saying why when there is no GPU engine.
Result<Tensor> run_on_gpu(const std::function<Result<Tensor>(GpuEngine&, GpuTimings&)>& op,
                          DType dtype, bool nhwc) {
  ComputeThread& thread = ComputeThread::get();
  std::optional<Result<Tensor>> result;
  thread.run([&](GpuEngine* engine) {
    if (engine == nullptr) return;
    GpuTimings t;
    result = op(*engine, t);
    thread.timings = {t.upload_ms, t.compute_ms, t.readback_ms};
  });
  if (!result) return unavailable(thread.status());
  if (!*result) return result->error();
  Tensor out = std::move(**result);
  if (out.dtype() != dtype) out = out.to(dtype);
  return nhwc ? nchw_to_nhwc(out) : out;
}

// input [N, C_in, H, W] / [N, H, W, C_in], weight [C_in, C_out/g, KH, KW] / Keras's
// [KH, KW, C_out/g, C_in], bias [C_out] => output in the input's layout and dtype, with its last
// `crop_bottom` rows and `crop_right` columns left out (Keras's crop; 0 for PyTorch).
Result<Tensor> conv_transpose_on_gpu(const Tensor& input, const Tensor& weight, const Tensor* bias,
                                     const ConvTranspose2dParams& params, int crop_bottom,
                                     int crop_right) {
  if (auto st = check_conv2d_operands(input, weight, bias); !st) return st.error();
  Result<ConvTransposeGeometry> geo = conv_transpose2d_geometry_for(
      input.shape(), weight.shape(), bias != nullptr ? bias->dim(0) : -1, params);
  if (!geo) return geo.error();
  // The gather form computes each output on its own: the kept rows are the same values.
  ConvTransposeGeometry g = *geo;
  g.out_h = std::max<int64_t>(0, g.out_h - crop_bottom);
  g.out_w = std::max<int64_t>(0, g.out_w - crop_right);
  const bool nhwc = params.layout == Layout::nhwc;
  if (g.outputs() == 0) {
    Tensor empty(input.dtype(), {g.n, g.c_out, g.out_h, g.out_w});
    return nhwc ? nchw_to_nhwc(empty) : empty;
  }
  const Tensor in_nchw = nhwc ? nhwc_to_nchw(input) : input;
  const Tensor w_iohw = nhwc ? keras_to_torch_transpose_kernel(weight) : weight;
  return run_on_gpu(
      [&](GpuEngine& engine, GpuTimings& t) {
        return engine.conv_transpose2d(g, in_nchw, w_iohw, bias, &t);
      },
      input.dtype(), nhwc);
}

}  // namespace

ComputeStatus compute_status() {
  return ComputeThread::get().status();
}

LastTimings last_timings() {
  return ComputeThread::get().timings;
}

// input [N, C_in, H, W] / [N, H, W, C_in], weight OIHW / HWIO, bias [C_out] => output in the
// input's layout and dtype.
Result<Tensor> conv2d(const Tensor& input, const Tensor& weight, const Tensor* bias,
                      const Conv2dParams& params) {
  if (auto st = check_conv2d_operands(input, weight, bias); !st) return st.error();
  Result<ConvGeometry> geo = conv2d_geometry_for(input.shape(), weight.shape(),
                                                 bias != nullptr ? bias->numel() : -1, params);
  if (!geo) return geo.error();
  // The host side holds what the CPU's output and copies would (the same limits as the CPU).
  if (auto st = check_cost(conv2d_cost(*geo, input.dtype(), params.layout, 1)); !st) {
    return st.error();
  }
  const bool nhwc = params.layout == Layout::nhwc;
  // check_conv2d_operands made every operand the input's dtype: float64 stays float64.
  const Tensor in_nchw = nhwc ? nhwc_to_nchw(input) : input;
  const Tensor w_oihw = nhwc ? hwio_to_oihw(weight) : weight;
  if (geo->outputs() == 0) {
    Tensor empty(input.dtype(), {geo->n, geo->c_out, geo->out_h, geo->out_w});
    return nhwc ? nchw_to_nhwc(empty) : empty;
  }

  return run_on_gpu(
      [&](GpuEngine& engine, GpuTimings& t) {
        return engine.conv2d(*geo, in_nchw, w_oihw, bias, ConvVariant::tiled, &t);
      },
      input.dtype(), nhwc);
}

// input [N, C, H, W] / [N, H, W, C] => output in the input's layout and dtype.
Result<Tensor> pool2d(const Tensor& input, const Pool2dParams& params) {
  Result<PoolGeometry> geo = pool2d_geometry_for(input.shape(), params);
  if (!geo) return geo.error();
  if (auto st = check_cost(pool2d_cost(*geo, input.dtype(), params.layout)); !st) {
    return st.error();
  }
  const bool nhwc = params.layout == Layout::nhwc;
  const Tensor in_nchw = nhwc ? nhwc_to_nchw(input) : input;
  if (geo->outputs() == 0) {
    Tensor empty(input.dtype(), {geo->n, geo->c_out, geo->out_h, geo->out_w});
    return nhwc ? nchw_to_nhwc(empty) : empty;
  }
  return run_on_gpu(
      [&](GpuEngine& engine, GpuTimings& t) { return engine.pool2d(*geo, in_nchw, &t); },
      input.dtype(), nhwc);
}

Result<Tensor> conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor* bias,
                                const ConvTranspose2dParams& params) {
  return conv_transpose_on_gpu(input, weight, bias, params, 0, 0);
}

Result<Tensor> keras_conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor* bias,
                                      const KerasTransposePlan& plan) {
  return conv_transpose_on_gpu(input, weight, bias, plan.torch, plan.crop_bottom, plan.crop_right);
}

}  // namespace cs::gpu
