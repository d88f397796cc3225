// The inputs panel (built-in lessons, random tensors, painting, images and .npy as lesson input),
// dropped files, the editing half's keyboard shortcuts, and scenes <-> AppState.
// Writes into AppState and marks it dirty; never runs the trace itself (recompute_if_dirty does).
// Depends on app_state, core/ and ImGui; no GL calls.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <random>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>

#include "app/ui/ui_edit.hpp"
#include "app/ui/ui_quiz.hpp"
#include "app/ui/ui_theme.hpp"
#include "core/image_io.hpp"
#include "core/limits.hpp"
#include "core/npy.hpp"

namespace cs {

namespace fs = std::filesystem;

EditState& edit_state(AppState& state) {
  if (!state.edit) state.edit = std::make_shared<EditState>();
  return *state.edit;
}

namespace {

std::string lower_ext(const std::string& path) {
  std::string e = fs::path(path).extension().string();
  for (char& ch : e)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return e;
}

const char* mapping_name(int m) {
  return kSceneDisplayMappings[std::clamp(m, 0, 3)];
}

// After the input's channel count changed to c_new: kernels keep their values for the channels
// that still exist, new channels copy channel (i mod old) so the picture stays meaningful.
// weight [C_out, C_in/g, KH, KW] => [C_out, c_new/g, KH, KW]
void adapt_kernels(AppState& s, int64_t c_new) {
  if (s.weight.ndim() != 4) return;
  if (s.conv.groups > 1 && c_new % s.conv.groups != 0) {
    s.notify("groups reset to 1: " + std::to_string(c_new) +
             " input channels cannot be split into " + std::to_string(s.conv.groups) + " groups");
    s.conv.groups = 1;
  }
  const int64_t per_group = c_new / std::max(1, s.conv.groups);
  const Tensor& w = s.weight;
  const int64_t c_out = w.dim(0), old_in = w.dim(1), kh = w.dim(2), kw = w.dim(3);
  if (old_in == per_group || old_in <= 0) return;
  Tensor nw(w.dtype(), {c_out, per_group, kh, kw});
  for (int64_t o = 0; o < c_out; ++o) {
    for (int64_t i = 0; i < per_group; ++i) {
      const int64_t src = i % old_in;
      for (int64_t k = 0; k < kh * kw; ++k) {
        nw.set(((o * per_group) + i) * kh * kw + k, w.get(((o * old_in) + src) * kh * kw + k));
      }
    }
  }
  s.weight = std::move(nw);
}

// Puts a new input (PyTorch order) into the lesson: dtypes aligned to the input's (the user's
// data decides the precision), kernels adapted to its channels, trace marked dirty.
void replace_input(AppState& s, Tensor input, const std::string& name, const std::string& title) {
  const int64_t c_new = input.dim(1);
  s.input = std::move(input);
  if (s.weight.ndim() == 4 && s.weight.dtype() != s.input.dtype())
    s.weight = s.weight.to(s.input.dtype());
  if (!s.bias.empty() && s.bias.dtype() != s.input.dtype()) s.bias = s.bias.to(s.input.dtype());
  adapt_kernels(s, c_new);
  s.lesson_name = name;
  s.lesson_title = title;
  s.lesson_expected.clear();
  s.mark_dirty(Dirty::trace);
  s.mark_dirty(Dirty::settings);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Files as inputs

// [H, W, ch] 8-bit image => [1, C, out_h, out_w] float32 in [0, 1], C = 1 for grey images and
// 3 otherwise (alpha dropped). Exact area average: each output cell is the mean of the source
// pixels it covers, weighted by the covered fraction of each.
Tensor downsample_area(const Image& image, int64_t out_h, int64_t out_w) {
  const int src_c = image.channels;
  const int64_t c = src_c <= 2 ? 1 : 3;
  Tensor out(DType::f32, {1, c, out_h, out_w});
  if (image.width <= 0 || image.height <= 0 || out_h <= 0 || out_w <= 0) return out;
  struct Span {
    int64_t first = 0;
    std::vector<double> weights;  // for source indices first, first+1, ...
  };
  auto spans = [](int64_t src, int64_t dst) {
    std::vector<Span> v(static_cast<std::size_t>(dst));
    const double scale = static_cast<double>(src) / static_cast<double>(dst);
    for (int64_t o = 0; o < dst; ++o) {
      const double a = static_cast<double>(o) * scale, b = static_cast<double>(o + 1) * scale;
      Span& sp = v[static_cast<std::size_t>(o)];
      sp.first = static_cast<int64_t>(std::floor(a));
      for (int64_t i = sp.first; i < src && static_cast<double>(i) < b; ++i) {
        const double lo = std::max(a, static_cast<double>(i));
        const double hi = std::min(b, static_cast<double>(i + 1));
        sp.weights.push_back(std::max(0.0, hi - lo));
      }
    }
    return v;
  };
  const auto ys = spans(image.height, out_h);
  const auto xs = spans(image.width, out_w);
  float* dst = out.data<float>();
  std::vector<double> acc(static_cast<std::size_t>(c));
  for (int64_t oy = 0; oy < out_h; ++oy) {
    const Span& sy = ys[static_cast<std::size_t>(oy)];
    for (int64_t ox = 0; ox < out_w; ++ox) {
      const Span& sx = xs[static_cast<std::size_t>(ox)];
      std::fill(acc.begin(), acc.end(), 0.0);
      double area = 0;
      for (std::size_t j = 0; j < sy.weights.size(); ++j) {
        const int64_t y = sy.first + static_cast<int64_t>(j);
        for (std::size_t i = 0; i < sx.weights.size(); ++i) {
          const int64_t x = sx.first + static_cast<int64_t>(i);
          const double wgt = sy.weights[j] * sx.weights[i];
          const uint8_t* p = &image.pixels[static_cast<std::size_t>((y * image.width + x) * src_c)];
          if (c == 1) {
            acc[0] += wgt * p[0];
          } else {
            for (int64_t ch = 0; ch < 3; ++ch)
              acc[static_cast<std::size_t>(ch)] += wgt * p[ch];
          }
          area += wgt;
        }
      }
      for (int64_t ch = 0; ch < c; ++ch) {
        const double v = area > 0 ? acc[static_cast<std::size_t>(ch)] / (area * 255.0) : 0.0;
        dst[(ch * out_h + oy) * out_w + ox] = static_cast<float>(v);
      }
    }
  }
  return out;
}

// 2-D [H, W] => [1, 1, H, W]; 3-D [C, H, W] (or [H, W, C] when nhwc) => [1, C, H, W];
// 4-D NCHW as is, NHWC => NCHW.
Result<Tensor> npy_to_input(const Tensor& t, bool nhwc) {
  const Shape& s = t.shape();
  Result<Tensor> r = make_error("");
  switch (t.ndim()) {
    case 2:
      r = t.reshaped({1, 1, s[0], s[1]});
      break;
    case 3:
      if (nhwc) {
        auto four = t.reshaped({1, s[0], s[1], s[2]});
        if (!four) return four.error();
        r = nhwc_to_nchw(*four);
      } else {
        r = t.reshaped({1, s[0], s[1], s[2]});
      }
      break;
    case 4:
      r = nhwc ? Result<Tensor>(nhwc_to_nchw(t)) : Result<Tensor>(t);
      break;
    default:
      return make_error("the array has shape " + shape_to_string(s) + " (" +
                            std::to_string(t.ndim()) +
                            " dimensions); a lesson input needs 2 (H×W), 3 (C×H×W) or 4 (N×C×H×W) "
                            "dimensions",
                        "input");
  }
  if (!r) return r.error();
  const Tensor& in = *r;
  for (int d = 0; d < 4; ++d) {
    if (in.dim(d) <= 0) {
      return make_error("the array has shape " + shape_to_string(s) +
                            ", with an empty dimension; a lesson input needs at least one value "
                            "in every dimension",
                        "input");
    }
  }
  // A lesson is read cell by cell; photos belong in the live preview (core/limits.hpp).
  if (auto st = check_lesson_values("input", in.numel()); !st) return st.error();
  return r;
}

std::pair<int64_t, int64_t> photo_lesson_size(int width, int height, int cells) {
  const int64_t longer = std::max(width, height);
  const int64_t n = std::min<int64_t>(std::max(1, cells), std::max<int64_t>(1, longer));
  const auto scaled = [&](int64_t side) {
    return std::clamp<int64_t>(std::lround(static_cast<double>(side) * n / longer), 1, n);
  };
  return {scaled(height), scaled(width)};
}

namespace {

// The thumbnail of the kept picture: at most 160 pixels along its longer side, RGBA texels.
void make_thumbnail(EditState& es) {
  const Image& img = es.photo;
  const auto [h, w] = photo_lesson_size(img.width, img.height, 160);
  const Tensor t = downsample_area(img, h, w);  // [1, C, h, w] in [0, 1]
  const int64_t c = t.dim(1), plane = h * w;
  es.photo_thumb.assign(static_cast<std::size_t>(plane), 0);
  for (int64_t i = 0; i < plane; ++i) {
    uint32_t texel = 0xff000000u;  // alpha in the top byte: RGBA in memory
    for (int64_t ch = 0; ch < 3; ++ch) {
      const double v = std::clamp(t.get((c == 3 ? ch : 0) * plane + i), 0.0, 1.0);
      texel |= static_cast<uint32_t>(std::lround(v * 255.0)) << (8 * ch);
    }
    es.photo_thumb[static_cast<std::size_t>(i)] = texel;
  }
  es.photo_thumb_w = static_cast<int>(w);
  es.photo_thumb_h = static_cast<int>(h);
  es.photo_thumb_stale = true;
  es.photo_reveal = true;
}

// The kept picture averaged to es.photo_cells along its longer side, as the lesson input.
void photo_to_input(AppState& state, EditState& es) {
  const Image& img = es.photo;
  const auto [h, w] = photo_lesson_size(img.width, img.height, es.photo_cells);
  int64_t c_lesson = state.input.ndim() == 4 ? state.input.dim(1) : 0;
  Tensor t = downsample_area(img, h, w);
  // Keep the lesson's channel count when it is grey (1) or colour (3), so its kernels still fit.
  if (c_lesson == 1 && t.dim(1) == 3) {
    Tensor g(DType::f32, {1, 1, h, w});
    for (int64_t i = 0; i < h * w; ++i) {
      // Rec. 601 luma, as PIL's convert("L") does.
      g.set(i, 0.299 * t.get(i) + 0.587 * t.get(h * w + i) + 0.114 * t.get(2 * h * w + i));
    }
    t = std::move(g);
  } else if (c_lesson == 3 && t.dim(1) == 1) {
    Tensor rgb(DType::f32, {1, 3, h, w});
    for (int64_t ch = 0; ch < 3; ++ch)
      for (int64_t i = 0; i < h * w; ++i)
        rgb.set(ch * h * w + i, t.get(i));
    t = std::move(rgb);
  }
  const std::string file = fs::path(es.photo_path).filename().string();
  const std::string size = std::to_string(h) + "×" + std::to_string(w);
  replace_input(state,
                state.input.ndim() == 4 && state.input.dtype() == DType::f64 ? t.to(DType::f64) : t,
                fs::path(es.photo_path).stem().string(),
                file + " (" + std::to_string(img.width) + "×" + std::to_string(img.height) +
                    ") as a " + size + " input");
  state.lesson_description =
      "Each cell is the mean brightness (0 to 1) of the block of pixels it covers in " + file +
      ", averaged down to " + size +
      " cells. The Inputs panel shows the picture with those cells; its slider picks more or "
      "fewer.";
}

}  // namespace

Status load_input_image(AppState& state, const std::string& path) {
  auto img = load_image(path);
  if (!img) return img.error();
  EditState& es = edit_state(state);
  es.photo = std::move(*img);
  es.photo_path = path;
  make_thumbnail(es);
  photo_to_input(state, es);
  state.show_inputs = true;  // where the thumbnail and the cells slider are
  return ok();
}

bool set_photo_cells(AppState& state, int cells) {
  EditState& es = edit_state(state);
  if (es.photo.width <= 0) return false;
  es.photo_cells = std::clamp(cells, 2, 64);
  photo_to_input(state, es);
  return true;
}

Status load_input_npy(AppState& state, const std::string& path, bool nhwc) {
  auto t = read_npy(path);
  if (!t) return t.error();
  auto in = npy_to_input(*t, nhwc);
  if (!in) {
    return make_error(fs::path(path).filename().string() + ": " + in.error().message, "input");
  }
  const std::string file = fs::path(path).filename().string();
  replace_input(state, std::move(*in), fs::path(path).stem().string(),
                file + " " + shape_to_string(t->shape()) + (nhwc ? " (NHWC)" : ""));
  state.lesson_description = "The input tensor from " + file + ", " +
                             dtype_name(state.input.dtype()) +
                             ", shown as N×C×H×W = " + shape_to_string(state.input.shape()) + ".";
  return ok();
}

// ---------------------------------------------------------------------------------------------
// Scenes

Scene scene_from_state(const AppState& state) {
  Scene scene;
  Lesson& l = scene.lesson;
  l.name = state.lesson_name;
  l.title = state.lesson_title;
  l.description = state.lesson_description;
  // The seed's printed values go with the lesson only while they describe it (undo.hpp).
  if (expected_applies(state)) l.expected = state.lesson_expected;
  l.op = state.op;
  l.conv = state.conv;
  l.pool = state.pool;
  l.transpose = state.transpose;
  l.flip_kernel = state.flip_kernel;
  l.framework = state.framework;
  l.keras_padding = state.keras_padding;
  // The file stores operands in the layout of the operation it shows (Keras scenes stay NHWC; a
  // transposed convolution runs and is saved in NCHW, app_state.cpp).
  const Layout layout = state.op == LessonOp::conv_transpose ? Layout::nchw
                        : state.op == LessonOp::conv         ? state.conv.layout
                                                             : state.pool.layout;
  l.conv.layout = layout;
  l.pool.layout = layout;
  const bool nhwc = layout == Layout::nhwc;
  l.input = nhwc && state.input.ndim() == 4 ? nchw_to_nhwc(state.input) : state.input;
  if (state.weight.ndim() == 4) l.weight = nhwc ? oihw_to_hwio(state.weight) : state.weight;
  if (state.has_bias && state.bias.ndim() == 1) l.bias = state.bias;
  scene.preview_image = state.preview_path;
  scene.display = mapping_name(state.preview_mapping);
  scene.quiz = state.quiz.active();
  return scene;
}

void apply_scene(AppState& state, const Scene& scene) {
  load_lesson(state, scene.lesson);
  for (int m = 0; m < 4; ++m) {
    if (scene.display == kSceneDisplayMappings[m]) state.preview_mapping = m;
  }
  if (state.preview_path != scene.preview_image) {
    state.preview_path = scene.preview_image;
    state.mark_dirty(Dirty::preview_image);
  }
  state.mark_dirty(Dirty::preview_kernel);
  state.mark_dirty(Dirty::status);
  if (scene.quiz) ui::set_quiz(state, true);  // a teacher's scene may start in quiz mode
}

Status open_scene_file(AppState& state, const std::string& path) {
  auto scene = load_scene(path);
  if (!scene) return scene.error();
  apply_scene(state, *scene);
  EditState& es = edit_state(state);
  es.scene_path = path;
  es.scene_message = "opened " + path;
  return ok();
}

Status save_scene_file(AppState& state, const std::string& path) {
  auto s = save_scene(path, scene_from_state(state));
  if (!s) return s;
  EditState& es = edit_state(state);
  es.scene_path = path;
  es.scene_message = "saved " + path;
  state.mark_dirty(Dirty::status);
  return ok();
}

namespace ui {

// ---------------------------------------------------------------------------------------------
// Dropped files and painting

void handle_dropped_files(AppState& state, const std::vector<std::string>& paths) {
  EditState& es = edit_state(state);
  std::string report;
  auto add = [&](const std::string& line) { report += (report.empty() ? "" : "  ") + line; };
  for (const std::string& path : paths) {
    const std::string ext = lower_ext(path);
    const std::string file = fs::path(path).filename().string();
    if (ext == ".png" || ext == ".jpg" || ext == ".jpeg") {
      auto s = load_input_image(state, path);
      if (!s) {
        add(s.error().message);
        continue;
      }
      (void)set_preview_image(state, path);
      state.show_preview = true;
      add(file + ": shown in the live preview and, as " + std::to_string(state.input.dim(2)) + "×" +
          std::to_string(state.input.dim(3)) + " cells, as the lesson input.");
    } else if (ext == ".npy") {
      auto s = load_input_npy(state, path, es.npy_nhwc);
      add(s ? file + ": loaded as the lesson input " + shape_to_string(state.input.shape()) + "."
            : s.error().message);
    } else if (ext == ".json") {
      auto s = open_scene_file(state, path);
      add(s ? file + ": scene opened." : s.error().message);
    } else {
      add("cannot open " + file +
          " by dropping it: drop a .png/.jpg picture, a .npy tensor or a .json scene.");
    }
  }
  es.input_message = report;
  if (!report.empty()) state.notify(report, 10.0);
}

bool paint_cell(AppState& state, int64_t n, int64_t c, int64_t y, int64_t x) {
  EditState& es = edit_state(state);
  Tensor& in = state.input;
  if (in.ndim() != 4) return false;
  const int64_t N = in.dim(0), C = in.dim(1), H = in.dim(2), W = in.dim(3);
  if (n < 0 || n >= N || c < 0 || c >= C || y < 0 || y >= H || x < 0 || x >= W) return false;
  const int r = std::max(0, es.brush / 2);
  bool changed = false;
  const int64_t c0 = es.paint_all_channels ? 0 : c, c1 = es.paint_all_channels ? C : c + 1;
  for (int64_t ch = c0; ch < c1; ++ch) {
    for (int64_t yy = std::max<int64_t>(0, y - r); yy <= std::min(H - 1, y + r); ++yy) {
      for (int64_t xx = std::max<int64_t>(0, x - r); xx <= std::min(W - 1, x + r); ++xx) {
        const int64_t i = ((n * C + ch) * H + yy) * W + xx;  // [N, C, H, W]
        if (in.get(i) != es.paint_value) {
          in.set(i, es.paint_value);
          changed = true;
        }
      }
    }
  }
  if (changed) {
    state.mark_dirty(Dirty::trace);
    state.mark_dirty(Dirty::settings);
  }
  return changed;
}

// ---------------------------------------------------------------------------------------------
// Shortcuts

void handle_edit_shortcuts(AppState& state) {
  const ImGuiIO& io = ImGui::GetIO();
  if (!io.KeyCtrl || io.KeyAlt || io.WantTextInput) return;
  EditState& es = edit_state(state);
  // The --status-file reflects what a key changed (tests and scripts watch it).
  auto pressed = [&state](int key) {
    const bool p = ImGui::IsKeyPressed(key, false);
    if (p) state.mark_dirty(Dirty::status);
    return p;
  };
  if (pressed(GLFW_KEY_S)) {
    if (io.KeyShift || es.scene_path.empty()) {
      open_file_browser(state, BrowseFor::scene_save);
    } else {
      auto s = save_scene_file(state, es.scene_path);
      state.notify(s ? "Scene saved to " + es.scene_path : s.error().message);
    }
  } else if (pressed(GLFW_KEY_O)) {
    open_file_browser(state, BrowseFor::scene_open);
  } else if (pressed(GLFW_KEY_I)) {
    open_file_browser(state, BrowseFor::image_input);
  } else if (pressed(GLFW_KEY_P)) {
    state.show_preview = !state.show_preview;
  } else if (pressed(GLFW_KEY_K)) {
    state.show_kernel_editor = !state.show_kernel_editor;
  } else if (pressed(GLFW_KEY_F)) {
    state.flip_kernel = !state.flip_kernel;
    state.mark_dirty(Dirty::trace);
    state.notify(state.flip_kernel ? "Kernel flipped: true convolution (SciPy)"
                                   : "Kernel as written: cross-correlation (PyTorch)");
  } else if (pressed(GLFW_KEY_N)) {
    kernel_action(state, KernelAction::normalise_all);
  } else if (pressed(GLFW_KEY_R)) {
    kernel_action(state, KernelAction::random_all);
  }
}

// ---------------------------------------------------------------------------------------------
// The panel

namespace {

void section_lessons(AppState& state) {
  const auto& lessons = builtin_lessons();
  ImGui::TextDisabled("Built-in lessons (the seed notebooks' examples)");
  if (ImGui::BeginChild("##lessons", ImVec2(0, ImGui::GetTextLineHeightWithSpacing() * 6.5f),
                        true)) {
    for (const Lesson& l : lessons) {
      const bool current = state.lesson_name == l.name;
      if (ImGui::Selectable((l.title + "##" + l.name).c_str(), current)) load_lesson(state, l);
      if (ImGui::IsItemHovered()) {
        ImGui::BeginTooltip();
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30.0f);
        ImGui::TextUnformatted(l.name.c_str());
        ImGui::TextUnformatted(
            (current ? ui::lesson_description_text(state, l.description) : l.description).c_str());
        ImGui::PopTextWrapPos();
        ImGui::EndTooltip();
      }
    }
  }
  ImGui::EndChild();
  for (const Lesson& l : lessons) {
    if (l.name == state.lesson_name) {
      ImGui::TextWrapped("%s", ui::lesson_description_text(state, l.description).c_str());
    }
  }
}

void section_random(AppState& state) {
  RandomSpec& r = state.random_spec;
  ImGui::PushItemWidth(ImGui::GetFontSize() * 5.0f);
  ImGui::InputInt("H", &r.h);
  ImGui::SameLine();
  ImGui::InputInt("W", &r.w);
  ImGui::InputInt("C in", &r.c_in);
  ImGui::SameLine();
  ImGui::InputInt("C out", &r.c_out);
  ImGui::InputInt("kernel", &r.k);
  ImGui::SameLine();
  ImGui::InputInt("range ±", &r.range);
  r.h = std::clamp(r.h, 1, 256);
  r.w = std::clamp(r.w, 1, 256);
  r.c_in = std::clamp(r.c_in, 1, 64);
  r.c_out = std::clamp(r.c_out, 1, 64);
  r.k = std::clamp(r.k, 1, 15);
  r.range = std::clamp(r.range, 1, 1000);
  const ImU64 one = 1;
  ImGui::InputScalar("seed", ImGuiDataType_U64, &r.seed, &one);
  ImGui::PopItemWidth();
  if (ImGui::Button("Random lesson")) load_random_lesson(state, r);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "Input, kernels and bias drawn from the seed: the same seed gives the same lesson.");
  }
  ImGui::SameLine();
  if (ImGui::Button("Next seed")) {
    ++r.seed;
    load_random_lesson(state, r);
  }
  ImGui::SameLine();
  if (ImGui::Button("Random input only")) {
    // Keeps the kernels: only the input changes (shape H×W×C_in from above).
    std::mt19937_64 rng(r.seed);
    std::uniform_int_distribution<int> dist(-r.range, r.range);
    Tensor t(state.weight.ndim() == 4 ? state.weight.dtype() : DType::f32, {1, r.c_in, r.h, r.w});
    for (int64_t i = 0; i < t.numel(); ++i)
      t.set(i, dist(rng));
    state.seed = r.seed;
    replace_input(state, std::move(t), "random-input",
                  "Random input " + std::to_string(r.h) + "×" + std::to_string(r.w) + "×" +
                      std::to_string(r.c_in) + ", seed " + std::to_string(r.seed));
  }
  ImGui::TextDisabled("last seed used: %llu", static_cast<unsigned long long>(state.seed));
}

// The input grid of one channel, painted with the mouse: left button paints the paint value,
// right button paints 0.
void section_paint(AppState& state, EditState& es) {
  ImGui::PushItemWidth(ImGui::GetFontSize() * 6.0f);
  ImGui::InputDouble("paint value", &es.paint_value, 1.0, 10.0, "%.4g");
  if (!std::isfinite(es.paint_value)) es.paint_value = 0.0;
  static const char* brushes[] = {"1 cell", "3×3", "5×5"};
  int b = es.brush <= 1 ? 0 : es.brush == 3 ? 1 : 2;
  ImGui::SameLine();
  if (ImGui::Combo("brush", &b, brushes, 3)) es.brush = 1 + 2 * b;
  ImGui::PopItemWidth();
  ImGui::Checkbox("paint every channel", &es.paint_all_channels);
  Tensor& in = state.input;
  if (in.ndim() != 4 || in.empty()) {
    ImGui::TextDisabled("no input to paint");
    return;
  }
  static int channel = 0, batch = 0;
  channel = std::clamp(channel, 0, static_cast<int>(in.dim(1)) - 1);
  batch = std::clamp(batch, 0, static_cast<int>(in.dim(0)) - 1);
  if (in.dim(1) > 1) {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8.0f);
    ImGui::SliderInt("channel", &channel, 0, static_cast<int>(in.dim(1)) - 1);
  }
  if (in.dim(0) > 1) {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8.0f);
    ImGui::SliderInt("batch", &batch, 0, static_cast<int>(in.dim(0)) - 1);
  }
  const int64_t H = in.dim(2), W = in.dim(3);
  const float avail = std::max(80.0f, ImGui::GetContentRegionAvail().x);
  const float cell = std::clamp(avail / static_cast<float>(W), 4.0f, ImGui::GetFontSize() * 2.4f);
  std::vector<double> vals(static_cast<std::size_t>(H * W));
  const int64_t base = (static_cast<int64_t>(batch) * in.dim(1) + channel) * H * W;  // [N, C, H, W]
  double scale = 0;
  for (int64_t i = 0; i < H * W; ++i) {
    vals[static_cast<std::size_t>(i)] = in.get(base + i);
    scale = std::max(scale, std::abs(vals[static_cast<std::size_t>(i)]));
  }
  const GridHit hit = draw_value_grid("##paintgrid", vals.data(), static_cast<int>(H),
                                      static_cast<int>(W), cell, scale);
  if (hit.hovered && hit.row >= 0) {
    if (ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
      paint_cell(state, batch, channel, hit.row, hit.col);
    } else if (ImGui::IsMouseDown(ImGuiMouseButton_Right)) {
      const double keep = es.paint_value;
      es.paint_value = 0.0;
      paint_cell(state, batch, channel, hit.row, hit.col);
      es.paint_value = keep;
    }
  }
  ImGui::TextDisabled("left drag paints %.4g, right drag paints 0", es.paint_value);
}

