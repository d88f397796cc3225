// Fonts, themes, presentation mode, the palette and number formatting (see ui_theme.hpp).
// The font atlas is rebuilt at the exact pixel size each mode needs, then the OpenGL backend's
// font texture is recreated; nothing here scales bitmaps.
#include "app/ui/ui_theme.hpp"

#include <backends/imgui_impl_opengl3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "app/gpu/display_map.hpp"
#include "app/gpu/window_gl.hpp"

namespace cs::ui {
namespace {

ImFont* g_ui = nullptr;
ImFont* g_mono = nullptr;
ImFont* g_heading = nullptr;
ImFont* g_mono_big = nullptr;
ImFont* g_mono_small = nullptr;
ImFont* g_caption = nullptr;

struct Built {
  bool done = false;
  bool presentation = false;
  bool high_contrast = false;
  bool dark = false;
  int palette = -1;
  float font_size = 0;
  float scale = 0;
};
Built g_built;

// Latin-1 (· and × live there), Greek, and the signs formulas use: … → − ⌊ ⌋ ≤ ≥ ✓.
const ImWchar kGlyphRanges[] = {
    0x0020, 0x00FF,  // Basic Latin + Latin-1
    0x0391, 0x03C9,  // Greek
    0x2013, 0x2014,  // – —
    0x2022, 0x2022,  // •
    0x2026, 0x2026,  // …
    0x2190, 0x21FF,  // arrows: ← ↑ → ↓ ↔ ⇒ ...
    0x2211, 0x2212,  // ∑ −
    0x2264, 0x2265,  // ≤ ≥
    0x2308, 0x230B,  // ⌈ ⌉ ⌊ ⌋
    0x25B6, 0x25B6,  // ▶
    0x25C0, 0x25C0,  // ◀
    0x2713, 0x2713,  // ✓
    0,
};

const char* kFontDir = "/usr/share/fonts/truetype/dejavu/";

ImFont* add_font(ImFontAtlas* atlas, const std::string& file, float size, bool& missing) {
  const std::string path = std::string(kFontDir) + file;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    missing = true;
    return nullptr;
  }
  ImFontConfig cfg;
  cfg.OversampleH = 2;
  cfg.OversampleV = 1;
  cfg.PixelSnapH = true;
  ImFont* f = atlas->AddFontFromFileTTF(path.c_str(), size, &cfg, kGlyphRanges);
  if (!f) missing = true;
  return f;
}

ImVec4 rgb(int r, int g, int b, int a = 255) {
  return ImVec4(r / 255.0f, g / 255.0f, b / 255.0f, a / 255.0f);
}

ImU32 with_alpha(ImU32 c, int alpha) {
  return (c & ~IM_COL32_A_MASK) | (static_cast<ImU32>(alpha) << IM_COL32_A_SHIFT);
}

// High contrast: black on white, thick lines; what presentation mode projects.
Palette high_contrast_palette() {
  Palette p{};
  p.canvas_bg = IM_COL32(255, 255, 255, 255);
  p.text = IM_COL32(0, 0, 0, 255);
  p.text_dim = IM_COL32(60, 60, 60, 255);
  p.grid = IM_COL32(0, 0, 0, 255);
  p.input_border = IM_COL32(0, 0, 0, 255);
  p.pad_fill = IM_COL32(215, 215, 215, 255);
  p.pad_text = IM_COL32(40, 40, 40, 255);
  p.pale_mix = 0.55f;
  p.empty_fill = IM_COL32(250, 250, 250, 255);
  // NOTE: the window was pure green (0, 160, 0) beside an orange tap; under protanopia the two
  // were 5 ΔE apart. A darker teal keeps them apart in every simulation (ui_palette_test).
  p.frame = IM_COL32(0, 110, 90, 255);
  p.tap = IM_COL32(230, 110, 0, 255);
  p.hover = IM_COL32(150, 0, 190, 255);
  p.argmax = IM_COL32(0, 0, 0, 255);
  p.error = IM_COL32(190, 0, 0, 255);
  p.accent = IM_COL32(0, 0, 0, 255);
  p.veil = IM_COL32(128, 128, 128, 130);
  p.tap_v4 = rgb(170, 70, 0);
  return p;
}

// Light: warm paper, ink text, one orange for "now", teal for the window.
Palette light_palette() {
  Palette p{};
  p.canvas_bg = IM_COL32(250, 250, 248, 255);
  p.text = IM_COL32(28, 31, 36, 255);
  p.text_dim = IM_COL32(104, 109, 118, 255);
  p.grid = IM_COL32(176, 176, 170, 255);
  p.input_border = IM_COL32(60, 64, 72, 255);
  p.pad_fill = IM_COL32(232, 232, 227, 255);
  p.pad_text = IM_COL32(70, 74, 82, 255);
  p.pale_mix = 0.7f;
  p.empty_fill = IM_COL32(242, 242, 239, 255);
  p.frame = IM_COL32(0, 122, 108, 255);
  p.tap = IM_COL32(222, 110, 0, 255);
  p.hover = IM_COL32(124, 58, 196, 255);
  p.argmax = IM_COL32(28, 31, 36, 255);
  p.error = IM_COL32(190, 30, 40, 255);
  p.accent = IM_COL32(20, 22, 26, 255);
  p.veil = IM_COL32(250, 250, 248, 165);
  p.tap_v4 = rgb(176, 82, 0);
  return p;
}

// Dark: slate surfaces, light text; the same two hues, lighter so they read on dark.
Palette dark_palette() {
  Palette p{};
  p.canvas_bg = IM_COL32(28, 30, 34, 255);
  p.text = IM_COL32(226, 228, 232, 255);
  p.text_dim = IM_COL32(150, 155, 164, 255);
  p.grid = IM_COL32(78, 82, 90, 255);
  p.input_border = IM_COL32(200, 204, 212, 255);
  p.pad_fill = IM_COL32(48, 51, 57, 255);
  p.pad_text = IM_COL32(200, 204, 212, 255);
  p.pale_mix = 0.8f;
  p.empty_fill = IM_COL32(38, 41, 46, 255);
  p.frame = IM_COL32(64, 178, 160, 255);
  p.tap = IM_COL32(255, 150, 40, 255);
  p.hover = IM_COL32(180, 140, 255, 255);
  p.argmax = IM_COL32(236, 238, 242, 255);
  p.error = IM_COL32(255, 120, 110, 255);
  p.accent = IM_COL32(240, 242, 245, 255);
  p.veil = IM_COL32(28, 30, 34, 165);
  p.tap_v4 = rgb(255, 150, 40);
  return p;
}

// The light palette until refresh_theme() runs (the headless tests draw with it).
Palette g_palette = make_palette(false, false, 1.0f);

// The window's neutral greys, from the surface outward; `dark` flips the direction.
struct Neutrals {
  ImVec4 bg, bar, field, field_hover, field_active, control, control_hover, control_active, border,
      grab, grab_active, ink, dim, select;
};

Neutrals light_neutrals() {
  return {rgb(250, 250, 248), rgb(240, 240, 236), rgb(255, 255, 255), rgb(246, 246, 242),
          rgb(238, 238, 233), rgb(234, 234, 229), rgb(224, 224, 218), rgb(212, 212, 205),
          rgb(214, 214, 207), rgb(150, 154, 162), rgb(60, 64, 72),    rgb(28, 31, 36),
          rgb(104, 109, 118), rgb(214, 222, 232)};
}

Neutrals dark_neutrals() {
  return {rgb(28, 30, 34),    rgb(22, 24, 27),    rgb(40, 43, 49),    rgb(48, 52, 59),
          rgb(56, 60, 68),    rgb(46, 50, 56),    rgb(58, 62, 70),    rgb(70, 75, 84),
          rgb(56, 60, 67),    rgb(110, 116, 126), rgb(200, 204, 212), rgb(226, 228, 232),
          rgb(150, 155, 164), rgb(58, 78, 108)};
}

// Calm surfaces: every chrome colour is a neutral grey; the accent is kept for "now".
void set_neutral_colours(ImGuiStyle& style, const Neutrals& n) {
  ImVec4* c = style.Colors;
  c[ImGuiCol_Text] = n.ink;
  c[ImGuiCol_TextDisabled] = n.dim;
  c[ImGuiCol_WindowBg] = c[ImGuiCol_ChildBg] = n.bg;
  c[ImGuiCol_PopupBg] = n.field;
  c[ImGuiCol_Border] = c[ImGuiCol_Separator] = n.border;
  c[ImGuiCol_BorderShadow] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_FrameBg] = n.field;
  c[ImGuiCol_FrameBgHovered] = n.field_hover;
  c[ImGuiCol_FrameBgActive] = n.field_active;
  c[ImGuiCol_TitleBg] = c[ImGuiCol_TitleBgCollapsed] = c[ImGuiCol_MenuBarBg] = n.bar;
  c[ImGuiCol_TitleBgActive] = n.control;
  c[ImGuiCol_ScrollbarBg] = n.bar;
  c[ImGuiCol_ScrollbarGrab] = n.control_active;
  c[ImGuiCol_ScrollbarGrabHovered] = c[ImGuiCol_ScrollbarGrabActive] = n.grab;
  c[ImGuiCol_CheckMark] = n.grab_active;
  c[ImGuiCol_SliderGrab] = n.control_active;
  c[ImGuiCol_SliderGrabActive] = n.grab;
  c[ImGuiCol_Button] = c[ImGuiCol_Header] = c[ImGuiCol_Tab] = n.control;
  c[ImGuiCol_ButtonHovered] = c[ImGuiCol_HeaderHovered] = c[ImGuiCol_TabHovered] = n.control_hover;
  c[ImGuiCol_ButtonActive] = c[ImGuiCol_HeaderActive] = c[ImGuiCol_TabActive] = n.control_active;
  c[ImGuiCol_TabUnfocused] = n.bar;
  c[ImGuiCol_TabUnfocusedActive] = n.control;
  c[ImGuiCol_SeparatorHovered] = c[ImGuiCol_ResizeGripHovered] = n.grab;
  c[ImGuiCol_SeparatorActive] = c[ImGuiCol_ResizeGripActive] = n.grab_active;
  c[ImGuiCol_ResizeGrip] = n.border;
  c[ImGuiCol_TextSelectedBg] = n.select;
  c[ImGuiCol_NavHighlight] = n.grab_active;
  c[ImGuiCol_PlotHistogram] = c[ImGuiCol_PlotLines] = n.grab;
  c[ImGuiCol_TableHeaderBg] = n.bar;
  c[ImGuiCol_TableBorderStrong] = c[ImGuiCol_TableBorderLight] = n.border;
}

