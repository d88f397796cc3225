// The stack's feature maps on the photo (see stack_maps.hpp).
#include "app/ui/stack_maps.hpp"

#include <chrono>
#include <cstring>

namespace cs {

namespace {

bool ready(const std::future<StackMap>& f) {
  return f.valid() && f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

void follow_picture(StackMapView& v, const std::string& picture) {
  if (v.loading.valid()) {
    if (v.loading.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
    PreviewPicture pic = v.loading.get();
    v.photo_error = pic.error;
    v.photo = pic.error.empty() ? std::make_shared<const Image>(std::move(pic.image)) : nullptr;
  }
  if (v.load_started && v.loaded == picture) return;
  v.load_started = true;
  v.loaded = picture;
  v.loading = std::async(std::launch::async, load_preview_picture, picture);
}

void upload(StackMapView& v, StackMap m) {
  ++v.finished;
  v.error = m.error;
  v.ms = m.ms;
  v.shown = std::move(m.job);
  if (!m.error.empty()) return;
  const Image& p = m.picture;
  std::vector<uint32_t> texels(static_cast<std::size_t>(p.width) * p.height);
  for (std::size_t i = 0; i < texels.size(); ++i) {
    const uint8_t rgba[4] = {p.pixels[i * 3], p.pixels[i * 3 + 1], p.pixels[i * 3 + 2], 255};
    std::memcpy(&texels[i], rgba, 4);
  }
  v.tex = v.textures.upload(0, p.width, p.height, texels);
  v.width = p.width;
  v.height = p.height;
}

}  // namespace

StackMap compute_stack_map(const StackMapJob& job) {
  const auto t0 = std::chrono::steady_clock::now();
  StackMap m;
  m.job = job;
  m.job.photo.reset();
  m.job.layers.clear();
  if (!job.photo || job.layers.empty()) {
    m.error = "no picture or no layers";
    return m;
  }
  Result<int> channels = photo_channels(job.layers.front());
  Result<Tensor> y =
      channels ? run_layers_cpu(job.layers, image_to_tensor(*job.photo, *channels), job.count)
               : Result<Tensor>(channels.error());
  Result<Image> picture = y ? gpu::map_to_picture(*y, job.mapping) : Result<Image>(y.error());
  if (picture)
    m.picture = std::move(*picture);
  else
    m.error = picture.error().message;
  m.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return m;
}

StackMapView::~StackMapView() {
  if (running.valid()) running.wait();
  if (loading.valid()) loading.wait();
}

void update_stack_map(StackMapView& v, const std::string& picture, const std::vector<Layer>& layers,
                      uint64_t stack_gen, std::size_t count, gpu::DisplayMapping mapping) {
  follow_picture(v, picture);
  if (ready(v.running)) upload(v, v.running.get());
  if (!v.photo || layers.empty()) return;
  StackMapJob job{stack_gen, picture, count, mapping, v.photo, {}};
  if (!job.same_work(v.asked)) {
    job.layers = layers;
    v.pending = std::move(job);
    v.asked = v.pending;
    v.asked.photo.reset();
    v.asked.layers.clear();
    v.have_pending = true;
  }
  if (v.have_pending && !v.running.valid()) {
    v.have_pending = false;
    v.running = std::async(std::launch::async, compute_stack_map, std::move(v.pending));
  }
}

}  // namespace cs
