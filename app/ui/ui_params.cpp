// The parameters panel (see ui_params.hpp). Edits reshape the operands so they stay consistent
// with the parameters, then mark the state dirty; validation is the engine's, after the views.
#include "app/ui/ui_params.hpp"

#include <imgui.h>

#include <algorithm>
#include <map>
#include <string>

#include "app/ui/canvas_frame.hpp"
#include "app/ui/ui_theme.hpp"
#include "core/cost.hpp"
#include "core/geometry.hpp"
#include "core/keras.hpp"

namespace cs::ui {

// [A, B, C, D] => [A', B', C', D'], overlap copied top-left aligned.
Tensor resize_tensor(const Tensor& t, const Shape& shape) {
  Tensor out(t.dtype() == DType::f64 ? DType::f64 : DType::f32, shape);
  if (t.ndim() != static_cast<int>(shape.size()) || t.numel() == 0) return out;
  const int nd = t.ndim();
  std::vector<int64_t> idx(static_cast<std::size_t>(nd), 0);
  for (int64_t flat = 0; flat < out.numel(); ++flat) {
    int64_t rem = flat, src = 0, stride = 1;
    bool inside = true;
    for (int d = nd - 1; d >= 0; --d) {
      const int64_t i = rem % shape[static_cast<std::size_t>(d)];
      rem /= shape[static_cast<std::size_t>(d)];
      if (i >= t.dim(d)) inside = false;
      src += i * stride;
      stride *= t.dim(d);
    }
    if (inside) out.set(flat, t.get(src));
  }
  return out;
}

// [O, I, KH, KW] => [O', I', KH', KW']: channels repeat cyclically, the old kernel stays centred.
Tensor resize_kernel(const Tensor& w, const Shape& shape) {
  Tensor out(w.dtype() == DType::f64 ? DType::f64 : DType::f32, shape);
  if (w.ndim() != 4 || shape.size() != 4 || w.numel() == 0) return out;
  const int64_t O = shape[0], I = shape[1], KH = shape[2], KW = shape[3];
  const int64_t oo = w.dim(0), oi = w.dim(1), okh = w.dim(2), okw = w.dim(3);
  const int64_t dy = (KH - okh) / 2, dx = (KW - okw) / 2;
  for (int64_t o = 0; o < O; ++o) {
    for (int64_t i = 0; i < I; ++i) {
      for (int64_t ky = 0; ky < KH; ++ky) {
        for (int64_t kx = 0; kx < KW; ++kx) {
          const int64_t sy = ky - dy, sx = kx - dx;
          if (sy < 0 || sx < 0 || sy >= okh || sx >= okw) continue;
          const int64_t src = (((o % oo) * oi + (i % oi)) * okh + sy) * okw + sx;
          out.set(((o * I + i) * KH + ky) * KW + kx, w.get(src));
        }
      }
    }
  }
  return out;
}

namespace {

void field_error(const AppState& s, const char* field) {
  if (const Error* e = s.error_for(field)) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette().error_v4);
    ImGui::TextWrapped("%s", e->message.c_str());
    ImGui::PopStyleColor();
  }
}

// Each integer row of the panel: where it was drawn last frame and, when a typed value had to be
// brought into the panel's range, the sentence that says so (until the row is edited again).
std::map<std::string, ParamRow>& rows() {
  static std::map<std::string, ParamRow> r;
  return r;
}

// One integer box with − / + buttons; true when changed. A value outside [lo, hi] is brought
// into it and `row`'s note says so.
bool int_field(const char* label, int& v, int lo, int hi, float width, ParamRow& row,
               const char* name) {
  ImGui::SetNextItemWidth(width);
  int x = v;
  const bool changed = ImGui::InputInt(label, &x, 1, 1);
  if (!changed) return false;
  const int typed = x;
  x = std::clamp(x, lo, hi);
  row.note = typed == x ? std::string()
                        : std::string(name) + " can be " + std::to_string(lo) + " to " +
                              std::to_string(hi) + " here; " + std::to_string(typed) + " became " +
                              std::to_string(x) + ".";
  if (x != v) {
    v = x;
    return true;
  }
  return false;
}