void set_high_contrast_colours(ImGuiStyle& style) {
  ImVec4* c = style.Colors;
  c[ImGuiCol_Text] = rgb(0, 0, 0);
  c[ImGuiCol_TextDisabled] = rgb(60, 60, 60);
  c[ImGuiCol_WindowBg] = rgb(255, 255, 255);
  c[ImGuiCol_ChildBg] = rgb(255, 255, 255);
  c[ImGuiCol_PopupBg] = rgb(255, 255, 230);
  c[ImGuiCol_Border] = rgb(0, 0, 0);
  c[ImGuiCol_FrameBg] = rgb(255, 255, 255);
  c[ImGuiCol_FrameBgHovered] = rgb(255, 240, 160);
  c[ImGuiCol_FrameBgActive] = rgb(255, 220, 100);
  c[ImGuiCol_TitleBg] = rgb(225, 225, 225);
  c[ImGuiCol_TitleBgActive] = rgb(255, 215, 0);
  c[ImGuiCol_TitleBgCollapsed] = rgb(225, 225, 225);
  c[ImGuiCol_Separator] = rgb(0, 0, 0);
  c[ImGuiCol_ScrollbarGrab] = rgb(90, 90, 90);
  c[ImGuiCol_MenuBarBg] = rgb(255, 255, 255);
  c[ImGuiCol_Button] = rgb(255, 255, 255);
  c[ImGuiCol_ButtonHovered] = rgb(255, 230, 120);
  c[ImGuiCol_ButtonActive] = rgb(255, 200, 60);
  c[ImGuiCol_Header] = rgb(255, 230, 120);
  c[ImGuiCol_HeaderHovered] = rgb(255, 220, 90);
  c[ImGuiCol_HeaderActive] = rgb(255, 200, 60);
  c[ImGuiCol_CheckMark] = rgb(0, 0, 0);
  // NOTE: light, so the black label a slider centres over its grab ("step 10 of 20") reads on it.
  c[ImGuiCol_SliderGrab] = rgb(120, 160, 255);
  c[ImGuiCol_SliderGrabActive] = rgb(80, 120, 235);
}

