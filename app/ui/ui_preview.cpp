// The live full-resolution preview: the photo and the result of the kernel being edited side by
// side (LivePreview's textures), shared zoom and pan, the display mapping with a colour legend
// that has numbers, and a pixel inspector (exact value and receptive field). Depends on
// app_state, core/, app/gpu/live_preview.hpp and ImGui; the gl* calls stay inside LivePreview.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>

#include "app/gpu/data_dir.hpp"
#include "app/gpu/live_preview.hpp"
#include "app/ui/ui_edit.hpp"
#include "core/conv2d.hpp"

namespace cs {

namespace fs = std::filesystem;

namespace {

// The exact range of the result for the legend (signed / minmax), computed off the frame on the
// CPU once the kernel stops changing: LivePreview does not report the range it mapped.
struct RangeJob {
  std::future<gpu::MapRange> future;
  bool running = false;
  bool known = false;
  gpu::MapRange range;
  Tensor weight, bias;  // what the range belongs to
  Conv2dParams params;
  std::string image;
  double changed_at = 0;  // state.time of the last kernel change
};

// The preview's own bookkeeping (beside EditState, private to this file).
struct PreviewCache {
  Tensor weight, bias;
  bool has_bias = false;
  Conv2dParams params;
  bool kernel_set = false;
  int mapping = -1;
  std::string kernel_note;  // what the preview applies
  Tensor image_tensor;      // [1, C, H, W] float32, for the legend's range
  Image image;              // the full-resolution picture (for the inspector's pixel values)
  RangeJob range;
  // While a weight is being edited (it changed in the last kEditRest seconds) a big picture is
  // filtered at reduced resolution by a second LivePreview, so every frame of a drag stays short;
  // the full resolution is redrawn once the weight rests.
  std::unique_ptr<gpu::LivePreview> proxy;
  Image proxy_image;
  uint64_t kernel_gen = 0, full_gen = 0, proxy_gen = 0;
  double last_change = -1e9;
  bool full_rendered = false;
  bool showing_proxy = false;
  bool load_failed = false;  // the last picture asked for could not be read
  std::string kernel_error;  // why the preview cannot apply the kernel (es.preview_error: picture)
  std::string run_error;     // the last render's error
};

// Pictures above this many pixels get a reduced copy for editing; its target size.
constexpr int64_t kProxyAbove = 400 * 1000;
constexpr double kProxyPixels = 250.0 * 1000;
constexpr double kEditRest = 0.35;  // seconds without a change before the full redraw

PreviewCache& cache() {
  static PreviewCache c;
  return c;
}

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

// A PNG/JPEG under assets/images of the first data folder that has one (gpu::data_dirs: beside
// the program, the source tree, the install prefix), or "".
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
    // A photograph shows more than a test pattern: the landscape sample, else any JPEG.
    for (const std::string& f : found) {
      if (fs::path(f).stem() == "landscape") return f;
    }
    for (const std::string& f : found) {
      if (fs::path(f).extension() == ".jpg" || fs::path(f).extension() == ".jpeg") return f;
    }
    if (!found.empty()) return found.front();
  }
  return {};
}

// What the preview applies: the full weight when it fits the picture's channels (C_in = 1 or 3
// colour channels in, C_out 1 or 3 out, no groups), else the selected kernel on each channel.
struct PreviewKernel {
  Tensor weight;
  Tensor bias;
  bool has_bias = false;
  Conv2dParams params;
  std::string note;
};

