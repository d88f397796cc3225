// The live preview's model (see preview_model.hpp): loading the picture, choosing the kernel,
// running the LivePreviews, the legend's range job and the inspector's read-back. Called once
// per frame after the views; the view in ui_preview.cpp reads the result.
#include "app/ui/preview_model.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "app/gpu/data_dir.hpp"
#include "app/ui/ui_edit.hpp"
#include "core/conv2d.hpp"

namespace cs {

namespace fs = std::filesystem;

namespace {

// Pictures above this many pixels get a reduced copy for editing; its target size.
constexpr int64_t kProxyAbove = 400 * 1000;
constexpr double kProxyPixels = 250.0 * 1000;
// Seconds a kernel rests before the legend's exact range is measured.
constexpr double kRangeRest = 0.3;

// A 640×480 test picture made in memory when no sample ships: gradients, a disc, a checkerboard
// and stripes of rising frequency, so blurs, edges and sharpening all show something.
Image procedural_sample() {
  Image img;
  img.width = 640;
  img.height = 480;
  img.channels = 3;
  img.pixels.resize(static_cast<std::size_t>(img.width * img.height * 3));
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) {
      double r = 40 + 120.0 * y / img.height, g = 90 + 100.0 * y / img.height,
             b = 200 - 60.0 * y / img.height;
      const double dx = x - 450, dy = y - 150;
      if (dx * dx + dy * dy < 80 * 80) r = 250, g = 210, b = 60;  // a sun
      if (x < 280 && y > 260 && y < 440 && x > 40) {              // a checkerboard
        const bool on = ((x - 40) / 30 + (y - 260) / 30) % 2 == 0;
        r = g = b = on ? 235 : 25;
      }
      if (y > 300 && x > 330 && x < 620) {  // stripes, finer to the right
        const double f = 0.02 + 0.25 * (x - 330) / 290.0;
        const double v = 0.5 + 0.5 * std::sin(f * (x - 330) * 3.14159);
        r = g = b = 30 + 200 * v;
      }
      if (y > 60 && y < 220 && x > 60 && x < 240 && x - 60 > (y - 60) / 2) {  // a slanted edge
        r = 180, g = 40, b = 50;
      }
      uint8_t* p = &img.pixels[static_cast<std::size_t>((y * img.width + x) * 3)];
      p[0] = static_cast<uint8_t>(std::clamp(r, 0.0, 255.0));
      p[1] = static_cast<uint8_t>(std::clamp(g, 0.0, 255.0));
      p[2] = static_cast<uint8_t>(std::clamp(b, 0.0, 255.0));
    }
  }
  return img;
}

// The picture area-averaged to about kProxyPixels, 8-bit again (grey or RGB).
Image reduced_copy(const Image& img) {
  const double f = std::sqrt(kProxyPixels / (static_cast<double>(img.width) * img.height));
  const int w = std::max(1, static_cast<int>(std::lround(img.width * f)));
  const int h = std::max(1, static_cast<int>(std::lround(img.height * f)));
  const Tensor t = downsample_area(img, h, w);  // [1, C, h, w] in [0, 1]
  Image out;
  out.width = w;
  out.height = h;
  out.channels = static_cast<int>(t.dim(1));
  out.pixels.resize(static_cast<std::size_t>(w * h * out.channels));
  for (int c = 0; c < out.channels; ++c) {
    for (int64_t i = 0; i < static_cast<int64_t>(w) * h; ++i) {
      const double v = std::clamp(t.get(c * w * h + i), 0.0, 1.0);
      out.pixels[static_cast<std::size_t>(i * out.channels + c)] =
          static_cast<uint8_t>(std::lround(v * 255.0));
    }
  }
  return out;
}

