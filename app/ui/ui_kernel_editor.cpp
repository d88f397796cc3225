// The kernel editor view: every weight of every (out, in) kernel (typed, dragged, or clicked on a
// drawn grid), presets, seeded random weights, normalise, flip (cross-correlation and convolution
// side by side on the lesson's input) and the bias. Writes into AppState and marks it dirty; the
// trace is recomputed by the shell. Depends on app_state, core/ and ImGui; no GL calls.
#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <random>

#include <imgui.h>

#include "app/ui/ui_edit.hpp"
#include "app/ui/ui_theme.hpp"
#include "core/conv2d.hpp"
#include "core/limits.hpp"
#include "core/presets.hpp"

namespace cs::ui {

namespace {

// Flat offset of kernel (o, i) in weight [C_out, C_in/g, KH, KW].
int64_t kernel_offset(const Tensor& w, int64_t o, int64_t i) {
  return (o * w.dim(1) + i) * w.dim(2) * w.dim(3);
}

// Every kernel resized to kh × kw, centred: [C_out, C_in/g, KH, KW] => [C_out, C_in/g, kh, kw].
Tensor resize_kernels(const Tensor& w, int64_t kh, int64_t kw) {
  Tensor out(w.dtype(), {w.dim(0), w.dim(1), kh, kw});
  const int64_t oh = w.dim(2), ow = w.dim(3);
  const int64_t dy = (kh - oh) / 2, dx = (kw - ow) / 2;
  for (int64_t k = 0; k < w.dim(0) * w.dim(1); ++k) {
    for (int64_t y = 0; y < oh; ++y) {
      for (int64_t x = 0; x < ow; ++x) {
        const int64_t ny = y + dy, nx = x + dx;
        if (ny < 0 || ny >= kh || nx < 0 || nx >= kw) continue;
        out.set((k * kh + ny) * kw + nx, w.get((k * oh + y) * ow + x));
      }
    }
  }
  return out;
}

void clamp_selection(const AppState& s, EditState& es) {
  if (s.weight.ndim() != 4) return;
  es.sel_out = std::clamp(es.sel_out, 0, static_cast<int>(s.weight.dim(0)) - 1);
  es.sel_in = std::clamp(es.sel_in, 0, static_cast<int>(s.weight.dim(1)) - 1);
  if (es.sel_ky >= s.weight.dim(2) || es.sel_kx >= s.weight.dim(3)) es.sel_ky = es.sel_kx = -1;
}

void weights_edited(AppState& s) {
  s.mark_dirty(Dirty::trace);
  s.mark_dirty(Dirty::settings);
}

// The lesson's input convolved both ways, cached until an operand or a parameter changes.
struct FlipCompare {
  Tensor input, weight, bias;
  bool has_bias = false;
  Conv2dParams params;
  bool valid = false;
  Tensor xcorr, conv;  // [N, C_out, OH, OW]
  std::string error;
};

void update_compare(FlipCompare& fc, const AppState& s) {
  Conv2dParams p = s.conv;
  p.layout = Layout::nchw;
  if (fc.valid && fc.input.identical(s.input) && fc.weight.identical(s.weight) &&
      fc.has_bias == s.has_bias && (!s.has_bias || fc.bias.identical(s.bias)) &&
      same_arithmetic(fc.params, p)) {
    return;
  }
  fc.input = s.input;
  fc.weight = s.weight;
  fc.bias = s.bias;
  fc.has_bias = s.has_bias;
  fc.params = p;
  fc.valid = true;
  fc.error.clear();
  const Tensor* b = s.has_bias ? &s.bias : nullptr;
  // Only what the lesson itself may hold: the maps below are drawn cell by cell.
  auto geo =
      conv2d_geometry(s.input.shape(), s.weight.shape(), s.has_bias ? s.bias.numel() : -1, p);
  Status fits = geo ? check_lesson_size(*geo) : Status(geo.error());
  if (!fits) {
    fc.error = fits.error().message;
    fc.xcorr = Tensor();
    fc.conv = Tensor();
    return;
  }
  auto a = conv2d(s.input, s.weight, b, p);
  auto c = conv2d(s.input, flip_kernel(s.weight, Layout::nchw), b, p);
  if (!a || !c) {
    fc.error = !a ? a.error().message : c.error().message;
    fc.xcorr = Tensor();
    fc.conv = Tensor();
    return;
  }
  fc.xcorr = std::move(*a);
  fc.conv = std::move(*c);
}

// One output channel of a [N, C, H, W] result as a grid, under its title (wrapped to the
// column); the one the lesson runs is ticked, in words as well as with the mark.
void draw_output_map(const char* id, const char* title, const Tensor& t, int64_t o, float cell,
                     double scale, bool in_use) {
  ImGui::BeginGroup();
  ImGui::TextUnformatted(title);
  if (in_use) {
    ImGui::TextUnformatted("✓ the lesson uses this");
  } else {
    ImGui::TextDisabled("(not used)");
  }
  if (t.ndim() == 4 && o < t.dim(1)) {
    const int64_t h = t.dim(2), w = t.dim(3);
    std::vector<double> v(static_cast<std::size_t>(h * w));
    for (int64_t i = 0; i < h * w; ++i)
      v[static_cast<std::size_t>(i)] = t.get(o * h * w + i);
    draw_value_grid(id, v.data(), static_cast<int>(h), static_cast<int>(w), cell, scale);
  }
  ImGui::EndGroup();
}

}  // namespace

GridHit draw_value_grid(const char* id, const double* values, int rows, int cols, float cell,
                        double scale, int sel_row, int sel_col) {
  GridHit hit;
  if (rows <= 0 || cols <= 0) return hit;
  cell = std::max(cell, 2.0f);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const ImVec2 size(cell * static_cast<float>(cols), cell * static_cast<float>(rows));
  ImGui::InvisibleButton(id, size,
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  hit.hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  if (!(scale > 0) || !std::isfinite(scale)) scale = 1.0;
  const Palette& pal = palette();
  const float font = ImGui::GetFontSize();
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const double v = values[r * cols + c];
      const ImVec2 a(p0.x + static_cast<float>(c) * cell, p0.y + static_cast<float>(r) * cell);
      const ImVec2 b(a.x + cell, a.y + cell);
      const ImU32 fill = value_colour(v, scale);
      dl->AddRectFilled(a, b, fill);
      if (cell >= 6.0f) dl->AddRect(a, b, pal.grid);
      if (cell >= font * 1.2f) {
        const std::string s = fmt(v);
        const ImVec2 ts = ImGui::CalcTextSize(s.c_str());
        if (ts.x <= cell - 3.0f) {
          dl->AddText(ImVec2(a.x + (cell - ts.x) * 0.5f, a.y + (cell - ts.y) * 0.5f),
                      text_colour_on(fill), s.c_str());
        }
      }
    }
  }
  if (sel_row >= 0 && sel_col >= 0 && sel_row < rows && sel_col < cols) {
    const ImVec2 a(p0.x + static_cast<float>(sel_col) * cell,
                   p0.y + static_cast<float>(sel_row) * cell);
    dl->AddRect(a, ImVec2(a.x + cell, a.y + cell), pal.tap, 0.0f, 0, 3.0f);
  }
  if (hit.hovered) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    const int c = static_cast<int>((m.x - p0.x) / cell), r = static_cast<int>((m.y - p0.y) / cell);
    if (r >= 0 && r < rows && c >= 0 && c < cols) {
      hit.row = r;
      hit.col = c;
      const ImVec2 a(p0.x + static_cast<float>(c) * cell, p0.y + static_cast<float>(r) * cell);
      dl->AddRect(a, ImVec2(a.x + cell, a.y + cell), pal.hover, 0.0f, 0, 2.0f);
      ImGui::SetTooltip("[%d, %d] = %.6g", r, c, values[r * cols + c]);
      hit.left_clicked = ImGui::IsMouseClicked(ImGuiMouseButton_Left);
      hit.right_clicked = ImGui::IsMouseClicked(ImGuiMouseButton_Right);
    }
  }
  return hit;
}

