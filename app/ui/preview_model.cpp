// The live preview's model (see preview_model.hpp): the picture's loader, choosing the kernel,
// the requests to the worker and its results, the textures and the hovered pixel's arithmetic.
// Called once per frame after the views; it never waits for the worker or the loader.
#include "app/ui/preview_model.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <thread>

#include "app/gpu/data_dir.hpp"
#include "app/ui/ui_edit.hpp"

namespace cs {

namespace fs = std::filesystem;

namespace {

// Pictures above this many pixels get a reduced copy for editing; its target size.
constexpr int64_t kProxyAbove = 400 * 1000;
constexpr double kProxyPixels = 250.0 * 1000;

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

// The geometry of `k` on an input of `input_shape`, checked as the worker will run it, and with
// 1 (grey) or 3 (colour) output channels.
Result<ConvGeometry> kernel_geometry(const Shape& input_shape, const PreviewKernel& k) {
  Result<ConvGeometry> g =
      conv2d_geometry(input_shape, k.weight.shape(), k.has_bias ? k.bias.numel() : -1, k.params);
  if (!g) return g;
  if (g->c_out != 1 && g->c_out != 3) {
    return make_error("the kernel makes " + std::to_string(g->c_out) +
                          " output channels; a picture needs 1 (grey) or 3 (colour)",
                      "weight");
  }
  return g;
}

// Installs the picture the loader finished, if it did: its texture, its tensors, a new picture
// generation (the view fits it, the kernel is checked against it).
void collect_picture(PreviewModel& pm) {
  if (!pm.loading.valid() ||
      pm.loading.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    return;
  }
  PreviewPicture pic = pm.loading.get();
  if (!pic.error.empty()) {
    pm.picture_error = pic.error;
    pm.load_failed = true;
    return;
  }
  pm.load_failed = false;
  pm.picture_error.clear();
  pm.image = std::move(pic.image);
  pm.image_tensor = std::move(pic.tensor);
  pm.reduced_tensor = std::move(pic.reduced);
  pm.original.clear();
  for (std::size_t l = 0; l < pic.levels.size() && l < PreviewModel::kResultSlot; ++l) {
    const TexelLevel& t = pic.levels[l];
    pm.original.push_back({pm.textures.upload(l, t.width, t.height, t.texels), t.width, t.height});
  }
  ++pm.picture_gen;
  pm.kernel_set = false;
  pm.full_results = 0;
  pm.full_ms = 0;
}

// Starts decoding the picture asked for on a loader thread, unless one is running (a std::future
// from std::async waits in its destructor): then the next frame after it ended starts it.
void start_picture(AppState& s, PreviewModel& pm) {
  const bool first = pm.picture_gen == 0 && !pm.load_failed && !pm.loading.valid();
  if (!(s.is_dirty(Dirty::preview_image) || pm.loaded != s.preview_path || first) ||
      pm.loading.valid()) {
    return;
  }
  s.clear_dirty(Dirty::preview_image);
  pm.loaded = s.preview_path;
  try {
    pm.loading = std::async(std::launch::async, load_preview_picture, s.preview_path);
  } catch (const std::exception&) {  // no thread now: read it here, once
    std::promise<PreviewPicture> p;
    p.set_value(load_preview_picture(s.preview_path));
    pm.loading = p.get_future();
  }
}

// The kernel chosen from the lesson, compared with what was last asked for, so an edit in this
// frame's views is sent in this frame.
void follow_kernel(const AppState& s, const EditState& es, PreviewModel& pm) {
  if (!pm.image_tensor) return;
  const int64_t channels = pm.image_tensor->dim(1);
  PreviewKernel k = choose_preview_kernel(s, es.sel_out, es.sel_in, channels);
  if (k.weight.ndim() != 4) {
    pm.kernel_error = "the lesson has no 4-D weight for the preview to apply";
    return;
  }
  if (pm.kernel_set && pm.kernel.weight.identical(k.weight) && pm.kernel.has_bias == k.has_bias &&
      pm.kernel.bias.identical(k.bias) && same_arithmetic(pm.kernel.params, k.params)) {
    return;
  }
  Result<ConvGeometry> g = kernel_geometry(pm.image_tensor->shape(), k);
  if (!g) {  // the last good kernel stays on screen
    pm.kernel_error = g.error().message;
    return;
  }
  pm.kernel_error.clear();
  pm.geometry = *g;
  pm.geometry_ok = true;
  pm.kernel = std::move(k);
  if (pm.kernel_set) pm.last_change = s.time;  // the first kernel is not an edit
  pm.kernel_set = true;
  ++pm.kernel_gen;
}

// What the pane should show now: the current kernel, mapping and picture, on the reduced copy
// while a weight changes if the full resolution is too slow to follow.
PreviewRequest wanted_request(const AppState& s, const PreviewModel& pm) {
  PreviewRequest r;
  r.kernel_gen = pm.kernel_gen;
  r.picture_gen = pm.picture_gen;
  r.mapping = std::clamp(s.preview_mapping, 0, 3);
  r.full_w = static_cast<int>(pm.geometry.out_w);
  r.full_h = static_cast<int>(pm.geometry.out_h);
  // A result pixel spans `stride` picture pixels on screen.
  const float scale =
      pm.zoom * static_cast<float>(std::min(pm.geometry.stride_h, pm.geometry.stride_w));
  r.level = level_for_zoom(scale, 6);
  const bool editing = s.time - pm.last_change < kPreviewEditRest;
  if (editing && pm.reduced_tensor && pm.full_ms > kPreviewFullBudgetMs) {
    r.reduced = kernel_geometry(pm.reduced_tensor->shape(), pm.kernel).has_value();
    if (r.reduced) r.level = 0;  // already about the size of a pane
  }
  return r;
}

// Sends the worker the request when it differs from the last one sent.
void send_request(const AppState& s, PreviewModel& pm) {
  if (!pm.kernel_set || !pm.image_tensor) return;
  PreviewRequest r = wanted_request(s, pm);
  if (pm.last_sent.id != 0 && r.same_work(pm.last_sent)) return;
  r.id = pm.next_id++;
  PreviewJob job;
  job.id = r.id;
  job.input = r.reduced ? pm.reduced_tensor : pm.image_tensor;
  job.weight = pm.kernel.weight;
  job.bias = pm.kernel.bias;
  job.has_bias = pm.kernel.has_bias;
  job.params = pm.kernel.params;
  job.mapping = static_cast<gpu::DisplayMapping>(r.mapping);
  job.level = r.level;
  pm.worker->submit(std::move(job));
  pm.sent.push_back(r);
  pm.last_sent = r;
}

// Shows the newest result the worker finished, if any.
void collect_result(AppState& s, PreviewModel& pm) {
  std::unique_ptr<PreviewResult> res = pm.worker->take();
  if (!res) return;
  PreviewRequest req;
  while (!pm.sent.empty() && pm.sent.front().id <= res->id) {
    if (pm.sent.front().id == res->id) req = pm.sent.front();
    pm.sent.erase(pm.sent.begin());
  }
  if (req.id == 0) return;
  if (!res->error.empty()) {
    pm.run_error = res->error;
    return;
  }
  pm.run_error.clear();
  const TexelLevel& px = res->pixels;
  pm.result_tex = pm.textures.upload(PreviewModel::kResultSlot, px.width, px.height, px.texels);
  AppState::PreviewCounters& pc = s.preview_counters;
  ++pc.results;
  if (req.kernel_gen != pm.shown.kernel_gen) ++pc.kernels_shown;
  pm.shown = req;
  pm.shown_w = px.width;
  pm.shown_h = px.height;
  pm.range = res->range;
  pm.last_ms = res->ms;
  // The picture's first result also paid for fresh buffers: not a measure of the next ones.
  if (!req.reduced && pm.full_results++ > 0) pm.full_ms = res->ms;
}

// The arithmetic of the result pixel the view points at, for the current kernel.
void follow_inspector(PreviewModel& pm) {
  if (pm.want_x < 0 || pm.want_y < 0 || !pm.geometry_ok || !pm.image_tensor ||
      pm.want_x >= pm.geometry.out_w || pm.want_y >= pm.geometry.out_h) {
    pm.detail = PixelDetail();
    return;
  }
  pm.detail = inspect_pixel(*pm.image_tensor, pm.kernel, pm.geometry, pm.want_x, pm.want_y);
}

}  // namespace

PreviewPicture load_preview_picture(const std::string& asked) {
  PreviewPicture pic;
  try {
    const std::string path = asked.empty() ? find_sample() : asked;
    Result<Image> loaded = path.empty() ? Result<Image>(procedural_sample()) : load_image(path);
    if (!loaded && asked.empty()) loaded = procedural_sample();  // a broken sample file
    if (!loaded) {
      pic.error = loaded.error().message;
      return pic;
    }
    pic.image = std::move(*loaded);
    const Image& img = pic.image;
    pic.tensor = std::make_shared<const Tensor>(image_to_tensor(img));
    const int64_t pixels = static_cast<int64_t>(img.width) * img.height;
    if (pixels > kProxyAbove) {
      const double f = std::sqrt(kProxyPixels / static_cast<double>(pixels));
      const int64_t w = std::max<int64_t>(1, std::lround(img.width * f));
      const int64_t h = std::max<int64_t>(1, std::lround(img.height * f));
      pic.reduced = std::make_shared<const Tensor>(downsample_area(img, h, w));
    }
    const Image rgba = image_to_rgba(img);
    TexelLevel full;
    full.width = img.width;
    full.height = img.height;
    full.texels.resize(static_cast<std::size_t>(pixels));
    std::memcpy(full.texels.data(), rgba.pixels.data(), full.texels.size() * 4);
    pic.levels.push_back(std::move(full));
    while (pic.levels.size() < 6 && (pic.levels.back().width > 64 || pic.levels.back().height > 64))
      pic.levels.push_back(halve(pic.levels.back()));
  } catch (const std::exception& e) {  // e.g. bad_alloc for a huge picture
    pic = PreviewPicture();
    pic.error = std::string("the picture could not be prepared for the preview: ") + e.what();
  }
  return pic;
}

int level_for_zoom(float zoom, int levels) {
  if (!(zoom > 0.0f) || zoom >= 1.0f || levels <= 1) return 0;
  const int l = static_cast<int>(std::floor(std::log2(1.0f / zoom)));
  return std::clamp(l, 0, levels - 1);
}

bool PreviewModel::result_current() const {
  return have_result() && !shown.reduced && shown.kernel_gen == kernel_gen &&
         shown.picture_gen == picture_gen && shown.mapping == last_sent.mapping;
}

PreviewModel::PreviewModel() = default;
PreviewModel::~PreviewModel() {
  textures.release();
}

EditState::EditState() = default;
EditState::~EditState() = default;

PreviewModel& preview_model(AppState& state) {
  EditState& es = edit_state(state);
  if (!es.preview) es.preview = std::make_unique<PreviewModel>();
  return *es.preview;
}

void shutdown_edit(AppState& state) {
  if (!state.edit) return;
  state.edit->preview.reset();
  state.edit->thumb_textures.release();
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

namespace {

// AppState::preview_settle (a scripted screenshot): the frame waits for the picture and for the
// result of the newest request. Interactive frames never come here.
void settle(AppState& state, PreviewModel& pm) {
  if (pm.loading.valid()) {
    pm.loading.wait();
    collect_picture(pm);
    follow_kernel(state, edit_state(state), pm);
    send_request(state, pm);
  }
  while (pm.worker->busy())
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  collect_result(state, pm);
}

}  // namespace

void update_preview(AppState& state) {
  if (!state.show_preview) return;
  PreviewModel& pm = preview_model(state);
  if (!pm.visible) return;  // collapsed: nothing to draw it in
  if (!pm.worker) pm.worker = std::make_unique<PreviewWorker>(kPreviewMinPeriodMs);
  collect_picture(pm);
  start_picture(state, pm);
  follow_kernel(state, edit_state(state), pm);
  state.clear_dirty(Dirty::preview_kernel);
  send_request(state, pm);
  collect_result(state, pm);
  if (state.preview_settle) settle(state, pm);
  follow_inspector(pm);
  AppState::PreviewCounters& pc = state.preview_counters;
  const PreviewWorkerCounts wc = pm.worker->counts();
  pc.requests = wc.submitted;
  pc.dropped = wc.dropped;
  ++pc.frames;
  if (pm.worker->busy()) ++pc.frames_while_busy;
  if (pc.first_time < 0) pc.first_time = state.time;
  pc.last_time = state.time;
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
  FieldRect r;
  r.x0 = ox * g.stride_w - g.pad.left;
  r.y0 = oy * g.stride_h - g.pad.top;
  r.w = (g.k_w - 1) * g.dilation_w + 1;
  r.h = (g.k_h - 1) * g.dilation_h + 1;
  return r;
}

ResultPlace result_place(const ConvGeometry& g) {
  ResultPlace r;
  r.sx = g.stride_w;
  r.sy = g.stride_h;
  r.x0 = static_cast<double>(-g.pad.left) + static_cast<double>(g.span_w() - g.stride_w) / 2.0;
  r.y0 = static_cast<double>(-g.pad.top) + static_cast<double>(g.span_h() - g.stride_h) / 2.0;
  return r;
}

bool result_pixel_at(const ConvGeometry& g, double x, double y, int& ox, int& oy) {
  const ResultPlace r = result_place(g);
  const double fx = std::floor((x - r.x0) / r.sx), fy = std::floor((y - r.y0) / r.sy);
  if (fx < 0 || fy < 0 || fx >= static_cast<double>(g.out_w) ||
      fy >= static_cast<double>(g.out_h)) {
    return false;
  }
  ox = static_cast<int>(fx);
  oy = static_cast<int>(fy);
  return true;
}

// input [1, C, H, W], weight [C_out, C_in/g, KH, KW]: tap (ky, kx) of output (oc, oy, ox) on input
// channel ic reads input_y(oy, ky), input_x(ox, kx), through the padding mode.
PixelDetail inspect_pixel(const Tensor& input, const PreviewKernel& k, const ConvGeometry& g,
                          int ox, int oy) {
  PixelDetail d;
  if (ox < 0 || oy < 0 || ox >= g.out_w || oy >= g.out_h) return d;
  d.ox = ox;
  d.oy = oy;
  d.k_h = g.k_h;
  d.k_w = g.k_w;
  d.has_bias = k.has_bias;
  d.field = receptive_field(g, ox, oy);
  for (int64_t oc = 0; oc < g.c_out; ++oc) {
    InspectOutput out;
    out.oc = oc;
    const int64_t ic0 = (oc / g.c_out_per_group) * g.c_in_per_group;
    for (int64_t icg = 0; icg < g.c_in_per_group; ++icg) {
      InspectChannel ch;
      ch.ic = ic0 + icg;
      for (int64_t ky = 0; ky < g.k_h; ++ky) {
        for (int64_t kx = 0; kx < g.k_w; ++kx) {
          const int64_t iy = g.input_y(oy, ky), ix = g.input_x(ox, kx);
          const int64_t sy = pad_source_index(iy, g.in_h, g.padding_mode);
          const int64_t sx = pad_source_index(ix, g.in_w, g.padding_mode);
          InspectTap t;
          t.padding = !g.inside(iy, ix);
          t.x = (sy < 0 || sx < 0) ? 0.0 : input.get(g.input_index(0, ch.ic, sy, sx));
          t.w = k.weight.get(g.weight_index(oc, icg, ky, kx));
          t.product = t.x * t.w;
          ch.partial += t.product;
          ch.taps.push_back(t);
        }
      }
      out.value += ch.partial;
      out.channels.push_back(std::move(ch));
    }
    if (k.has_bias) {
      out.bias = k.bias.get(oc);
      out.value += out.bias;
    }
    d.outputs.push_back(std::move(out));
  }
  return d;
}

}  // namespace cs
