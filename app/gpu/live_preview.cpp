// LivePreview: keeps the photo, the kernel and the display mapping; recomputes only what changed,
// on the GPU (resident buffers, no host round trip) or on the CPU fast path (cs::conv2d, then the
// CPU display map and one texture upload), whichever measured faster.
#include "app/gpu/live_preview.hpp"

#include <chrono>
#include <cstdio>
#include <sstream>

#include "app/gpu/gpu_engine.hpp"
#include "core/conv2d.hpp"
#include "core/geometry.hpp"
#include "core/limits.hpp"

namespace cs::gpu {

const char* backend_name(Backend backend) {
  switch (backend) {
    case Backend::automatic:
      return "auto";
    case Backend::gpu:
      return "gpu";
    case Backend::cpu:
      return "cpu";
  }
  return "auto";
}

Result<Backend> parse_backend(const std::string& text) {
  if (text == "auto") return Backend::automatic;
  if (text == "gpu") return Backend::gpu;
  if (text == "cpu") return Backend::cpu;
  return make_error("unknown backend '" + text +
                        "'; use gpu (compute shaders), cpu (the CPU fast path) or auto (the "
                        "faster of the two, measured)",
                    "backend");
}

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string fmt_ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, ms < 10 ? "%.1f ms" : "%.0f ms", ms);
  return buf;
}

}  // namespace

struct LivePreview::State {
  // Inputs
  bool has_image = false;
  int width = 0, height = 0, channels = 0;
  Tensor input;  // [1, C, H, W] float32 in [0, 1]
  bool has_kernel = false;
  Tensor weight;  // OIHW, float32
  std::optional<Tensor> bias;
  Conv2dParams params;
  DisplayMapping mapping = DisplayMapping::clip;
  DivergingPalette palette = DivergingPalette::red_blue;  // follows diverging_palette()
  Backend requested = Backend::automatic;

  // Change tracking
  bool image_uploaded_gpu = false;
  bool conv_dirty = true, display_dirty = true;
  std::string measured_key;
  bool use_gpu = false;
  bool last_ran = false, last_ok = false;

  // The kernel on the current image (resolve())
  ConvGeometry geo;
  bool geo_ok = false;

  // Results
  Tensor cpu_map;  // [1, C_out, OH, OW], when the CPU computed the last result
  bool result_on_gpu = false;
  int out_w = 0, out_h = 0, out_c = 0;

  // GL
  bool gl_ready = false;
  std::unique_ptr<GpuEngine> engine;
  std::unique_ptr<Texture> original, result;

  double time_ms = 0;
  std::string message, error;
  bool told_fallback = false;

  bool gpu_ok() const { return engine != nullptr && engine->valid(); }

  void ensure_gl() {
    if (gl_ready) return;
    gl_ready = true;
    engine = GpuEngine::create();
    original = std::make_unique<Texture>("convscope.photo");
    result = std::make_unique<Texture>("convscope.result");
    if (!engine->valid() && !told_fallback) {
      told_fallback = true;
      message = "GPU compute is unavailable (" + engine->error() +
                "); the live preview uses the CPU fast path.";
    }
  }

  // The geometry of the kernel on the current image, checked: what both backends run.
  Status resolve() {
    geo_ok = false;
    Result<ConvGeometry> g =
        conv2d_geometry(input.shape(), weight.shape(), bias ? bias->numel() : -1, params);
    if (!g) return g.error();
    if (g->c_out != 1 && g->c_out != 3) {
      return make_error("the kernel makes " + std::to_string(g->c_out) +
                            " output channels; a picture needs 1 (grey) or 3 (colour)",
                        "weight");
    }
    // The engine's memory and work limits, for the GPU's resident path as for the CPU's.
    if (auto st = check_cost(conv2d_cost(*g, input.dtype(), Layout::nchw)); !st) return st;
    geo = *g;
    geo_ok = true;
    return ok();
  }

  Status run_gpu() {
    if (!image_uploaded_gpu) {
      Status st = engine->upload_input(input);
      if (!st) return st;
      image_uploaded_gpu = true;
    }
    if (conv_dirty) {
      Status st = engine->upload_kernel(weight, bias ? &*bias : nullptr);
      if (!st) return st;
      st = engine->run_conv_resident(geo);
      if (!st) return st;
    }
    Status st =
        engine->run_display_resident(static_cast<int>(geo.c_out), static_cast<int>(geo.out_h),
                                     static_cast<int>(geo.out_w), mapping, palette, *result);
    if (!st) return st;
    result_on_gpu = true;
    return ok();
  }

  Status run_cpu() {
    if (conv_dirty || !cpu_map.ndim()) {
      Result<Tensor> y = cs::conv2d(input, weight, bias ? &*bias : nullptr, params);
      if (!y) return y.error();
      cpu_map = std::move(*y);
    }
    Result<std::vector<uint8_t>> rgba = map_to_rgba(cpu_map, mapping, palette);
    if (!rgba) return rgba.error();
    if (!result->upload_rgba(rgba->data(), static_cast<int>(geo.out_w),
                             static_cast<int>(geo.out_h))) {
      return make_error("the result image could not be uploaded to the GPU", "backend");
    }
    result_on_gpu = false;
    return ok();
  }