PreviewKernel preview_kernel(const AppState& s, const EditState& es, int image_channels) {
  PreviewKernel k;
  k.params = s.conv;
  k.params.layout = Layout::nchw;
  const Tensor w = s.effective_weight();
  if (w.ndim() != 4 || w.empty()) return k;
  const int64_t c_in = image_channels <= 2 ? 1 : 3;
  const int64_t o = std::clamp<int64_t>(es.sel_out, 0, w.dim(0) - 1);
  const bool bias_ok = s.has_bias && s.bias.ndim() == 1 && s.bias.dim(0) == w.dim(0);
  if (s.conv.groups == 1 && w.dim(1) == c_in && (w.dim(0) == 1 || w.dim(0) == 3)) {
    // The whole layer: 1 or 3 filters over the picture's channels.
    k.weight = w.to(DType::f32);
    k.has_bias = bias_ok;
    if (k.has_bias) k.bias = s.bias.to(DType::f32);
    k.note = "the whole weight " + shape_to_string(w.shape()) + (k.has_bias ? " and bias" : "");
  } else if (s.conv.groups == 1 && w.dim(1) == c_in) {
    // One filter of the layer (the one selected in the kernel editor), a grey feature map.
    const int64_t per = w.dim(1) * w.dim(2) * w.dim(3);
    k.weight = Tensor(DType::f32, {1, w.dim(1), w.dim(2), w.dim(3)});
    for (int64_t j = 0; j < per; ++j)
      k.weight.set(j, w.get(o * per + j));
    k.has_bias = bias_ok;
    if (k.has_bias) k.bias = Tensor::from_values(DType::f32, {1}, {s.bias.get(o)});
    k.note = "filter " + std::to_string(o) + " of " + std::to_string(w.dim(0)) +
             " (pick another in the kernel editor's out channel), one feature map";
  } else {
    // The channels do not match the picture's: the selected kernel on each colour channel.
    const int64_t i = std::clamp<int64_t>(es.sel_in, 0, w.dim(1) - 1);
    const int64_t kh = w.dim(2), kw = w.dim(3);
    k.weight = Tensor(DType::f32, {kh, kw});
    for (int64_t j = 0; j < kh * kw; ++j)
      k.weight.set(j, w.get((o * w.dim(1) + i) * kh * kw + j));
    k.params.groups = 1;
    k.note = "kernel [" + std::to_string(o) + ", " + std::to_string(i) +
             "] on each colour channel (the lesson has " +
             std::to_string(s.input.ndim() == 4 ? s.input.dim(1) : 0) +
             " input channel(s), the picture " + std::to_string(c_in) + ")";
  }
  if (s.flip_kernel) k.note += ", flipped (true convolution)";
  return k;
}

gpu::MapRange compute_range(Tensor image, Tensor weight, Tensor bias, bool has_bias,
                            Conv2dParams p) {
  gpu::MapRange r;
  if (weight.ndim() == 2) {
    // Depthwise: each channel alone with the [KH, KW] kernel.
    const int64_t c = image.dim(1), h = image.dim(2), w = image.dim(3);
    auto k = weight.reshaped({1, 1, weight.dim(0), weight.dim(1)});
    if (!k) return r;
    bool first = true;
    for (int64_t ch = 0; ch < c; ++ch) {
      Tensor one(DType::f32, {1, 1, h, w});
      std::memcpy(one.data<float>(), image.data<float>() + ch * h * w,
                  static_cast<std::size_t>(h * w) * 4);
      auto out = conv2d(one, *k, nullptr, p, ExecOptions{1});
      if (!out) return r;
      const gpu::MapRange m = gpu::map_range(out->data<float>(), out->numel());
      r.lo = first ? m.lo : std::min(r.lo, m.lo);
      r.hi = first ? m.hi : std::max(r.hi, m.hi);
      first = false;
    }
    return r;
  }
  auto out = conv2d(image, weight, has_bias ? &bias : nullptr, p, ExecOptions{1});
  if (!out) return r;
  return gpu::map_range(out->data<float>(), out->numel());
}

void load_picture(AppState& s, EditState& es, PreviewCache& pc) {
  std::string path = s.preview_path;
  Image img;
  if (path.empty()) path = find_sample();
  Result<Image> loaded = path.empty() ? Result<Image>(procedural_sample()) : load_image(path);
  if (!loaded && s.preview_path.empty()) loaded = procedural_sample();  // a broken sample file
  if (!loaded) {
    es.preview_error = loaded.error().message;
    es.preview_loaded = s.preview_path;  // tried: not again every frame
    pc.load_failed = true;
    return;
  }
  pc.load_failed = false;
  img = std::move(*loaded);
  auto st = es.preview->set_image(img);
  es.preview_loaded = s.preview_path;
  if (!st) {
    es.preview_error = st.error().message;
    return;
  }
  es.preview_error.clear();
  es.preview_w = img.width;
  es.preview_h = img.height;
  es.zoom = 0.0f;  // fit the new picture
  pc.image_tensor = image_to_tensor(img);
  pc.proxy.reset();
  pc.proxy_image = Image();
  if (static_cast<int64_t>(img.width) * img.height > kProxyAbove)
    pc.proxy_image = reduced_copy(img);
  pc.image = std::move(img);
  pc.kernel_set = false;
  pc.full_rendered = false;
  pc.range.known = false;
}

