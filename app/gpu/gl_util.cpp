// Labelled GL objects, compute programs with full logs, timer queries, the capability probe.
#include "app/gpu/gl_util.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

#include "app/gpu/shader_library.hpp"

namespace cs::gpu {

namespace {

void label(GLenum kind, GLuint id, const std::string& text) {
  // glObjectLabel is core in 4.3; contexts older than that (the probe's subject) lack it.
  if (epoxy_gl_version() >= 43 || epoxy_has_gl_extension("GL_KHR_debug")) {
    glObjectLabel(kind, id, -1, text.c_str());
  }
}

std::string shader_log(GLuint shader) {
  GLint len = 0;
  glGetShaderiv(shader, GL_INFO_LOG_LENGTH, &len);
  std::string text(static_cast<std::size_t>(len > 0 ? len : 0), '\0');
  if (len > 0) glGetShaderInfoLog(shader, len, nullptr, text.data());
  while (!text.empty() && (text.back() == '\0' || text.back() == '\n'))
    text.pop_back();
  return text;
}

std::string program_log(GLuint program) {
  GLint len = 0;
  glGetProgramiv(program, GL_INFO_LOG_LENGTH, &len);
  std::string text(static_cast<std::size_t>(len > 0 ? len : 0), '\0');
  if (len > 0) glGetProgramInfoLog(program, len, nullptr, text.data());
  while (!text.empty() && (text.back() == '\0' || text.back() == '\n'))
    text.pop_back();
  return text;
}

}  // namespace

std::string take_gl_error() {
  std::string first;
  for (int i = 0; i < 16; ++i) {
    const GLenum err = glGetError();
    if (err == GL_NO_ERROR) break;
    if (!first.empty()) continue;
    switch (err) {
      case GL_INVALID_ENUM:
        first = "GL_INVALID_ENUM";
        break;
      case GL_INVALID_VALUE:
        first = "GL_INVALID_VALUE";
        break;
      case GL_INVALID_OPERATION:
        first = "GL_INVALID_OPERATION";
        break;
      case GL_OUT_OF_MEMORY:
        first = "GL_OUT_OF_MEMORY";
        break;
      default:
        first = "GL error " + std::to_string(err);
    }
  }
  return first;
}

Buffer::~Buffer() {
  if (m_id != 0) glDeleteBuffers(1, &m_id);
}

bool Buffer::reserve(std::size_t bytes) {
  if (bytes < 4) bytes = 4;
  if (m_id != 0 && m_size >= bytes) return true;
  if (m_id == 0) {
    glGenBuffers(1, &m_id);
    glBindBuffer(GL_SHADER_STORAGE_BUFFER, m_id);
    label(GL_BUFFER, m_id, m_label);
  }
  take_gl_error();
  glBindBuffer(GL_SHADER_STORAGE_BUFFER, m_id);
  glBufferData(GL_SHADER_STORAGE_BUFFER, static_cast<GLsizeiptr>(bytes), nullptr, GL_DYNAMIC_DRAW);
  if (!take_gl_error().empty()) {
    m_size = 0;
    return false;
  }
  m_size = bytes;
  return true;
}

bool Buffer::upload(const void* data, std::size_t bytes) {
  if (!reserve(bytes)) return false;
  glBindBuffer(GL_SHADER_STORAGE_BUFFER, m_id);
  if (bytes > 0) glBufferSubData(GL_SHADER_STORAGE_BUFFER, 0, static_cast<GLsizeiptr>(bytes), data);
  return true;
}

Texture::~Texture() {
  if (m_id != 0) glDeleteTextures(1, &m_id);
}

bool Texture::resize(int width, int height) {
  if (m_id != 0 && width == m_width && height == m_height) return true;
  if (m_id != 0) glDeleteTextures(1, &m_id);
  take_gl_error();
  glGenTextures(1, &m_id);
  glBindTexture(GL_TEXTURE_2D, m_id);
  label(GL_TEXTURE, m_id, m_label);
  // NOTE: glTexImage2D, not glTexStorage2D (4.2): the CPU fallback runs on 4.1 contexts too.
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  if (!take_gl_error().empty()) {
    glDeleteTextures(1, &m_id);
    m_id = 0;
    m_width = m_height = 0;
    return false;
  }
  m_width = width;
  m_height = height;
  return true;
}

bool Texture::upload_rgba(const uint8_t* rgba, int width, int height) {
  if (!resize(width, height)) return false;
  glBindTexture(GL_TEXTURE_2D, m_id);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
  return take_gl_error().empty();
}

ComputeProgram::ComputeProgram(const std::string& label_text, const std::string& source) {
  GLuint shader = glCreateShader(GL_COMPUTE_SHADER);
  const char* text = source.c_str();
  glShaderSource(shader, 1, &text, nullptr);
  glCompileShader(shader);
  GLint ok = GL_FALSE;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
  if (ok != GL_TRUE) {
    m_log = "compiling " + label_text + " failed; the driver says:\n" + shader_log(shader);
    glDeleteShader(shader);
    return;
  }
  GLuint program = glCreateProgram();
  glAttachShader(program, shader);
  glLinkProgram(program);
  glDeleteShader(shader);
  glGetProgramiv(program, GL_LINK_STATUS, &ok);
  if (ok != GL_TRUE) {
    m_log = "linking " + label_text + " failed; the driver says:\n" + program_log(program);
    glDeleteProgram(program);
    return;
  }
  label(GL_PROGRAM, program, label_text);
  m_id = program;
}

ComputeProgram::~ComputeProgram() {
  if (m_id != 0) glDeleteProgram(m_id);
}

void ComputeProgram::set_int(const char* name, int value) const {
  glProgramUniform1i(m_id, glGetUniformLocation(m_id, name), value);
}

void ComputeProgram::set_double(const char* name, double value) const {
  glProgramUniform1d(m_id, glGetUniformLocation(m_id, name), value);
}

void ComputeProgram::set_vec3(const char* name, const float* xyz, int count) const {
  glProgramUniform3fv(m_id, glGetUniformLocation(m_id, name), count, xyz);
}

TimerQuery::TimerQuery() {
  glGenQueries(1, &m_id);
}
TimerQuery::~TimerQuery() {
  if (m_id != 0) glDeleteQueries(1, &m_id);
}
void TimerQuery::begin() {
  glBeginQuery(GL_TIME_ELAPSED, m_id);
}
void TimerQuery::end() {
  glEndQuery(GL_TIME_ELAPSED);
}
double TimerQuery::wait_ms() {
  GLuint64 ns = 0;
  glGetQueryObjectui64v(m_id, GL_QUERY_RESULT, &ns);
  return static_cast<double>(ns) / 1e6;
}

namespace {

constexpr int kProbeSlots = 256;

// Compiles shaders/<name>, lets `set_uniforms` set its uniforms, runs kProbeSlots invocations
// (64 per work group) and reads kProbeSlots·slot_bytes bytes back into `out`; "" or why not
// ("did not build: <log>").
std::string run_probe(const char* name, std::size_t slot_bytes,
                      const std::function<void(const ComputeProgram&)>& set_uniforms,
                      std::vector<unsigned char>& out) {
  Result<std::string> source = shader_source(name);
  if (!source) return source.error().message;
  ComputeProgram program(name, *source);
  if (!program.valid()) return "did not build: " + program.log();
  Buffer buffer(std::string("convscope.") + name);
  const std::size_t bytes = kProbeSlots * slot_bytes;
  if (!buffer.reserve(bytes)) return "could not allocate a buffer";
  set_uniforms(program);
  glUseProgram(program.id());
  glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 0, buffer.id());
  glDispatchCompute(kProbeSlots / 64, 1, 1);
  glMemoryBarrier(GL_BUFFER_UPDATE_BARRIER_BIT);
  out.assign(bytes, 0);
  glBindBuffer(GL_SHADER_STORAGE_BUFFER, buffer.id());
  glGetBufferSubData(GL_SHADER_STORAGE_BUFFER, 0, static_cast<GLsizeiptr>(bytes), out.data());
  glUseProgram(0);
  const std::string err = take_gl_error();
  return err.empty() ? "" : "ran into " + err;
}

// probe.comp writes 2i + 1 into slot i; "" or what went wrong.
std::string probe_compute_shader() {
  std::vector<unsigned char> bytes;
  if (std::string why = run_probe(
          "probe.comp", 4, [](const ComputeProgram&) {}, bytes);
      !why.empty()) {
    return "the compute probe " + why;
  }
  for (int i = 0; i < kProbeSlots; ++i) {
    GLuint v = 0;
    std::memcpy(&v, bytes.data() + static_cast<std::size_t>(i) * 4, 4);
    if (v != static_cast<GLuint>(2 * i + 1)) {
      return "the compute probe ran but wrote " + std::to_string(v) + " instead of " +
             std::to_string(2 * i + 1) + " at slot " + std::to_string(i);
    }
  }
  return "";
}

// probe_fp64.comp writes i·(1 + 2^-40) + 2^-45 into slot i; "" or why double precision is not
// usable, as the end of "GL_ARB_gpu_shader_fp64 ...".
std::string probe_fp64_shader() {
  if (const char* env = std::getenv("CONVSCOPE_GPU_NO_FP64");
      env != nullptr && std::strcmp(env, "1") == 0) {
    return "is treated as missing (CONVSCOPE_GPU_NO_FP64=1)";
  }
  if (epoxy_gl_version() < 40 && !epoxy_has_gl_extension("GL_ARB_gpu_shader_fp64")) {
    return "is missing";
  }
  const double scale = 1.0 + std::ldexp(1.0, -40);
  std::vector<unsigned char> bytes;
  const std::string why = run_probe(
      "probe_fp64.comp", 8, [&](const ComputeProgram& p) { p.set_double("step_scale", scale); },
      bytes);
  if (!why.empty()) return "does not work here (its probe " + why + ")";
  for (int i = 0; i < kProbeSlots; ++i) {
    double v = 0;
    std::memcpy(&v, bytes.data() + static_cast<std::size_t>(i) * 8, 8);
    const double want = i * scale + std::ldexp(1.0, -45);
    if (v != want) {
      char text[160];
      std::snprintf(text, sizeof text,
                    "does not keep double precision here (slot %d holds %.17g instead of %.17g)", i,
                    v, want);
      return text;
    }
  }
  return "";
}

}  // namespace