  std::string key() const {
    std::ostringstream k;
    k << width << "x" << height << "x" << channels << " " << shape_to_string(weight.shape()) << " s"
      << params.stride_h << "," << params.stride_w << " d" << params.dilation_h << ","
      << params.dilation_w << " g" << params.groups << " p"
      << padding_spec_to_string(params.padding) << " " << static_cast<int>(params.padding_mode)
      << " " << static_cast<int>(requested);
    return k.str();
  }

  // Measures one full GPU pass and one CPU pass; keeps the faster's result on screen.
  Status measure() {
    // The first GPU pass compiles the shader for this kernel size: warm up, then time.
    conv_dirty = true;
    Status st = run_gpu();
    if (!st) return st;
    engine->finish();
    auto t0 = Clock::now();
    st = run_gpu();
    if (!st) return st;
    engine->finish();
    const double gpu_ms = ms_since(t0);
    t0 = Clock::now();
    conv_dirty = true;
    st = run_cpu();
    if (!st) return st;
    engine->finish();
    const double cpu_ms = ms_since(t0);
    use_gpu = gpu_ms < cpu_ms;
    message = "Automatic backend for " + std::to_string(width) + "×" + std::to_string(height) +
              " with a " + std::to_string(geo.k_h) + "×" + std::to_string(geo.k_w) +
              " kernel: GPU " + fmt_ms(gpu_ms) + ", CPU fast path " + fmt_ms(cpu_ms) +
              " per redraw; using the " + (use_gpu ? "GPU." : "CPU fast path.");
    time_ms = use_gpu ? gpu_ms : cpu_ms;
    if (use_gpu) {
      conv_dirty = false;  // the CPU pass overwrote the texture: redraw the GPU result
      st = run_gpu();
    }
    return st;
  }
};

LivePreview::LivePreview() : m(std::make_unique<State>()) {}
LivePreview::~LivePreview() = default;

Status LivePreview::set_image(const Image& image) {
  if (image.width <= 0 || image.height <= 0 || image.channels < 1 || image.channels > 4 ||
      image.pixels.size() != static_cast<std::size_t>(image.width) * image.height *
                                 static_cast<std::size_t>(image.channels)) {
    return make_error("the image is empty or its pixel count does not match its size", "image");
  }
  m->ensure_gl();
  const ComputeCaps& caps = m->engine->caps();
  if (caps.max_texture_size > 0 &&
      (image.width > caps.max_texture_size || image.height > caps.max_texture_size)) {
    return make_error("the image is " + std::to_string(image.width) + "×" +
                          std::to_string(image.height) + " but this GPU's textures hold at most " +
                          std::to_string(caps.max_texture_size) + " pixels per side",
                      "image");
  }
  m->input = image_to_tensor(image);
  m->width = image.width;
  m->height = image.height;
  m->channels = static_cast<int>(m->input.dim(1));
  const Image rgba = image_to_rgba(image);
  if (!m->original->upload_rgba(rgba.pixels.data(), rgba.width, rgba.height)) {
    return make_error("the photo could not be uploaded to the GPU", "image");
  }
  m->has_image = true;
  m->geo_ok = false;  // the next render() works it out for this image
  m->image_uploaded_gpu = false;
  m->conv_dirty = m->display_dirty = true;
  m->cpu_map = Tensor();
  return ok();
}

Status LivePreview::set_kernel(const Tensor& weight, const Tensor* bias,
                               const Conv2dParams& params) {
  if (weight.ndim() != 4) {
    return make_error(
        "the kernel must be 4-D (C_out×C_in/groups×KH×KW; one kernel on each colour channel is "
        "3×1×KH×KW with groups 3), not " +
            shape_to_string(weight.shape()),
        "weight");
  }
  if (weight.dim(0) != 1 && weight.dim(0) != 3) {
    return make_error("a 4-D kernel for a picture needs C_out 1 (grey) or 3 (colour), not " +
                          std::to_string(weight.dim(0)),
                      "weight");
  }
  if (params.layout != Layout::nchw) {
    return make_error("the live preview takes OIHW kernels (layout nchw)", "layout");
  }
  if (bias != nullptr && bias->ndim() != 1) {
    return make_error("the bias must be 1-D, not " + shape_to_string(bias->shape()), "bias");
  }
  const Tensor old_weight = m->weight;
  const std::optional<Tensor> old_bias = m->bias;
  const Conv2dParams old_params = m->params;
  const bool old_has = m->has_kernel;
  m->weight = weight.to(DType::f32);
  m->bias.reset();
  if (bias != nullptr) m->bias = bias->to(DType::f32);
  m->params = params;
  if (m->has_image) {
    Status st = m->resolve();
    if (!st) {
      m->weight = old_weight;
      m->bias = old_bias;
      m->params = old_params;
      m->has_kernel = old_has;
      if (old_has) (void)m->resolve();
      return st;
    }
  }
  m->has_kernel = true;
  m->conv_dirty = m->display_dirty = true;
  return ok();
}

