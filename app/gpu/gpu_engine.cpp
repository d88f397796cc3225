// GL compute dispatches for conv2d, pooling, the range reduction and the display pass.
// One batch item per dispatch; a convolution whose output does not fit one storage buffer is
// split over output channels (whole groups or blocks of OCB channels).
#include "app/gpu/gpu_engine.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "app/gpu/shader_library.hpp"

namespace cs::gpu {

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

struct ConvConfig {
  int local_x = 16, local_y = 8, px = 4, ocb = 1;
  bool tiled = true;
  bool rows = false;
};

// The first tile shape whose input tile (with halo) and weights (`elem` bytes a value) fit the
// shared memory.
ConvConfig choose_config(const ConvGeometry& g, ConvVariant variant, int max_shared_bytes,
                         int64_t elem) {
  ConvConfig cfg;
  cfg.ocb = static_cast<int>(std::min<int64_t>(g.c_out_per_group, 4));
  if (variant == ConvVariant::naive) {
    cfg.px = 1;
    cfg.ocb = 1;
    cfg.tiled = false;
    return cfg;
  }
  // NOTE: measured on llvmpipe (bench/RESULTS.md): 16×16 invocations with 8 outputs each beat
  // 16×8×4 by about 1.5× (fewer, larger work groups); the smaller shapes are for big dilated
  // kernels whose halo would not fit the shared memory.
  const ConvConfig candidates[] = {{16, 16, 8, cfg.ocb, true},
                                   {16, 8, 4, cfg.ocb, true},
                                   {8, 8, 1, cfg.ocb, true},
                                   {8, 4, 1, 1, true}};
  // CONVSCOPE_CONV_TILE="LOCAL_X,LOCAL_Y,PX" tries another tile shape (for benchmarking).
  if (const char* env = std::getenv("CONVSCOPE_CONV_TILE"); env != nullptr) {
    ConvConfig c = candidates[0];
    if (std::sscanf(env, "%d,%d,%d", &c.local_x, &c.local_y, &c.px) == 3 && c.local_x > 0 &&
        c.local_y > 0 && c.px > 0 && c.local_x * c.local_y <= 1024) {
      c.rows = variant == ConvVariant::tiled && g.stride_w == 1;
      return c;
    }
  }
  for (ConvConfig c : candidates) {
    c.rows = variant == ConvVariant::tiled && g.stride_w == 1;
    const int64_t tile_w = static_cast<int64_t>(c.local_x) * c.px, tile_h = c.local_y;
    // The input tile with its halo: conv2d.comp's IN_TILE_W × IN_TILE_H (from the same span).
    const int64_t in_tile_w = (tile_w - 1) * g.stride_w + g.span_w();
    const int64_t in_tile_h = (tile_h - 1) * g.stride_h + g.span_h();
    const int64_t bytes = (in_tile_w * in_tile_h + c.ocb * g.k_h * g.k_w) * elem;
    if (bytes <= max_shared_bytes) return c;
  }
  cfg.tiled = false;  // a huge dilated kernel: read the buffer directly
  cfg.rows = false;
  cfg.px = 4;
  return cfg;
}

Status gl_status(const std::string& what) {
  const std::string err = take_gl_error();
  if (err.empty()) return ok();
  return make_error(what + " failed on the GPU (" + err + "); use --backend cpu", "backend");
}

std::string mb(int64_t bytes) {
  return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MB";
}

// Element `index` of a tensor's storage, as bytes (float32 or float64 alike).
const void* element(const Tensor& t, int64_t index) {
  return static_cast<const char*>(t.raw_data()) +
         index * static_cast<int64_t>(dtype_size(t.dtype()));
}
void* element(Tensor& t, int64_t index) {
  return static_cast<char*>(t.raw_data()) + index * static_cast<int64_t>(dtype_size(t.dtype()));
}

}  // namespace