void begin_row(const char* label, ParamRow*& row) {
  row = &rows()[label];
  const ImVec2 p = ImGui::GetCursorScreenPos();
  row->x = p.x;
  row->y = p.y;
  row->h = ImGui::GetFrameHeight();
}

void end_row(const ParamRow& row) {
  if (row.note.empty()) return;
  ImGui::PushFont(caption_font());
  ImGui::PushStyleColor(ImGuiCol_Text, palette().dim_v4);
  ImGui::TextWrapped("%s", row.note.c_str());
  ImGui::PopStyleColor();
  ImGui::PopFont();
}

// One labelled integer row.
bool int_field(const char* label, int& v, int lo, int hi, float width) {
  ParamRow* row = nullptr;
  begin_row(label, row);
  const bool c = int_field(label, v, lo, hi, width, *row, label);
  end_row(*row);
  return c;
}

// Two integers on one line (rows, columns).
bool int_pair(const char* label, int& h, int& w, int lo, int hi) {
  ParamRow* row = nullptr;
  begin_row(label, row);
  const float avail = ImGui::GetContentRegionAvail().x;
  const float each = std::max(60.0f, (avail - ImGui::CalcTextSize(label).x) * 0.5f - 12.0f);
  ImGui::PushID(label);
  ParamRow second;
  bool c = int_field("##h", h, lo, hi, each, *row, label);
  ImGui::SameLine(0, 4);
  c |= int_field("##w", w, lo, hi, each, second, label);
  if (!second.note.empty()) row->note = second.note;
  ImGui::SameLine();
  ImGui::TextUnformatted(label);
  ImGui::PopID();
  end_row(*row);
  return c;
}

// Why a value the engine refused cannot be, in the words of the lesson (under its sentence).
void why(const char* sentence) {
  ImGui::PushFont(caption_font());
  ImGui::PushStyleColor(ImGuiCol_Text, palette().dim_v4);
  ImGui::TextWrapped("%s", sentence);
  ImGui::PopStyleColor();
  ImGui::PopFont();
}

// Before a radio button: on the line of the item before while it fits the panel, else on the
// next line (a narrow panel wraps its choices instead of cutting them).
void radio_same_line(const char* label) {
  const ImGuiStyle& style = ImGui::GetStyle();
  const float need = style.ItemSpacing.x + ImGui::GetFrameHeight() + style.ItemInnerSpacing.x +
                     ImGui::CalcTextSize(label).x;
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + need <= right) ImGui::SameLine();
}

void section(const char* title) {
  ImGui::Spacing();
  ImGui::PushFont(heading_font());
  ImGui::TextColored(palette().accent_v4, "%s", title);
  ImGui::PopFont();
  ImGui::Separator();
}

void reshape_weight(AppState& s, int64_t c_out, int64_t c_in_per_group, int64_t kh, int64_t kw) {
  s.weight = resize_kernel(s.weight, {c_out, std::max<int64_t>(1, c_in_per_group), kh, kw});
  if (s.bias.numel() != c_out) s.bias = resize_tensor(s.bias, {c_out});
}

void draw_input_section(AppState& s) {
  section("Input");
  if (s.input.ndim() != 4) {
    ImGui::TextDisabled("The input is not 4-D.");
    return;
  }
  int n = static_cast<int>(s.input.dim(0)), c = static_cast<int>(s.input.dim(1));
  int h = static_cast<int>(s.input.dim(2)), w = static_cast<int>(s.input.dim(3));
  bool changed = int_pair("H, W", h, w, 1, 256);
  const float half = std::max(60.0f, ImGui::GetContentRegionAvail().x * 0.5f - 30.0f);
  changed |= int_field("channels C", c, 1, 64, half);
  changed |= int_field("batch N", n, 1, 4, half);
  if (changed) {
    const int64_t old_c = s.input.dim(1);
    s.input = resize_tensor(s.input, {n, c, h, w});
    if (c != old_c && s.weight.ndim() == 4) {
      if (s.op == LessonOp::conv_transpose) {  // [C_in, C_out/groups, KH, KW]
        s.weight = resize_kernel(s.weight, {c, s.weight.dim(1), s.weight.dim(2), s.weight.dim(3)});
      } else {
        reshape_weight(s, s.weight.dim(0), c / std::max(1, s.conv.groups), s.weight.dim(2),
                       s.weight.dim(3));
      }
    }
    s.mark_dirty(Dirty::trace);
  }
  field_error(s, "input");
  const bool nchw = s.conv.layout == Layout::nchw;
  ImGui::TextUnformatted("Layout (L)");
  radio_same_line("NCHW (PyTorch)");
  if (ImGui::RadioButton("NCHW (PyTorch)", nchw) && !nchw) {
    s.conv.layout = s.pool.layout = Layout::nchw;
    s.mark_dirty(Dirty::trace);
  }
  radio_same_line("NHWC (Keras)");
  if (ImGui::RadioButton("NHWC (Keras)", !nchw) && nchw) {
    s.conv.layout = s.pool.layout = Layout::nhwc;
    s.mark_dirty(Dirty::trace);
  }
  field_error(s, "layout");
}