// A PNG/JPEG under assets/images (beside the program, the source tree, the install prefix:
// gpu::data_dirs()), or "".
std::string find_sample() {
  for (const std::string& root : gpu::data_dirs()) {
    const fs::path dir = fs::path(root) / "assets" / "images";
    std::error_code ec;
    std::vector<std::string> found;
    for (fs::directory_iterator it(dir, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
      std::string ext = it->path().extension().string();
      for (char& c : ext)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (ext == ".png" || ext == ".jpg" || ext == ".jpeg") found.push_back(it->path().string());
    }
    std::sort(found.begin(), found.end());
    // A real photograph shows more than a test pattern: the coffee cup (assets/images/CREDITS.md),
    // else any JPEG.
    for (const std::string& f : found) {
      if (fs::path(f).stem() == "coffee") return f;
    }
    for (const std::string& f : found) {
      if (fs::path(f).extension() == ".jpg" || fs::path(f).extension() == ".jpeg") return f;
    }
    if (!found.empty()) return found.front();
  }
  return {};
}

// [C_out, C_in/g, KH, KW] => [1, C_in, KH, KW]: filter o of a groups-1 weight.
Tensor one_filter(const Tensor& w, int64_t o) {
  const int64_t per = w.dim(1) * w.dim(2) * w.dim(3);
  Tensor f(DType::f32, {1, w.dim(1), w.dim(2), w.dim(3)});
  for (int64_t j = 0; j < per; ++j)
    f.set(j, w.get(o * per + j));
  return f;
}

// [C_out, C_in/g, KH, KW] => [channels, 1, KH, KW]: kernel (o, i) once per channel, for
// groups = channels (each channel filtered on its own by the same kernel).
Tensor kernel_per_channel(const Tensor& w, int64_t o, int64_t i, int64_t channels) {
  const int64_t taps = w.dim(2) * w.dim(3);
  const int64_t from = (o * w.dim(1) + i) * taps;
  Tensor k(DType::f32, {channels, 1, w.dim(2), w.dim(3)});
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t j = 0; j < taps; ++j)
      k.set(c * taps + j, w.get(from + j));
  return k;
}

gpu::MapRange compute_range(Tensor image, Tensor weight, Tensor bias, bool has_bias,
                            Conv2dParams p) {
  auto out = conv2d(image, weight, has_bias ? &bias : nullptr, p, ExecOptions{1});
  if (!out) return gpu::MapRange{};
  return gpu::map_range(out->data<float>(), out->numel());
}

// The picture asked for (AppState::preview_path, else the sample), uploaded to the full
// filter; on success a new picture: the kernel is set again, the range measured again.
void load_picture(const AppState& s, PreviewModel& pm) {
  std::string path = s.preview_path;
  if (path.empty()) path = find_sample();
  Result<Image> loaded = path.empty() ? Result<Image>(procedural_sample()) : load_image(path);
  if (!loaded && s.preview_path.empty()) loaded = procedural_sample();  // a broken sample file
  pm.loaded = s.preview_path;  // tried: not again every frame
  if (!loaded) {
    pm.picture_error = loaded.error().message;
    pm.load_failed = true;
    return;
  }
  pm.load_failed = false;
  Image img = std::move(*loaded);
  if (auto st = pm.full->set_image(img); !st) {
    pm.picture_error = st.error().message;
    return;
  }
  pm.picture_error.clear();
  ++pm.picture_gen;
  pm.image_tensor = image_to_tensor(img);
  pm.proxy.reset();
  pm.proxy_image = Image();
  if (static_cast<int64_t>(img.width) * img.height > kProxyAbove)
    pm.proxy_image = reduced_copy(img);
  pm.image = std::move(img);
  pm.kernel_set = false;
  pm.full_rendered = false;
  pm.range.known = false;
}

// The kernel chosen from the lesson, compared with what was last asked for, so an edit in this
// frame's views shows in this frame.
void follow_kernel(const AppState& s, const EditState& es, PreviewModel& pm) {
  const int64_t channels = pm.image.channels <= 2 ? 1 : 3;
  PreviewKernel k = choose_preview_kernel(s, es.sel_out, es.sel_in, channels);
  if (k.weight.ndim() != 4) return;
  if (pm.kernel_set && pm.kernel.weight.identical(k.weight) && pm.kernel.has_bias == k.has_bias &&
      pm.kernel.bias.identical(k.bias) && same_arithmetic(pm.kernel.params, k.params)) {
    return;
  }
  pm.kernel = std::move(k);
  pm.range.known = false;
  pm.range.changed_at = s.time;
  if (pm.kernel_set) pm.last_change = s.time;  // the first kernel is not an edit
  pm.kernel_set = true;
  ++pm.kernel_gen;
}

// Gives `target` the current kernel unless it has it already (`gen` says which it has).
void apply_kernel(PreviewModel& pm, gpu::LivePreview& target, uint64_t& gen) {
  if (gen == pm.kernel_gen || !pm.kernel_set) return;
  gen = pm.kernel_gen;
  const PreviewKernel& k = pm.kernel;
  auto st = target.set_kernel(k.weight, k.has_bias ? &k.bias : nullptr, k.params);
  pm.kernel_error = st ? std::string() : st.error().message;
}