std::unique_ptr<GpuEngine> GpuEngine::create() {
  std::unique_ptr<GpuEngine> e(new GpuEngine());
  e->m_caps = probe_compute();
  if (!e->m_caps.ok) return e;
  e->m_input = std::make_unique<Buffer>("convscope.input");
  e->m_weight = std::make_unique<Buffer>("convscope.weight");
  e->m_bias = std::make_unique<Buffer>("convscope.bias");
  e->m_map = std::make_unique<Buffer>("convscope.output");
  e->m_range = std::make_unique<Buffer>("convscope.range");
  e->m_timer = std::make_unique<TimerQuery>();
  return e;
}

GpuEngine::~GpuEngine() = default;

Result<const ComputeProgram*> GpuEngine::program(
    const std::string& name, const std::vector<std::pair<std::string, int>>& defines) {
  std::string key = name;
  for (const auto& [k, v] : defines)
    key += " " + k + "=" + std::to_string(v);
  auto it = m_programs.find(key);
  if (it == m_programs.end()) {
    std::string origin;
    Result<std::string> source = shader_with_defines(name, defines, &origin);
    if (!source) return source.error();
    auto prog = std::make_unique<ComputeProgram>(key + " (" + origin + ")", *source);
    it = m_programs.emplace(key, std::move(prog)).first;
  }
  if (!it->second->valid()) return make_error(it->second->log(), "backend");
  return it->second.get();
}

namespace {

struct ConvPlan {
  ConvConfig cfg;
  int64_t blocks_per_group = 1;
  int64_t z_total = 0;
};

ConvPlan plan_conv(const ConvGeometry& g, ConvVariant variant, int max_shared, int64_t elem) {
  ConvPlan p;
  p.cfg = choose_config(g, variant, max_shared, elem);
  p.blocks_per_group = ceil_div(g.c_out_per_group, p.cfg.ocb);
  p.z_total = g.groups * p.blocks_per_group;
  return p;
}

// Output channels [first, end) written by work-group z range [z0, z1).
void z_channels(const ConvGeometry& g, const ConvPlan& p, int64_t z0, int64_t z1, int64_t& first,
                int64_t& end) {
  auto first_of = [&](int64_t z) {
    return (z / p.blocks_per_group) * g.c_out_per_group + (z % p.blocks_per_group) * p.cfg.ocb;
  };
  auto end_of = [&](int64_t z) {
    const int64_t group_end = (z / p.blocks_per_group + 1) * g.c_out_per_group;
    return std::min(first_of(z) + p.cfg.ocb, group_end);
  };
  first = first_of(z0);
  end = end_of(z1 - 1);
}

// conv2d.comp's compile-time constants for this geometry, plan and precision.
std::vector<std::pair<std::string, int>> conv_defines(const ConvGeometry& g, const ConvPlan& plan,
                                                      bool fp64) {
  return {{"FP64", fp64 ? 1 : 0},
          {"K_H", static_cast<int>(g.k_h)},
          {"K_W", static_cast<int>(g.k_w)},
          {"STRIDE_H", g.stride_h},
          {"STRIDE_W", g.stride_w},
          {"DILATION_H", g.dilation_h},
          {"DILATION_W", g.dilation_w},
          {"SPAN_H", static_cast<int>(g.span_h())},
          {"SPAN_W", static_cast<int>(g.span_w())},
          {"LOCAL_X", plan.cfg.local_x},
          {"LOCAL_Y", plan.cfg.local_y},
          {"PX", plan.cfg.px},
          {"OCB", plan.cfg.ocb},
          {"TILED", plan.cfg.tiled ? 1 : 0},
          {"ROWS", plan.cfg.rows ? 1 : 0}};
}

// The uniforms every conv2d.comp dispatch sets the same way (z_offset/out_c_base vary).
void set_conv_uniforms(const ComputeProgram& p, const ConvGeometry& g, const ConvPlan& plan,
                       bool has_bias) {
  p.set_int("c_in", static_cast<int>(g.c_in));
  p.set_int("in_h", static_cast<int>(g.in_h));
  p.set_int("in_w", static_cast<int>(g.in_w));
  p.set_int("c_out", static_cast<int>(g.c_out));
  p.set_int("out_h", static_cast<int>(g.out_h));
  p.set_int("out_w", static_cast<int>(g.out_w));
  p.set_int("c_in_per_group", static_cast<int>(g.c_in_per_group));
  p.set_int("c_out_per_group", static_cast<int>(g.c_out_per_group));
  p.set_int("oc_blocks_per_group", static_cast<int>(plan.blocks_per_group));
  p.set_int("pad_top", g.pad.top);
  p.set_int("pad_left", g.pad.left);
  p.set_int("padding_mode", static_cast<int>(g.padding_mode));
  p.set_int("has_bias", has_bias ? 1 : 0);
}

}  // namespace

