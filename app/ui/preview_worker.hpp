// The live preview's worker thread: filters the picture with the latest kernel on the CPU fast
// path (cs::conv2d on one thread) and maps the result to RGBA pixels, off the UI thread. The UI
// thread only submits (a request not started yet is replaced: stale kernels are dropped) and
// takes finished results; neither call waits for a computation, because the lock guards two slots
// and is never held while the worker computes. Only the destructor joins the thread.
// Depends on core/ and app/gpu/display_map (no GL, no ImGui).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/gpu/display_map.hpp"
#include "core/params.hpp"
#include "core/tensor.hpp"

namespace cs {

// RGBA texels (RGBA in memory), width × height.
struct TexelLevel {
  int width = 0, height = 0;
  std::vector<uint32_t> texels;
};
// Half the size, rounded up: each texel the mean of the 2×2 texels it covers (fewer at an odd
// edge), byte by byte. Drawing a picture from the copy nearest its size on screen costs llvmpipe a
// fraction of sampling the full one.
TexelLevel halve(const TexelLevel& src);

// One computation: input [1, C, H, W] float32 * weight [C_out, C/groups, KH, KW] (+ bias
// [C_out]) with params (layout nchw), mapped for display.
struct PreviewJob {
  uint64_t id = 0;  // the caller's number for the request, echoed in its result
  std::shared_ptr<const Tensor> input;
  Tensor weight;
  Tensor bias;
  bool has_bias = false;
  Conv2dParams params;
  gpu::DisplayMapping mapping = gpu::DisplayMapping::clip;
  int level = 0;  // the result is shrunk by 2^level (block means) before mapping: drawn so small
};

struct PreviewResult {
  uint64_t id = 0;      // PreviewJob::id
  int channels = 0;     // 1 or 3
  TexelLevel pixels;    // the result shrunk by 2^job.level, mapped to RGBA
  gpu::MapRange range;  // of the float result: the legend's numbers
  double ms = 0;        // convolution and mapping, on the worker
  std::string error;    // why it failed (pixels then empty)
};

struct PreviewWorkerCounts {
  uint64_t submitted = 0;  // requests
  uint64_t dropped = 0;    // requests replaced before the worker started them
  uint64_t finished = 0;   // results made (taken or not)
};

class PreviewWorker {
 public:
  // A job starts at least `min_period_ms` after the one before (0: at once), so that a drag
  // leaves the UI thread and the renderer most of the machine.
  explicit PreviewWorker(double min_period_ms = 0.0);
  // Joins the thread: waits for the computation in flight, if any (at shutdown only).
  ~PreviewWorker();
  PreviewWorker(const PreviewWorker&) = delete;
  PreviewWorker& operator=(const PreviewWorker&) = delete;

  // Queues `job`, replacing the one still waiting (counted as dropped). Never waits.
  void submit(PreviewJob job);
  // The newest finished result (an older one nobody took is discarded), or null. Never waits.
  std::unique_ptr<PreviewResult> take();
  // A job waits or runs.
  bool busy() const;
  PreviewWorkerCounts counts() const;

  // For tests: runs on the worker before each job's computation (a test blocks it there to show
  // that submit() and take() never wait). Set it before the first submit().
  void set_before_job(std::function<void()> hook);

 private:
  void run();

  mutable std::mutex m_mutex;  // guards the fields below, never held while computing
  std::condition_variable m_wake;
  std::unique_ptr<PreviewJob> m_pending;
  std::unique_ptr<PreviewResult> m_done;
  bool m_running = false, m_stop = false;
  PreviewWorkerCounts m_counts;
  double m_min_period_ms = 0.0;
  std::function<void()> m_before_job;
  std::thread m_thread;  // last: started once the fields above exist
};

// What the worker computes for `job`, on the calling thread (the worker's body; also for tests).
// `map` is scratch storage reused between calls.
std::unique_ptr<PreviewResult> compute_preview(const PreviewJob& job, Tensor& map);

}  // namespace cs