void LivePreview::set_display(DisplayMapping mapping) {
  if (mapping == m->mapping) return;
  m->mapping = mapping;
  m->display_dirty = true;
}

void LivePreview::set_backend(Backend backend) {
  if (backend == m->requested) return;
  m->requested = backend;
  m->conv_dirty = m->display_dirty = true;
}

bool LivePreview::render() {
  m->last_ran = false;
  if (!m->has_image || !m->has_kernel) return false;
  // The window's palette choice (View > Palette) recolours the signed mapping.
  if (const DivergingPalette p = diverging_palette(); p != m->palette) {
    m->palette = p;
    if (m->mapping == DisplayMapping::signed_) m->display_dirty = true;
  }
  if (!m->conv_dirty && !m->display_dirty) return m->last_ok;
  m->ensure_gl();
  m->last_ran = true;
  m->last_ok = false;
  Status st = m->resolve();
  if (!st) {
    m->error = st.error().message;
    return false;
  }
  const auto t0 = Clock::now();
  const std::string key = m->key();
  bool measured_now = false;
  if (m->requested == Backend::cpu || !m->gpu_ok()) {
    if (m->requested == Backend::gpu && !m->told_fallback) {
      m->told_fallback = true;
      m->message = "GPU compute is unavailable (" + m->engine->error() +
                   "); the live preview uses the CPU fast path.";
    }
    m->use_gpu = false;
    st = m->run_cpu();
  } else if (m->requested == Backend::gpu) {
    m->use_gpu = true;
    st = m->run_gpu();
  } else if (key != m->measured_key) {
    measured_now = true;
    st = m->measure();
    if (!st) {
      // The GPU could not take it (e.g. a storage-buffer limit): the CPU always can.
      m->message = "The GPU could not run this preview (" + st.error().message +
                   "); using the CPU fast path.";
      m->use_gpu = false;
      m->conv_dirty = true;
      measured_now = false;
      st = m->run_cpu();
    }
    if (st) m->measured_key = key;
  } else {
    st = m->use_gpu ? m->run_gpu() : m->run_cpu();
  }
  if (!st && m->use_gpu && m->requested == Backend::automatic) {
    // The GPU could not take it (e.g. a storage-buffer limit): the CPU always can.
    m->message =
        "The GPU could not run this preview (" + st.error().message + "); using the CPU fast path.";
    m->use_gpu = false;
    m->conv_dirty = true;
    st = m->run_cpu();
  }
  if (!st) {
    m->error = st.error().message;
    return false;
  }
  if (!measured_now) {  // measure() already recorded the chosen backend's time
    if (m->use_gpu) m->engine->finish();
    m->time_ms = ms_since(t0);
  }
  m->out_w = static_cast<int>(m->geo.out_w);
  m->out_h = static_cast<int>(m->geo.out_h);
  m->out_c = static_cast<int>(m->geo.c_out);
  m->conv_dirty = m->display_dirty = false;
  m->error.clear();
  m->last_ok = true;
  return true;
}

bool LivePreview::last_render_ran() const {
  return m->last_ran;
}
unsigned int LivePreview::original_texture() const {
  return m->original != nullptr ? m->original->id() : 0;
}
unsigned int LivePreview::result_texture() const {
  return m->result != nullptr && m->last_ok ? m->result->id() : 0;
}
int LivePreview::image_width() const {
  return m->width;
}
int LivePreview::image_height() const {
  return m->height;
}
int LivePreview::result_width() const {
  return m->out_w;
}
int LivePreview::result_height() const {
  return m->out_h;
}
int LivePreview::result_channels() const {
  return m->out_c;
}
const ConvGeometry* LivePreview::geometry() const {
  return m->has_image && m->has_kernel && m->geo_ok ? &m->geo : nullptr;
}

std::vector<float> LivePreview::read_value(int x, int y) {
  std::vector<float> values;
  if (!m->last_ok || x < 0 || y < 0 || x >= m->out_w || y >= m->out_h) return values;
  const int64_t plane = static_cast<int64_t>(m->out_w) * m->out_h;
  const int64_t at = static_cast<int64_t>(y) * m->out_w + x;
  for (int c = 0; c < m->out_c; ++c) {
    float v = 0;
    if (m->result_on_gpu) {
      if (!m->engine->read_map(c * plane + at, 1, &v)) return {};
    } else {
      v = static_cast<float>(m->cpu_map.get(c * plane + at));
    }
    values.push_back(v);
  }
  return values;
}

std::string LivePreview::backend() const {
  if (m->last_ok && m->result_on_gpu && m->engine) return m->engine->description();
  if (m->last_ok) return "CPU fast path";
  if (m->requested == Backend::cpu || !m->gpu_ok()) return "CPU fast path";
  return m->engine ? m->engine->description() : "not yet chosen";
}
double LivePreview::last_time_ms() const {
  return m->time_ms;
}
const std::string& LivePreview::message() const {
  return m->message;
}
std::string LivePreview::take_message() {
  std::string s = std::move(m->message);
  m->message.clear();
  return s;
}
const std::string& LivePreview::error() const {
  return m->error;
}

}  // namespace cs::gpu