Result<Tensor> GpuEngine::conv2d(const ConvGeometry& g, const Tensor& input, const Tensor& weight,
                                 const Tensor* bias, ConvVariant variant, GpuTimings* timings) {
  if (Status st = check_precision(input.dtype()); !st) return st.error();
  GpuTimings t;
  const bool fp64 = input.dtype() == DType::f64;
  const int64_t elem = static_cast<int64_t>(dtype_size(input.dtype()));
  const int64_t in_sample = g.c_in * g.in_h * g.in_w;
  const int64_t out_plane = g.out_h * g.out_w;
  if (in_sample * elem > m_caps.max_ssbo_bytes || out_plane * elem > m_caps.max_ssbo_bytes) {
    return make_error("one input of " + shape_to_string({g.c_in, g.in_h, g.in_w}) + " floats is " +
                          mb(in_sample * elem) + ", more than this GPU's storage-buffer limit of " +
                          mb(m_caps.max_ssbo_bytes) + "; use --backend cpu",
                      "backend");
  }
  auto t0 = Clock::now();
  Status up = upload_kernel(weight, bias);
  if (!up) return up.error();
  t.upload_ms += ms_since(t0);

  const ConvPlan plan = plan_conv(g, variant, m_caps.max_shared_bytes, elem);
  Result<const ComputeProgram*> prog = program("conv2d.comp", conv_defines(g, plan, fp64));
  if (!prog) return prog.error();
  const ComputeProgram& p = **prog;
  set_conv_uniforms(p, g, plan, bias != nullptr);

  Tensor output(input.dtype(), {g.n, g.c_out, g.out_h, g.out_w});
  const int64_t max_channels = std::max<int64_t>(1, m_caps.max_ssbo_bytes / (out_plane * elem));
  const int64_t tile_w = static_cast<int64_t>(plan.cfg.local_x) * plan.cfg.px;
  const GLuint groups_x = static_cast<GLuint>(ceil_div(g.out_w, tile_w));
  const GLuint groups_y = static_cast<GLuint>(ceil_div(g.out_h, plan.cfg.local_y));

  for (int64_t n = 0; n < g.n; ++n) {
    if (auto st = upload_sample(element(input, g.input_index(n, 0, 0, 0)), in_sample * elem, t);
        !st) {
      return st.error();
    }
    for (int64_t z0 = 0; z0 < plan.z_total;) {
      // Grow the chunk while its output channels fit one buffer.
      int64_t z1 = z0 + 1, first = 0, end = 0;
      while (z1 < plan.z_total) {
        z_channels(g, plan, z0, z1 + 1, first, end);
        if (end - first > max_channels) break;
        ++z1;
      }
      z_channels(g, plan, z0, z1, first, end);
      const std::size_t out_bytes = static_cast<std::size_t>((end - first) * out_plane * elem);
      if (auto st = reserve_output(out_bytes); !st) return st.error();
      p.set_int("z_offset", static_cast<int>(z0));
      p.set_int("out_c_base", static_cast<int>(first));
      dispatch_and_read(p, groups_x, groups_y, static_cast<GLuint>(z1 - z0), out_bytes,
                        element(output, g.output_index(n, first, 0, 0)), t);
      z0 = z1;
    }
  }
  glUseProgram(0);
  Status st = gl_status("conv2d");
  if (!st) return st.error();
  if (timings != nullptr) *timings = t;
  return output;
}

