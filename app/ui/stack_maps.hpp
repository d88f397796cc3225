// The Receptive field view's feature maps on the full-resolution photo: the live preview's
// picture (preview_model.hpp's loader) run through the first n layers of the stack on the CPU
// fast path (core/layers' run_layers_cpu, what `convscope render --layers --backend cpu` runs)
// and mapped for display (app/gpu/display_map's map_to_picture, what render writes), off the UI
// thread: update_stack_map() starts the picture's loading and at most one computation at a
// time, takes whatever finished and never waits. Depends on core/, app/gpu and the preview's
// loader; no ImGui.
#pragma once

#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "app/gpu/display_map.hpp"
#include "app/gpu/window_gl.hpp"
#include "app/ui/preview_model.hpp"
#include "core/image_io.hpp"
#include "core/layers.hpp"

namespace cs {

// One computation: the first `count` layers of `layers` on `photo`.
struct StackMapJob {
  uint64_t stack_gen = 0;  // which stack (the caller's number) and picture, echoed back
  std::string picture;
  std::size_t count = 0;
  gpu::DisplayMapping mapping = gpu::DisplayMapping::minmax;
  std::shared_ptr<const Image> photo;
  std::vector<Layer> layers;
  bool same_work(const StackMapJob& o) const {
    return stack_gen == o.stack_gen && picture == o.picture && count == o.count &&
           mapping == o.mapping;
  }
};

struct StackMap {
  StackMapJob job;    // what it shows (photo and layers dropped)
  Image picture;      // RGB, the feature map's size
  std::string error;  // why there is no picture
  double ms = 0;
};

// The computation, on the calling thread (the worker's body; also for tests).
StackMap compute_stack_map(const StackMapJob& job);

struct StackMapView {
  StackMapView() = default;
  ~StackMapView();  // waits for a computation in flight; release() the texture before
  StackMapView(const StackMapView&) = delete;
  StackMapView& operator=(const StackMapView&) = delete;

  // The picture (AppState::preview_path; "" the built-in sample).
  std::string loaded;
  bool load_started = false;
  std::future<PreviewPicture> loading;
  std::shared_ptr<const Image> photo;
  std::string photo_error;

  // The computation in flight, what was asked last and what the texture shows.
  std::future<StackMap> running;
  StackMapJob asked, pending, shown;
  bool have_pending = false;
  uint64_t finished = 0;  // results taken
  std::string error;      // the newest result's error ("" when it drew)
  double ms = 0;
  gpu::PixelTextures textures;
  uintptr_t tex = 0;
  int width = 0, height = 0;

  bool current() const { return tex != 0 && error.empty() && shown.same_work(asked); }
  void release() { textures.release(), tex = 0; }
};

// Once per frame while the view shows the map: loads `picture` when it changed, asks for the
// first `count` layers of `layers` (stack_gen names them) and uploads a finished result.
void update_stack_map(StackMapView& v, const std::string& picture, const std::vector<Layer>& layers,
                      uint64_t stack_gen, std::size_t count, gpu::DisplayMapping mapping);

}  // namespace cs