std::string kernel_action(AppState& s, KernelAction action) {
  EditState& es = edit_state(s);
  std::string msg;
  if (s.weight.ndim() != 4 || s.weight.empty()) {
    msg = "there are no kernels to edit (the weight needs 4 dimensions)";
    es.kernel_message = msg;
    return msg;
  }
  clamp_selection(s, es);
  Tensor& w = s.weight;
  const int64_t per = w.dim(2) * w.dim(3);
  const int64_t kernels = w.dim(0) * w.dim(1);
  const int64_t sel = kernel_offset(w, es.sel_out, es.sel_in) / std::max<int64_t>(1, per);
  const bool all = action == KernelAction::normalise_all || action == KernelAction::random_all ||
                   action == KernelAction::preset_all;
  const int64_t k0 = all ? 0 : sel, k1 = all ? kernels : sel + 1;
  const std::string which =
      all ? "every kernel"
          : "kernel [" + std::to_string(es.sel_out) + ", " + std::to_string(es.sel_in) + "]";
  switch (action) {
    case KernelAction::normalise_selected:
    case KernelAction::normalise_all: {
      int64_t done = 0, zero = 0;
      for (int64_t k = k0; k < k1; ++k) {
        double sum = 0;
        for (int64_t j = 0; j < per; ++j)
          sum += w.get(k * per + j);
        if (std::abs(sum) < 1e-12) {
          ++zero;
          continue;
        }
        for (int64_t j = 0; j < per; ++j)
          w.set(k * per + j, w.get(k * per + j) / sum);
        ++done;
      }
      if (done > 0) weights_edited(s);
      if (zero > 0 && done == 0) {
        msg = "Not normalised: the weights of " + which +
              " sum to 0 (an edge or difference kernel), and dividing by 0 is impossible; it is "
              "left as it is. Such kernels answer to change, not to brightness.";
      } else if (zero > 0) {
        msg = "Normalised " + std::to_string(done) + " kernel(s) to sum 1; " +
              std::to_string(zero) + " kernel(s) sum to 0 and were left as they are.";
      } else {
        msg = "Normalised " + which + ": its weights now sum to 1, so a flat area keeps its value.";
      }
      break;
    }
    case KernelAction::random_selected:
    case KernelAction::random_all: {
      std::mt19937_64 rng(es.kernel_seed);
      const double range = std::max(1e-6, std::abs(es.kernel_range));
      std::uniform_int_distribution<int> di(-std::max(1, static_cast<int>(std::lround(range))),
                                            std::max(1, static_cast<int>(std::lround(range))));
      std::uniform_real_distribution<double> dr(-range, range);
      for (int64_t k = k0; k < k1; ++k) {
        for (int64_t j = 0; j < per; ++j) {
          w.set(k * per + j, es.random_integers ? static_cast<double>(di(rng)) : dr(rng));
        }
      }
      weights_edited(s);
      msg = "Random weights for " + which + " from seed " + std::to_string(es.kernel_seed) +
            " (the seed moved on to " + std::to_string(es.kernel_seed + 1) + ").";
      ++es.kernel_seed;
      break;
    }
    case KernelAction::preset_selected:
    case KernelAction::preset_all: {
      const auto& presets = kernel_presets();
      if (presets.empty()) return msg;
      const KernelPreset& p = presets[static_cast<std::size_t>(
          std::clamp(es.preset, 0, static_cast<int>(presets.size()) - 1))];
      std::string resized;
      if (p.k_h != w.dim(2) || p.k_w != w.dim(3)) {
        resized = " Every kernel was resized from " + std::to_string(w.dim(2)) + "×" +
                  std::to_string(w.dim(3)) + " to " + std::to_string(p.k_h) + "×" +
                  std::to_string(p.k_w) + " (centred) to fit it.";
        w = resize_kernels(w, p.k_h, p.k_w);
      }
      const int64_t n = static_cast<int64_t>(p.k_h) * p.k_w;
      for (int64_t k = k0; k < k1; ++k) {
        for (int64_t j = 0; j < n; ++j)
          w.set(k * n + j, p.values[static_cast<std::size_t>(j)]);
      }
      weights_edited(s);
      msg = p.title + " applied to " + which + "." + resized;
      break;
    }
    case KernelAction::flip_weights:
      w = flip_kernel(w, Layout::nchw);
      weights_edited(s);
      msg =
          "Every stored kernel rotated by 180°: the numbers themselves changed (the flip switch "
          "only changes how they are applied).";
      break;
    case KernelAction::zero_selected:
      for (int64_t j = 0; j < per; ++j)
        w.set(sel * per + j, 0.0);
      weights_edited(s);
      msg = "Kernel [" + std::to_string(es.sel_out) + ", " + std::to_string(es.sel_in) +
            "] set to 0.";
      break;
  }
  es.kernel_message = msg;
  return msg;
}

