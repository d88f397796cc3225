// Small GL helpers for the GPU module: labelled buffers and textures, compute programs compiled
// with the driver's whole log on failure, timer queries, and the compute capability probe.
// Every object is created VALID or FAILED (never throws); the caller asks. Needs a current
// context; only app/gpu/ includes this file (it pulls in libepoxy's GL header).
#pragma once

#include <epoxy/gl.h>

#include <cstdint>
#include <string>

namespace cs::gpu {

// A shader storage buffer that grows on demand (contents are lost when it grows).
class Buffer {
 public:
  explicit Buffer(std::string label) : m_label(std::move(label)) {}
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  // Makes room for `bytes` (at least 4); false on GL_OUT_OF_MEMORY.
  bool reserve(std::size_t bytes);
  bool upload(const void* data, std::size_t bytes);  // reserve + glBufferSubData
  GLuint id() const { return m_id; }
  std::size_t size() const { return m_size; }

 private:
  std::string m_label;
  GLuint m_id = 0;
  std::size_t m_size = 0;
};

// An RGBA8 2-D texture, linear filtering, clamped at the edges.
class Texture {
 public:
  explicit Texture(std::string label) : m_label(std::move(label)) {}
  ~Texture();
  Texture(const Texture&) = delete;
  Texture& operator=(const Texture&) = delete;
  bool resize(int width, int height);  // storage re-created when the size changes
  bool upload_rgba(const uint8_t* rgba, int width, int height);
  GLuint id() const { return m_id; }
  int width() const { return m_width; }
  int height() const { return m_height; }

 private:
  std::string m_label;
  GLuint m_id = 0;
  int m_width = 0, m_height = 0;
};

// A linked compute program; VALID (id() != 0) or FAILED with log() holding the driver's full
// compile or link log and the defines it was built with.
class ComputeProgram {
 public:
  ComputeProgram(const std::string& label, const std::string& source);
  ~ComputeProgram();
  ComputeProgram(const ComputeProgram&) = delete;
  ComputeProgram& operator=(const ComputeProgram&) = delete;
  bool valid() const { return m_id != 0; }
  GLuint id() const { return m_id; }
  const std::string& log() const { return m_log; }
  void set_int(const char* name, int value) const;
  void set_double(const char* name, double value) const;  // needs GL_ARB_gpu_shader_fp64
  // A vec3 uniform, or an array of `count` of them.
  void set_vec3(const char* name, const float* xyz, int count = 1) const;

 private:
  GLuint m_id = 0;
  std::string m_log;
};

// Measures GPU time of the commands between begin() and end() (GL_TIME_ELAPSED).
class TimerQuery {
 public:
  TimerQuery();
  ~TimerQuery();
  TimerQuery(const TimerQuery&) = delete;
  TimerQuery& operator=(const TimerQuery&) = delete;
  void begin();
  void end();
  double wait_ms();  // blocks until the result is available

 private:
  GLuint m_id = 0;
};

// What the current context can do for compute.
struct ComputeCaps {
  bool ok = false;       // 4.3+, the probe compiled, ran and wrote the right numbers
  std::string renderer;  // GL_RENDERER, "llvmpipe (LLVM 15.0.6, 256 bits)"
  std::string version;   // GL_VERSION
  std::string reason;    // why not ok, a sentence
  // Double precision in shaders (GL_ARB_gpu_shader_fp64, core since 4.0) compiled, ran and kept
  // all 53 bits (shaders/probe_fp64.comp). fp64_reason: why not, one sentence naming the
  // extension and the fix. CONVSCOPE_GPU_NO_FP64=1 pretends it is missing (for the tests).
  bool fp64 = false;
  std::string fp64_reason;
  int64_t max_ssbo_bytes = 0;
  int max_shared_bytes = 0;
  int max_texture_size = 0;
};
// Reads the version, then compiles and runs shaders/probe.comp and, when that worked,
// shaders/probe_fp64.comp. Needs a current context.
ComputeCaps probe_compute();

// Drains glGetError; returns the first error's name or "" when there was none.
std::string take_gl_error();

}  // namespace cs::gpu