// Under Keras's rules the padding is 'valid' or 'same' only; below it, the numbers TensorFlow's
// rule gives each side (read-only: they follow the input, kernel and stride) and why.
void draw_keras_padding(AppState& s, float width, int64_t k_h, int64_t k_w, int stride_h,
                        int stride_w, int dilation_h, int dilation_w) {
  static const char* kChoices[] = {"valid", "same"};
  int choice = s.keras_padding == KerasPadding::same ? 1 : 0;
  ImGui::SetNextItemWidth(width);
  if (ImGui::Combo("padding (Keras)", &choice, kChoices, 2)) {
    s.keras_padding = choice == 1 ? KerasPadding::same : KerasPadding::valid;
    s.mark_dirty(Dirty::trace);
  }
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "Keras takes only 'valid' (no padding) or 'same' (out = ⌈in / stride⌉, any stride).\n"
        "PyTorch's padding numbers are kept for when you switch the rules back.");
  }
  if (s.input.ndim() != 4 || std::min({k_h, k_w, int64_t{stride_h}, int64_t{stride_w}}) < 1 ||
      std::min(dilation_h, dilation_w) < 1) {
    return;  // the engine's sentence says what is wrong
  }
  const SameAxis rows = keras_same_axis(s.input.dim(2), k_h, stride_h, dilation_h);
  const SameAxis cols = keras_same_axis(s.input.dim(3), k_w, stride_w, dilation_w);
  const bool same = s.keras_padding == KerasPadding::same;
  auto side = [same](int64_t v) { return same ? v : int64_t{0}; };
  ImGui::PushFont(caption_font());
  ImGui::TextWrapped(
      "padding per side: top %lld, bottom %lld, left %lld, right %lld",
      static_cast<long long>(side(rows.before)), static_cast<long long>(side(rows.after)),
      static_cast<long long>(side(cols.before)), static_cast<long long>(side(cols.after)));
  ImGui::PushStyleColor(ImGuiCol_Text, palette().dim_v4);
  ImGui::TextWrapped("%s",
                     keras_padding_reason(s.keras_padding, stride_h, stride_w, rows, cols).c_str());
  ImGui::PopStyleColor();
  ImGui::PopFont();
}