// Image pixel -> screen, for one pane.
struct Pane {
  ImVec2 p0, size;
  float zoom = 1;
  ImVec2 pan;  // image pixel at the pane's top-left
  ImVec2 to_screen(float x, float y) const {
    return ImVec2(p0.x + (x - pan.x) * zoom, p0.y + (y - pan.y) * zoom);
  }
  ImVec2 to_image(ImVec2 s) const {
    return ImVec2(pan.x + (s.x - p0.x) / zoom, pan.y + (s.y - p0.y) / zoom);
  }
};

// Draws a texture in a pane and handles wheel zoom and drag pan (shared between the panes).
// Returns true when hovered.
bool draw_pane(const char* id, unsigned int tex, int w, int h, const Pane& pane, EditState& es) {
  ImGui::InvisibleButton(id, pane.size);
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p1(pane.p0.x + pane.size.x, pane.p0.y + pane.size.y);
  dl->AddRectFilled(pane.p0, p1, IM_COL32(30, 30, 30, 255));
  dl->PushClipRect(pane.p0, p1, true);
  if (tex != 0 && w > 0 && h > 0) {
    dl->AddImage(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(tex)), pane.to_screen(0, 0),
                 pane.to_screen(static_cast<float>(w), static_cast<float>(h)));
  }
  dl->PopClipRect();
  dl->AddRect(pane.p0, p1, IM_COL32(120, 120, 120, 255));
  const ImGuiIO& io = ImGui::GetIO();
  if (hovered && io.MouseWheel != 0.0f) {
    const ImVec2 u = pane.to_image(io.MousePos);
    const float nz = std::clamp(pane.zoom * std::pow(1.25f, io.MouseWheel), 0.02f, 64.0f);
    es.zoom = nz;
    es.pan_x = u.x - (io.MousePos.x - pane.p0.x) / nz;
    es.pan_y = u.y - (io.MousePos.y - pane.p0.y) / nz;
  }
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0.0f)) {
    es.zoom = pane.zoom;
    es.pan_x -= io.MouseDelta.x / pane.zoom;
    es.pan_y -= io.MouseDelta.y / pane.zoom;
  }
  return hovered;
}

