// The live full-resolution preview's view: the photo and the result of the kernel being edited
// side by side (or one above the other, whichever shows them larger) or in one pane split by a
// divider, shared zoom and pan, the display mapping with a colour legend that has numbers, and the
// hovered pixel's arithmetic (setosa-style: the values the kernel reads, the weights, the
// products and the sum, with the receptive field outlined on the photo). It only draws the model
// and leaves requests in it (the pixel to inspect); update_preview() runs after the views.
// Depends on app_state, the preview model and ImGui.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>

#include "app/ui/preview_model.hpp"
#include "app/ui/ui_edit.hpp"
#include "app/ui/ui_theme.hpp"

namespace cs::ui {

namespace {

ImTextureID texture_id(uintptr_t tex) {
  return reinterpret_cast<ImTextureID>(tex);
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
  ImVec2 p1() const { return ImVec2(p0.x + size.x, p0.y + size.y); }
};

// The full-resolution result's place on the picture (preview_model.hpp's result_place), for
// drawing.
struct Placement {
  float x0 = 0, y0 = 0, sx = 1, sy = 1;
  ImVec2 to_image(float rx, float ry) const { return ImVec2(x0 + rx * sx, y0 + ry * sy); }
};

Placement placement(const PreviewModel& pm) {
  Placement p;
  if (!pm.geometry_ok) return p;
  const ResultPlace r = result_place(pm.geometry);
  p.x0 = static_cast<float>(r.x0);
  p.y0 = static_cast<float>(r.y0);
  p.sx = static_cast<float>(r.sx);
  p.sy = static_cast<float>(r.sy);
  return p;
}

// Wheel zoom about the pointer and left-drag pan of the shared view, for the pane item just
// submitted. Returns true when it is hovered.
bool pane_input(const Pane& pane, EditState& es, bool allow_pan) {
  const bool hovered = ImGui::IsItemHovered();
  const ImGuiIO& io = ImGui::GetIO();
  if (hovered && io.MouseWheel != 0.0f) {
    const ImVec2 u = pane.to_image(io.MousePos);
    const float nz = std::clamp(pane.zoom * std::pow(1.25f, io.MouseWheel), 0.02f, 64.0f);
    es.zoom = nz;
    es.pan_x = u.x - (io.MousePos.x - pane.p0.x) / nz;
    es.pan_y = u.y - (io.MousePos.y - pane.p0.y) / nz;
  }
  if (allow_pan && ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0.0f)) {
    es.zoom = pane.zoom;
    es.pan_x -= io.MouseDelta.x / pane.zoom;
    es.pan_y -= io.MouseDelta.y / pane.zoom;
  }
  return hovered;
}

// The picture and (when there is one) the result drawn in a pane, clipped to [clip_x0, clip_x1)
// on screen, each from the copy nearest its size on screen.
void draw_images(const Pane& pane, const PreviewModel& pm, const Placement& rp, bool original,
                 float clip_x0, float clip_x1) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(ImVec2(clip_x0, pane.p0.y), ImVec2(clip_x1, pane.p0.y + pane.size.y), true);
  if (original && !pm.original.empty()) {
    const auto& level = pm.original[static_cast<std::size_t>(
        level_for_zoom(pane.zoom, static_cast<int>(pm.original.size())))];
    dl->AddImage(
        texture_id(level.tex), pane.to_screen(0, 0),
        pane.to_screen(static_cast<float>(pm.image.width), static_cast<float>(pm.image.height)));
  } else if (!original && pm.have_result()) {
    // Each texel of a halved result covers 2^level result pixels; a result of the reduced copy
    // covers the full-resolution result.
    const float span = static_cast<float>(1 << pm.shown.level);
    const ImVec2 b = pm.shown.reduced ? rp.to_image(static_cast<float>(pm.shown.full_w),
                                                    static_cast<float>(pm.shown.full_h))
                                      : rp.to_image(static_cast<float>(pm.shown_w) * span,
                                                    static_cast<float>(pm.shown_h) * span);
    const ImVec2 a = rp.to_image(0, 0);
    dl->AddImage(texture_id(pm.result_tex), pane.to_screen(a.x, a.y), pane.to_screen(b.x, b.y));
  }
  dl->PopClipRect();
}