// Conv padding: how it is given (a number, a pair, 'same', 'valid', 'full' or one number per
// side, as NumPy's and Keras's 'same' resolve), and its numbers.
void draw_conv_padding(AppState& s, float half) {
  Conv2dParams& p = s.conv;
  static const char* kKinds[] = {"number", "pair (rows, cols)", "same", "valid",
                                 "full",   "per side"};
  int kind = 0;
  switch (p.padding.kind) {
    case PaddingSpec::Kind::same:
      kind = 2;
      break;
    case PaddingSpec::Kind::valid:
      kind = 3;
      break;
    case PaddingSpec::Kind::full:
      kind = 4;
      break;
    case PaddingSpec::Kind::sides:
      kind = 5;
      break;
    case PaddingSpec::Kind::explicit_:
      kind = p.padding.h != p.padding.w ? 1 : 0;
      break;
  }
  ImGui::SetNextItemWidth(half);
  if (ImGui::Combo("padding", &kind, kKinds, 6)) {
    const bool numbers = p.padding.kind == PaddingSpec::Kind::explicit_;
    const int ph = numbers ? p.padding.h : 0, pw = numbers ? p.padding.w : 0;
    switch (kind) {
      case 0:
        p.padding = PaddingSpec::symmetric(std::max(ph, pw));
        break;
      case 1:
        p.padding = PaddingSpec::pair(ph, pw);
        break;
      case 2:
        p.padding = PaddingSpec::same();
        break;
      case 3:
        p.padding = PaddingSpec::valid();
        break;
      case 4:
        p.padding = PaddingSpec::full();
        break;
      default:
        p.padding = PaddingSpec::sides(ph, ph, pw, pw);
        break;
    }
    s.mark_dirty(Dirty::trace);
  }
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "same: the output keeps the input's size (stride 1); valid: no padding;\n"
        "full: dilation·(k − 1) on every side, every overlap (np.convolve's and SciPy's 'full');\n"
        "per side: top, bottom, left, right (what NumPy's and Keras's 'same' give an even "
        "kernel).");
  }
  if (kind == 0) {
    int v = p.padding.h;
    if (int_field("pad (all sides)", v, 0, 16, half)) {
      p.padding = PaddingSpec::symmetric(v);
      s.mark_dirty(Dirty::trace);
    }
  } else if (kind == 1) {
    if (int_pair("pad rows, cols", p.padding.h, p.padding.w, 0, 16)) {
      p.padding.kind = PaddingSpec::Kind::explicit_;
      s.mark_dirty(Dirty::trace);
    }
  } else if (kind == 5) {
    if (int_pair("pad top, bottom", p.padding.top, p.padding.bottom, 0, 16) |
        int_pair("pad left, right", p.padding.left, p.padding.right, 0, 16)) {
      s.mark_dirty(Dirty::trace);
    }
  }
}

void set_groups(AppState& s, int groups) {
  s.conv.groups = groups;
  const int64_t c_in = s.input.ndim() == 4 ? s.input.dim(1) : 1;
  reshape_weight(s, s.weight.dim(0), std::max<int64_t>(1, c_in / groups), s.weight.dim(2),
                 s.weight.dim(3));
  s.mark_dirty(Dirty::trace);
}

// Beside the groups box: a slider that steps only through the groups this layer accepts (the
// divisors of both C_in and C_out), and what the layer costs (core/cost.hpp) with those groups,
// with its depthwise-separable equivalent for groups 1.
void draw_groups_and_cost(AppState& s, float width) {
  const int64_t c_in = s.input.ndim() == 4 ? s.input.dim(1) : 1;
  const std::vector<int> choices = common_divisors(c_in, s.weight.dim(0));
  if (choices.size() > 1) {
    const auto at = std::find(choices.begin(), choices.end(), s.conv.groups);
    int index = at == choices.end() ? 0 : static_cast<int>(at - choices.begin());
    std::string shown = std::to_string(choices[static_cast<std::size_t>(index)]) + " (of";
    for (std::size_t i = 0; i < choices.size(); ++i)
      shown += (i ? ", " : " ") + std::to_string(choices[i]);
    shown += ")";
    ParamRow* row = nullptr;
    begin_row("groups that fit", row);  // where it is, for the tests
    ImGui::SetNextItemWidth(width);
    if (ImGui::SliderInt("groups that fit", &index, 0, static_cast<int>(choices.size()) - 1,
                         shown.c_str(), ImGuiSliderFlags_NoInput)) {
      set_groups(s, choices[static_cast<std::size_t>(index)]);
    }
  }
  Conv2dParams p = s.conv;
  p.layout = Layout::nchw;  // the operands are kept in PyTorch order
  auto geo =
      conv2d_geometry(s.input.shape(), s.weight.shape(), s.has_bias ? s.weight.dim(0) : -1, p);
  if (!geo) return;  // the engine's sentence is under the control that caused it
  const LayerCost cost = conv2d_layer_cost(*geo);
  ImGui::PushFont(caption_font());
  ImGui::TextWrapped("cost: %s", cost_summary(cost).c_str());
  if (geo->groups == 1) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette().dim_v4);
    ImGui::TextWrapped("%s", separable_summary(cost, separable_cost(*geo)).c_str());
    ImGui::PopStyleColor();
  }
  ImGui::PopFont();
}

