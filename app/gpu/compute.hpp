// GPU conv2d/pool2d for the command line and the app. The implementation lives in app/gpu/, the
// only place that makes gl* calls. Answers an Error (never aborts) when no usable GL 4.3 exists.
// The free functions run on a private compute thread that owns a headless context (EGL
// surfaceless, else a hidden GLFW window), so they never disturb a context the caller has
// current. float64 operands are computed in float32 on the GPU and returned as float64: expect a
// relative error of about 1e-6 of the output's magnitude (docs/gpu.md); use the CPU for exact
// float64.
#pragma once

#include <string>

#include "core/params.hpp"
#include "core/result.hpp"
#include "core/tensor.hpp"

namespace cs::gpu {

// Same contract as cs::conv2d / cs::pool2d (layouts, dtype of the output = dtype of the input).
Result<Tensor> conv2d(const Tensor& input, const Tensor& weight, const Tensor* bias,
                      const Conv2dParams& params);
Result<Tensor> pool2d(const Tensor& input, const Pool2dParams& params);

struct ComputeStatus {
  bool available = false;
  std::string device;   // "GPU (llvmpipe (LLVM 15.0.6, 256 bits))"
  std::string context;  // "EGL surfaceless" or "hidden GLFW window"
  std::string version;  // the context's GL_VERSION
  // "GPU compute is unavailable: <why>" (callers add what happens instead); empty if available.
  std::string reason;
};
// Creates the compute thread and its context on first call (later calls are cheap). The result
// never changes within a process: set MESA_GL_VERSION_OVERRIDE before the first call to test the
// fallback.
ComputeStatus compute_status();

// Timings of the last conv2d/pool2d call on the compute thread (upload, compute, readback), in ms.
struct LastTimings {
  double upload_ms = 0, compute_ms = 0, readback_ms = 0;
};
LastTimings last_timings();

}  // namespace cs::gpu