void pane_label(const Pane& pane, const char* label, float x) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 ts = ImGui::CalcTextSize(label);
  const ImVec2 a(x + 4, pane.p0.y + 4);
  dl->AddRectFilled(a, ImVec2(a.x + ts.x + 8, a.y + ts.y + 4), IM_COL32(0, 0, 0, 170), 3.0f);
  dl->AddText(ImVec2(a.x + 4, a.y + 2), IM_COL32(255, 255, 255, 255), label);
}

// The legend: the mapping's colours along a bar, with the numbers they stand for.
void draw_legend(int mapping, const PreviewModel& pm, float width) {
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
  const bool known = pm.have_result();
  const gpu::MapRange& r = pm.range;
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
      const double m = std::max(std::abs(r.lo), std::abs(r.hi));
      std::snprintf(lo, sizeof lo, known ? "%.4g" : "-max|v|", -m);
      std::snprintf(hi, sizeof hi, known ? "%+.4g" : "+max|v|", m);
      std::snprintf(mid, sizeof mid, "0");
      break;
    }
    default:
      std::snprintf(lo, sizeof lo, known ? "min %.4g" : "min", static_cast<double>(r.lo));
      std::snprintf(mid, sizeof mid, known ? "%.4g" : " ", 0.5 * (r.lo + r.hi));
      std::snprintf(hi, sizeof hi, known ? "max %.4g" : "max", static_cast<double>(r.hi));
  }
  const float y = ImGui::GetCursorPosY();
  const float x0 = ImGui::GetCursorPosX();
  ImGui::TextUnformatted(lo);
  ImGui::SetCursorPos(ImVec2(x0 + width * 0.5f - ImGui::CalcTextSize(mid).x * 0.5f, y));
  ImGui::TextUnformatted(mid);
  ImGui::SetCursorPos(ImVec2(x0 + width - ImGui::CalcTextSize(hi).x, y));
  ImGui::TextUnformatted(hi);
  if ((mapping == 2 || mapping == 3) && pm.shown.reduced) {
    ImGui::TextDisabled("(the range of the reduced copy while you edit)");
  }
}

void draw_error(const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}

// SameLine() when an item `width` wide still fits after the last one, else a new line: a narrow
// view wraps its toolbar instead of cutting it.
void same_line_if_fits(float width) {
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width <= right) {
    ImGui::SameLine();
  }
}

float button_width(const char* label) {
  return ImGui::CalcTextSize(label).x + ImGui::GetStyle().FramePadding.x * 2.0f;
}

// The toolbar: the picture, the display mapping, zoom and the arrangement (wrapped when narrow).
void draw_controls(AppState& state, EditState& es) {
  if (ImGui::Button("Open picture...")) open_file_browser(state, BrowseFor::preview_image);
  same_line_if_fits(button_width("Sample"));
  if (ImGui::Button("Sample")) (void)set_preview_image(state, "");
  const float combo_w = ImGui::GetFontSize() * 8.0f;
  same_line_if_fits(combo_w + ImGui::GetStyle().ItemInnerSpacing.x +
                    ImGui::CalcTextSize("display").x);
  static const char* mappings[] = {"clip [0, 1]", "abs |v|", "signed", "min-max"};
  int m = std::clamp(state.preview_mapping, 0, 3);
  ImGui::SetNextItemWidth(combo_w);
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
  same_line_if_fits(button_width("fit"));
  if (ImGui::Button("fit")) es.zoom = 0.0f;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("the whole picture in the pane (Ctrl+0)");
  same_line_if_fits(button_width("1:1"));
  if (ImGui::Button("1:1")) {
    es.zoom = 1.0f;
    es.pan_x = es.pan_y = 0.0f;
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("one picture pixel per screen pixel (Ctrl+1)");
  same_line_if_fits(ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x +
                    ImGui::CalcTextSize("split").x);
  ImGui::Checkbox("split", &es.preview_split);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "one pane: the original left of the divider, the result right of it (drag the divider)");
  }
}