Result<Tensor> GpuEngine::pool2d(const PoolGeometry& g, const Tensor& input, GpuTimings* timings) {
  if (Status st = check_precision(input.dtype()); !st) return st.error();
  GpuTimings t;
  const int64_t elem = static_cast<int64_t>(dtype_size(input.dtype()));
  const int64_t in_sample = g.c_in * g.in_h * g.in_w;
  const int64_t out_sample = g.c_out * g.out_h * g.out_w;
  if (in_sample * elem > m_caps.max_ssbo_bytes || out_sample * elem > m_caps.max_ssbo_bytes) {
    return make_error("one input of " + shape_to_string({g.c_in, g.in_h, g.in_w}) + " floats is " +
                          mb(in_sample * elem) + ", more than this GPU's storage-buffer limit of " +
                          mb(m_caps.max_ssbo_bytes) + "; use --backend cpu",
                      "backend");
  }
  Result<const ComputeProgram*> prog =
      program("pool2d.comp", {{"FP64", input.dtype() == DType::f64 ? 1 : 0}});
  if (!prog) return prog.error();
  const ComputeProgram& p = **prog;
  p.set_int("c", static_cast<int>(g.c_in));  // pooling: c_in == c_out
  p.set_int("in_h", static_cast<int>(g.in_h));
  p.set_int("in_w", static_cast<int>(g.in_w));
  p.set_int("out_h", static_cast<int>(g.out_h));
  p.set_int("out_w", static_cast<int>(g.out_w));
  p.set_int("k_h", static_cast<int>(g.k_h));
  p.set_int("k_w", static_cast<int>(g.k_w));
  p.set_int("stride_h", g.stride_h);
  p.set_int("stride_w", g.stride_w);
  p.set_int("pad_top", g.pad.top);
  p.set_int("pad_bottom", g.pad.bottom);
  p.set_int("pad_left", g.pad.left);
  p.set_int("pad_right", g.pad.right);
  p.set_int("dilation_h", g.dilation_h);
  p.set_int("dilation_w", g.dilation_w);
  p.set_int("op", g.op == PoolOp::max ? 0 : 1);
  p.set_int("count_include_pad", g.count_include_pad ? 1 : 0);
  Tensor output(input.dtype(), {g.n, g.c_out, g.out_h, g.out_w});
  for (int64_t n = 0; n < g.n; ++n) {
    auto t0 = Clock::now();
    if (!m_input->upload(element(input, g.input_index(n, 0, 0, 0)),
                         static_cast<std::size_t>(in_sample * elem)) ||
        !m_map->reserve(static_cast<std::size_t>(out_sample * elem))) {
      return make_error("the GPU could not hold the pooling buffers; use --backend cpu", "backend");
    }
    t.upload_ms += ms_since(t0);
    dispatch_and_read(p, static_cast<GLuint>(ceil_div(g.out_w, 16)),
                      static_cast<GLuint>(ceil_div(g.out_h, 8)), static_cast<GLuint>(g.c_out),
                      static_cast<std::size_t>(out_sample * elem),
                      element(output, g.output_index(n, 0, 0, 0)), t);
  }
  glUseProgram(0);
  Status st = gl_status("pooling");
  if (!st) return st.error();
  if (timings != nullptr) *timings = t;
  return output;
}

