// The free cs::gpu::conv2d / pool2d: validation and layout/dtype conversion here, the work on a
// private compute thread that owns a HeadlessContext and a GpuEngine.
#include "app/gpu/compute.hpp"

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

// Runs `op` on the compute thread and brings its NCHW float32 result back to `dtype` and, when
// `nhwc`, to NHWC; an error saying why when there is no GPU engine.
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
  if (dtype != DType::f32) out = out.to(dtype);
  return nhwc ? nchw_to_nhwc(out) : out;
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
  const Tensor in32 = (nhwc ? nhwc_to_nchw(input) : input).to(DType::f32);
  const Tensor w32 = (nhwc ? hwio_to_oihw(weight) : weight).to(DType::f32);
  std::optional<Tensor> b32;
  if (bias != nullptr) b32 = bias->to(DType::f32);
  if (geo->outputs() == 0) {
    Tensor empty(input.dtype(), {geo->n, geo->c_out, geo->out_h, geo->out_w});
    return nhwc ? nchw_to_nhwc(empty) : empty;
  }

  return run_on_gpu(
      [&](GpuEngine& engine, GpuTimings& t) {
        return engine.conv2d(*geo, in32, w32, b32 ? &*b32 : nullptr, ConvVariant::tiled, &t);
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
  const Tensor in32 = (nhwc ? nhwc_to_nchw(input) : input).to(DType::f32);
  if (geo->outputs() == 0) {
    Tensor empty(input.dtype(), {geo->n, geo->c_out, geo->out_h, geo->out_w});
    return nhwc ? nchw_to_nhwc(empty) : empty;
  }
  return run_on_gpu([&](GpuEngine& engine, GpuTimings& t) { return engine.pool2d(*geo, in32, &t); },
                    input.dtype(), nhwc);
}

}  // namespace cs::gpu