// Below the controls: the picture, where and how fast the result is computed, what the preview
// applies and why it cannot.
void draw_status(const PreviewModel& pm) {
  char timing[96] = "computing...";
  if (pm.have_result()) {
    std::snprintf(timing, sizeof timing, "last result %.0f ms%s%s", pm.last_ms,
                  pm.shown.reduced ? " on a reduced copy while you edit" : "",
                  pm.result_current() ? "" : ", the next is being computed");
  }
  const bool sample = pm.loaded.empty();
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s %dx%d  |  CPU fast path, off the UI thread  |  %s",
                     sample ? "built-in sample" : pm.loaded.c_str(), pm.image.width,
                     pm.image.height, pm.loading.valid() ? "opening the picture..." : timing);
  ImGui::PopStyleColor();
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "A worker thread filters the picture with the newest kernel while the window goes on\n"
        "drawing; a kernel replaced before the worker reached it is skipped. A picture whose\n"
        "full resolution takes over %.0f ms is filtered on a copy of about 250,000 pixels while\n"
        "a weight changes; the full resolution returns %.2f s after the last change.",
        kPreviewFullBudgetMs, kPreviewEditRest);
  }
  if (!pm.kernel.note.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("applies %s", pm.kernel.note.c_str());
    ImGui::PopStyleColor();
  }
  if (!pm.picture_error.empty()) draw_error(pm.picture_error);
  if (!pm.kernel_error.empty()) draw_error(pm.kernel_error);
  if (!pm.run_error.empty() && pm.run_error != pm.kernel_error) draw_error(pm.run_error);
}

// The zoom the panes show the picture at: fit mode (zoom 0) puts the whole picture in the pane,
// centred, refitted as the window resizes. Keys while the mouse is over this window (or it has
// focus): Ctrl with +/- zooms about the centre, Ctrl+0 fits, Ctrl+1 shows pixels one to one.
// Ctrl keeps them apart from the shell's plain +/- (play speed) and 1 (step unit).
float pane_zoom(EditState& es, int iw, int ih, ImVec2 pane_size) {
  float zoom = es.zoom;
  if (zoom <= 0.0f) {
    zoom = 1.0f;
    if (iw > 0 && ih > 0) {
      zoom = std::min(pane_size.x / static_cast<float>(iw), pane_size.y / static_cast<float>(ih));
      es.pan_x = (static_cast<float>(iw) - pane_size.x / zoom) * 0.5f;
      es.pan_y = (static_cast<float>(ih) - pane_size.y / zoom) * 0.5f;
    }
  }
  const ImGuiIO& io = ImGui::GetIO();
  if (!(ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows) ||
        ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows)) ||
      io.WantTextInput || !io.KeyCtrl) {
    return zoom;
  }
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
  return zoom;
}

// The panes as drawn this frame: where they are and which one the pointer is over (in split
// mode `left` is the one pane and `split_x` the divider on screen).
struct Panes {
  Pane left, right;
  bool split = false;
  float split_x = 0;
  bool hov_l = false, hov_r = false;
  // The picture point under the pointer, in whichever pane it is (both show the same place).
  ImVec2 hovered_point() const {
    return (hov_r && !split ? right : left).to_image(ImGui::GetIO().MousePos);
  }
};