namespace {

// Before a button: on the same line as the last item when it fits there, else on the next line
// (a narrow editor wraps its rows of buttons instead of cutting them at the edge).
void same_line_if_fits(const char* button) {
  const ImGuiStyle& st = ImGui::GetStyle();
  const float w = ImGui::CalcTextSize(button, nullptr, true).x + 2.0f * st.FramePadding.x;
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + st.ItemSpacing.x + w <= right) ImGui::SameLine();
}

// A dim sentence wrapped to the view (TextDisabled does not wrap).
IM_FMTARGS(1) void dim_wrapped(const char* fmt_text, ...) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
  va_list args;
  va_start(args, fmt_text);
  ImGui::TextWrappedV(fmt_text, args);
  va_end(args);
  ImGui::PopStyleColor();
}

void draw_error_for(const AppState& state, const char* field) {
  if (const Error* e = state.error_for(field)) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette().error_v4);
    ImGui::TextWrapped("%s", e->message.c_str());
    ImGui::PopStyleColor();
  }
}

// The weight's shape, the (out, in) kernel chosen with two sliders, and which input channel it
// reads (through the groups).
void draw_selection(AppState& state, EditState& es) {
  const Tensor& w = state.weight;
  // A transposed convolution keeps torch.nn.ConvTranspose2d's order: the first axis is C_in.
  const bool transposed = state.op == LessonOp::conv_transpose;
  const char* first = transposed ? "in channel" : "out channel";
  const char* second = transposed ? "out channel" : "in channel";
  const int c_out = static_cast<int>(w.dim(0)), c_in_g = static_cast<int>(w.dim(1));
  ImGui::TextWrapped("weight %s  [%s]", shape_to_string(w.shape()).c_str(),
                     transposed ? "C_in, C_out/groups, KH, KW" : "C_out, C_in/groups, KH, KW");
  ImGui::PushItemWidth(ImGui::GetFontSize() * 6.0f);
  if (c_out > 1) {
    ImGui::SliderInt(first, &es.sel_out, 0, c_out - 1);
    if (c_in_g > 1) {
      const float need = ImGui::GetFontSize() * 6.0f + ImGui::CalcTextSize(second).x +
                         ImGui::GetStyle().ItemInnerSpacing.x;
      const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
      if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + need <= right)
        ImGui::SameLine();
    }
  }
  if (c_in_g > 1) ImGui::SliderInt(second, &es.sel_in, 0, c_in_g - 1);
  ImGui::PopItemWidth();
  clamp_selection(state, es);
  const int groups = std::max(1, transposed ? state.transpose.groups : state.conv.groups);
  const int64_t group_in = (es.sel_out / std::max<int64_t>(1, c_out / groups)) * c_in_g + es.sel_in;
  if (transposed) {
    dim_wrapped("kernel [%d, %d]: input channel %d stamps it onto output channel %lld", es.sel_out,
                es.sel_in, es.sel_out, static_cast<long long>(group_in));
  } else {
    dim_wrapped("kernel [%d, %d]: output channel %d reads input channel %lld", es.sel_out,
                es.sel_in, es.sel_out, static_cast<long long>(group_in));
  }
}