// Spacing chosen on purpose (at body size 16; scaled with presentation mode): panels square
// (they tile the window), controls softly rounded, one pixel of border so white fields read on
// the paper surface; 10×8 window padding and 8×5 item spacing keep a 1280×720 projector's views
// whole.
void set_style(bool dark, bool high_contrast, float scale) {
  ImGuiStyle style;
  if (dark && !high_contrast) {
    ImGui::StyleColorsDark(&style);
  } else {
    ImGui::StyleColorsLight(&style);
  }
  style.WindowPadding = ImVec2(10, 8);
  style.FramePadding = ImVec2(6, 3);
  style.ItemSpacing = ImVec2(8, 5);
  style.ItemInnerSpacing = ImVec2(6, 4);
  style.IndentSpacing = 18.0f;
  style.ScrollbarSize = 13.0f;
  style.GrabMinSize = 10.0f;
  style.WindowRounding = 0.0f;
  style.ChildRounding = 0.0f;
  style.FrameRounding = 4.0f;
  style.PopupRounding = 4.0f;
  style.GrabRounding = 4.0f;
  style.TabRounding = 4.0f;
  style.ScrollbarRounding = 6.0f;
  style.WindowBorderSize = 1.0f;
  style.FrameBorderSize = 1.0f;
  style.PopupBorderSize = 1.0f;
  style.WindowTitleAlign = ImVec2(0.0f, 0.5f);
  if (high_contrast) {
    set_high_contrast_colours(style);
    style.FrameBorderSize = 2.0f;
    style.WindowBorderSize = 2.0f;
  } else {
    set_neutral_colours(style, dark ? dark_neutrals() : light_neutrals());
  }
  style.ScaleAllSizes(scale);
  ImGui::GetStyle() = style;
}

}  // namespace

