// The live full-resolution preview's view: the photo and the result of the kernel being edited
// side by side (the LivePreview textures of preview_model.hpp), shared zoom and pan, the display
// mapping with a colour legend that has numbers, and a pixel inspector (exact value and
// receptive field). It only draws the model and leaves requests in it (the pixel to inspect);
// update_preview() runs after the views. Depends on app_state, the preview model and ImGui.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>

#include "app/ui/preview_model.hpp"
#include "app/ui/ui_edit.hpp"

namespace cs::ui {

namespace {

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

void draw_error(const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}

// Above the panes: the picture and display buttons, what runs where, what the preview applies
// and why it cannot.
void draw_toolbar(AppState& state, EditState& es, const PreviewModel& pm) {
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
  const gpu::LivePreview* shown = pm.shown();
  const std::string backend = shown ? shown->backend() : std::string();
  ImGui::Text("%s  %dx%d  |  %s  |  last run %.1f ms%s",
              pm.loaded.empty() ? "built-in sample" : pm.loaded.c_str(), pm.image.width,
              pm.image.height, backend.empty() ? "(not run yet)" : backend.c_str(),
              shown ? shown->last_time_ms() : 0.0,
              pm.showing_proxy ? "  |  reduced while you edit" : "");
  if (pm.showing_proxy && ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "While a weight changes, the result is computed on a %dx%d copy so the "
        "window stays responsive;\nthe full resolution is redrawn %.2f s after the "
        "last change.",
        pm.proxy_image.width, pm.proxy_image.height, kPreviewEditRest);
  }
  if (!pm.kernel.note.empty()) ImGui::TextDisabled("applies %s", pm.kernel.note.c_str());
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

// The two panes as drawn this frame: where they are, the picture's and the result's sizes, and
// which one the pointer is over.
struct Panes {
  Pane left, right;
  int iw = 0, ih = 0, rw = 0, rh = 0;
  bool hov_l = false, hov_r = false;
};

// The original on the left, the result on the right, each labelled. When the picture is shown
// smaller than the reduced copy, the copy is drawn: the same look, and far less texture to
// sample (llvmpipe's cost with a 1080p picture in a small pane).
Panes draw_panes(EditState& es, const PreviewModel& pm, ImVec2 avail, float legend_h) {
  Panes p;
  const float gap = 8.0f;
  const ImVec2 pane_size(std::max(40.0f, (avail.x - gap) * 0.5f),
                         std::max(40.0f, avail.y - legend_h));
  const gpu::LivePreview* full = pm.full.get();
  if (full) {
    p.iw = full->image_width();
    p.ih = full->image_height();
    p.rw = full->result_width();
    p.rh = full->result_height();
  }
  if (es.fitted_picture != pm.picture_gen) {
    es.fitted_picture = pm.picture_gen;
    es.zoom = 0.0f;  // fit each new picture
  }
  const float zoom = pane_zoom(es, p.iw, p.ih, pane_size);
  p.left.p0 = ImGui::GetCursorScreenPos();
  p.left.size = p.right.size = pane_size;
  p.left.zoom = p.right.zoom = zoom;
  p.left.pan = p.right.pan = ImVec2(es.pan_x, es.pan_y);
  p.right.p0 = ImVec2(p.left.p0.x + pane_size.x + gap, p.left.p0.y);
  const bool small_view =
      pm.proxy && pm.proxy_ok &&
      zoom * static_cast<float>(p.iw) <= static_cast<float>(pm.proxy_image.width);
  unsigned int original_tex = full ? full->original_texture() : 0;
  if (small_view) original_tex = pm.proxy->original_texture();
  const bool proxy_current = pm.proxy_gen == pm.kernel_gen;
  unsigned int result_tex = 0;
  if (pm.have_result()) {
    result_tex = pm.showing_proxy || (small_view && proxy_current) ? pm.proxy->result_texture()
                                                                   : full->result_texture();
  }
  p.hov_l = draw_pane("##original", original_tex, p.iw, p.ih, p.left, es);
  ImGui::SameLine(0.0f, gap);
  p.hov_r = draw_pane("##result", result_tex, p.rw, p.rh, p.right, es);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (const auto& [pane, label] :
       {std::pair{&p.left, "original"}, std::pair{&p.right, "result"}}) {
    const ImVec2 ts = ImGui::CalcTextSize(label);
    const ImVec2 a(pane->p0.x + 4, pane->p0.y + 4);
    dl->AddRectFilled(a, ImVec2(a.x + ts.x + 8, a.y + ts.y + 4), IM_COL32(0, 0, 0, 170), 3.0f);
    dl->AddText(ImVec2(a.x + 4, a.y + 2), IM_COL32(255, 255, 255, 255), label);
  }
  return p;
}

// An outline of image rectangle [x0, x1) × [y0, y1) in a pane, ringed when too small to see.
void outline(const Pane& pane, float x0, float y0, float x1, float y1) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(pane.p0, ImVec2(pane.p0.x + pane.size.x, pane.p0.y + pane.size.y), true);
  const ImVec2 a = pane.to_screen(x0, y0), b = pane.to_screen(x1, y1);
  dl->AddRect(a, b, IM_COL32(255, 220, 0, 255), 0.0f, 0, 2.0f);
  if (b.x - a.x < 10.0f) {  // too small to see when zoomed out: ring it
    dl->AddCircle(ImVec2((a.x + b.x) * 0.5f, (a.y + b.y) * 0.5f), 10.0f, IM_COL32(255, 220, 0, 255),
                  0, 2.0f);
  }
  dl->PopClipRect();
}

// Pixel inspector: the result pixel under the cursor (on the original, the output whose window
// is centred there) outlined, with its receptive field outlined on the original; its exact value
// is asked of the model (pm.want_x, pm.want_y).
void draw_inspector(const Panes& p, PreviewModel& pm, const ConvGeometry* g) {
  int rx = -1, ry = -1;
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  if (p.hov_r) {
    const ImVec2 u = p.right.to_image(mouse);
    rx = static_cast<int>(std::floor(u.x));
    ry = static_cast<int>(std::floor(u.y));
  }
  if (p.hov_l && g) {
    const ImVec2 u = p.left.to_image(mouse);
    output_centred_at(*g, static_cast<int64_t>(std::floor(u.x)),
                      static_cast<int64_t>(std::floor(u.y)), rx, ry);
  }
  if (rx < 0 || ry < 0 || rx >= p.rw || ry >= p.rh || !pm.have_result()) return;
  pm.want_x = rx;
  pm.want_y = ry;
  outline(p.right, static_cast<float>(rx), static_cast<float>(ry), static_cast<float>(rx + 1),
          static_cast<float>(ry + 1));
  if (g) {
    const FieldRect f = receptive_field(*g, rx, ry);
    outline(p.left, static_cast<float>(f.x0), static_cast<float>(f.y0),
            static_cast<float>(f.x0 + f.w), static_cast<float>(f.y0 + f.h));
  }
}

// Below the panes: the picture's own pixel under the cursor (0-255 per channel) and the
// inspected result pixel with its receptive field, or what to do to see them.
void draw_inspector_line(const Panes& p, const PreviewModel& pm, const ConvGeometry* g) {
  std::string line = pm.showing_proxy ? "exact values return when the weight rests"
                                      : "hover a pane to inspect a pixel";
  char buf[160];
  if (pm.want_x >= 0 && pm.inspect_x >= 0 && !pm.inspect_value.empty()) {
    std::snprintf(buf, sizeof buf, "result (%d, %d) =", pm.inspect_x, pm.inspect_y);
    line = buf;
    for (float v : pm.inspect_value) {
      std::snprintf(buf, sizeof buf, " %.7g", static_cast<double>(v));
      line += buf;
    }
    if (g) {
      const FieldRect f = receptive_field(*g, pm.inspect_x, pm.inspect_y);
      std::snprintf(buf, sizeof buf, "   receptive field rows %lld..%lld, cols %lld..%lld",
                    static_cast<long long>(f.y0), static_cast<long long>(f.y0 + f.h - 1),
                    static_cast<long long>(f.x0), static_cast<long long>(f.x0 + f.w - 1));
      line += buf;
    }
  }
  const Image& img = pm.image;
  if (p.hov_l && p.iw > 0 && img.width == p.iw && img.height == p.ih) {
    const ImVec2 u = p.left.to_image(ImGui::GetIO().MousePos);
    const int px = static_cast<int>(std::floor(u.x)), py = static_cast<int>(std::floor(u.y));
    if (px >= 0 && py >= 0 && px < p.iw && py < p.ih) {
      std::snprintf(buf, sizeof buf, "picture (%d, %d) =", px, py);
      std::string pixel = buf;
      for (int c = 0; c < std::min(img.channels, 3); ++c) {
        std::snprintf(buf, sizeof buf, " %d",
                      img.pixels[static_cast<std::size_t>((py * p.iw + px) * img.channels + c)]);
        pixel += buf;
      }
      line = pixel + "   |   " + line;
    }
  }
  ImGui::TextUnformatted(line.c_str());
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
  pm.pointer_down = ImGui::IsMouseDown(ImGuiMouseButton_Left);
  draw_toolbar(state, es, pm);
  const float legend_h = ImGui::GetFontSize() * 4.5f + ImGui::GetTextLineHeightWithSpacing() * 2.0f;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const Panes panes = draw_panes(es, pm, avail, legend_h);
  const ConvGeometry* g = pm.full ? pm.full->geometry() : nullptr;
  draw_inspector(panes, pm, g);
  draw_inspector_line(panes, pm, g);
  draw_legend(state.preview_mapping, pm.range, std::min(avail.x, ImGui::GetFontSize() * 30.0f));
  ImGui::End();
}

}  // namespace cs::ui