// Every kernel at a glance (one row per output channel, or per input channel for a transposed
// convolution's [C_in, C_out/groups, KH, KW], one colour scale): click one to edit it.
void draw_all_kernels(const Tensor& w, EditState& es, bool transposed) {
  const int c_out = static_cast<int>(w.dim(0)), c_in_g = static_cast<int>(w.dim(1));
  const int kh = static_cast<int>(w.dim(2)), kw = static_cast<int>(w.dim(3));
  const int64_t kernels = static_cast<int64_t>(c_out) * c_in_g;
  if (kernels <= 1 || kernels > 96) return;
  const float mini = std::clamp(ImGui::GetFontSize() * 1.6f / static_cast<float>(std::max(kh, kw)),
                                2.0f, ImGui::GetFontSize() * 0.5f);
  double all_scale = 0;
  for (int64_t j = 0; j < w.numel(); ++j)
    all_scale = std::max(all_scale, std::abs(w.get(j)));
  std::vector<double> mv(static_cast<std::size_t>(kh * kw));
  dim_wrapped("all kernels (one row per %s channel): click one to edit it",
              transposed ? "input" : "output");
  for (int o = 0; o < c_out; ++o) {
    ImGui::TextDisabled(transposed ? "in %d" : "out %d", o);
    for (int i = 0; i < c_in_g; ++i) {
      ImGui::SameLine();
      const int64_t mo = kernel_offset(w, o, i);
      for (int64_t j = 0; j < kh * kw; ++j)
        mv[static_cast<std::size_t>(j)] = w.get(mo + j);
      const bool selected = o == es.sel_out && i == es.sel_in;
      const ImVec2 p = ImGui::GetCursorScreenPos();
      const std::string id = "##mini" + std::to_string(o) + "_" + std::to_string(i);
      const GridHit mh = draw_value_grid(id.c_str(), mv.data(), kh, kw, mini, all_scale);
      if (selected) {
        ImGui::GetWindowDrawList()->AddRect(ImVec2(p.x - 2, p.y - 2),
                                            ImVec2(p.x + mini * static_cast<float>(kw) + 2,
                                                   p.y + mini * static_cast<float>(kh) + 2),
                                            palette().tap, 0.0f, 0, 2.0f);
      }
      if (mh.left_clicked) {
        es.sel_out = o;
        es.sel_in = i;
        es.sel_ky = es.sel_kx = -1;
      }
    }
  }
}