// Side by side: a row when that shows the picture larger than a column, else a column.
Panes draw_two_panes(EditState& es, const PreviewModel& pm, const Placement& rp, ImVec2 avail) {
  Panes p;
  const float gap = 8.0f;
  const float iw = static_cast<float>(std::max(1, pm.image.width));
  const float ih = static_cast<float>(std::max(1, pm.image.height));
  const ImVec2 row((avail.x - gap) * 0.5f, avail.y), col(avail.x, (avail.y - gap) * 0.5f);
  const bool as_row = std::min(row.x / iw, row.y / ih) >= std::min(col.x / iw, col.y / ih);
  const ImVec2 size(std::max(40.0f, as_row ? row.x : col.x),
                    std::max(40.0f, as_row ? row.y : col.y));
  const float zoom = pane_zoom(es, pm.image.width, pm.image.height, size);
  p.left.p0 = ImGui::GetCursorScreenPos();
  p.left.size = p.right.size = size;
  p.left.zoom = p.right.zoom = zoom;
  p.left.pan = p.right.pan = ImVec2(es.pan_x, es.pan_y);
  p.right.p0 = as_row ? ImVec2(p.left.p0.x + size.x + gap, p.left.p0.y)
                      : ImVec2(p.left.p0.x, p.left.p0.y + size.y + gap);
  for (Pane* pane : {&p.left, &p.right}) {
    const bool original = pane == &p.left;
    ImGui::SetCursorScreenPos(pane->p0);
    ImGui::InvisibleButton(original ? "##original" : "##result", size);
    (original ? p.hov_l : p.hov_r) = pane_input(*pane, es, true);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(pane->p0, pane->p1(), IM_COL32(30, 30, 30, 255));
    draw_images(*pane, pm, rp, original, pane->p0.x, pane->p1().x);
    dl->AddRect(pane->p0, pane->p1(), IM_COL32(120, 120, 120, 255));
    pane_label(*pane, original ? "original" : "result", pane->p0.x);
  }
  ImGui::SetCursorScreenPos(ImVec2(p.left.p0.x, std::max(p.left.p1().y, p.right.p1().y)));
  ImGui::Dummy(ImVec2(0, 0));
  return p;
}

// One pane: the original left of the divider, the result right of it. The divider drags; the
// rest of the pane pans.
Panes draw_split_pane(EditState& es, const PreviewModel& pm, const Placement& rp, ImVec2 avail) {
  Panes p;
  p.split = true;
  const ImVec2 size(std::max(40.0f, avail.x), std::max(40.0f, avail.y));
  const float zoom = pane_zoom(es, pm.image.width, pm.image.height, size);
  p.left.p0 = ImGui::GetCursorScreenPos();
  p.left.size = size;
  p.left.zoom = zoom;
  p.left.pan = ImVec2(es.pan_x, es.pan_y);
  p.right = p.left;
  es.split_at = std::clamp(es.split_at, 0.0f, 1.0f);
  p.split_x = p.left.p0.x + size.x * es.split_at;
  // The divider's handle first: the first item under the pointer keeps the hover and the click.
  const float grip = ImGui::GetFontSize() * 0.6f;
  ImGui::SetCursorScreenPos(ImVec2(p.split_x - grip, p.left.p0.y));
  ImGui::InvisibleButton("##divider", ImVec2(grip * 2.0f, size.y));
  const bool on_divider = ImGui::IsItemHovered() || ImGui::IsItemActive();
  if (ImGui::IsItemActive()) {
    es.split_at += ImGui::GetIO().MouseDelta.x / size.x;
  }
  if (on_divider) ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeEW);
  ImGui::SetCursorScreenPos(p.left.p0);
  ImGui::InvisibleButton("##split", size);
  const bool hovered = pane_input(p.left, es, !on_divider) && !on_divider;
  const float mouse_x = ImGui::GetIO().MousePos.x;
  p.hov_l = hovered && mouse_x < p.split_x;
  p.hov_r = hovered && mouse_x >= p.split_x;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p.left.p0, p.left.p1(), IM_COL32(30, 30, 30, 255));
  draw_images(p.left, pm, rp, true, p.left.p0.x, p.split_x);
  draw_images(p.left, pm, rp, false, p.split_x, p.left.p1().x);
  dl->AddLine(ImVec2(p.split_x, p.left.p0.y), ImVec2(p.split_x, p.left.p1().y),
              IM_COL32(255, 255, 255, 230), on_divider ? 3.0f : 2.0f);
  dl->AddRect(p.left.p0, p.left.p1(), IM_COL32(120, 120, 120, 255));
  pane_label(p.left, "original", p.left.p0.x);
  const float rw = ImGui::CalcTextSize("result").x + 16.0f;
  pane_label(p.left, "result", std::max(p.split_x, p.left.p1().x - rw));
  return p;
}