// The legend: the mapping's colours along a bar, with the numbers they stand for.
void draw_legend(int mapping, const RangeJob& rj, float width) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const float h = ImGui::GetFontSize() * 0.9f;
  const int steps = 64;
  for (int i = 0; i < steps; ++i) {
    const float t0 = static_cast<float>(i) / steps;
    uint8_t rgb[3];
    if (mapping == 2) {
      gpu::diverging_colour(t0 * 2.0f - 1.0f, rgb);
    } else {
      rgb[0] = rgb[1] = rgb[2] = static_cast<uint8_t>(std::lround(t0 * 255.0f));
    }
    dl->AddRectFilled(ImVec2(p0.x + width * t0, p0.y),
                      ImVec2(p0.x + width * (t0 + 1.0f / steps) + 1, p0.y + h),
                      IM_COL32(rgb[0], rgb[1], rgb[2], 255));
  }
  dl->AddRect(p0, ImVec2(p0.x + width, p0.y + h), IM_COL32(160, 160, 160, 255));
  ImGui::Dummy(ImVec2(width, h));
  char lo[48], mid[48], hi[48];
  const bool known = rj.known;
  switch (mapping) {
    case 0:
      std::snprintf(lo, sizeof lo, "0 (and below)");
      std::snprintf(mid, sizeof mid, "0.5");
      std::snprintf(hi, sizeof hi, "1 (and above)");
      break;
    case 1:
      std::snprintf(lo, sizeof lo, "|v| = 0");
      std::snprintf(mid, sizeof mid, "0.5");
      std::snprintf(hi, sizeof hi, "|v| >= 1");
      break;
    case 2: {
      const double m = std::max(std::abs(rj.range.lo), std::abs(rj.range.hi));
      if (known) {
        std::snprintf(lo, sizeof lo, "%.4g", -m);
        std::snprintf(hi, sizeof hi, "%+.4g", m);
      } else {
        std::snprintf(lo, sizeof lo, "-max|v|");
        std::snprintf(hi, sizeof hi, "+max|v|");
      }
      std::snprintf(mid, sizeof mid, "0");
      break;
    }
    default:
      if (known) {
        std::snprintf(lo, sizeof lo, "min %.4g", static_cast<double>(rj.range.lo));
        std::snprintf(mid, sizeof mid, "%.4g", 0.5 * (rj.range.lo + rj.range.hi));
        std::snprintf(hi, sizeof hi, "max %.4g", static_cast<double>(rj.range.hi));
      } else {
        std::snprintf(lo, sizeof lo, "min");
        std::snprintf(mid, sizeof mid, " ");
        std::snprintf(hi, sizeof hi, "max");
      }
  }
  const float y = ImGui::GetCursorPosY();
  const float x0 = ImGui::GetCursorPosX();
  ImGui::TextUnformatted(lo);
  ImGui::SetCursorPos(ImVec2(x0 + width * 0.5f - ImGui::CalcTextSize(mid).x * 0.5f, y));
  ImGui::TextUnformatted(mid);
  ImGui::SetCursorPos(ImVec2(x0 + width - ImGui::CalcTextSize(hi).x, y));
  ImGui::TextUnformatted(hi);
  if ((mapping == 2 || mapping == 3) && !known) ImGui::TextDisabled("(measuring the range...)");
}

}  // namespace

EditState::EditState() = default;
EditState::~EditState() = default;

