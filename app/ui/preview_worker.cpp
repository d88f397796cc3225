// The live preview's worker thread (see preview_worker.hpp): one job slot waiting, one result slot
// finished, and the computation in between done with the lock released.
#include "app/ui/preview_worker.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "core/conv2d.hpp"

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace cs {

namespace {

constexpr int kWorkerNice = 10;  // see PreviewWorker::run

// [1, C, H, W] => [1, C, ⌈H/f⌉, ⌈W/f⌉] float32, f = 2^level: each value the mean of the f × f
// block it covers (fewer at the bottom and right edges).
Tensor shrink_map(const Tensor& map, int level) {
  const int64_t f = int64_t{1} << level;
  const int64_t c = map.dim(1), h = map.dim(2), w = map.dim(3);
  const int64_t sh = (h + f - 1) / f, sw = (w + f - 1) / f;
  Tensor out(DType::f32, {1, c, sh, sw});
  const float* src = map.data<float>();
  float* dst = out.data<float>();
  // Rows first (contiguous adds the compiler vectorizes), then blocks along the summed row.
  std::vector<float> rows(static_cast<std::size_t>(w));
  for (int64_t ch = 0; ch < c; ++ch) {
    for (int64_t oy = 0; oy < sh; ++oy) {
      const int64_t y0 = oy * f, y1 = std::min(h, y0 + f);
      const float* first = src + (ch * h + y0) * w;
      std::copy(first, first + w, rows.begin());
      for (int64_t iy = y0 + 1; iy < y1; ++iy) {
        const float* line = src + (ch * h + iy) * w;
        for (int64_t ix = 0; ix < w; ++ix)
          rows[static_cast<std::size_t>(ix)] += line[ix];
      }
      for (int64_t ox = 0; ox < sw; ++ox) {
        const int64_t x0 = ox * f, x1 = std::min(w, x0 + f);
        float sum = 0.0f;
        for (int64_t ix = x0; ix < x1; ++ix)
          sum += rows[static_cast<std::size_t>(ix)];
        dst[(ch * sh + oy) * sw + ox] = sum / static_cast<float>((y1 - y0) * (x1 - x0));
      }
    }
  }
  return out;
}

// map_range's answer (the smallest and largest finite value) in one pass the compiler can
// vectorize: a NaN never wins a comparison; an infinity sends it to map_range, which skips them.
gpu::MapRange finite_range(const float* v, int64_t n) {
  constexpr int kLanes = 16;
  float lo[kLanes], hi[kLanes];
  std::fill(lo, lo + kLanes, INFINITY);
  std::fill(hi, hi + kLanes, -INFINITY);
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int j = 0; j < kLanes; ++j) {
      lo[j] = v[i + j] < lo[j] ? v[i + j] : lo[j];
      hi[j] = v[i + j] > hi[j] ? v[i + j] : hi[j];
    }
  }
  for (; i < n; ++i) {
    lo[0] = v[i] < lo[0] ? v[i] : lo[0];
    hi[0] = v[i] > hi[0] ? v[i] : hi[0];
  }
  const float l = *std::min_element(lo, lo + kLanes), h = *std::max_element(hi, hi + kLanes);
  if (std::isinf(l) || std::isinf(h)) return gpu::map_range(v, n);
  return {l, h};
}

}  // namespace

TexelLevel halve(const TexelLevel& src) {
  TexelLevel out;
  out.width = (src.width + 1) / 2;
  out.height = (src.height + 1) / 2;
  out.texels.resize(static_cast<std::size_t>(out.width) * out.height);
  for (int y = 0; y < out.height; ++y) {
    const int y0 = 2 * y, y1 = std::min(2 * y + 1, src.height - 1);
    for (int x = 0; x < out.width; ++x) {
      const int x0 = 2 * x, x1 = std::min(2 * x + 1, src.width - 1);
      const uint32_t q[4] = {src.texels[static_cast<std::size_t>(y0) * src.width + x0],
                             src.texels[static_cast<std::size_t>(y0) * src.width + x1],
                             src.texels[static_cast<std::size_t>(y1) * src.width + x0],
                             src.texels[static_cast<std::size_t>(y1) * src.width + x1]};
      uint32_t mean = 0;
      for (int b = 0; b < 32; b += 8) {
        uint32_t sum = 2;  // rounds to nearest
        for (uint32_t t : q)
          sum += (t >> b) & 0xffu;
        mean |= (sum / 4) << b;
      }
      out.texels[static_cast<std::size_t>(y) * out.width + x] = mean;
    }
  }
  return out;
}