// The largest |weight| of the selected kernel (at flat offset `off`): its colour scale.
double kernel_scale(const Tensor& w, int64_t off) {
  double scale = 0;
  for (int64_t j = 0; j < w.dim(2) * w.dim(3); ++j)
    scale = std::max(scale, std::abs(w.get(off + j)));
  return scale;
}

// The selected kernel as a drawn grid: left click +step, right click -step, Shift+click selects a
// cell to type its value beside the grid.
void draw_kernel_grid(AppState& state, EditState& es, int64_t off) {
  Tensor& w = state.weight;
  const int kh = static_cast<int>(w.dim(2)), kw = static_cast<int>(w.dim(3));
  std::vector<double> vals(static_cast<std::size_t>(kh * kw));
  for (int64_t j = 0; j < kh * kw; ++j)
    vals[static_cast<std::size_t>(j)] = w.get(off + j);
  const float cell = std::clamp(ImGui::GetContentRegionAvail().x * 0.5f / static_cast<float>(kw),
                                ImGui::GetFontSize() * 1.4f, ImGui::GetFontSize() * 3.2f);
  const ImVec2 grid_origin = ImGui::GetCursorScreenPos();
  es.grid_x = grid_origin.x;
  es.grid_y = grid_origin.y;
  es.grid_cell = cell;
  const GridHit hit = draw_value_grid("##kernelgrid", vals.data(), kh, kw, cell,
                                      kernel_scale(w, off), es.sel_ky, es.sel_kx);
  if (hit.row >= 0 && (hit.left_clicked || hit.right_clicked)) {
    if (ImGui::GetIO().KeyShift) {
      es.sel_ky = hit.row;
      es.sel_kx = hit.col;
    } else {
      const int64_t j = off + hit.row * kw + hit.col;
      w.set(j, w.get(j) + (hit.left_clicked ? es.step : -es.step));
      weights_edited(state);
    }
  }
  ImGui::SameLine();
  ImGui::BeginGroup();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6.0f);
  ImGui::InputDouble("step", &es.step, 0.0, 0.0, "%.4g");
  if (!std::isfinite(es.step)) es.step = 1.0;
  ImGui::PushFont(caption_font());
  ImGui::TextDisabled("click +step\nright click -step\nshift+click: select");
  ImGui::PopFont();
  if (es.sel_ky >= 0 && es.sel_kx >= 0) {
    double v = w.get(off + es.sel_ky * kw + es.sel_kx);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7.0f);
    const std::string label = "w[" + std::to_string(es.sel_out) + "," + std::to_string(es.sel_in) +
                              "," + std::to_string(es.sel_ky) + "," + std::to_string(es.sel_kx) +
                              "]";
    if (ImGui::InputDouble(label.c_str(), &v, 0.0, 0.0, "%.6g") && std::isfinite(v)) {
      w.set(off + es.sel_ky * kw + es.sel_kx, v);
      weights_edited(state);
    }
  }
  ImGui::EndGroup();
}