// The picture the lesson input came from (Ctrl+I, a drop): its thumbnail with the lesson's cells
// drawn over it, and a slider for how many cells along its longer side.
void section_photo(AppState& state, EditState& es) {
  if (es.photo.width <= 0 || state.lesson_name != fs::path(es.photo_path).stem().string()) return;
  // No renderer (a headless test): no texture, the frame is drawn in its place.
  if (es.photo_thumb_stale && ImGui::GetIO().BackendRendererName != nullptr) {
    es.photo_tex = es.thumb_textures.upload(0, es.photo_thumb_w, es.photo_thumb_h, es.photo_thumb);
    es.photo_thumb_stale = false;
  }
  const float tw = static_cast<float>(std::max(1, es.photo_thumb_w));
  const float th = static_cast<float>(std::max(1, es.photo_thumb_h));
  const float scale = std::min(std::max(40.0f, ImGui::GetContentRegionAvail().x) / tw,
                               ImGui::GetFontSize() * 9.0f / th);
  const ImVec2 size(tw * scale, th * scale);
  if (es.photo_reveal) {  // a new picture: bring it into view, the panel is long
    es.photo_reveal = false;
    ImGui::SetScrollHereY(0.0f);
  }
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  if (es.photo_tex != 0) {
    ImGui::Image(reinterpret_cast<ImTextureID>(es.photo_tex), size);
  } else {
    ImGui::Dummy(size);
  }
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const auto [h, w] = photo_lesson_size(es.photo.width, es.photo.height, es.photo_cells);
  const ImU32 line = IM_COL32(255, 255, 255, 110);
  for (int64_t i = 1; i < w; ++i) {
    const float x = p0.x + size.x * static_cast<float>(i) / static_cast<float>(w);
    dl->AddLine(ImVec2(x, p0.y), ImVec2(x, p0.y + size.y), line);
  }
  for (int64_t i = 1; i < h; ++i) {
    const float y = p0.y + size.y * static_cast<float>(i) / static_cast<float>(h);
    dl->AddLine(ImVec2(p0.x, y), ImVec2(p0.x + size.x, y), line);
  }
  dl->AddRect(p0, ImVec2(p0.x + size.x, p0.y + size.y), IM_COL32(120, 120, 120, 255));
  ImGui::TextDisabled("%s, %d×%d pixels, as %lld×%lld cells",
                      fs::path(es.photo_path).filename().string().c_str(), es.photo.width,
                      es.photo.height, static_cast<long long>(h), static_cast<long long>(w));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8.0f);
  ImGui::SliderInt("cells (longer side)", &es.photo_cells, 2, 64);
  if (ImGui::IsItemDeactivatedAfterEdit()) set_photo_cells(state, es.photo_cells);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "How many cells the picture is averaged into along its longer side; every cell is one\n"
        "input value of the lesson. More cells show more of the picture and take more steps.");
  }
}