Result<Tensor> GpuEngine::conv_transpose2d(const ConvTransposeGeometry& g, const Tensor& input,
                                           const Tensor& weight, const Tensor* bias,
                                           GpuTimings* timings) {
  if (Status st = check_precision(input.dtype()); !st) return st.error();
  GpuTimings t;
  const int64_t elem = static_cast<int64_t>(dtype_size(input.dtype()));
  const int64_t in_sample = g.c_in * g.in_h * g.in_w;
  const int64_t out_plane = g.out_h * g.out_w;
  if (in_sample * elem > m_caps.max_ssbo_bytes || out_plane * elem > m_caps.max_ssbo_bytes) {
    return make_error("one input of " + shape_to_string({g.c_in, g.in_h, g.in_w}) + " floats is " +
                          mb(in_sample * elem) + " and one output plane " + mb(out_plane * elem) +
                          ", more than this GPU's storage-buffer limit of " +
                          mb(m_caps.max_ssbo_bytes) + "; use --backend cpu",
                      "backend");
  }
  auto t0 = Clock::now();
  if (Status up = upload_kernel(weight, bias); !up) return up.error();
  t.upload_ms += ms_since(t0);
  Result<const ComputeProgram*> prog =
      program("conv_transpose2d.comp", {{"FP64", input.dtype() == DType::f64 ? 1 : 0},
                                        {"K_H", static_cast<int>(g.k_h)},
                                        {"K_W", static_cast<int>(g.k_w)},
                                        {"STRIDE_H", g.stride_h},
                                        {"STRIDE_W", g.stride_w},
                                        {"DILATION_H", g.dilation_h},
                                        {"DILATION_W", g.dilation_w}});
  if (!prog) return prog.error();
  const ComputeProgram& p = **prog;
  p.set_int("in_h", static_cast<int>(g.in_h));
  p.set_int("in_w", static_cast<int>(g.in_w));
  p.set_int("out_h", static_cast<int>(g.out_h));
  p.set_int("out_w", static_cast<int>(g.out_w));
  p.set_int("c_in_per_group", static_cast<int>(g.c_in_per_group));
  p.set_int("c_out_per_group", static_cast<int>(g.c_out_per_group));
  p.set_int("pad_h", g.pad_h);
  p.set_int("pad_w", g.pad_w);
  p.set_int("has_bias", bias != nullptr ? 1 : 0);

  Tensor output(input.dtype(), {g.n, g.c_out, g.out_h, g.out_w});
  // Output channels per dispatch: as many as one storage buffer holds.
  const int64_t max_channels = std::max<int64_t>(1, m_caps.max_ssbo_bytes / (out_plane * elem));
  for (int64_t n = 0; n < g.n; ++n) {
    if (auto st = upload_sample(element(input, g.input_index(n, 0, 0, 0)), in_sample * elem, t);
        !st) {
      return st.error();
    }
    for (int64_t first = 0; first < g.c_out; first += max_channels) {
      const int64_t count = std::min(max_channels, g.c_out - first);
      const std::size_t out_bytes = static_cast<std::size_t>(count * out_plane * elem);
      if (auto st = reserve_output(out_bytes); !st) return st.error();
      p.set_int("out_c_base", static_cast<int>(first));
      dispatch_and_read(p, static_cast<GLuint>(ceil_div(g.out_w, 16)),
                        static_cast<GLuint>(ceil_div(g.out_h, 8)), static_cast<GLuint>(count),
                        out_bytes, element(output, g.output_index(n, first, 0, 0)), t);
    }
  }
  glUseProgram(0);
  Status st = gl_status("conv-transpose");
  if (!st) return st.error();
  if (timings != nullptr) *timings = t;
  return output;
}

void GpuEngine::dispatch_and_read(const ComputeProgram& p, GLuint groups_x, GLuint groups_y,
                                  GLuint groups_z, std::size_t bytes, void* dst, GpuTimings& t) {
  glUseProgram(p.id());
  glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 0, m_input->id());
  glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 1, m_weight->id());
  glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 2, m_bias->id());
  glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 3, m_map->id());
  m_timer->begin();
  glDispatchCompute(groups_x, groups_y, groups_z);
  m_timer->end();
  t.compute_ms += m_timer->wait_ms();
  const auto t0 = Clock::now();
  glMemoryBarrier(GL_BUFFER_UPDATE_BARRIER_BIT);
  glBindBuffer(GL_SHADER_STORAGE_BUFFER, m_map->id());
  glGetBufferSubData(GL_SHADER_STORAGE_BUFFER, 0, static_cast<GLsizeiptr>(bytes), dst);
  t.readback_ms += ms_since(t0);
}

Status GpuEngine::check_precision(DType dtype) const {
  if (!valid()) return make_error(m_caps.reason, "backend");
  if (dtype == DType::f64 && !m_caps.fp64) return make_error(m_caps.fp64_reason, "backend");
  return ok();
}