Palette make_palette(bool dark, bool high_contrast, float scale) {
  Palette p = high_contrast ? high_contrast_palette() : dark ? dark_palette() : light_palette();
  p.current_out = p.tap;
  p.tap_done = with_alpha(p.frame, dark && !high_contrast ? 110 : 80);
  p.line = (high_contrast ? 2.0f : 1.0f) * scale;
  p.error_v4 = ImGui::ColorConvertU32ToFloat4(p.error);
  p.dim_v4 = ImGui::ColorConvertU32ToFloat4(p.text_dim);
  p.accent_v4 = ImGui::ColorConvertU32ToFloat4(p.accent);
  return p;
}

const Palette& palette() {
  return g_palette;
}
ImFont* ui_font() {
  return g_ui;
}
ImFont* mono_font() {
  return g_mono ? g_mono : ImGui::GetFont();
}
ImFont* heading_font() {
  return g_heading ? g_heading : ImGui::GetFont();
}
ImFont* mono_big_font() {
  return g_mono_big ? g_mono_big : mono_font();
}
ImFont* mono_small_font() {
  return g_mono_small ? g_mono_small : mono_font();
}
ImFont* caption_font() {
  return g_caption ? g_caption : ImGui::GetFont();
}
ImFont* number_font(float size) {
  if (size >= mono_big_font()->FontSize) return mono_big_font();
  if (size >= mono_font()->FontSize) return mono_font();
  return mono_small_font();
}