void shutdown_edit(AppState& state) {
  if (state.edit) state.edit->preview.reset();
  PreviewCache& pc = cache();
  if (pc.range.future.valid()) pc.range.future.wait();
  pc = PreviewCache();
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

namespace ui {

void draw_preview(AppState& state) {
  EditState& es = edit_state(state);
  PreviewCache& pc = cache();
  ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 56.0f, ImGui::GetFontSize() * 30.0f),
                           ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Live preview", &state.show_preview)) {
    ImGui::End();
    return;
  }
  if (!es.preview) es.preview = std::make_unique<gpu::LivePreview>();
  gpu::LivePreview& lp = *es.preview;

  // 1. The picture.
  if (state.is_dirty(Dirty::preview_image) || es.preview_loaded != state.preview_path ||
      (pc.image.width == 0 && !pc.load_failed)) {
    state.clear_dirty(Dirty::preview_image);
    load_picture(state, es, pc);
  }
  // 2. The kernel: compared with what was last asked for, so an edit earlier in this frame
  // shows in this frame.
  const PreviewKernel k = preview_kernel(state, es, pc.image.channels);
  if (k.weight.ndim() >= 2 &&
      (!pc.kernel_set || !pc.weight.identical(k.weight) || pc.has_bias != k.has_bias ||
       !pc.bias.identical(k.bias) || !same_arithmetic(pc.params, k.params))) {
    pc.weight = k.weight;
    pc.bias = k.bias;
    pc.has_bias = k.has_bias;
    pc.params = k.params;
    pc.kernel_note = k.note;
    pc.range.known = false;
    pc.range.changed_at = state.time;
    if (pc.kernel_set) pc.last_change = state.time;  // the first kernel is not an edit
    pc.kernel_set = true;
    ++pc.kernel_gen;
  }
  state.clear_dirty(Dirty::preview_kernel);
  const auto mapping = static_cast<gpu::DisplayMapping>(std::clamp(state.preview_mapping, 0, 3));
  if (pc.mapping != state.preview_mapping) {
    pc.mapping = state.preview_mapping;
    lp.set_display(mapping);
    if (pc.proxy) pc.proxy->set_display(mapping);
  }
  auto apply_kernel = [&](gpu::LivePreview& target, uint64_t& gen) {
    if (gen == pc.kernel_gen || !pc.kernel_set) return;
    gen = pc.kernel_gen;
    auto st = target.set_kernel(pc.weight, pc.has_bias ? &pc.bias : nullptr, pc.params);
    pc.kernel_error = st ? std::string() : st.error().message;
  };
  // 3. Run (each only when something changed). The full picture runs whenever the weight rests;
  // a big picture's reduced copy runs on every change once the full run has chosen the backend,
  // and is what the result pane shows while a weight changes (and when the view is small).
  const bool editing =
      pc.full_rendered && pc.proxy_image.width > 0 && state.time - pc.last_change < kEditRest;
  if (!pc.proxy && pc.full_rendered && pc.proxy_image.width > 0) {
    pc.proxy = std::make_unique<gpu::LivePreview>();
    // The backend the full picture measured as faster: no second measurement mid-drag.
    pc.proxy->set_backend(lp.backend().rfind("GPU", 0) == 0 ? gpu::Backend::gpu
                                                            : gpu::Backend::cpu);
    pc.proxy->set_display(mapping);
    pc.proxy_gen = 0;
    if (auto st = pc.proxy->set_image(pc.proxy_image); !st) pc.proxy.reset();
  }
  bool proxy_result = false;
  if (pc.proxy) {
    apply_kernel(*pc.proxy, pc.proxy_gen);
    proxy_result = pc.proxy->render();
  }
  bool full_result = pc.full_rendered && pc.full_gen == pc.kernel_gen;
  if (!editing || !proxy_result) {
    apply_kernel(lp, pc.full_gen);
    full_result = lp.render();
    if (full_result) pc.full_rendered = true;
  }
  pc.showing_proxy = editing && proxy_result;
  gpu::LivePreview* shown = pc.showing_proxy ? pc.proxy.get() : &lp;
  const bool have_result = pc.showing_proxy ? proxy_result : full_result;
  const std::string note = lp.take_message();
  if (!note.empty()) state.notify(note, 8.0);
  pc.run_error = shown->error();

  // The legend's range: measured on the CPU in the background once the kernel rested 0.3 s.
  RangeJob& rj = pc.range;
  if (rj.running && rj.future.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    rj.range = rj.future.get();
    rj.running = false;
    rj.known = rj.weight.identical(pc.weight) && rj.bias.identical(pc.bias) &&
               same_arithmetic(rj.params, pc.params);
  }
  if (!rj.known && !rj.running && have_result && (state.preview_mapping >= 2) &&
      state.time - rj.changed_at > 0.3 && !ImGui::IsMouseDown(ImGuiMouseButton_Left) &&
      pc.image_tensor.ndim() == 4) {
    rj.weight = pc.weight;
    rj.bias = pc.bias;
    rj.params = pc.params;
    try {
      rj.future = std::async(std::launch::async, compute_range, pc.image_tensor, pc.weight, pc.bias,
                             pc.has_bias, pc.params);
      rj.running = true;
    } catch (const std::exception&) {
      rj.changed_at = state.time;  // no thread now: try again later, the legend says "measuring"
    }
  }

  // Toolbar.
  if (ImGui::Button("Open picture...")) open_file_browser(state, BrowseFor::preview_image);
  ImGui::SameLine();
  if (ImGui::Button("Sample")) (void)set_preview_image(state, "");
  ImGui::SameLine();
  static const char* mappings[] = {"clip [0, 1]", "abs |v|", "signed", "min-max"};
  int m = std::clamp(state.preview_mapping, 0, 3);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12.0f);
  if (ImGui::Combo("display", &m, mappings, 4)) {
    state.preview_mapping = m;
    state.mark_dirty(Dirty::settings);
  }
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "clip: values below 0 black, above 1 white (what an image viewer would show)\n"
        "abs: |v|, so negative and positive edges both show bright\n"
        "signed: blue negative, white 0, red positive, scaled by the largest |v|\n"
        "min-max: the darkest value black, the brightest white");
  }
  ImGui::SameLine();
  if (ImGui::Button("fit (Ctrl+0)")) es.zoom = 0.0f;
  ImGui::SameLine();
  if (ImGui::Button("1:1 (Ctrl+1)")) {
    es.zoom = 1.0f;
    es.pan_x = es.pan_y = 0.0f;
  }
  ImGui::SameLine();
  ImGui::TextDisabled("wheel or Ctrl +/- zooms, drag pans");
  const std::string backend = shown->backend();
  ImGui::Text("%s  %dx%d  |  %s  |  last run %.1f ms%s",
              es.preview_loaded.empty() ? "built-in sample" : es.preview_loaded.c_str(),
              es.preview_w, es.preview_h, backend.empty() ? "(not run yet)" : backend.c_str(),
              shown->last_time_ms(), pc.showing_proxy ? "  |  reduced while you edit" : "");
  if (pc.showing_proxy && ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "While a weight changes, the result is computed on a %dx%d copy so the "
        "window stays responsive;\nthe full resolution is redrawn %.2f s after the "
        "last change.",
        pc.proxy_image.width, pc.proxy_image.height, kEditRest);
  }
  if (!pc.kernel_note.empty()) ImGui::TextDisabled("applies %s", pc.kernel_note.c_str());
  for (const std::string* e : {&es.preview_error, &pc.kernel_error, &pc.run_error}) {
    if (e->empty() || (e == &pc.run_error && *e == pc.kernel_error)) continue;
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
    ImGui::TextWrapped("%s", e->c_str());
    ImGui::PopStyleColor();
  }

  // Two panes.
  const float legend_h = ImGui::GetFontSize() * 4.5f + ImGui::GetTextLineHeightWithSpacing() * 2.0f;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float gap = 8.0f;
  const ImVec2 pane_size(std::max(40.0f, (avail.x - gap) * 0.5f),
                         std::max(40.0f, avail.y - legend_h));
  const int iw = lp.image_width(), ih = lp.image_height();
  const int rw = lp.result_width(), rh = lp.result_height();
  // Fit mode (zoom 0): the whole picture in the pane, centred, refitted as the window resizes.
  float zoom = es.zoom;
  if (zoom <= 0.0f) {
    zoom = 1.0f;
    if (iw > 0 && ih > 0) {
      zoom = std::min(pane_size.x / static_cast<float>(iw), pane_size.y / static_cast<float>(ih));
      es.pan_x = (static_cast<float>(iw) - pane_size.x / zoom) * 0.5f;
      es.pan_y = (static_cast<float>(ih) - pane_size.y / zoom) * 0.5f;
    }
  }
  // Keys while the mouse is over this window (or it has focus): Ctrl with +/- zooms about the
  // centre, Ctrl+0 fits, Ctrl+1 shows pixels one to one. Ctrl keeps them apart from the shell's
  // plain +/- (play speed) and 1 (step unit).
  const ImGuiIO& kio = ImGui::GetIO();
  if ((ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows) ||
       ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows)) &&
      !kio.WantTextInput && kio.KeyCtrl) {
    float nz = zoom;
    if (ImGui::IsKeyPressed(GLFW_KEY_EQUAL) || ImGui::IsKeyPressed(GLFW_KEY_KP_ADD))
      nz = zoom * 1.25f;
    if (ImGui::IsKeyPressed(GLFW_KEY_MINUS) || ImGui::IsKeyPressed(GLFW_KEY_KP_SUBTRACT))
      nz = zoom / 1.25f;
    nz = std::clamp(nz, 0.02f, 64.0f);
    if (nz != zoom) {
      const float cx = es.pan_x + pane_size.x * 0.5f / zoom,
                  cy = es.pan_y + pane_size.y * 0.5f / zoom;
      es.zoom = zoom = nz;
      es.pan_x = cx - pane_size.x * 0.5f / zoom;
      es.pan_y = cy - pane_size.y * 0.5f / zoom;
    }
    if (ImGui::IsKeyPressed(GLFW_KEY_0, false) || ImGui::IsKeyPressed(GLFW_KEY_KP_0, false))
      es.zoom = 0.0f;
    if (ImGui::IsKeyPressed(GLFW_KEY_1, false) || ImGui::IsKeyPressed(GLFW_KEY_KP_1, false)) {
      es.zoom = zoom = 1.0f;
      es.pan_x = es.pan_y = 0.0f;
    }
  }
  Pane left, right;
  left.p0 = ImGui::GetCursorScreenPos();
  left.size = right.size = pane_size;
  left.zoom = right.zoom = zoom;
  left.pan = right.pan = ImVec2(es.pan_x, es.pan_y);
  right.p0 = ImVec2(left.p0.x + pane_size.x + gap, left.p0.y);
  // When the picture is shown smaller than the reduced copy, draw the copy: the same look, and
  // far less texture to sample (llvmpipe's cost with a 1080p picture in a small pane).
  const bool small_view = pc.proxy && proxy_result &&
                          zoom * static_cast<float>(iw) <= static_cast<float>(pc.proxy_image.width);
  const unsigned int original_tex =
      small_view ? pc.proxy->original_texture() : lp.original_texture();
  const bool proxy_current = pc.proxy_gen == pc.kernel_gen;
  unsigned int result_tex = 0;
  if (have_result) {
    result_tex = pc.showing_proxy || (small_view && proxy_current) ? pc.proxy->result_texture()
                                                                   : lp.result_texture();
  }
  const bool hov_l = draw_pane("##original", original_tex, iw, ih, left, es);
  ImGui::SameLine(0.0f, gap);
  const bool hov_r = draw_pane("##result", result_tex, rw, rh, right, es);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (const auto& [pane, label] : {std::pair{&left, "original"}, std::pair{&right, "result"}}) {
    const ImVec2 ts = ImGui::CalcTextSize(label);
    const ImVec2 a(pane->p0.x + 4, pane->p0.y + 4);
    dl->AddRectFilled(a, ImVec2(a.x + ts.x + 8, a.y + ts.y + 4), IM_COL32(0, 0, 0, 170), 3.0f);
    dl->AddText(ImVec2(a.x + 4, a.y + 2), IM_COL32(255, 255, 255, 255), label);
  }

  // Pixel inspector: the result pixel under the cursor (on the original, the output whose window
  // is centred there) with its exact value and its receptive field outlined on the original.
  int rx = -1, ry = -1;
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  if (hov_r) {
    const ImVec2 u = right.to_image(mouse);
    rx = static_cast<int>(std::floor(u.x));
    ry = static_cast<int>(std::floor(u.y));
  }
  ConvGeometry g{};
  bool geo_ok = false;
  if (pc.weight.ndim() >= 2 && iw > 0) {
    const int64_t c = pc.image.channels <= 2 ? 1 : 3;
    Shape wshape =
        pc.weight.ndim() == 4 ? pc.weight.shape() : Shape{1, 1, pc.weight.dim(0), pc.weight.dim(1)};
    Shape ishape{1, pc.weight.ndim() == 4 ? c : 1, ih, iw};
    auto gr = conv2d_geometry(ishape, wshape, -1, pc.params);
    if (gr) {
      g = *gr;
      geo_ok = true;
    }
  }
  if (hov_l && geo_ok) {
    const ImVec2 u = left.to_image(mouse);
    const double span_w = static_cast<double>((g.k_w - 1) * g.dilation_w) / 2.0;
    const double span_h = static_cast<double>((g.k_h - 1) * g.dilation_h) / 2.0;
    rx = static_cast<int>(std::lround((std::floor(u.x) + g.pad.left - span_w) / g.stride_w));
    ry = static_cast<int>(std::lround((std::floor(u.y) + g.pad.top - span_h) / g.stride_h));
  }
  if (rx >= 0 && ry >= 0 && rx < rw && ry < rh && have_result) {
    if (pc.showing_proxy) {
      es.inspect_value.clear();  // exact values come back with the full-resolution redraw
    } else if (rx != es.inspect_x || ry != es.inspect_y || lp.last_render_ran() ||
               es.inspect_value.empty()) {
      es.inspect_value = lp.read_value(rx, ry);
      es.inspect_x = rx;
      es.inspect_y = ry;
    }
    // The result pixel.
    dl->PushClipRect(right.p0, ImVec2(right.p0.x + right.size.x, right.p0.y + right.size.y), true);
    const ImVec2 ra = right.to_screen(static_cast<float>(rx), static_cast<float>(ry));
    const ImVec2 rb = right.to_screen(static_cast<float>(rx + 1), static_cast<float>(ry + 1));
    dl->AddRect(ra, rb, IM_COL32(255, 220, 0, 255), 0.0f, 0, 2.0f);
    if (rb.x - ra.x < 10.0f) {
      dl->AddCircle(ImVec2((ra.x + rb.x) * 0.5f, (ra.y + rb.y) * 0.5f), 10.0f,
                    IM_COL32(255, 220, 0, 255), 0, 2.0f);
    }
    dl->PopClipRect();
    if (geo_ok) {
      const float x0 = static_cast<float>(rx * g.stride_w - g.pad.left);
      const float y0 = static_cast<float>(ry * g.stride_h - g.pad.top);
      const float x1 = x0 + static_cast<float>((g.k_w - 1) * g.dilation_w + 1);
      const float y1 = y0 + static_cast<float>((g.k_h - 1) * g.dilation_h + 1);
      dl->PushClipRect(left.p0, ImVec2(left.p0.x + left.size.x, left.p0.y + left.size.y), true);
      const ImVec2 a = left.to_screen(x0, y0), b = left.to_screen(x1, y1);
      dl->AddRect(a, b, IM_COL32(255, 220, 0, 255), 0.0f, 0, 2.0f);
      if (b.x - a.x < 10.0f) {  // too small to see when zoomed out: ring it
        dl->AddCircle(ImVec2((a.x + b.x) * 0.5f, (a.y + b.y) * 0.5f), 10.0f,
                      IM_COL32(255, 220, 0, 255), 0, 2.0f);
      }
      dl->PopClipRect();
    }
  } else {
    es.inspect_x = es.inspect_y = -1;
  }

  // Below the panes: inspector line and legend.
  std::string line = pc.showing_proxy ? "exact values return when the weight rests"
                                      : "hover a pane to inspect a pixel";
  if (es.inspect_x >= 0 && !es.inspect_value.empty()) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "result (%d, %d) =", es.inspect_x, es.inspect_y);
    line = buf;
    for (float v : es.inspect_value) {
      std::snprintf(buf, sizeof buf, " %.7g", static_cast<double>(v));
      line += buf;
    }
    if (geo_ok) {
      std::snprintf(buf, sizeof buf, "   receptive field rows %lld..%lld, cols %lld..%lld",
                    static_cast<long long>(es.inspect_y * g.stride_h - g.pad.top),
                    static_cast<long long>(es.inspect_y * g.stride_h - g.pad.top +
                                           (g.k_h - 1) * g.dilation_h),
                    static_cast<long long>(es.inspect_x * g.stride_w - g.pad.left),
                    static_cast<long long>(es.inspect_x * g.stride_w - g.pad.left +
                                           (g.k_w - 1) * g.dilation_w));
      line += buf;
    }
  }
  if (hov_l && iw > 0 && pc.image.width == iw && pc.image.height == ih) {
    // The picture's own pixel under the cursor, 0-255 per channel.
    const ImVec2 u = left.to_image(mouse);
    const int px = static_cast<int>(std::floor(u.x)), py = static_cast<int>(std::floor(u.y));
    if (px >= 0 && py >= 0 && px < iw && py < ih) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "picture (%d, %d) =", px, py);
      std::string p = buf;
      const int ch = pc.image.channels;
      for (int c = 0; c < std::min(ch, 3); ++c) {
        std::snprintf(buf, sizeof buf, " %d",
                      pc.image.pixels[static_cast<std::size_t>((py * iw + px) * ch + c)]);
        p += buf;
      }
      line = p + "   |   " + line;
    }
  }
  ImGui::TextUnformatted(line.c_str());
  draw_legend(state.preview_mapping, rj, std::min(avail.x, ImGui::GetFontSize() * 30.0f));
  ImGui::End();
}

}  // namespace ui

}  // namespace cs