Status GpuEngine::upload_sample(const void* src, int64_t bytes, GpuTimings& t) {
  const auto t0 = Clock::now();
  if (!m_input->upload(src, static_cast<std::size_t>(bytes))) {
    return make_error("the GPU could not hold the input (" + mb(bytes) + "); use --backend cpu",
                      "backend");
  }
  t.upload_ms += ms_since(t0);
  return ok();
}

Status GpuEngine::reserve_output(std::size_t bytes) {
  if (m_map->reserve(bytes)) return ok();
  return make_error("the GPU could not hold the output (" + mb(static_cast<int64_t>(bytes)) +
                        "); use --backend cpu",
                    "backend");
}

Status GpuEngine::upload_input(const Tensor& input_nchw) {
  if (!valid()) return make_error(m_caps.reason, "backend");
  if (static_cast<int64_t>(input_nchw.nbytes()) > m_caps.max_ssbo_bytes) {
    return make_error("the image needs " + mb(static_cast<int64_t>(input_nchw.nbytes())) +
                          " of floats, more than this GPU's storage-buffer limit of " +
                          mb(m_caps.max_ssbo_bytes),
                      "backend");
  }
  if (!m_input->upload(input_nchw.data<float>(), input_nchw.nbytes())) {
    return make_error("the GPU could not hold the image", "backend");
  }
  return gl_status("uploading the image");
}

Status GpuEngine::upload_kernel(const Tensor& weight_oihw, const Tensor* bias) {
  if (!m_weight->upload(weight_oihw.raw_data(), weight_oihw.nbytes())) {
    return make_error("the GPU could not hold the kernel", "backend");
  }
  const double zero = 0.0;  // reads as 0 in float32 and float64 alike
  const bool ok_bias = bias != nullptr ? m_bias->upload(bias->raw_data(), bias->nbytes())
                                       : m_bias->upload(&zero, sizeof zero);
  if (!ok_bias) return make_error("the GPU could not hold the bias", "backend");
  return ok();
}

Status GpuEngine::run_conv_resident(const ConvGeometry& g, ConvVariant variant) {
  if (!valid()) return make_error(m_caps.reason, "backend");
  const int64_t out_bytes = g.c_out * g.out_h * g.out_w * 4;
  if (out_bytes > m_caps.max_ssbo_bytes || !m_map->reserve(static_cast<std::size_t>(out_bytes))) {
    return make_error("the result needs " + mb(out_bytes) +
                          ", more than this GPU's storage-buffer limit of " +
                          mb(m_caps.max_ssbo_bytes),
                      "backend");
  }
  const ConvPlan plan = plan_conv(g, variant, m_caps.max_shared_bytes, 4);
  Result<const ComputeProgram*> prog = program("conv2d.comp", conv_defines(g, plan, false));
  if (!prog) return prog.error();
  const ComputeProgram& p = **prog;
  set_conv_uniforms(p, g, plan, g.has_bias);
  p.set_int("z_offset", 0);
  p.set_int("out_c_base", 0);
  const int64_t tile_w = static_cast<int64_t>(plan.cfg.local_x) * plan.cfg.px;
  glUseProgram(p.id());
  glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 0, m_input->id());
  glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 1, m_weight->id());
  glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 2, m_bias->id());
  glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 3, m_map->id());
  glDispatchCompute(static_cast<GLuint>(ceil_div(g.out_w, tile_w)),
                    static_cast<GLuint>(ceil_div(g.out_h, plan.cfg.local_y)),
                    static_cast<GLuint>(plan.z_total));
  glMemoryBarrier(GL_SHADER_STORAGE_BARRIER_BIT | GL_BUFFER_UPDATE_BARRIER_BIT);
  glUseProgram(0);
  return gl_status("conv2d");
}