std::unique_ptr<PreviewResult> compute_preview(const PreviewJob& job, Tensor& map) {
  const auto t0 = std::chrono::steady_clock::now();
  auto result = std::make_unique<PreviewResult>();
  result->id = job.id;
  if (!job.input) {
    result->error = "the preview has no picture to filter";
    return result;
  }
  // NOTE: one thread. With more, conv2d would hold core's shared thread pool for the whole
  // computation, and the UI thread's own trace (which uses the pool) would wait for it.
  Status st = conv2d_into(*job.input, job.weight, job.has_bias ? &job.bias : nullptr, job.params,
                          map, ExecOptions{1});
  if (!st) {
    result->error = st.error().message;
    return result;
  }
  // The colours of the full result (its range), at the size it is drawn.
  result->range = finite_range(map.data<float>(), map.numel());
  const int level = std::clamp(job.level, 0, 12);
  const Tensor shown = level > 0 ? shrink_map(map, level) : Tensor();
  const Tensor& small = level > 0 ? shown : map;
  Result<std::vector<uint8_t>> rgba = gpu::map_to_rgba(small, job.mapping, result->range);
  if (!rgba) {
    result->error = rgba.error().message;
    return result;
  }
  result->channels = static_cast<int>(map.dim(1));
  TexelLevel& px = result->pixels;
  px.height = static_cast<int>(small.dim(2));
  px.width = static_cast<int>(small.dim(3));
  px.texels.resize(rgba->size() / 4);
  std::memcpy(px.texels.data(), rgba->data(), rgba->size());
  result->ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

PreviewWorker::PreviewWorker(double min_period_ms) : m_min_period_ms(min_period_ms) {
  m_thread = std::thread([this] { run(); });
}

PreviewWorker::~PreviewWorker() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_all();
  m_thread.join();
}

void PreviewWorker::submit(PreviewJob job) {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_pending) ++m_counts.dropped;
    m_pending = std::make_unique<PreviewJob>(std::move(job));
    ++m_counts.submitted;
  }
  m_wake.notify_one();
}

std::unique_ptr<PreviewResult> PreviewWorker::take() {
  std::lock_guard<std::mutex> lock(m_mutex);
  return std::move(m_done);
}

bool PreviewWorker::busy() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_running || m_pending != nullptr;
}

PreviewWorkerCounts PreviewWorker::counts() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_counts;
}

void PreviewWorker::set_before_job(std::function<void()> hook) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_before_job = std::move(hook);
}

void PreviewWorker::run() {
#ifdef __linux__
  // The frames come first: at nice 10 the scheduler gives the UI thread and the renderer's threads
  // the cores when they want them, and this thread the rest. (Linux: nice is per thread.)
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kWorkerNice);
#endif
  Tensor map;  // the float result, reused: no page faults for a new 1080p buffer every time
  const auto period = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double, std::milli>(m_min_period_ms));
  auto last_start = std::chrono::steady_clock::now() - period;
  for (;;) {
    std::unique_ptr<PreviewJob> job;
    std::function<void()> hook;
    {
      std::unique_lock<std::mutex> lock(m_mutex);
      m_wake.wait(lock, [this] { return m_stop || m_pending != nullptr; });
      // Not before the period is over; a newer request may replace this one meanwhile.
      m_wake.wait_until(lock, last_start + period, [this] { return m_stop; });
      if (m_stop) return;
      last_start = std::chrono::steady_clock::now();
      job = std::move(m_pending);
      m_running = true;
      hook = m_before_job;
    }
    if (hook) hook();
    std::unique_ptr<PreviewResult> result;
    try {
      result = compute_preview(*job, map);
    } catch (const std::exception& e) {  // e.g. bad_alloc: a sentence, and the thread lives on
      result = std::make_unique<PreviewResult>();
      result->id = job->id;
      result->error = std::string("the preview could not be computed: ") + e.what();
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    m_done = std::move(result);
    m_running = false;
    ++m_counts.finished;
  }
}

}  // namespace cs
