// GpuEngine: conv2d, pooling, the range reduction and the display pass as GL compute dispatches,
// in whatever GL 4.3 context is current (the app's window or a HeadlessContext). Owns the
// programs (compiled once per kernel geometry) and scratch buffers. Created VALID or FAILED:
// ask valid(); error() says why compute is unavailable. Includes GL: app/gpu/ only.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "app/gpu/display_map.hpp"
#include "app/gpu/gl_util.hpp"
#include "core/geometry.hpp"
#include "core/result.hpp"
#include "core/tensor.hpp"

namespace cs::gpu {

// tiled: shared-memory tiles with the padding resolved at load time, PX×OCB outputs per
// invocation, and (stride_w 1) window rows cached in registers: the default.
// tiled_plain: the same tiles without the register rows (PX outputs LOCAL_X apart).
// naive: one output per invocation reading the buffer with a padding branch per tap.
// The last two are the baselines the benchmark compares against.
enum class ConvVariant { tiled, tiled_plain, naive };

struct GpuTimings {
  double upload_ms = 0;    // host -> buffers (wall clock)
  double compute_ms = 0;   // GL timer query around the dispatches
  double readback_ms = 0;  // buffers -> host (wall clock, includes waiting for the GPU)
};

class GpuEngine {
 public:
  // Probes the current context (see probe_compute).
  static std::unique_ptr<GpuEngine> create();
  ~GpuEngine();
  GpuEngine(const GpuEngine&) = delete;
  GpuEngine& operator=(const GpuEngine&) = delete;

  bool valid() const { return m_caps.ok; }
  const std::string& error() const { return m_caps.reason; }
  const ComputeCaps& caps() const { return m_caps; }
  // "GPU (llvmpipe (LLVM 15.0.6, 256 bits))"
  std::string description() const { return "GPU (" + m_caps.renderer + ")"; }

  // float32 [N, C_in, H, W] * [C_out, C_in/g, KH, KW] (+ [C_out]) => float32 [N, C_out, OH, OW].
  // g must come from conv2d_geometry for these shapes. Uploads, dispatches, reads back.
  Result<Tensor> conv2d(const ConvGeometry& g, const Tensor& input, const Tensor& weight,
                        const Tensor* bias, ConvVariant variant = ConvVariant::tiled,
                        GpuTimings* timings = nullptr);
  // float32 [N, C, H, W] => float32 [N, C, OH, OW]; g from pool2d_geometry.
  Result<Tensor> pool2d(const PoolGeometry& g, const Tensor& input, GpuTimings* timings = nullptr);

  // Resident data, for the live preview: no host round trip.
  // Uploads [1, C, H, W] float32 into the resident input buffer.
  Status upload_input(const Tensor& input_nchw);
  Status upload_kernel(const Tensor& weight_oihw, const Tensor* bias);
  // Convolves the resident input with the resident kernel into the resident map buffer
  // ([C_out, OH, OW]); g must describe a batch of 1.
  Status run_conv_resident(const ConvGeometry& g, ConvVariant variant = ConvVariant::tiled);
  // The resident map ([c, h, w], c = 1 or 3) => `texture` (RGBA8, w×h) through `mapping`
  // (`palette` colours the signed mapping).
  Status run_display_resident(int c, int h, int w, DisplayMapping mapping, DivergingPalette palette,
                              Texture& texture);
  // Reads `count` floats of the resident map starting at `offset` (in floats).
  Status read_map(int64_t offset, int64_t count, float* out);
  // Blocks until all submitted work finished (for wall-clock timing).
  void finish();

  // Uploads [1, C, H, W] and runs only the display pass, for the tests and the CPU fallback
  // comparison.
  Result<std::vector<uint8_t>> display(const Tensor& map, DisplayMapping mapping,
                                       DivergingPalette palette = diverging_palette());

 private:
  GpuEngine() = default;
  Result<const ComputeProgram*> program(const std::string& name,
                                        const std::vector<std::pair<std::string, int>>& defines);

  ComputeCaps m_caps;
  std::map<std::string, std::unique_ptr<ComputeProgram>> m_programs;
  std::unique_ptr<Buffer> m_input, m_weight, m_bias, m_map, m_range;
  std::unique_ptr<TimerQuery> m_timer;
};

}  // namespace cs::gpu