// The selected kernel's numbers, typed (InputDouble) or dragged (DragScalar; Ctrl+click on one
// types too), then their sum and the engine's sentence about the kernel, if any.
void draw_kernel_numbers(AppState& state, EditState& es, int64_t off) {
  Tensor& w = state.weight;
  const int kh = static_cast<int>(w.dim(2)), kw = static_cast<int>(w.dim(3));
  ImGui::RadioButton("type numbers", &es.number_mode, 0);
  ImGui::SameLine();
  ImGui::RadioButton("drag numbers", &es.number_mode, 1);
  if (ImGui::BeginTable("##kernelnumbers", kw, ImGuiTableFlags_SizingFixedFit)) {
    const float width = ImGui::GetFontSize() * (es.number_mode == 0 ? 4.0f : 3.5f);
    for (int y = 0; y < kh; ++y) {
      ImGui::TableNextRow();
      for (int x = 0; x < kw; ++x) {
        ImGui::TableSetColumnIndex(x);
        ImGui::PushID(y * kw + x);
        ImGui::SetNextItemWidth(width);
        double v = w.get(off + y * kw + x);
        bool changed = false;
        if (es.number_mode == 0) {
          changed = ImGui::InputDouble("##w", &v, 0.0, 0.0, "%.4g");
        } else {
          const float speed = static_cast<float>(std::max(0.001, std::abs(es.step) * 0.05));
          changed =
              ImGui::DragScalar("##w", ImGuiDataType_Double, &v, speed, nullptr, nullptr, "%.4g");
        }
        if (changed && std::isfinite(v)) {
          w.set(off + y * kw + x, v);
          weights_edited(state);
        }
        ImGui::PopID();
      }
    }
    ImGui::EndTable();
  }
  double sum = 0;
  for (int64_t j = 0; j < kh * kw; ++j)
    sum += w.get(off + j);
  ImGui::TextDisabled("sum of this kernel: %.6g", sum);
  draw_error_for(state, "kernel");
}

// Presets, seeded random weights, zero and normalise, for the selected kernel or all of them,
// and the sentence the last one said.
void draw_kernel_actions(AppState& state, EditState& es) {
  const auto& presets = kernel_presets();
  if (!presets.empty()) {
    es.preset = std::clamp(es.preset, 0, static_cast<int>(presets.size()) - 1);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12.0f);
    if (ImGui::BeginCombo("preset", presets[static_cast<std::size_t>(es.preset)].title.c_str())) {
      for (int i = 0; i < static_cast<int>(presets.size()); ++i) {
        const KernelPreset& p = presets[static_cast<std::size_t>(i)];
        if (ImGui::Selectable(p.title.c_str(), i == es.preset)) es.preset = i;
        if (ImGui::IsItemHovered())
          ImGui::SetTooltip("%s (%dx%d)", p.description.c_str(), p.k_h, p.k_w);
      }
      ImGui::EndCombo();
    }
    ImGui::SameLine();
    if (ImGui::Button("apply")) kernel_action(state, KernelAction::preset_selected);
    same_line_if_fits("apply to all");
    if (ImGui::Button("apply to all")) kernel_action(state, KernelAction::preset_all);
    dim_wrapped("%s", presets[static_cast<std::size_t>(es.preset)].description.c_str());
  }
  const ImU64 one = 1;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7.0f);
  ImGui::InputScalar("seed##k", ImGuiDataType_U64, &es.kernel_seed, &one);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 4.0f);
  ImGui::InputDouble("±range", &es.kernel_range, 0.0, 0.0, "%.3g");
  if (!std::isfinite(es.kernel_range) || es.kernel_range <= 0) es.kernel_range = 1.0;
  ImGui::SameLine();
  ImGui::Checkbox("integers", &es.random_integers);
  if (ImGui::Button("random")) kernel_action(state, KernelAction::random_selected);
  same_line_if_fits("random all (Ctrl+R)");
  if (ImGui::Button("random all (Ctrl+R)")) kernel_action(state, KernelAction::random_all);
  same_line_if_fits("zero");
  if (ImGui::Button("zero")) kernel_action(state, KernelAction::zero_selected);
  if (ImGui::Button("normalise")) kernel_action(state, KernelAction::normalise_selected);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "Divide the weights by their sum so they sum to 1 (a blur keeps brightness).\n"
        "A kernel whose weights sum to 0 cannot be normalised and is left as it is.");
  }
  same_line_if_fits("normalise all (Ctrl+N)");
  if (ImGui::Button("normalise all (Ctrl+N)")) kernel_action(state, KernelAction::normalise_all);
  if (!es.kernel_message.empty()) ImGui::TextWrapped("%s", es.kernel_message.c_str());
}