// An outline of picture rectangle [x0, x1) × [y0, y1) in a pane, ringed when too small to see.
void outline(const Pane& pane, float x0, float y0, float x1, float y1, float clip_x0,
             float clip_x1) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(ImVec2(clip_x0, pane.p0.y), ImVec2(clip_x1, pane.p1().y), true);
  const ImVec2 a = pane.to_screen(x0, y0), b = pane.to_screen(x1, y1);
  dl->AddRect(a, b, IM_COL32(255, 220, 0, 255), 0.0f, 0, 2.0f);
  if (b.x - a.x < 10.0f) {  // too small to see when zoomed out: ring it
    dl->AddCircle(ImVec2((a.x + b.x) * 0.5f, (a.y + b.y) * 0.5f), 10.0f, IM_COL32(255, 220, 0, 255),
                  0, 2.0f);
  }
  dl->PopClipRect();
}

// The taps of the hovered pixel on the picture, one square each, when they are big enough to see
// (dilation leaves gaps between them).
void outline_taps(const Pane& pane, const ConvGeometry& g, int ox, int oy, float clip_x0,
                  float clip_x1) {
  if (pane.zoom < 6.0f) return;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(ImVec2(clip_x0, pane.p0.y), ImVec2(clip_x1, pane.p1().y), true);
  for (int64_t ky = 0; ky < g.k_h; ++ky) {
    for (int64_t kx = 0; kx < g.k_w; ++kx) {
      const float x = static_cast<float>(g.input_x(ox, kx));
      const float y = static_cast<float>(g.input_y(oy, ky));
      dl->AddRect(pane.to_screen(x, y), pane.to_screen(x + 1, y + 1), IM_COL32(255, 220, 0, 160));
    }
  }
  dl->PopClipRect();
}

// The result pixel under the pointer (over either picture: the result pixel over that spot)
// asked of the model; the one the model inspected outlined, with its receptive field.
void draw_inspector(const Panes& p, PreviewModel& pm, const Placement& rp) {
  if (p.hov_l || p.hov_r) {
    const ImVec2 u = p.hovered_point();
    int rx = -1, ry = -1;
    if (pm.geometry_ok && result_pixel_at(pm.geometry, u.x, u.y, rx, ry)) {
      pm.want_x = rx;
      pm.want_y = ry;
    }
  }
  const PixelDetail& d = pm.detail;
  if (d.ox < 0 || !pm.geometry_ok) return;
  const FieldRect& f = d.field;
  const ImVec2 a = rp.to_image(static_cast<float>(d.ox), static_cast<float>(d.oy));
  const float fx0 = static_cast<float>(f.x0), fy0 = static_cast<float>(f.y0);
  const float fx1 = static_cast<float>(f.x0 + f.w), fy1 = static_cast<float>(f.y0 + f.h);
  if (p.split) {
    outline(p.left, fx0, fy0, fx1, fy1, p.left.p0.x, p.split_x);
    outline_taps(p.left, pm.geometry, d.ox, d.oy, p.left.p0.x, p.split_x);
    outline(p.left, a.x, a.y, a.x + rp.sx, a.y + rp.sy, p.split_x, p.left.p1().x);
    return;
  }
  outline(p.left, fx0, fy0, fx1, fy1, p.left.p0.x, p.left.p1().x);
  outline_taps(p.left, pm.geometry, d.ox, d.oy, p.left.p0.x, p.left.p1().x);
  outline(p.right, a.x, a.y, a.x + rp.sx, a.y + rp.sy, p.right.p0.x, p.right.p1().x);
}

// ---- The hovered pixel's arithmetic, in a tooltip ----

const char* channel_name(int64_t c, int64_t count) {
  static const char* rgb[] = {"R", "G", "B"};
  return count == 3 && c >= 0 && c < 3 ? rgb[c] : "grey";
}

// The font of the numbers in the hover's grids, and the edge of a cell that holds one.
ImFont* grid_font() {
  return mono_small_font();
}
float text_cell() {
  ImFont* f = grid_font();
  return f->CalcTextSizeA(f->FontSize, 1e9f, 0.0f, "-0.000").x + 6.0f;
}