Status GpuEngine::run_display_resident(int c, int h, int w, DisplayMapping mapping,
                                       DivergingPalette palette, Texture& texture) {
  if (!valid()) return make_error(m_caps.reason, "backend");
  if (!texture.resize(w, h))
    return make_error("the GPU could not hold the result image", "backend");
  const GLuint init[2] = {0xffffffffu, 0u};
  if (!m_range->upload(init, sizeof init)) return make_error("no range buffer", "backend");
  const int count = c * h * w;
  if (mapping == DisplayMapping::signed_ || mapping == DisplayMapping::minmax) {
    Result<const ComputeProgram*> range = program("range.comp", {});
    if (!range) return range.error();
    (*range)->set_int("count", count);
    glUseProgram((*range)->id());
    glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 0, m_map->id());
    glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 4, m_range->id());
    glDispatchCompute(static_cast<GLuint>(std::min<int64_t>(ceil_div(count, 256), 1024)), 1, 1);
    glMemoryBarrier(GL_SHADER_STORAGE_BARRIER_BIT);
  }
  Result<const ComputeProgram*> disp = program("display.comp", {});
  if (!disp) return disp.error();
  const ComputeProgram& p = **disp;
  p.set_int("c", c);
  p.set_int("out_h", h);
  p.set_int("out_w", w);
  p.set_int("mapping", static_cast<int>(mapping));
  const DivergingStops& stops = diverging_stops(palette);
  p.set_int("stop_count", stops.count);
  p.set_vec3("centre", stops.centre);
  p.set_vec3("neg_stops", &stops.neg[0][0], kMaxDivergingStops);
  p.set_vec3("pos_stops", &stops.pos[0][0], kMaxDivergingStops);
  glUseProgram(p.id());
  glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 0, m_map->id());
  glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 4, m_range->id());
  glBindImageTexture(0, texture.id(), 0, GL_FALSE, 0, GL_WRITE_ONLY, GL_RGBA8);
  glDispatchCompute(static_cast<GLuint>(ceil_div(w, 16)), static_cast<GLuint>(ceil_div(h, 16)), 1);
  glMemoryBarrier(GL_TEXTURE_FETCH_BARRIER_BIT | GL_TEXTURE_UPDATE_BARRIER_BIT |
                  GL_SHADER_IMAGE_ACCESS_BARRIER_BIT);
  glUseProgram(0);
  return gl_status("the display pass");
}

Status GpuEngine::read_map(int64_t offset, int64_t count, float* out) {
  if (!valid()) return make_error(m_caps.reason, "backend");
  if (offset < 0 || count < 0 || static_cast<std::size_t>((offset + count) * 4) > m_map->size()) {
    return make_error("read outside the result", "backend");
  }
  glMemoryBarrier(GL_BUFFER_UPDATE_BARRIER_BIT);
  glBindBuffer(GL_SHADER_STORAGE_BUFFER, m_map->id());
  glGetBufferSubData(GL_SHADER_STORAGE_BUFFER, static_cast<GLintptr>(offset * 4),
                     static_cast<GLsizeiptr>(count * 4), out);
  return gl_status("reading the result");
}

void GpuEngine::finish() {
  glFinish();
}

Result<std::vector<uint8_t>> GpuEngine::display(const Tensor& map, DisplayMapping mapping,
                                                DivergingPalette palette) {
  if (!valid()) return make_error(m_caps.reason, "backend");
  if (map.ndim() != 4 || map.dim(0) != 1 || (map.dim(1) != 1 && map.dim(1) != 3)) {
    return make_error("a picture needs a 1×C×H×W map with C = 1 or 3, not " +
                      shape_to_string(map.shape()));
  }
  const Tensor f = map.dtype() == DType::f32 ? map : map.to(DType::f32);
  if (!m_map->upload(f.data<float>(), f.nbytes())) return make_error("no map buffer", "backend");
  const int c = static_cast<int>(f.dim(1)), h = static_cast<int>(f.dim(2)),
            w = static_cast<int>(f.dim(3));
  Texture texture("convscope.display-test");
  Status st = run_display_resident(c, h, w, mapping, palette, texture);
  if (!st) return st.error();
  std::vector<uint8_t> rgba(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4);
  glBindTexture(GL_TEXTURE_2D, texture.id());
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glGetTexImage(GL_TEXTURE_2D, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
  st = gl_status("reading the display");
  if (!st) return st.error();
  return rgba;
}

}  // namespace cs::gpu