// The flip switch (how the kernel is applied) and the button that rotates the stored weights.
void draw_flip(AppState& state) {
  if (ImGui::Checkbox("flip: true convolution (SciPy) (Ctrl+F)", &state.flip_kernel))
    weights_edited(state);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "PyTorch's conv2d is a cross-correlation: it slides the kernel as written.\n"
        "A true convolution (scipy.signal.convolve) rotates it by 180° first.");
  }
  same_line_if_fits("rotate stored weights 180°");
  if (ImGui::Button("rotate stored weights 180°")) kernel_action(state, KernelAction::flip_weights);
}

// The bias switch (a bias of the right length is made, keeping the old values) and one number per
// output channel, four to a row.
void draw_bias(AppState& state) {
  const Tensor& w = state.weight;
  const int c_out = static_cast<int>(w.dim(0));
  if (ImGui::Checkbox("bias", &state.has_bias)) {
    if (state.bias.ndim() != 1 || state.bias.dim(0) != c_out) {
      Tensor b(w.dtype(), {c_out});
      for (int64_t i = 0; i < std::min<int64_t>(c_out, state.bias.numel()); ++i)
        b.set(i, state.bias.get(i));
      state.bias = std::move(b);
    }
    weights_edited(state);
  }
  if (state.has_bias && state.bias.ndim() == 1) {
    for (int o = 0; o < std::min<int>(c_out, static_cast<int>(state.bias.dim(0))); ++o) {
      ImGui::PushID("bias");
      ImGui::PushID(o);
      double v = state.bias.get(o);
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5.0f);
      const std::string label = "b[" + std::to_string(o) + "]";
      if (ImGui::DragScalar(label.c_str(), ImGuiDataType_Double, &v, 0.05f, nullptr, nullptr,
                            "%.4g") &&
          std::isfinite(v)) {
        state.bias.set(o, v);
        weights_edited(state);
      }
      // The next bias on this line only when it fits (never past the editor's edge).
      if (o + 1 < c_out) {
        const std::string next = "b[" + std::to_string(o + 1) + "]";
        const ImGuiStyle& st = ImGui::GetStyle();
        const float need = ImGui::GetFontSize() * 5.0f + st.ItemInnerSpacing.x +
                           ImGui::CalcTextSize(next.c_str()).x + st.ItemSpacing.x;
        const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
        if (ImGui::GetItemRectMax().x + need <= right) ImGui::SameLine();
      }
      ImGui::PopID();
      ImGui::PopID();
    }
  }
  draw_error_for(state, "bias");
}

// One side of the comparison: the kernel as applied above the output channel it makes, every
// label wrapped to the column.
void draw_compare_column(const char* id, const char* kernel_title, const double* kernel, int kh,
                         int kw, float kcell, double kscale, const char* map_title,
                         const Tensor& map, int64_t o, float ocell, double scale, bool in_use,
                         float width) {
  ImGui::BeginGroup();
  ImGui::PushID(id);
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  ImGui::TextUnformatted(kernel_title);
  draw_value_grid("##k", kernel, kh, kw, kcell, kscale);
  draw_output_map("##map", map_title, map, o, ocell, scale, in_use);
  ImGui::PopTextWrapPos();
  ImGui::PopID();
  ImGui::EndGroup();
}

