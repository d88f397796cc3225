// EGL surfaceless (EGL_MESA_platform_surfaceless) and hidden-GLFW-window contexts. The only file
// that calls egl* functions; GL itself is loaded through libepoxy.
#include "app/gpu/gl_context.hpp"

#include <epoxy/egl.h>
#include <epoxy/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <cstdlib>
#include <cstring>

namespace cs::gpu {

namespace {

bool has_extension(const char* list, const char* name) {
  if (list == nullptr) return false;
  const std::size_t len = std::strlen(name);
  for (const char* p = list; (p = std::strstr(p, name)) != nullptr; p += len) {
    const bool start_ok = p == list || p[-1] == ' ';
    const bool end_ok = p[len] == ' ' || p[len] == '\0';
    if (start_ok && end_ok) return true;
  }
  return false;
}

std::string& glfw_last_error() {
  static std::string text;
  return text;
}

void glfw_error_callback(int, const char* description) {
  glfw_last_error() = description != nullptr ? description : "unknown GLFW error";
}

}  // namespace

std::unique_ptr<HeadlessContext> HeadlessContext::create() {
  std::unique_ptr<HeadlessContext> ctx(new HeadlessContext());
  std::string egl_why, glfw_why;
  if (ctx->try_egl(true, egl_why) || ctx->try_glfw(true, glfw_why)) {
    ctx->m_valid = ctx->m_is_43 = true;
    return ctx;
  }
  // No 4.3 core context: make any context, so the caller can say which version exists.
  std::string ignored;
  if (ctx->try_egl(false, ignored) || ctx->try_glfw(false, ignored)) {
    ctx->m_valid = true;
    return ctx;
  }
  ctx->m_error =
      "no OpenGL context could be created (EGL: " + egl_why + "; GLFW: " + glfw_why + ")";
  return ctx;
}

bool HeadlessContext::try_egl(bool want_43, std::string& why) {
  // Mesa's surfaceless platform first (no X, no Wayland, no DRM device needed); else the default
  // display (e.g. NVIDIA's EGL, which offers surfaceless contexts there).
  const char* client_ext = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
  EGLDisplay dpy = EGL_NO_DISPLAY;
  if (has_extension(client_ext, "EGL_MESA_platform_surfaceless") &&
      has_extension(client_ext, "EGL_EXT_platform_base")) {
    dpy = eglGetPlatformDisplayEXT(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
  }
  if (dpy == EGL_NO_DISPLAY) dpy = eglGetDisplay(EGL_DEFAULT_DISPLAY);
  if (dpy == EGL_NO_DISPLAY) {
    why = "neither EGL_MESA_platform_surfaceless nor a default EGL display is available";
    return false;
  }
  EGLint major = 0, minor = 0;
  if (eglInitialize(dpy, &major, &minor) == EGL_FALSE) {
    why = "eglInitialize failed";
    return false;
  }
  const char* dpy_ext = eglQueryString(dpy, EGL_EXTENSIONS);
  if (!has_extension(dpy_ext, "EGL_KHR_surfaceless_context")) {
    why = "EGL_KHR_surfaceless_context is not offered";
    eglTerminate(dpy);
    return false;
  }
  if (eglBindAPI(EGL_OPENGL_API) == EGL_FALSE) {
    why = "eglBindAPI(EGL_OPENGL_API) failed";
    eglTerminate(dpy);
    return false;
  }
  EGLConfig config = nullptr;  // EGL_NO_CONFIG_KHR
  if (!has_extension(dpy_ext, "EGL_KHR_no_config_context")) {
    const EGLint attribs[] = {EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_SURFACE_TYPE,
                              EGL_PBUFFER_BIT, EGL_NONE};
    EGLint count = 0;
    if (eglChooseConfig(dpy, attribs, &config, 1, &count) == EGL_FALSE || count < 1) {
      why = "no EGL config for desktop OpenGL";
      eglTerminate(dpy);
      return false;
    }
  }
  const EGLint attribs_43[] = {EGL_CONTEXT_MAJOR_VERSION,
                               4,
                               EGL_CONTEXT_MINOR_VERSION,
                               3,
                               EGL_CONTEXT_OPENGL_PROFILE_MASK,
                               EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
                               EGL_NONE};
  const EGLint attribs_any[] = {EGL_NONE};
  EGLContext context =
      eglCreateContext(dpy, config, EGL_NO_CONTEXT, want_43 ? attribs_43 : attribs_any);
  if (context == EGL_NO_CONTEXT) {
    why =
        want_43 ? "the driver cannot create an OpenGL 4.3 core context" : "eglCreateContext failed";
    eglTerminate(dpy);
    return false;
  }
  if (eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, context) == EGL_FALSE) {
    why = "eglMakeCurrent without a surface failed";
    eglDestroyContext(dpy, context);
    eglTerminate(dpy);
    return false;
  }
  m_egl_display = dpy;
  m_egl_context = context;
  m_kind = "EGL surfaceless";
  return true;
}

bool HeadlessContext::try_glfw(bool want_43, std::string& why) {
  if (std::getenv("DISPLAY") == nullptr && std::getenv("WAYLAND_DISPLAY") == nullptr) {
    why = "no display ($DISPLAY is unset)";
    return false;
  }
  glfwSetErrorCallback(glfw_error_callback);
  if (glfwInit() == GLFW_FALSE) {
    why = "glfwInit failed: " + glfw_last_error();
    return false;
  }
  glfwDefaultWindowHints();
  glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
  if (want_43) {
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 4);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  }
  GLFWwindow* window = glfwCreateWindow(1, 1, "ConvScope compute", nullptr, nullptr);
  if (window == nullptr) {
    why = "no hidden GLFW window: " + glfw_last_error();
    return false;
  }
  glfwMakeContextCurrent(window);
  m_glfw_window = window;
  m_kind = "hidden GLFW window";
  return true;
}

bool HeadlessContext::make_current() {
  if (m_egl_context != nullptr) {
    return eglMakeCurrent(static_cast<EGLDisplay>(m_egl_display), EGL_NO_SURFACE, EGL_NO_SURFACE,
                          static_cast<EGLContext>(m_egl_context)) == EGL_TRUE;
  }
  if (m_glfw_window != nullptr) {
    glfwMakeContextCurrent(static_cast<GLFWwindow*>(m_glfw_window));
    return true;
  }
  return false;
}

HeadlessContext::~HeadlessContext() {
  if (m_egl_context != nullptr) {
    auto dpy = static_cast<EGLDisplay>(m_egl_display);
    eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    eglDestroyContext(dpy, static_cast<EGLContext>(m_egl_context));
    // NOTE: no eglTerminate: every context of the process shares this display (the GPU compute
    // thread's too), and terminating it pulled the other contexts away mid-use.
  }
  if (m_glfw_window != nullptr) {
    glfwMakeContextCurrent(nullptr);
    glfwDestroyWindow(static_cast<GLFWwindow*>(m_glfw_window));
  }
}

}  // namespace cs::gpu
