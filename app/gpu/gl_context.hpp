// A GL context with no window for the command line, the tests and the benchmarks: EGL on Mesa's
// surfaceless platform, else a hidden 1×1 GLFW window where a display exists. Created VALID or
// FAILED (never throws); the caller asks valid() and error(). Depends on libepoxy, EGL, GLFW.
#pragma once

#include <memory>
#include <string>

namespace cs::gpu {

class HeadlessContext {
 public:
  // Tries a 4.3 core context first, then (to report what the driver offers) any context.
  // Leaves the new context current on the calling thread when valid().
  static std::unique_ptr<HeadlessContext> create();
  ~HeadlessContext();
  HeadlessContext(const HeadlessContext&) = delete;
  HeadlessContext& operator=(const HeadlessContext&) = delete;

  bool valid() const { return m_valid; }
  // Why no context exists (empty when valid).
  const std::string& error() const { return m_error; }
  // "EGL surfaceless" or "hidden GLFW window".
  const std::string& kind() const { return m_kind; }
  // True when the context is a 4.3 (or later) core context; false when only an older context
  // could be made (then compute is unavailable, but the version can be reported).
  bool is_43() const { return m_is_43; }
  bool make_current();

 private:
  HeadlessContext() = default;
  bool try_egl(bool want_43, std::string& why);
  bool try_glfw(bool want_43, std::string& why);

  bool m_valid = false, m_is_43 = false;
  std::string m_error, m_kind;
  void* m_egl_display = nullptr;
  void* m_egl_context = nullptr;
  void* m_glfw_window = nullptr;
};

}  // namespace cs::gpu