// Cross-correlation and convolution side by side on the lesson's input (one above the other
// when the view is too narrow for two columns): the selected kernel as written and rotated, each
// above the output channel it makes (one colour scale for both maps). Anything still wider than
// the view is reported in state.clipped.
void draw_flip_compare(AppState& state, const EditState& es, int64_t off) {
  const Tensor& w = state.weight;
  const int c_in_g = static_cast<int>(w.dim(1));
  const int kh = static_cast<int>(w.dim(2)), kw = static_cast<int>(w.dim(3));
  static FlipCompare fc;
  update_compare(fc, state);
  if (!fc.error.empty()) {
    ImGui::TextWrapped("Cannot compare: %s", fc.error.c_str());
    return;
  }
  if (fc.xcorr.ndim() != 4) return;
  const int64_t o = std::min<int64_t>(es.sel_out, fc.xcorr.dim(1) - 1);
  ImGui::PushFont(caption_font());
  ImGui::PushStyleColor(ImGuiCol_Text, palette().dim_v4);
  ImGui::TextWrapped("output channel %lld of batch 0, same input and parameters%s",
                     static_cast<long long>(o),
                     c_in_g > 1 ? "; every input channel's kernel is rotated (one shown)" : "");
  ImGui::PopStyleColor();
  ImGui::PopFont();
  // One colour scale for both maps, so equal colours mean equal numbers.
  const int64_t hw = fc.xcorr.dim(2) * fc.xcorr.dim(3);
  double sc = 0;
  for (int64_t i = 0; i < hw; ++i) {
    sc = std::max({sc, std::abs(fc.xcorr.get(o * hw + i)), std::abs(fc.conv.get(o * hw + i))});
  }
  const float avail = ImGui::GetContentRegionAvail().x;
  const float gap = ImGui::GetStyle().ItemSpacing.x * 2.0f;
  // Two columns when each holds the longest word of its labels ("cross-correlation").
  const bool side_by_side =
      (avail - gap) * 0.5f >= ImGui::CalcTextSize("cross-correlation (PyTorch)").x * 0.75f;
  const float col = side_by_side ? (avail - gap) * 0.5f : avail;
  const float ocell = std::clamp(col / static_cast<float>(std::max<int64_t>(1, fc.xcorr.dim(3))),
                                 3.0f, ImGui::GetFontSize() * 2.4f);
  // Kernels as applied, above each map.
  Tensor flipped = flip_kernel(w, Layout::nchw);
  std::vector<double> kv(static_cast<std::size_t>(kh * kw)), kf(kv.size());
  for (int64_t j = 0; j < kh * kw; ++j) {
    kv[static_cast<std::size_t>(j)] = w.get(off + j);
    kf[static_cast<std::size_t>(j)] = flipped.get(off + j);
  }
  const double scale = kernel_scale(w, off);
  const float kcell = std::min(ImGui::GetFontSize() * 1.8f, col / static_cast<float>(kw));
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  float widest = 0;
  draw_compare_column("xcorr", "kernel as written", kv.data(), kh, kw, kcell, scale,
                      "cross-correlation (PyTorch)", fc.xcorr, o, ocell, sc, !state.flip_kernel,
                      col);
  widest = std::max(widest, ImGui::GetItemRectMax().x);
  if (side_by_side) ImGui::SameLine(0.0f, gap);
  draw_compare_column("conv", "kernel rotated 180°", kf.data(), kh, kw, kcell, scale,
                      "convolution (SciPy, kernel flipped)", fc.conv, o, ocell, sc,
                      state.flip_kernel, col);
  widest = std::max(widest, ImGui::GetItemRectMax().x);
  if (widest > right + 0.5f)
    state.clipped.push_back("Kernel editor: cross-correlation vs convolution");
  if (fc.xcorr.identical(fc.conv)) {
    ImGui::TextWrapped("The two are equal here: this kernel is symmetric under a 180° rotation.");
  }
}

}  // namespace

void draw_kernel_editor(AppState& state) {
  EditState& es = edit_state(state);
  // (Placed by the frame: ui_frame.cpp default_rect.)
  if (!ImGui::Begin("Kernel editor", &state.show_kernel_editor)) {
    ImGui::End();
    return;
  }
  if (state.weight.ndim() != 4 || state.weight.empty()) {
    ImGui::TextWrapped("This lesson has no kernels to edit.");
    ImGui::End();
    return;
  }
  if (state.op == LessonOp::pool) {
    ImGui::TextWrapped(
        "Pooling has no weights; these kernels are used when you switch back to conv.");
  }
  clamp_selection(state, es);
  draw_selection(state, es);
  draw_all_kernels(state.weight, es, state.op == LessonOp::conv_transpose);
  const int64_t off = kernel_offset(state.weight, es.sel_out, es.sel_in);
  draw_kernel_grid(state, es, off);
  draw_kernel_numbers(state, es, off);
  ImGui::Separator();
  draw_kernel_actions(state, es);
  ImGui::Separator();
  draw_flip(state);
  ImGui::Separator();
  draw_bias(state);
  ImGui::Separator();
  if (ImGui::CollapsingHeader("Cross-correlation vs convolution", ImGuiTreeNodeFlags_DefaultOpen) &&
      state.input.ndim() == 4) {
    draw_flip_compare(state, es, off);
  }
  ImGui::End();
}

}  // namespace cs::ui