ComputeCaps probe_compute() {
  ComputeCaps caps;
  const auto* renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
  const auto* version = reinterpret_cast<const char*>(glGetString(GL_VERSION));
  caps.renderer = renderer != nullptr ? renderer : "unknown renderer";
  caps.version = version != nullptr ? version : "unknown version";
  const int gl = epoxy_gl_version();
  if (epoxy_is_desktop_gl() == 0 || gl < 43) {
    caps.reason = "this OpenGL is " + caps.version + " (" + caps.renderer +
                  "); compute shaders need OpenGL 4.3";
    return caps;
  }
  GLint64 ssbo = 0;
  GLint shared = 0, tex = 0;
  glGetInteger64v(GL_MAX_SHADER_STORAGE_BLOCK_SIZE, &ssbo);
  glGetIntegerv(GL_MAX_COMPUTE_SHARED_MEMORY_SIZE, &shared);
  glGetIntegerv(GL_MAX_TEXTURE_SIZE, &tex);
  caps.max_ssbo_bytes = ssbo;
  caps.max_shared_bytes = shared;
  caps.max_texture_size = tex;

  caps.reason = probe_compute_shader();
  if (!caps.reason.empty()) return caps;
  caps.ok = true;
  const std::string fp64_why = probe_fp64_shader();
  caps.fp64 = fp64_why.empty();
  if (!caps.fp64) {
    caps.fp64_reason = "this GPU (" + caps.renderer +
                       ") cannot compute float64: double precision in shaders "
                       "(GL_ARB_gpu_shader_fp64) " +
                       fp64_why + "; use --backend cpu for float64 tensors";
  }
  return caps;
}

}  // namespace cs::gpu