// Runs the filters, each only when something changed. The full picture runs whenever the weight
// rests; a big picture's reduced copy runs on every change once the full run has chosen the
// backend, and is what the result pane shows while a weight changes (and when the view is small).
void run_filters(AppState& s, PreviewModel& pm) {
  const bool editing =
      pm.full_rendered && pm.proxy_image.width > 0 && s.time - pm.last_change < kPreviewEditRest;
  const auto mapping = static_cast<gpu::DisplayMapping>(std::clamp(s.preview_mapping, 0, 3));
  if (!pm.proxy && pm.full_rendered && pm.proxy_image.width > 0) {
    pm.proxy = std::make_unique<gpu::LivePreview>();
    // The backend the full picture measured as faster: no second measurement mid-drag.
    pm.proxy->set_backend(pm.full->backend().rfind("GPU", 0) == 0 ? gpu::Backend::gpu
                                                                  : gpu::Backend::cpu);
    pm.proxy->set_display(mapping);
    pm.proxy_gen = 0;
    if (auto st = pm.proxy->set_image(pm.proxy_image); !st) pm.proxy.reset();
  }
  pm.proxy_ok = false;
  if (pm.proxy) {
    apply_kernel(pm, *pm.proxy, pm.proxy_gen);
    pm.proxy_ok = pm.proxy->render();
  }
  pm.full_ok = pm.full_rendered && pm.full_gen == pm.kernel_gen;
  if (!editing || !pm.proxy_ok) {
    apply_kernel(pm, *pm.full, pm.full_gen);
    pm.full_ok = pm.full->render();
    if (pm.full_ok) pm.full_rendered = true;
  }
  pm.showing_proxy = editing && pm.proxy_ok;
  const std::string note = pm.full->take_message();
  if (!note.empty()) s.notify(note, 8.0);
  pm.run_error = pm.shown()->error();
}

// The legend's range: collected when ready; measured on the CPU in the background once the
// kernel rested and nothing is being dragged.
void follow_range(const AppState& s, PreviewModel& pm) {
  RangeJob& rj = pm.range;
  if (rj.running && rj.future.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    rj.range = rj.future.get();
    rj.running = false;
    rj.known = rj.weight.identical(pm.kernel.weight) && rj.bias.identical(pm.kernel.bias) &&
               same_arithmetic(rj.params, pm.kernel.params);
  }
  if (rj.known || rj.running || !pm.have_result() || s.preview_mapping < 2 ||
      s.time - rj.changed_at <= kRangeRest || pm.pointer_down || pm.image_tensor.ndim() != 4) {
    return;
  }
  rj.weight = pm.kernel.weight;
  rj.bias = pm.kernel.bias;
  rj.params = pm.kernel.params;
  try {
    rj.future = std::async(std::launch::async, compute_range, pm.image_tensor, pm.kernel.weight,
                           pm.kernel.bias, pm.kernel.has_bias, pm.kernel.params);
    rj.running = true;
  } catch (const std::exception&) {
    rj.changed_at = s.time;  // no thread now: try again later, the legend says "measuring"
  }
}

// The exact values of the pixel the view points at, read back from the full result (none while
// the reduced copy is shown: they return with the full-resolution redraw).
void follow_inspector(PreviewModel& pm) {
  if (pm.want_x < 0 || pm.want_y < 0) {
    pm.inspect_x = pm.inspect_y = -1;
    return;
  }
  if (pm.showing_proxy) {
    pm.inspect_value.clear();
  } else if (pm.want_x != pm.inspect_x || pm.want_y != pm.inspect_y || pm.full->last_render_ran() ||
             pm.inspect_value.empty()) {
    pm.inspect_value = pm.full->read_value(pm.want_x, pm.want_y);
    pm.inspect_x = pm.want_x;
    pm.inspect_y = pm.want_y;
  }
}

}  // namespace

PreviewModel::PreviewModel() = default;
PreviewModel::~PreviewModel() {
  if (range.future.valid()) range.future.wait();
}

EditState::EditState() = default;
EditState::~EditState() = default;

PreviewModel& preview_model(AppState& state) {
  EditState& es = edit_state(state);
  if (!es.preview) es.preview = std::make_unique<PreviewModel>();
  return *es.preview;
}

void shutdown_edit(AppState& state) {
  if (state.edit) state.edit->preview.reset();
}

