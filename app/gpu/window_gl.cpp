// The window's GL calls (see window_gl.hpp).
#include "app/gpu/window_gl.hpp"

#include <epoxy/gl.h>

#include <algorithm>

namespace cs::gpu {

void clear_frame(int fb_width, int fb_height, float r, float g, float b) {
  glViewport(0, 0, fb_width, fb_height);
  glClearColor(r, g, b, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
}

void set_nearest_filtering(uintptr_t texture) {
  GLint bound = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &bound);
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(texture));
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(bound));
}

bool read_back_buffer(int width, int height, std::vector<uint8_t>& rgb_top_down, std::string& why) {
  const std::size_t stride = static_cast<std::size_t>(width) * 3;
  std::vector<uint8_t> rows(stride * static_cast<std::size_t>(height));
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, rows.data());
  if (glGetError() != GL_NO_ERROR) {
    why = "Reading the window's pixels failed (glReadPixels reported an error).";
    return false;
  }
  rgb_top_down.resize(rows.size());
  for (int y = 0; y < height; ++y) {
    std::copy_n(rows.data() + static_cast<std::size_t>(height - 1 - y) * stride, stride,
                rgb_top_down.data() + static_cast<std::size_t>(y) * stride);
  }
  return true;
}

uintptr_t PixelTextures::upload(std::size_t slot, int width, int height,
                                const std::vector<uint32_t>& pixels) {
  if (m_slots.size() <= slot) m_slots.resize(slot + 1);
  Slot& t = m_slots[slot];
  GLint bound = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &bound);
  if (t.tex == 0) {
    GLuint id = 0;
    glGenTextures(1, &id);
    t.tex = id;
    glBindTexture(GL_TEXTURE_2D, id);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, m_smooth_minify ? GL_LINEAR : GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  }
  glBindTexture(GL_TEXTURE_2D, t.tex);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  if (t.w != width || t.h != height) {
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE,
                 pixels.data());
    t.w = width;
    t.h = height;
  } else {
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE,
                    pixels.data());
  }
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(bound));
  return t.tex;
}

void PixelTextures::release() {
  for (Slot& t : m_slots) {
    if (t.tex != 0) {
      GLuint id = t.tex;
      glDeleteTextures(1, &id);
    }
  }
  m_slots.clear();
}

}  // namespace cs::gpu
