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
#include "core/conv_transpose.hpp"
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
  // valid(), and for float64 caps().fp64; the error says which is missing.
  Status check_precision(DType dtype) const;
  const std::string& error() const { return m_caps.reason; }
  const ComputeCaps& caps() const { return m_caps; }
  // "GPU (llvmpipe (LLVM 15.0.6, 256 bits))"
  std::string description() const { return "GPU (" + m_caps.renderer + ")"; }

  // [N, C_in, H, W] * [C_out, C_in/g, KH, KW] (+ [C_out]) => [N, C_out, OH, OW], all float32 or
  // all float64 (computed in double; an error naming GL_ARB_gpu_shader_fp64 when caps().fp64 is
  // false). g must come from conv2d_geometry for these shapes. Uploads, dispatches, reads back.
  Result<Tensor> conv2d(const ConvGeometry& g, const Tensor& input, const Tensor& weight,
                        const Tensor* bias, ConvVariant variant = ConvVariant::tiled,
                        GpuTimings* timings = nullptr);
  // [N, C, H, W] => [N, C, OH, OW] in the input's dtype (float32 or float64, as conv2d);
  // g from pool2d_geometry.
  Result<Tensor> pool2d(const PoolGeometry& g, const Tensor& input, GpuTimings* timings = nullptr);

  // Transposed convolution (gather form): [N, C_in, H, W] * [C_in, C_out/g, KH, KW] (+ [C_out])
  // => [N, C_out, OH, OW], all float32 or all float64 (as conv2d). g from
  // conv_transpose2d_geometry; its out_h/out_w may be lowered to keep only the first rows and
  // columns (Keras's crop), which are the same values.
  Result<Tensor> conv_transpose2d(const ConvTransposeGeometry& g, const Tensor& input,
                                  const Tensor& weight, const Tensor* bias,
                                  GpuTimings* timings = nullptr);

  // Resident data, for the live preview: no host round trip.
  // Uploads [1, C, H, W] float32 into the resident input buffer.
  Status upload_input(const Tensor& input_nchw);
  // The weight (and bias) as they are, float32 or float64 (as the program that reads them).
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
  // Binds input, weight, bias and map to bindings 0-3, dispatches `p` over groups_x × groups_y ×
  // groups_z work groups, waits, and reads the map's first `bytes` into `dst` (timed into `t`).
  void dispatch_and_read(const ComputeProgram& p, GLuint groups_x, GLuint groups_y, GLuint groups_z,
                         std::size_t bytes, void* dst, GpuTimings& t);
  // One batch item's input (`bytes` from `src`) into binding 0, timed into `t`; and room for
  // `bytes` of output in the map. Each fails with a sentence that suggests --backend cpu.
  Status upload_sample(const void* src, int64_t bytes, GpuTimings& t);
  Status reserve_output(std::size_t bytes);

  ComputeCaps m_caps;
  std::map<std::string, std::unique_ptr<ComputeProgram>> m_programs;
  std::unique_ptr<Buffer> m_input, m_weight, m_bias, m_map, m_range;
  std::unique_ptr<TimerQuery> m_timer;
};

}  // namespace cs::gpu