float presentation_scale_for(float window_height) {
  // 1.25 at 720 rows (a 20-pixel font), 1.875 at 1080, 3.75 at 2160: the same share of the
  // screen on every projector. Eighth steps, so a resize does not rebuild the fonts per pixel.
  const float scale = std::round(window_height / 576.0f * 8.0f) / 8.0f;
  return std::clamp(scale, 1.0f, 4.0f);
}

void report_fit(AppState& s, const char* view, bool horizontal) {
  // NOTE: ImGui computes a horizontal scroll range even for windows that cannot scroll sideways
  // (their text wraps or is cut); only views that scroll sideways ask about it.
  if (ImGui::GetScrollMaxY() > 0.5f || (horizontal && ImGui::GetScrollMaxX() > 0.5f)) {
    s.overflow.push_back(view);
  }
}

float slim_padding() {
  return std::round(0.3f * ImGui::GetFrameHeight());
}

ImGuiWindowFlags stage_flags(const AppState& s) {
  return s.presentation ? ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoCollapse : 0;
}

float ui_scale(const AppState& s) {
  return s.presentation ? s.presentation_scale : 1.0f;
}
float text_size(const AppState& s) {
  return std::round(s.font_size * ui_scale(s));
}

namespace {

// The atlas at the sizes of the type scale (TypeScale in ui_theme.hpp). False when a DejaVu file
// is missing: ImGui's own font then stands in for all of them and the banner says why.
bool build_fonts(AppState& s) {
  const float scale = ui_scale(s);
  const float size = text_size(s);
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  bool missing = false;
  g_ui = add_font(io.Fonts, "DejaVuSans.ttf", size, missing);
  g_mono = add_font(io.Fonts, "DejaVuSansMono.ttf", size, missing);
  g_heading =
      add_font(io.Fonts, "DejaVuSans-Bold.ttf", std::round(size * TypeScale::heading), missing);
  g_mono_big =
      add_font(io.Fonts, "DejaVuSansMono.ttf", std::round(size * TypeScale::numbers_big), missing);
  g_mono_small =
      add_font(io.Fonts, "DejaVuSansMono.ttf", std::round(size * TypeScale::caption_mono), missing);
  g_caption = add_font(io.Fonts, "DejaVuSans.ttf", std::round(size * TypeScale::caption), missing);
  if (missing || !g_ui) {
    io.Fonts->Clear();
    ImFontConfig cfg;
    cfg.SizePixels = 13.0f * scale;
    g_ui = io.Fonts->AddFontDefault(&cfg);
    g_mono = g_heading = g_mono_big = g_mono_small = g_caption = g_ui;
    s.banner = std::string("The DejaVu fonts are missing from ") + kFontDir +
               " (install fonts-dejavu-core); using ImGui's built-in font, which lacks · × − ⌊ ⌋.";
  }
  io.FontDefault = g_ui;
  io.Fonts->Build();
  // NOTE: the backend made the old texture from the old atlas; a new atlas needs a new texture.
  // main.cpp creates the backend's device objects before the first call, so one always exists.
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
  // Every glyph is drawn at the size it was rasterised at (PixelSnapH, number_font()), so
  // nearest sampling looks the same as linear and costs llvmpipe about a fifth less per frame.
  gpu::set_nearest_filtering(reinterpret_cast<uintptr_t>(io.Fonts->TexID));
  return !missing;
}

}  // namespace