// A k_h × k_w grid of numbers at the cursor. kind 0: picture values (grey cells), 1: weights or
// products (blue negative, red positive, by value / scale). `outlined[i]` rings cell i (padding).
void number_grid(const std::vector<double>& v, const std::vector<bool>& outlined, int64_t k_h,
                 int64_t k_w, float cell, int kind, double scale) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImFont* font = grid_font();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const bool numbers = cell >= text_cell() - 0.5f;
  for (int64_t ky = 0; ky < k_h; ++ky) {
    for (int64_t kx = 0; kx < k_w; ++kx) {
      const std::size_t i = static_cast<std::size_t>(ky * k_w + kx);
      const ImVec2 a(p0.x + static_cast<float>(kx) * cell, p0.y + static_cast<float>(ky) * cell);
      const ImVec2 b(a.x + cell, a.y + cell);
      uint8_t rgb[3];
      if (kind == 0) {
        rgb[0] = rgb[1] = rgb[2] =
            static_cast<uint8_t>(std::lround(std::clamp(v[i], 0.0, 1.0) * 255));
      } else {
        gpu::diverging_colour(scale > 0 ? static_cast<float>(v[i] / scale) : 0.0f, rgb);
      }
      dl->AddRectFilled(a, b, IM_COL32(rgb[0], rgb[1], rgb[2], 255));
      dl->AddRect(a, b, IM_COL32(90, 90, 90, 255));
      if (outlined[i]) {
        dl->AddRect(ImVec2(a.x + 2, a.y + 2), ImVec2(b.x - 2, b.y - 2), IM_COL32(230, 120, 0, 255),
                    0.0f, 0, 2.0f);
      }
      if (!numbers) continue;
      char s[24];
      std::snprintf(s, sizeof s, kind == 0 ? "%.3f" : "%.3g", v[i]);
      const ImVec2 ts = font->CalcTextSizeA(font->FontSize, 1e9f, 0.0f, s);
      const bool dark = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] < 128;
      dl->AddText(font, font->FontSize,
                  ImVec2(a.x + (cell - ts.x) * 0.5f, a.y + (cell - ts.y) * 0.5f),
                  dark ? IM_COL32(255, 255, 255, 255) : IM_COL32(0, 0, 0, 255), s);
    }
  }
  ImGui::Dummy(ImVec2(cell * static_cast<float>(k_w), cell * static_cast<float>(k_h)));
}

// One input channel's row: values read × weights = products, and their sum.
void channel_row(const InspectChannel& ch, int64_t k_h, int64_t k_w, int64_t channels, float cell) {
  std::vector<double> x, w, prod;
  std::vector<bool> pad, none(ch.taps.size(), false);
  double wmax = 0, pmax = 0;
  for (const InspectTap& t : ch.taps) {
    x.push_back(t.x);
    w.push_back(t.w);
    prod.push_back(t.product);
    pad.push_back(t.padding);
    wmax = std::max(wmax, std::abs(t.w));
    pmax = std::max(pmax, std::abs(t.product));
  }
  // Three labelled grids in a row; the symbols and the sum level with the grids' middle.
  const float label_h = ImGui::GetTextLineHeightWithSpacing();
  const float top = ImGui::GetCursorPosY();
  const float mid =
      top + label_h + cell * static_cast<float>(k_h) * 0.5f - ImGui::GetTextLineHeight() * 0.5f;
  auto grid = [&](const char* label, const std::vector<double>& v, const std::vector<bool>& ring,
                  int kind, double scale) {
    ImGui::SetCursorPosY(top);
    ImGui::BeginGroup();
    ImGui::TextUnformatted(label);
    number_grid(v, ring, k_h, k_w, cell, kind, scale);
    ImGui::EndGroup();
  };
  auto between = [&](const char* text) {
    ImGui::SameLine();
    ImGui::SetCursorPosY(mid);
    ImGui::TextUnformatted(text);
    ImGui::SameLine();
  };
  const std::string in = std::string("in ") + channel_name(ch.ic, channels);
  grid(in.c_str(), x, pad, 0, 1.0);
  between("×");
  grid("weights", w, none, 1, wmax);
  between("=");
  grid("products", prod, none, 1, pmax);
  char sum[48];
  std::snprintf(sum, sizeof sum, "sum %.6g", ch.partial);
  between(sum);
  ImGui::NewLine();
  ImGui::SetCursorPosY(top + label_h + cell * static_cast<float>(k_h) +
                       ImGui::GetStyle().ItemSpacing.y);
}