void section_files(AppState& state, EditState& es) {
  if (ImGui::Button("Image or .npy as input... (Ctrl+I)"))
    open_file_browser(state, BrowseFor::image_input);
  ImGui::SameLine();
  if (ImGui::Button(".npy as input...")) open_file_browser(state, BrowseFor::npy_input);
  ImGui::Checkbox("4-D/3-D .npy is channels-last (NHWC / HWC)", &es.npy_nhwc);
  ImGui::TextDisabled("or drop a .png/.jpg, .npy or .json scene on the window");
  section_photo(state, es);
  if (!es.input_message.empty()) {
    ImGui::TextWrapped("%s", es.input_message.c_str());
  }
}

void section_scene(AppState& state, EditState& es) {
  if (ImGui::Button("Open scene... (Ctrl+O)")) open_file_browser(state, BrowseFor::scene_open);
  ImGui::SameLine();
  if (ImGui::Button("Save scene (Ctrl+S)")) {
    if (es.scene_path.empty()) {
      open_file_browser(state, BrowseFor::scene_save);
    } else {
      auto s = save_scene_file(state, es.scene_path);
      state.notify(s ? "Scene saved to " + es.scene_path : s.error().message);
    }
  }
  ImGui::SameLine();
  if (ImGui::Button("Save as... (Ctrl+Shift+S)")) open_file_browser(state, BrowseFor::scene_save);
  if (!es.scene_path.empty()) ImGui::TextDisabled("scene file: %s", es.scene_path.c_str());
  if (!es.scene_message.empty()) ImGui::TextWrapped("%s", es.scene_message.c_str());
}

}  // namespace

void draw_inputs_panel(AppState& state) {
  EditState& es = edit_state(state);
  // (Placed by the frame: ui_frame.cpp default_rect.)
  if (!ImGui::Begin("Inputs", &state.show_inputs)) {
    ImGui::End();
    return;
  }
  if (ImGui::CollapsingHeader("Lessons", ImGuiTreeNodeFlags_DefaultOpen)) section_lessons(state);
  if (ImGui::CollapsingHeader("Random tensor")) section_random(state);
  if (ImGui::CollapsingHeader("Paint the input", ImGuiTreeNodeFlags_DefaultOpen))
    section_paint(state, es);
  if (ImGui::CollapsingHeader("From a file", ImGuiTreeNodeFlags_DefaultOpen))
    section_files(state, es);
  if (ImGui::CollapsingHeader("Scene (for teachers)", ImGuiTreeNodeFlags_DefaultOpen)) {
    section_scene(state, es);
  }
  if (const Error* e = state.error_for("input")) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette().error_v4);
    ImGui::TextWrapped("%s", e->message.c_str());
    ImGui::PopStyleColor();
  }
  ImGui::End();
}

}  // namespace ui

}  // namespace cs