void draw_conv_section(AppState& s) {
  section("Convolution");
  if (s.weight.ndim() != 4) {
    s.weight = Tensor(DType::f32,
                      {1, std::max<int64_t>(1, s.input.ndim() == 4 ? s.input.dim(1) : 1), 3, 3});
  }
  Conv2dParams& p = s.conv;
  int c_out = static_cast<int>(s.weight.dim(0));
  int kh = static_cast<int>(s.weight.dim(2)), kw = static_cast<int>(s.weight.dim(3));
  const float half = std::max(60.0f, ImGui::GetContentRegionAvail().x * 0.5f - 30.0f);
  if (int_field("filters C_out", c_out, 1, 64, half)) {
    reshape_weight(s, c_out, s.weight.dim(1), kh, kw);
    s.mark_dirty(Dirty::trace);
  }
  if (int_pair("kernel KH, KW", kh, kw, 1, 15)) {
    reshape_weight(s, s.weight.dim(0), s.weight.dim(1), kh, kw);
    s.mark_dirty(Dirty::trace);
  }
  field_error(s, "kernel");
  field_error(s, "weight");
  // NOTE: 0 and below go to the engine, which refuses them with its sentence under the control
  // (the picture keeps the last stride that worked); the panel itself clamps only the top.
  if (int_pair("stride", p.stride_h, p.stride_w, 0, 16)) s.mark_dirty(Dirty::trace);
  field_error(s, "stride");
  if (s.error_for("stride") && (p.stride_h < 1 || p.stride_w < 1)) {
    why("The stride is how many cells the window moves from one output to the next: with 0 it "
        "would never move, so every output would read the same cells.");
  }

  if (s.framework == Framework::keras) {
    draw_keras_padding(s, half, kh, kw, p.stride_h, p.stride_w, p.dilation_h, p.dilation_w);
  } else {
    draw_conv_padding(s, half);
  }
  int mode = static_cast<int>(p.padding_mode);
  static const char* kModes[] = {"zeros", "reflect", "replicate", "circular"};
  ImGui::SetNextItemWidth(half);
  if (ImGui::Combo("padding mode", &mode, kModes, 4)) {
    p.padding_mode = static_cast<PaddingMode>(mode);
    s.mark_dirty(Dirty::trace);
  }
  field_error(s, "padding");
  field_error(s, "padding_mode");
  if (int_pair("dilation", p.dilation_h, p.dilation_w, 0, 8)) s.mark_dirty(Dirty::trace);
  field_error(s, "dilation");
  if (s.error_for("dilation") && (p.dilation_h < 1 || p.dilation_w < 1)) {
    why("Dilation is the distance between the kernel's taps (1: neighbouring cells): with 0 every "
        "tap would fall on the same cell.");
  }
  int groups = p.groups;
  if (int_field("groups", groups, 1, 64, half)) set_groups(s, groups);
  field_error(s, "groups");
  draw_groups_and_cost(s, half);
  if (ImGui::Checkbox("bias (B)", &s.has_bias)) {
    if (s.bias.numel() != s.weight.dim(0)) s.bias = resize_tensor(s.bias, {s.weight.dim(0)});
    s.mark_dirty(Dirty::trace);
  }
  field_error(s, "bias");
  ImGui::SameLine();
  if (ImGui::Checkbox("true convolution (F)", &s.flip_kernel)) s.mark_dirty(Dirty::trace);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "PyTorch's conv2d is a cross-correlation: it does not flip the kernel.\n"
        "Checked, the kernel is rotated by 180° first, as scipy.signal.convolve does.");
  }
}

