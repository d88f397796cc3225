// GPU conv2d/pool2d/conv_transpose2d for the command line and the app. The implementation lives in
// app/gpu/, the only place that makes gl* calls. Answers an Error (never aborts) when no usable
// GL 4.3 exists. The free functions run on a private compute thread that owns a headless context
// (EGL surfaceless, else a hidden GLFW window), so they never disturb a context the caller has
// current. float64 operands are computed in double precision (GL_ARB_gpu_shader_fp64, probed at
// start-up); where the GL lacks it they are refused with a sentence that suggests the CPU.
#pragma once

#include <string>

#include "core/conv_transpose.hpp"
#include "core/keras.hpp"
#include "core/params.hpp"
#include "core/result.hpp"
#include "core/tensor.hpp"

namespace cs::gpu {

// Same contract as cs::conv2d / cs::pool2d (layouts, dtype of the output = dtype of the input).
Result<Tensor> conv2d(const Tensor& input, const Tensor& weight, const Tensor* bias,
                      const Conv2dParams& params);
Result<Tensor> pool2d(const Tensor& input, const Pool2dParams& params);
// Same contract as cs::conv_transpose2d / cs::keras_conv_transpose2d (torch.nn.ConvTranspose2d;
// NHWC with Keras's [KH, KW, C_out/g, C_in] kernel), in gather form on the GPU.
Result<Tensor> conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor* bias,
                                const ConvTranspose2dParams& params);
Result<Tensor> keras_conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor* bias,
                                      const KerasTransposePlan& plan);

struct ComputeStatus {
  bool available = false;
  std::string device;   // "GPU (llvmpipe (LLVM 15.0.6, 256 bits))"
  std::string context;  // "EGL surfaceless" or "hidden GLFW window"
  std::string version;  // the context's GL_VERSION
  // "GPU compute is unavailable: <why>" (callers add what happens instead); empty if available.
  std::string reason;
  // float64 runs in double precision; else fp64_reason says why not (one sentence, naming
  // GL_ARB_gpu_shader_fp64 and --backend cpu). CONVSCOPE_GPU_NO_FP64=1 (set before the first
  // call) pretends the extension is missing.
  bool fp64 = false;
  std::string fp64_reason;
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