bool refresh_theme(AppState& s) {
  const bool contrast = s.high_contrast || s.presentation;
  const float scale = ui_scale(s);
  const Built want{true,        s.presentation, contrast, s.dark_theme, s.diverging_palette,
                   s.font_size, scale};
  const bool same_fonts = g_built.done && g_built.font_size == want.font_size &&
                          g_built.scale == want.scale && g_built.presentation == want.presentation;
  if (same_fonts && g_built.high_contrast == want.high_contrast && g_built.dark == want.dark &&
      g_built.palette == want.palette) {
    return false;
  }
  g_built = want;
  if (!same_fonts) build_fonts(s);
  set_style(s.dark_theme, contrast, scale);
  g_palette = make_palette(s.dark_theme, contrast, scale);
  gpu::set_diverging_palette(s.diverging_palette == 1 ? gpu::DivergingPalette::blue_orange
                                                      : gpu::DivergingPalette::red_blue);
  return true;
}

std::string fmt(double v, int digits) {
  char buf[64];
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "∞" : "−∞";
  if (v == 0.0) return "0";  // also −0
  if (std::fabs(v) < 1e7 && v == std::round(v)) {
    std::snprintf(buf, sizeof buf, "%.0f", std::fabs(v));
  } else {
    std::snprintf(buf, sizeof buf, "%.*g", digits, std::fabs(v));
  }
  return v < 0 ? std::string("−") + buf : std::string(buf);
}

std::string fmt_factor(double v, int digits) {
  std::string text = fmt(v, digits);
  if (v < 0) {
    // NOTE: appending (not "(" + text) sidesteps a false -Wrestrict of GCC 12's operator+.
    text.insert(text.begin(), '(');
    text.push_back(')');
  }
  return text;
}

ImU32 value_colour(double v, double max_abs, bool pale) {
  float t = max_abs > 0 ? static_cast<float>(v / max_abs) : 0.0f;
  if (!std::isfinite(t)) t = 0.0f;
  uint8_t c[3];
  cs::gpu::diverging_colour(t, c);
  const ImU32 colour = IM_COL32(c[0], c[1], c[2], 255);
  return pale ? paler(colour, g_palette) : colour;
}

ImU32 paler(ImU32 colour, const Palette& pal) {
  ImU32 out = IM_COL32_A_MASK;
  for (int shift : {IM_COL32_R_SHIFT, IM_COL32_G_SHIFT, IM_COL32_B_SHIFT}) {
    const float from = static_cast<float>((colour >> shift) & 0xFF);
    const float to = static_cast<float>((pal.canvas_bg >> shift) & 0xFF);
    out |= static_cast<ImU32>(from + (to - from) * pal.pale_mix + 0.5f) << shift;
  }
  return out;
}

ImU32 text_colour_on(ImU32 bg) {
  // The higher WCAG contrast of black and white on `bg`: at worst 4.58 (where they tie), so a
  // number reads on any cell colour.
  auto linear = [](ImU32 byte) {
    const float c = static_cast<float>(byte & 0xFF) / 255.0f;
    return c <= 0.04045f ? c / 12.92f : std::pow((c + 0.055f) / 1.055f, 2.4f);
  };
  const float y = 0.2126f * linear(bg) + 0.7152f * linear(bg >> 8) + 0.0722f * linear(bg >> 16);
  const float on_black = (y + 0.05f) / 0.05f, on_white = 1.05f / (y + 0.05f);
  return on_black >= on_white ? IM_COL32(0, 0, 0, 255) : IM_COL32(255, 255, 255, 255);
}