void draw_pool_section(AppState& s) {
  section("Pooling");
  Pool2dParams& p = s.pool;
  const bool is_max = p.op == PoolOp::max;
  if (ImGui::RadioButton("max", is_max) && !is_max) {
    p.op = PoolOp::max;
    s.mark_dirty(Dirty::trace);
  }
  ImGui::SameLine();
  if (ImGui::RadioButton("average", !is_max) && is_max) {
    p.op = PoolOp::avg;
    p.dilation_h = p.dilation_w = 1;
    s.mark_dirty(Dirty::trace);
  }
  if (int_pair("window KH, KW", p.k_h, p.k_w, 1, 15)) s.mark_dirty(Dirty::trace);
  field_error(s, "kernel");
  if (int_pair("stride (0 = KH, KW)", p.stride_h, p.stride_w, 0, 16)) s.mark_dirty(Dirty::trace);
  field_error(s, "stride");
  if (s.framework == Framework::keras) {
    const float width = std::max(60.0f, ImGui::GetContentRegionAvail().x * 0.5f - 30.0f);
    draw_keras_padding(s, width, p.k_h, p.k_w, p.stride_h == 0 ? p.k_h : p.stride_h,
                       p.stride_w == 0 ? p.k_w : p.stride_w, 1, 1);
  } else if (p.pad_bottom < 0 && p.pad_right < 0) {
    if (int_pair("padding", p.pad_h, p.pad_w, 0, 8)) s.mark_dirty(Dirty::trace);
  } else {
    // Keras's 'same' resolved: the extra row or column at the bottom or right.
    int bottom = p.pad_bottom < 0 ? p.pad_h : p.pad_bottom;
    int right = p.pad_right < 0 ? p.pad_w : p.pad_right;
    if (int_pair("pad top, left", p.pad_h, p.pad_w, 0, 8) |
        int_pair("pad bottom, right", bottom, right, 0, 8)) {
      p.pad_bottom = bottom;
      p.pad_right = right;
      s.mark_dirty(Dirty::trace);
    }
  }
  field_error(s, "padding");
  if (is_max) {
    if (int_pair("dilation", p.dilation_h, p.dilation_w, 0, 8)) s.mark_dirty(Dirty::trace);
  }
  field_error(s, "dilation");
  if (ImGui::Checkbox("ceil_mode", &p.ceil_mode)) s.mark_dirty(Dirty::trace);
  // Keras's average never counts the padding: no setting, unless one left from PyTorch's rules
  // is refused (then the box is there to untick).
  const bool keras_divides = s.framework == Framework::keras && p.count_include_pad;
  if (!is_max && keras_divides) {
    ImGui::SameLine();
    ImGui::TextDisabled("divides by the real cells");
  } else if (!is_max) {
    ImGui::SameLine();
    if (ImGui::Checkbox("count_include_pad", &p.count_include_pad)) s.mark_dirty(Dirty::trace);
  }
  field_error(s, "ceil_mode");  // (Keras's rules refuse them)
  field_error(s, "count_include_pad");
}

// PyTorch's or Keras's padding rules (core/keras.hpp). The layout stays as it is: it only
// changes how the same numbers are shown, and one switch should change one thing.
void draw_rules(AppState& s) {
  const bool keras = s.framework == Framework::keras;
  ImGui::TextUnformatted("Rules");
  radio_same_line("PyTorch");
  if (ImGui::RadioButton("PyTorch", !keras) && keras) {
    s.framework = Framework::pytorch;
    s.mark_dirty(Dirty::trace);
  }
  radio_same_line("Keras");
  if (ImGui::RadioButton("Keras", keras) && !keras) {
    s.framework = Framework::keras;
    s.mark_dirty(Dirty::trace);
  }
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "Keras's (TensorFlow's) padding: 'valid' or 'same' with any stride; max pooling\n"
        "never picks the padding and average pooling divides by the real cells.");
  }
  field_error(s, "framework");
}

