// Labelled GL objects, compute programs with full logs, timer queries, the capability probe.
#include "app/gpu/gl_util.hpp"

#include <cstdio>
#include <cstring>
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

  std::string origin;
  Result<std::string> source = shader_source("probe.comp", &origin);
  if (!source) {
    caps.reason = source.error().message;
    return caps;
  }
  ComputeProgram program("probe.comp", *source);
  if (!program.valid()) {
    caps.reason = "the compute probe did not build: " + program.log();
    return caps;
  }
  constexpr int count = 256;
  Buffer buffer("convscope.probe");
  if (!buffer.reserve(count * 4)) {
    caps.reason = "the compute probe could not allocate a buffer";
    return caps;
  }
  glUseProgram(program.id());
  glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 0, buffer.id());
  glDispatchCompute(count / 64, 1, 1);
  glMemoryBarrier(GL_BUFFER_UPDATE_BARRIER_BIT);
  std::vector<GLuint> result(count, 0);
  glBindBuffer(GL_SHADER_STORAGE_BUFFER, buffer.id());
  glGetBufferSubData(GL_SHADER_STORAGE_BUFFER, 0, count * 4, result.data());
  glUseProgram(0);
  const std::string err = take_gl_error();
  for (int i = 0; i < count; ++i) {
    if (result[static_cast<std::size_t>(i)] != static_cast<GLuint>(2 * i + 1)) {
      caps.reason = "the compute probe ran but wrote " +
                    std::to_string(result[static_cast<std::size_t>(i)]) + " instead of " +
                    std::to_string(2 * i + 1) + " at slot " + std::to_string(i) +
                    (err.empty() ? "" : " (" + err + ")");
      return caps;
    }
  }
  caps.ok = true;
  return caps;
}

}  // namespace cs::gpu