void draw_colour_legend(double max_abs, float width) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float h = ImGui::GetTextLineHeight() * 0.8f;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const int steps = 32;
  for (int i = 0; i < steps; ++i) {
    const double t0 = -1.0 + 2.0 * i / steps;
    const float x0 = p.x + width * i / steps;
    const float x1 = p.x + width * (i + 1) / steps;
    dl->AddRectFilled(ImVec2(x0, p.y), ImVec2(x1 + 0.5f, p.y + h),
                      value_colour(t0 + 1.0 / steps, 1.0));
  }
  dl->AddRect(p, ImVec2(p.x + width, p.y + h), palette().grid);
  ImGui::Dummy(ImVec2(width, h));
  const std::string lo = fmt(-max_abs, 3), hi = fmt(max_abs, 3);
  ImGui::TextUnformatted(lo.c_str());
  ImGui::SameLine(width * 0.5f - ImGui::CalcTextSize("0").x * 0.5f +
                  ImGui::GetStyle().WindowPadding.x);
  ImGui::TextUnformatted("0");
  ImGui::SameLine(width - ImGui::CalcTextSize(hi.c_str()).x + ImGui::GetStyle().WindowPadding.x);
  ImGui::TextUnformatted(hi.c_str());
}

void text_centred(ImDrawList* dl, ImFont* font, float size, ImVec2 a, ImVec2 b, ImU32 colour,
                  const std::string& text) {
  const ImVec2 ts = font->CalcTextSizeA(size, 1e9f, 0.0f, text.c_str());
  const ImVec2 pos(std::floor((a.x + b.x - ts.x) * 0.5f), std::floor((a.y + b.y - ts.y) * 0.5f));
  const ImVec4 clip(a.x, a.y, b.x, b.y);
  dl->AddText(font, size, pos, colour, text.c_str(), nullptr, 0.0f, &clip);
}

// The output-size formula, one line per axis; a line too long for the panel breaks after its
// general form, before the numbers.
void draw_formula(const std::string& formula, bool compact) {
  ImGui::PushFont(mono_font());
  // Compact, two axes with the same numbers (a square lesson): one line for both.
  const std::size_t nl = formula.find('\n');
  if (compact && nl != std::string::npos && formula.find('\n', nl + 1) == std::string::npos) {
    const std::string a = formula.substr(0, nl), b = formula.substr(nl + 1);
    const std::size_t ca = a.find("+ 1 = "), cb = b.find("+ 1 = ");
    const std::size_t ea = a.find(" = "), eb = b.find(" = ");
    if (ca != std::string::npos && cb != std::string::npos && ea != std::string::npos &&
        eb != std::string::npos && a.substr(ca + 4) == b.substr(cb + 4) &&
        ImGui::CalcTextSize(a.c_str()).x > ImGui::GetContentRegionAvail().x) {
      const std::string both = a.substr(0, ea) + " = " + b.substr(0, eb) + " " + a.substr(ca + 4);
      ImGui::TextUnformatted(both.c_str());
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", formula.c_str());
      ImGui::PopFont();
      return;
    }
  }
  std::size_t start = 0;
  while (start < formula.size()) {
    std::size_t end = formula.find('\n', start);
    if (end == std::string::npos) end = formula.size();
    const std::string line = formula.substr(start, end - start);
    start = end + 1;
    const std::size_t cut = line.find("+ 1 = ");
    if (cut == std::string::npos ||
        ImGui::CalcTextSize(line.c_str()).x <= ImGui::GetContentRegionAvail().x) {
      ImGui::TextUnformatted(line.c_str());
      continue;
    }
    if (compact) {
      const std::size_t eq = line.find(" = ");
      const std::string numbers = line.substr(0, eq) + " " + line.substr(cut + 4);
      ImGui::TextUnformatted(numbers.c_str());
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", line.c_str());
      continue;
    }
    // Still too wide (a narrow panel): let ImGui wrap each part.
    ImGui::TextWrapped("%s", line.substr(0, cut + 3).c_str());
    ImGui::Indent(ImGui::CalcTextSize("out_h ").x);
    ImGui::TextWrapped("%s", line.substr(cut + 4).c_str());
    ImGui::Unindent(ImGui::CalcTextSize("out_h ").x);
  }
  ImGui::PopFont();
}

}  // namespace cs::ui