// "partials + bias = value" for an output channel with several input channels or a bias.
void sum_line(const InspectOutput& out, bool has_bias, int64_t c_out) {
  std::string line = std::string(channel_name(out.oc, c_out)) + " = ";
  char buf[40];
  for (std::size_t i = 0; i < out.channels.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%.6g", i == 0 ? "" : " + ", out.channels[i].partial);
    line += buf;
  }
  if (has_bias) {
    std::snprintf(buf, sizeof buf, " + %.6g (bias)", out.bias);
    line += buf;
  }
  std::snprintf(buf, sizeof buf, " = %.7g", out.value);
  line += buf;
  ImGui::TextUnformatted(line.c_str());
}

void draw_pixel_tooltip(const PixelDetail& d, EditState& es, int64_t picture_channels) {
  if (d.ox < 0 || d.outputs.empty()) return;
  const int64_t c_out = static_cast<int64_t>(d.outputs.size());
  const bool depthwise = d.outputs.front().channels.size() == 1;
  es.inspect_oc = std::clamp<int>(es.inspect_oc, 0, static_cast<int>(c_out) - 1);
  const float font = ImGui::GetFontSize();
  const float max_w = std::max(font * 20.0f, ImGui::GetIO().DisplaySize.x * 0.45f);
  const float cell =
      std::clamp(max_w / (3.0f * static_cast<float>(d.k_w) + 6.0f), font * 0.5f, text_cell());
  // Beside the preview, level with the pointer, so that the photo stays in view (the other side
  // when the preview is at the right of the screen).
  const ImVec2 wmin = ImGui::GetWindowPos();
  const float wmax_x = wmin.x + ImGui::GetWindowWidth();
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const bool right = wmax_x + max_w * 0.5f <= display.x;
  // Its height, to keep it on the screen: the text lines and a row of grids per input channel.
  const float line = ImGui::GetTextLineHeightWithSpacing();
  const std::size_t rows = depthwise ? d.outputs.size() : d.outputs.front().channels.size();
  const float height = line * (6.0f + static_cast<float>(depthwise ? 0 : 1)) +
                       static_cast<float>(rows) * (2.0f * line + cell * static_cast<float>(d.k_h));
  const float y = std::clamp(ImGui::GetIO().MousePos.y - height * 0.5f, line * 1.5f,
                             std::max(line * 1.5f, display.y - height));
  ImGui::SetNextWindowPos(ImVec2(right ? wmax_x + 8.0f : wmin.x - 8.0f, y), ImGuiCond_Always,
                          ImVec2(right ? 0.0f : 1.0f, 0.0f));
  ImGui::BeginTooltip();
  ImGui::Text(
      "result (%d, %d) reads rows %lld..%lld, columns %lld..%lld of the picture", d.ox, d.oy,
      static_cast<long long>(d.field.y0), static_cast<long long>(d.field.y0 + d.field.h - 1),
      static_cast<long long>(d.field.x0), static_cast<long long>(d.field.x0 + d.field.w - 1));
  for (const InspectOutput& out : d.outputs) {
    if (!depthwise && out.oc != es.inspect_oc) continue;
    if (c_out > 1) ImGui::Text("output %s:", channel_name(out.oc, c_out));
    for (const InspectChannel& ch : out.channels)
      channel_row(ch, d.k_h, d.k_w, picture_channels, cell);
    if (out.channels.size() > 1 || d.has_bias) sum_line(out, d.has_bias, c_out);
  }
  if (!depthwise && c_out > 1) {
    std::string others = "the other outputs:";
    char buf[48];
    for (const InspectOutput& out : d.outputs) {
      if (out.oc == es.inspect_oc) continue;
      std::snprintf(buf, sizeof buf, "  %s = %.7g", channel_name(out.oc, c_out), out.value);
      others += buf;
    }
    ImGui::TextUnformatted(others.c_str());
    ImGui::TextDisabled("(the toolbar's \"arithmetic of\" picks the output shown in full)");
  }
  ImGui::TextDisabled("values in [0, 1] (byte / 255); outlined cells are read from the padding");
  ImGui::EndTooltip();
}

