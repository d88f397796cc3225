// The GL the window itself needs, so that app/gpu/ stays the only module that calls gl*: the
// frame clear, nearest filtering for the font atlas, the back-buffer read-back for screenshots,
// and the canvas's pixel textures (one texel per cell of a grid too fine for rectangles).
// Needs the window's context current. Includes no GL header: callers see plain types only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cs::gpu {

// glViewport + glClear of the window's framebuffer to an RGB colour (components in [0, 1]).
void clear_frame(int fb_width, int fb_height, float r, float g, float b);

// Switches a texture (ImGui's font atlas) to nearest sampling; keeps the bound texture.
void set_nearest_filtering(uintptr_t texture);

// The back buffer as RGB rows, top row first (GL's first row is the bottom one). Returns false
// with `why` set when GL reports an error.
bool read_back_buffer(int width, int height, std::vector<uint8_t>& rgb_top_down, std::string& why);

// RGBA8 textures for ImGui::Image, nearest filtering (or, with smooth_minify, linear when drawn
// smaller: a photo shrunk into a pane), indexed by slot; re-created when the size changes,
// updated in place otherwise. Pixels are ImU32 colours (RGBA in memory).
class PixelTextures {
 public:
  explicit PixelTextures(bool smooth_minify = false) : m_smooth_minify(smooth_minify) {}
  // NOTE: no GL in the destructor: at exit the context may be gone; call release() before.
  ~PixelTextures() = default;
  PixelTextures(const PixelTextures&) = delete;
  PixelTextures& operator=(const PixelTextures&) = delete;
  // Uploads `pixels` (width·height) into slot `slot`; returns the texture for ImGui::Image.
  uintptr_t upload(std::size_t slot, int width, int height, const std::vector<uint32_t>& pixels);
  void release();  // deletes every texture (call while the context is current)

 private:
  struct Slot {
    unsigned tex = 0;
    int w = 0, h = 0;
  };
  std::vector<Slot> m_slots;
  bool m_smooth_minify = false;
};

}  // namespace cs::gpu
