// LivePreview: the full-resolution photo filtered by the kernel being edited, redrawn inside the
// app's own GL context (current on the calling thread; without GL 4.3 compute the CPU filters). It
// owns two RGBA8 textures (the photo and the result) that ImGui draws with
// ImGui::Image((ImTextureID)(intptr_t)tex, size). Picks GPU compute or the CPU fast path by
// measuring both; depends on core/ and app/gpu/ only.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/gpu/display_map.hpp"
#include "core/geometry.hpp"
#include "core/image_io.hpp"
#include "core/params.hpp"
#include "core/result.hpp"
#include "core/tensor.hpp"

namespace cs::gpu {

enum class Backend { automatic, gpu, cpu };
const char* backend_name(Backend backend);  // "auto", "gpu", "cpu"
Result<Backend> parse_backend(const std::string& text);

class LivePreview {
 public:
  // Makes no GL call; GL objects are created on first use, in the context current then.
  LivePreview();
  // Deletes its GL objects: the same context must still be current.
  ~LivePreview();
  LivePreview(const LivePreview&) = delete;
  LivePreview& operator=(const LivePreview&) = delete;

  // Uploads the full-resolution photo once (pixels become values in [0, 1], grey or RGB; alpha
  // dropped). Error (the previous image kept) when it is larger than the GL texture limit.
  Status set_image(const Image& image);
  // weight: OIHW [C_out, C_in/groups, KH, KW] with C_in = the image's channels (1 grey, 3
  // colour) and C_out 1 (grey) or 3 (colour); one kernel on each colour channel on its own is
  // [3, 1, KH, KW] with groups 3. bias: [C_out] or null. params.layout must be nchw. Validated
  // here against the image: an error leaves the previous kernel in place and names what to fix
  // (the field tells which control).
  Status set_kernel(const Tensor& weight, const Tensor* bias, const Conv2dParams& params);
  // The signed mapping is coloured in the window's palette, diverging_palette(): render() notices
  // a change and redraws.
  void set_display(DisplayMapping mapping);
  // automatic (the default): measure one GPU pass and one CPU pass, use the faster; re-measured
  // when the image size or the kernel's shape/params change.
  void set_backend(Backend backend);

  // Re-runs the convolution and the display pass only if something changed since the last call.
  // True when result_texture() holds the current result; false when there is nothing to show
  // (no image or kernel yet) or the run failed (see error()).
  bool render();
  // True when the last render() call recomputed (false when nothing had changed).
  bool last_render_ran() const;

  unsigned int original_texture() const;  // GLuint, RGBA8, the photo's size; 0 before set_image
  unsigned int result_texture() const;    // GLuint, RGBA8, result_width × result_height
  int image_width() const;
  int image_height() const;
  int result_width() const;
  int result_height() const;
  int result_channels() const;  // 1 or 3
  // The geometry of the kernel on the image (what both backends run, and where the pixel
  // inspector's receptive field comes from); nullptr until both are set and fit together.
  const ConvGeometry* geometry() const;

  // Per-channel float values of the convolution output at (x, y) (result coordinates), for the
  // pixel inspector; empty when out of range or nothing is rendered.
  std::vector<float> read_value(int x, int y);

  // "GPU (llvmpipe (LLVM 15.0.6, 256 bits))" or "CPU fast path".
  std::string backend() const;
  // Time of the last recompute (conv + display, including any upload), in milliseconds.
  double last_time_ms() const;
  // A sentence for the app to show once, e.g. why compute is unavailable and the CPU is used, or
  // what the automatic choice measured; empty when there is nothing to say. Cleared by
  // take_message().
  const std::string& message() const;
  std::string take_message();
  // The last error (empty after a successful render).
  const std::string& error() const;

 private:
  struct State;
  std::unique_ptr<State> m;
};

}  // namespace cs::gpu