// Below the panes: the picture's own pixel under the pointer (0-255 per channel) and the hovered
// result pixel's values.
void draw_inspector_line(const Panes& p, const PreviewModel& pm) {
  std::string line = "hover the pictures for a pixel's arithmetic";
  char buf[96];
  const PixelDetail& d = pm.detail;
  if (d.ox >= 0) {
    std::snprintf(buf, sizeof buf, "result (%d, %d) =", d.ox, d.oy);
    line = buf;
    for (const InspectOutput& out : d.outputs) {
      std::snprintf(buf, sizeof buf, " %.7g", out.value);
      line += buf;
    }
  }
  const Image& img = pm.image;
  if ((p.hov_l || p.hov_r) && img.width > 0) {
    const ImVec2 u = p.hovered_point();
    const int px = static_cast<int>(std::floor(u.x)), py = static_cast<int>(std::floor(u.y));
    if (px >= 0 && py >= 0 && px < img.width && py < img.height) {
      std::snprintf(buf, sizeof buf, "picture (%d, %d) =", px, py);
      std::string pixel = buf;
      for (int c = 0; c < std::min(img.channels, 3); ++c) {
        std::snprintf(
            buf, sizeof buf, " %d",
            img.pixels[(static_cast<std::size_t>(py) * img.width + px) * img.channels + c]);
        pixel += buf;
      }
      line = pixel + "   |   " + line;
    }
  }
  ImGui::TextWrapped("%s", line.c_str());
}

// "arithmetic of R / G / B": which output channel the hover spells out, when each reads several
// input channels.
void draw_output_choice(EditState& es, const PreviewModel& pm) {
  if (!pm.geometry_ok || pm.geometry.c_out != 3 || pm.geometry.c_in_per_group < 2) return;
  ImGui::TextUnformatted("arithmetic of");
  static const char* names[] = {"R", "G", "B"};
  for (int c = 0; c < 3; ++c) {
    ImGui::SameLine();
    ImGui::RadioButton(names[c], &es.inspect_oc, c);
  }
}

}  // namespace

void draw_preview(AppState& state) {
  EditState& es = edit_state(state);
  PreviewModel& pm = preview_model(state);
  pm.visible = false;
  pm.want_x = pm.want_y = -1;
  ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 56.0f, ImGui::GetFontSize() * 30.0f),
                           ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Live preview", &state.show_preview)) {
    ImGui::End();
    return;
  }
  pm.visible = true;
  draw_controls(state, es);
  draw_status(pm);
  if (es.fitted_picture != pm.picture_gen) {
    es.fitted_picture = pm.picture_gen;
    es.zoom = 0.0f;  // fit each new picture
  }
  const float line = ImGui::GetTextLineHeightWithSpacing();
  const float below = line * 4.0f + ImGui::GetFontSize();  // inspector line, legend, its numbers
  ImVec2 avail = ImGui::GetContentRegionAvail();
  avail.y -= below;
  const Placement rp = placement(pm);
  const Panes panes =
      es.preview_split ? draw_split_pane(es, pm, rp, avail) : draw_two_panes(es, pm, rp, avail);
  pm.zoom = panes.left.zoom;
  draw_inspector(panes, pm, rp);
  if (panes.hov_l || panes.hov_r) {
    draw_pixel_tooltip(pm.detail, es, pm.image_tensor ? pm.image_tensor->dim(1) : 3);
  }
  draw_output_choice(es, pm);
  draw_inspector_line(panes, pm);
  draw_legend(state.preview_mapping, pm,
              std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 30.0f));
  ImGui::End();
}

}  // namespace cs::ui