Status set_preview_image(AppState& state, const std::string& path) {
  if (!path.empty()) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      return make_error("cannot show " + path + " in the preview: there is no such file",
                        "preview");
    }
  }
  state.preview_path = path;
  state.mark_dirty(Dirty::preview_image);
  state.mark_dirty(Dirty::settings);
  return ok();
}

void update_preview(AppState& state) {
  if (!state.show_preview) return;
  PreviewModel& pm = preview_model(state);
  if (!pm.visible) return;  // collapsed: nothing to draw it in
  if (!pm.full) pm.full = std::make_unique<gpu::LivePreview>();
  if (state.is_dirty(Dirty::preview_image) || pm.loaded != state.preview_path ||
      (pm.image.width == 0 && !pm.load_failed)) {
    state.clear_dirty(Dirty::preview_image);
    load_picture(state, pm);
  }
  follow_kernel(state, edit_state(state), pm);
  state.clear_dirty(Dirty::preview_kernel);
  if (pm.mapping != state.preview_mapping) {
    pm.mapping = state.preview_mapping;
    const auto mapping = static_cast<gpu::DisplayMapping>(std::clamp(state.preview_mapping, 0, 3));
    pm.full->set_display(mapping);
    if (pm.proxy) pm.proxy->set_display(mapping);
  }
  run_filters(state, pm);
  follow_range(state, pm);
  follow_inspector(pm);
}

PreviewKernel choose_preview_kernel(const AppState& s, int sel_out, int sel_in, int64_t channels) {
  PreviewKernel k;
  k.params = s.conv;
  k.params.layout = Layout::nchw;
  const Tensor w = s.effective_weight();
  if (w.ndim() != 4 || w.empty()) return k;
  const int64_t o = std::clamp<int64_t>(sel_out, 0, w.dim(0) - 1);
  const bool bias_ok = s.has_bias && s.bias.ndim() == 1 && s.bias.dim(0) == w.dim(0);
  if (s.conv.groups == 1 && w.dim(1) == channels && (w.dim(0) == 1 || w.dim(0) == 3)) {
    // The whole layer: 1 or 3 filters over the picture's channels.
    k.weight = w.to(DType::f32);
    k.has_bias = bias_ok;
    if (k.has_bias) k.bias = s.bias.to(DType::f32);
    k.note = "the whole weight " + shape_to_string(w.shape()) + (k.has_bias ? " and bias" : "");
  } else if (s.conv.groups == 1 && w.dim(1) == channels) {
    // One filter of the layer (the one selected in the kernel editor), a grey feature map.
    k.weight = one_filter(w, o);
    k.has_bias = bias_ok;
    if (k.has_bias) k.bias = Tensor::from_values(DType::f32, {1}, {s.bias.get(o)});
    k.note = "filter " + std::to_string(o) + " of " + std::to_string(w.dim(0)) +
             " (pick another in the kernel editor's out channel), one feature map";
  } else {
    // The channels do not match the picture's: the selected kernel on each colour channel.
    const int64_t i = std::clamp<int64_t>(sel_in, 0, w.dim(1) - 1);
    k.weight = kernel_per_channel(w, o, i, channels);
    k.params.groups = static_cast<int>(channels);
    k.note = "kernel [" + std::to_string(o) + ", " + std::to_string(i) +
             "] on each colour channel (the lesson has " +
             std::to_string(s.input.ndim() == 4 ? s.input.dim(1) : 0) +
             " input channel(s), the picture " + std::to_string(channels) + ")";
  }
  if (s.flip_kernel) k.note += ", flipped (true convolution)";
  return k;
}

FieldRect receptive_field(const ConvGeometry& g, int64_t ox, int64_t oy) {
  return {g.window_origin_x(ox), g.window_origin_y(oy), g.span_w(), g.span_h()};
}

void output_centred_at(const ConvGeometry& g, int64_t x, int64_t y, int& ox, int& oy) {
  // Window ox is centred on column window_origin_x(ox) + (span_w − 1) / 2; solve for ox.
  const auto nearest = [](int64_t cell, int64_t origin0, int64_t span, int stride) {
    const double half = static_cast<double>(span - 1) / 2.0;
    return static_cast<int>(std::lround((static_cast<double>(cell - origin0) - half) / stride));
  };
  ox = nearest(x, g.window_origin_x(0), g.span_w(), g.stride_w);
  oy = nearest(y, g.window_origin_y(0), g.span_h(), g.stride_h);
}

}  // namespace cs