// torch.nn.ConvTranspose2d's settings. The weight is [C_in, C_out/groups, KH, KW]: C_in is the
// input's channels (Input above), and this section sets C_out, the kernel and the rest.
void draw_transpose_section(AppState& s) {
  section("Transposed convolution");
  ConvTranspose2dParams& p = s.transpose;
  const int64_t c_in = s.input.ndim() == 4 ? s.input.dim(1) : 1;
  if (s.weight.ndim() != 4) s.weight = Tensor(DType::f32, {c_in, 1, 3, 3});
  const int groups_now = std::max(1, p.groups);
  int c_out = static_cast<int>(s.weight.dim(1)) * groups_now;
  int kh = static_cast<int>(s.weight.dim(2)), kw = static_cast<int>(s.weight.dim(3));
  const float half = std::max(60.0f, ImGui::GetContentRegionAvail().x * 0.5f - 30.0f);
  auto reshape = [&s](int64_t c_out_per_group, int64_t h, int64_t w, int64_t bias_len) {
    s.weight =
        resize_kernel(s.weight, {s.weight.dim(0), std::max<int64_t>(1, c_out_per_group), h, w});
    if (s.bias.numel() != bias_len) s.bias = resize_tensor(s.bias, {bias_len});
    s.mark_dirty(Dirty::trace);
  };
  if (int_field("filters C_out", c_out, 1, 64, half)) {
    reshape(c_out / groups_now, kh, kw, c_out);
  }
  if (int_pair("kernel KH, KW", kh, kw, 1, 15)) reshape(s.weight.dim(1), kh, kw, c_out);
  field_error(s, "kernel");
  field_error(s, "weight");
  if (int_pair("stride", p.stride_h, p.stride_w, 0, 16)) s.mark_dirty(Dirty::trace);
  field_error(s, "stride");
  if (int_pair("padding", p.pad_h, p.pad_w, 0, 16)) s.mark_dirty(Dirty::trace);
  field_error(s, "padding");
  if (int_pair("out padding", p.output_padding_h, p.output_padding_w, 0, 15)) {
    s.mark_dirty(Dirty::trace);
  }
  field_error(s, "output_padding");
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "output_padding: rows and columns added at the bottom and right of the output (smaller\n"
        "than the stride or the dilation); they pick which of the input sizes a strided conv\n"
        "maps to one size. padding crops that many rows and columns from every side of the\n"
        "full output.");
  }
  if (int_pair("dilation", p.dilation_h, p.dilation_w, 0, 8)) s.mark_dirty(Dirty::trace);
  field_error(s, "dilation");
  int groups = p.groups;
  if (int_field("groups", groups, 1, 64, half) && groups != p.groups) {
    p.groups = groups;
    reshape(c_out / std::max(1, groups), kh, kw, c_out);  // C_out stays; C_out/groups changes
  }
  field_error(s, "groups");
  if (ImGui::Checkbox("bias (B)", &s.has_bias)) {
    if (s.bias.numel() != c_out) s.bias = resize_tensor(s.bias, {c_out});
    s.mark_dirty(Dirty::trace);
  }
  field_error(s, "bias");
}

void draw_shapes(const AppState& s) {
  section("Output size");
  if (canvas::quiz_hides_shape(s)) {
    ImGui::TextDisabled("(the quiz asks for it first)");
  } else {
    draw_formula(s.trace ? s.trace->formula() : std::string());
  }
  if (s.error) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette().error_v4);
    ImGui::TextWrapped("Not applied: %s", s.error->message.c_str());
    ImGui::PopStyleColor();
    ImGui::TextDisabled("The picture shows the last parameters that worked.");
  }
}

}  // namespace

ParamRow param_row(const std::string& label) {
  auto it = rows().find(label);
  return it == rows().end() ? ParamRow{} : it->second;
}

void draw_params(AppState& s) {
  if (!ImGui::Begin("Parameters", &s.show_params)) {
    ImGui::End();
    return;
  }
  ImGui::TextUnformatted("Operation (O)");
  const std::pair<const char*, LessonOp> ops[] = {{"convolution", LessonOp::conv},
                                                  {"pooling", LessonOp::pool},
                                                  {"transposed", LessonOp::conv_transpose}};
  for (const auto& [label, op] : ops) {
    radio_same_line(label);
    if (ImGui::RadioButton(label, s.op == op)) set_operation(s, op);
  }
  draw_rules(s);
  ImGui::PushItemWidth(-1);
  draw_input_section(s);
  switch (s.op) {
    case LessonOp::conv:
      draw_conv_section(s);
      break;
    case LessonOp::pool:
      draw_pool_section(s);
      break;
    case LessonOp::conv_transpose:
      draw_transpose_section(s);
      break;
  }
  ImGui::PopItemWidth();
  // The summary repeats any error, including one that names no control of this panel.
  draw_shapes(s);
  ImGui::End();
}

}  // namespace cs::ui
